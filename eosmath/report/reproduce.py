"""The main job, ``eosmath reproduce``: everything the toolkit can show, in one report folder.

Sections run in order; each writes its files under the output folder and returns markdown for
``index.md``. A section that fails is reported as failed in the index (with the error) and the
job goes on, so one broken part never hides the rest; the exit code says whether all passed.
The last step writes ``report.tex`` (and ``report.pdf`` when TeX exists) from what the sections
wrote: see :mod:`eosmath.report.report_pdf`; with poppler it also renders the PDF's page of
check tables as ``report_table_page.png`` (:mod:`eosmath.report.page_image`).
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
    skipped: str = ""  # why the step did not run (then ``passed`` only means "no failure")

    @property
    def label(self) -> str:
        if self.skipped:
            return f"SKIPPED ({self.skipped})"
        return "PASS" if self.passed else "FAIL"


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
            print(f"[{_mark(result)}] {sec.title} ({result.seconds:.1f}s)")
    results.append(_pdf_step(out, results, quiet))
    meta = provenance(mode="full" if full else "default")
    lines = [f"# eosmath reproduce report ({meta['mode']} mode)", "",
             f"eosmath {eosmath.__version__}, created {meta['created_utc']} on "
             f"{meta['platform']} ({meta['cpu_count']} CPUs).", "",
             "| section | verdict | seconds |", "|---|---|---|"]
    lines += [f"| {r.title} | {r.label} | {r.seconds:.1f} |" for r in results]
    for r in results:
        lines += ["", f"## {r.title}", "", r.markdown]
    (out / "index.md").write_text("\n".join(lines) + "\n")
    return all(r.passed for r in results)


def _pdf_step(out: Path, results: list, quiet: bool) -> SectionResult:
    """The last step: report.tex (and report.pdf when TeX exists) from what the sections wrote."""
    from eosmath.report.report_pdf import tex_engine, write_report_pdf

    start = time.perf_counter()
    markdown = "\n\n".join(r.markdown for r in results)
    try:
        note, ok = write_report_pdf(out, markdown)
    except Exception:  # like a section: reported in the index, never fatal
        note, ok = "```\n" + traceback.format_exc() + "```", False
    skipped = "" if tex_engine() is not None else "pdflatex not found"
    files = ["report.tex"]
    if ok and (out / "report.pdf").exists():  # evidence: a table page, viewable as an image
        from eosmath.report.page_image import write_table_page_png

        png_note, png_ok, png_skipped = write_table_page_png(out / "report.pdf",
                                                             out / "report_table_page.png")
        note, ok = f"{note}\n\n{png_note}", ok and png_ok
        files += ["report.pdf"] + ([] if png_skipped or not png_ok else ["report_table_page.png"])
    result = SectionResult("PDF of this report", note, ok, files=files, skipped=skipped)
    result.seconds = time.perf_counter() - start
    if not quiet:
        print(f"[{_mark(result)}] {result.title} ({result.seconds:.1f}s)")
    return result


def _mark(result: SectionResult) -> str:
    if result.skipped:
        return f"skipped: {result.skipped}"
    return "ok" if result.passed else "FAILED"


@section("LaTeX derivations of every catalog model")
def derivations_section(out_dir: Path, full: bool, quiet: bool) -> SectionResult:
    from eosmath.derivations.pdf import build_pdf, pdflatex_available
    from eosmath.derivations.regenerate import render_all

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


@section("Figures of the seeds")
def figures_section(out_dir: Path, full: bool, quiet: bool) -> SectionResult:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    import eosmath as eos
    from eosmath import nn

    folder = out_dir / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    items = []

    def save(fig, name, caption):
        fig.savefig(folder / name, dpi=110, bbox_inches="tight")
        matplotlib.pyplot.close(fig)
        items.append((name, caption))

    n = 256 if full else 96
    product = eos.models.get("product", ell="logcosh")
    ds = eos.sweep(product, eta=np.linspace(0.5, 3, n), x=np.linspace(0.1, 2, n), y=2.0,
                   steps=2000, quiet=True)
    # GF regime while R = y0² − x0² (the GF limit's sharpness) < 2/η, EoS regime above: with
    # η horizontal the boundary is x0 = √(y0² − 2/η), the EoS regime below it
    boundary = {r"$x_0 = \sqrt{y_0^2 - 2/\eta}$":
                lambda eta: np.sqrt(np.where(4.0 - 2 / eta > 0, 4.0 - 2 / eta, np.nan))}
    save(eos.plot.phase_diagram(ds, "status", overlays=boundary),
         "product_status.png", "ℓ(xy) = log cosh(xy), y0 = 2: outcome of GD per (η, x0); "
         "below the dashed curve (y0² − x0² > 2/η) GD runs at the edge of stability, the "
         "sharpness of the gradient-flow limit exceeding 2/η.")
    save(eos.plot.phase_diagram(ds, "final_eos_ratio", overlays=boundary),
         "product_eos_ratio.png", "η·S/2 at the end of each run, diverged cells masked "
         "(grey): every run that converges ends below the edge (η·S/2 < 1).")
    tr = eos.run_gd(product, 0.1, (0.5, 6.0), steps=4000)
    save(eos.plot.sharpness_trace(tr.sharpness, 0.1, loss=tr.loss,
                                  title=r"$\ell(xy) = \log\cosh(xy)$, $(x_0, y_0) = (0.5, 6)$, "
                                        r"$\eta = 0.1$"),
         "product_sharpness.png",
         "EoS regime (y0² − x0² > 2/η): sharpness is pushed down to just below 2/η.")
    soft = eos.models.get("soft_quadratic")
    diagram = eos.orbit_diagram(soft, np.linspace(0.5, 8, 300 if full else 150), theta0=(0.7,),
                                keep=64, transient=3000)
    save(eos.plot.orbit_diagram_plot(diagram), "soft_quadratic_orbits.png",
         "x²/√(1+x²): fixed point until η = 1, symmetric 2-cycle, symmetry breaking at "
         "3√3/2, period doubling from 5.66.")
    system = eos.models.get("self_stabilization_reduced", eta=0.01, alpha=1.0, beta=1.0)
    x, y = 0.2, -0.5
    xs, ys = [x], [y]
    for _ in range(4000):
        x, y = -(1 + 0.01 * y) * x, y + 0.01 * (1.0 - x * x / 2)
        xs.append(abs(x))
        ys.append(y)
    delta = float(system.meta["delta"].subs(system.hyper))
    save(eos.plot.phase_portrait(xs, ys, r"$|x_t|$ (along the top eigenvector $u$)",
                                 r"$y_t \approx S(\theta_t) - 2/\eta$",
                                 points={r"fixed point $(\delta, 0)$": (delta, 0.0)},
                                 path_label="reduced map, 4000 steps",
                                 title=r"Self-stabilization, eq. (3): $\alpha = \beta = 1$, "
                                       r"$\eta = 0.01$"),
         "self_stabilization_cycle.png", "Reduced self-stabilization map (eq. 3): the "
         "Lotka–Volterra-like cycle around (δ, 0), spiralling slowly outward (the map is not "
         "conservative).")
    data = nn.datasets.chebyshev(degree=3, n=20)
    obj = nn.Objective(nn.MLP([1, 100, 1], activation="tanh", bias=[True, False]), data)
    theta = obj.net.init(seed=0, scheme="chebyshev")
    run = nn.train_gd(obj, theta, eta=0.2, steps=3000 if not full else 10000,
                      sharpness_every=20, top_k=3, quiet=True)
    save(eos.plot.eigenvalue_trace(run.eig_steps, run.eigenvalues, 0.2,
                                   title=r"Chebyshev tanh network (1–100–1), $\eta = 0.2$"),
         "chebyshev_topk.png", "Cohen et al.'s Chebyshev tanh net, η = 0.2: progressive "
         "sharpening to 2/η, then the edge of stability (top-3 Hessian eigenvalues).")
    text = "\n\n".join(f"![{cap}](figures/{name})\n\n*{cap}*" for name, cap in items)
    return SectionResult("Figures", text, True, files=[f"figures/{n}" for n, _ in items])


@section("Theorem checks of the seed papers")
def theory_section(out_dir: Path, full: bool, quiet: bool) -> SectionResult:
    from eosmath.theory import verify_all

    report = verify_all(quick=not full, quiet=quiet)
    (out_dir / "checks.json").write_text(report.to_json())
    text = (f"{len(report.verdicts)} checks in {report.mode} mode, "
            f"{len(report.failures)} failing; machine-readable: [checks.json](checks.json).\n\n"
            + report.to_markdown())
    return SectionResult("Theorem checks", text, report.passed, files=["checks.json"])
