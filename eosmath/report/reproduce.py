"""The main job, ``eosmath reproduce``: everything the toolkit can show, in one report folder.

Sections run in order; each writes its files under the output folder and returns markdown for
``index.md``. A section that fails is reported as failed in the index (with the error) and the
job goes on, so one broken part never hides the rest; the exit code says whether all passed.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import eosmath
from eosmath.progress import Progress
from eosmath.provenance import provenance


@dataclass
class SectionResult:
    title: str
    markdown: str
    passed: bool
    seconds: float = 0.0
    files: list = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    title: str
    run: Callable  # (out_dir: Path, full: bool, quiet: bool) -> SectionResult


SECTIONS: list[Section] = []


def section(title: str):
    """Decorator registering a report section (order of registration = order in the report)."""

    def wrap(fn):
        SECTIONS.append(Section(title, fn))
        return fn

    return wrap


def catalog_models():
    """Every catalog Model (product once per ℓ), skipping non-loss systems."""
    from eosmath.models import get, names
    from eosmath.models.product import LOSSES
    from eosmath.symbolic.model import Model

    out = []
    for name in names():
        variants = [{"ell": ell} for ell in LOSSES] if name == "product" else [{}]
        for options in variants:
            m = get(name, **options)
            if isinstance(m, Model):
                out.append((name, options, m))
    return out


@section("Catalog: derived objects and backend cross-checks")
def catalog_section(out_dir: Path, full: bool, quiet: bool) -> SectionResult:
    from eosmath.kernels.crosscheck import cross_check_backends

    rows = ["| model | loss | conserved (GF) | invariant subspaces | sharpness closed form | "
            "max rel. diff Numba/NumPy vs mpmath-50 | verdict |",
            "|---|---|---|---|---|---|---|"]
    ok = True
    models = catalog_models()
    with Progress(len(models), "catalog", quiet=quiet) as bar:
        for name, options, m in models:
            label = name + "".join(f" ({k}={v})" for k, v in options.items())
            agreement = cross_check_backends(m, points=32 if full else 8)
            conserved = ", ".join(f"`{q}`" for q in m.conserved_quantities(max_degree=4)) or "—"
            subspaces = ", ".join(f"`{s}`" for s in m.invariant_subspaces()) or "—"
            has_sharpness = "yes" if m.sharpness() is not None else "no"
            verdict = "PASS" if agreement.passed else "FAIL"
            ok &= agreement.passed
            rows.append(f"| {label} | `{m.loss}` | {conserved} | {subspaces} | {has_sharpness} | "
                        f"{agreement.worst:.1e} | {verdict} |")
            bar.update()
    text = ("Every catalog model, its gradient-flow conserved quantities and GD-invariant "
            "subspaces (each verified symbolically), and the agreement of the compiled Numba "
            "kernels and NumPy functions with mpmath at 50 digits (tolerance 1e-12).\n\n"
            + "\n".join(rows))
    return SectionResult("Catalog", text, ok)


def run_report(out_dir="report", full: bool = False, quiet: bool = False) -> bool:
    """Run every section, write ``<out_dir>/index.md``; return True iff every section passed."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for sec in SECTIONS:
        start = time.perf_counter()
        try:
            result = sec.run(out, full, quiet)
        except Exception:  # a broken section is reported, not fatal: the rest still runs
            result = SectionResult(sec.title, "```\n" + traceback.format_exc() + "```", False)
        result.seconds = time.perf_counter() - start
        results.append(result)
        if not quiet:
            print(f"[{'ok' if result.passed else 'FAILED'}] {sec.title} ({result.seconds:.1f}s)")
    meta = provenance(mode="full" if full else "default")
    lines = [f"# eosmath reproduce report ({meta['mode']} mode)", "",
             f"eosmath {eosmath.__version__}, created {meta['created_utc']} on "
             f"{meta['platform']} ({meta['cpu_count']} CPUs).", "",
             "| section | verdict | seconds |", "|---|---|---|"]
    lines += [f"| {r.title} | {'PASS' if r.passed else 'FAIL'} | {r.seconds:.1f} |"
              for r in results]
    for r in results:
        lines += ["", f"## {r.title}", "", r.markdown]
    (out / "index.md").write_text("\n".join(lines) + "\n")
    return all(r.passed for r in results)


@section("LaTeX derivations of every catalog model")
def derivations_section(out_dir: Path, full: bool, quiet: bool) -> SectionResult:
    from eosmath.report.pdf import build_pdf, pdflatex_available
    from eosmath.report.regenerate import render_all

    folder = out_dir / "derivations"
    folder.mkdir(parents=True, exist_ok=True)
    texts = render_all()  # refuses to render a document with a failed check
    with_pdf = pdflatex_available()
    rows = ["| model | LaTeX | PDF |", "|---|---|---|"]
    files = []
    with Progress(len(texts), "derivations", quiet=quiet) as bar:
        for name, text in sorted(texts.items()):
            tex = folder / name
            tex.write_text(text)
            pdf = build_pdf(tex, out_dir=folder) if with_pdf else None
            files.append(f"derivations/{name}")
            link = f"[pdf](derivations/{pdf.name})" if pdf else "no TeX on this machine"
            rows.append(f"| {name[:-4]} | [tex](derivations/{name}) | {link} |")
            bar.update()
    text = ("Each statement was checked when written (symbolically, or numerically at 50 digits "
            "where SymPy cannot decide); a document with a failed check is not written.\n\n"
            + "\n".join(rows))
    return SectionResult("LaTeX derivations", text, True, files=files)


def _cell(value) -> str:
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        text = str(value)
        return text if len(text) <= 60 else text[:57] + "…"


@section("Theorem checks of the seed papers")
def theory_section(out_dir: Path, full: bool, quiet: bool) -> SectionResult:
    from eosmath.theory import verify_all

    report = verify_all(quick=not full, quiet=quiet)
    (out_dir / "checks.json").write_text(report.to_json())
    rows = ["| check | source | statement | predicted | measured | tolerance | verdict |",
            "|---|---|---|---|---|---|---|"]
    for v in report.verdicts:
        verdict = "PASS" if v.passed else "FAIL"
        if v.recheck is not None:
            verdict += f" ({v.recheck.verdict})"
        statement = v.statement.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{v.name}` | {v.source} | {statement} | {_cell(v.predicted)} | "
                    f"{_cell(v.measured)} | {_cell(v.tolerance)} | {verdict} |")
    text = (f"{len(report.verdicts)} checks in {report.mode} mode, "
            f"{len(report.failures)} failing; machine-readable: [checks.json](checks.json).\n\n"
            + "\n".join(rows))
    return SectionResult("Theorem checks", text, report.passed, files=["checks.json"])
