r"""The PDF of the reproduce report: ``report.tex`` from the check table and figures, then pdflatex.

The text is escaped in Python (every special character and unicode symbol becomes a LaTeX
command), so the ``.tex`` file is pure ASCII and compiles with plain pdflatex.

Example::

    >>> print(latex_escape("η ≤ 1%"))
    \ensuremath{\eta} \ensuremath{\leq} 1\%
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from eosmath.errors import EosmathError
from eosmath.report.tex_escape import latex_escape


def _breakable(name: str) -> str:
    """Escaped text that may also break after ``_`` and ``/`` (paths in a narrow column)."""
    return latex_escape(name).replace(r"\_", r"\_\allowbreak{}").replace("/", r"/\allowbreak{}")


def _value(value, limit: int = 80) -> str:
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    return latex_escape(text if len(text) <= limit else text[:limit - 3] + "...")


_FIGURE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+\.(?:png|pdf|jpg))\)")


def linked_figures(markdown: str) -> list[tuple[str, str]]:
    """(path, caption) of every image ``![caption](path)`` the markdown links, in order."""
    seen, out = set(), []
    for caption, path in _FIGURE.findall(markdown):
        if path not in seen:
            seen.add(path)
            out.append((path, caption))
    return out


_PREAMBLE = r"""\documentclass[10pt,a4paper]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage[margin=1.6cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{array,longtable}
\usepackage{graphicx}
\usepackage[hidelinks]{hyperref}
\newcolumntype{P}[1]{>{\raggedright\arraybackslash}p{#1\linewidth}}
\setlength{\tabcolsep}{3pt}
"""


def report_tex(checks: list[dict], figures: list[tuple[str, str]] = (),
               derivations: list[str] = (), title: str = "eosmath reproduce report") -> str:
    """The LaTeX source of the report.

    ``checks`` are Verdict dicts as in ``checks.json`` (name, source, statement, predicted,
    measured, passed); ``figures`` are (path, caption) relative to the report folder;
    ``derivations`` are paths of derivation PDFs (or .tex files) to link.
    """
    lines = [_PREAMBLE, r"\begin{document}", rf"\section*{{{latex_escape(title)}}}"]
    n_fail = sum(not c.get("passed") for c in checks)
    lines += [r"\subsection*{Theorem checks}",
              f"{len(checks)} checks, {n_fail} failing.", "",
              r"{\small\begin{longtable}{P{.18}P{.44}P{.12}P{.12}P{.08}}",
              r"\hline \multicolumn{5}{@{}l}{check}\\",
              r"source & statement & predicted & measured & verdict\\ \hline",
              r"\endhead"]
    for c in checks:  # the name spans the row above its cells, so it never wraps
        verdict = "pass" if c.get("passed") else r"\textbf{FAIL}"
        lines.append(rf"\multicolumn{{5}}{{@{{}}l}}{{\texttt{{{latex_escape(c['name'])}}}}}\\*")
        lines.append(" & ".join([_breakable(c.get("source", "")),
                                 latex_escape(c.get("statement", "")),
                                 _value(c.get("predicted")), _value(c.get("measured")),
                                 verdict]) + r"\\ \hline")
    lines += [r"\end{longtable}}"]
    if figures:
        lines.append(r"\subsection*{Figures}")
    for path, caption in figures:
        lines += [r"\begin{figure}[htbp]\centering",
                  rf"\includegraphics[width=.8\linewidth,height=.4\textheight,"
                  rf"keepaspectratio]{{{path}}}",
                  rf"\caption{{{latex_escape(caption)}}}", r"\end{figure}"]
    lines.append(r"\subsection*{LaTeX derivations}")
    if derivations:
        lines.append("The derivation of each catalog model is a separate document:")
        lines.append(r"\begin{itemize}")
        lines += [rf"\item \href{{{p}}}{{\texttt{{{_breakable(p)}}}}}" for p in derivations]
        lines.append(r"\end{itemize}")
    else:
        lines.append("No derivation documents were written with this report.")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def tex_engine() -> str | None:
    """The path of pdflatex, or None when TeX is not installed."""
    return shutil.which("pdflatex")


def compile_tex(tex_path, timeout: float = 180, tail: int = 30) -> Path:
    """Compile ``tex_path`` with pdflatex (two passes, for longtable widths) next to itself.

    Relative ``\\includegraphics`` paths resolve from the .tex file's folder. Raises
    :class:`EosmathError` with the error lines and the tail of the log when the build fails.
    """
    engine = tex_engine()
    if engine is None:
        raise EosmathError("pdflatex not found: install texlive-latex-base, "
                           "texlive-latex-recommended and texlive-latex-extra to build PDFs")
    tex_path = Path(tex_path).resolve()
    with tempfile.TemporaryDirectory() as work:
        for _ in range(2):
            result = subprocess.run([engine, "-halt-on-error", "-interaction=nonstopmode",
                                     "-output-directory", work, tex_path.name],
                                    capture_output=True, text=True, errors="replace",
                                    timeout=timeout, cwd=tex_path.parent)
            pdf = Path(work) / (tex_path.stem + ".pdf")
            if result.returncode != 0 or not pdf.exists():
                log = Path(work) / (tex_path.stem + ".log")
                text = log.read_text(errors="replace") if log.exists() else result.stdout
                errors = [ln for ln in text.splitlines() if ln.startswith("!")]
                raise EosmathError(f"pdflatex failed on {tex_path.name}: "
                                   + "; ".join(errors) + "\nlog tail:\n"
                                   + "\n".join(text.splitlines()[-tail:]))
        target = tex_path.with_suffix(".pdf")
        shutil.copyfile(pdf, target)
    return target


def write_report_pdf(out_dir, markdown: str = "", title: str = "eosmath reproduce report"
                     ) -> tuple[str, bool]:
    """Write ``report.tex`` in ``out_dir`` and compile it to ``report.pdf`` when TeX exists.

    Checks come from ``checks.json``, figures from the images ``markdown`` links, derivations
    from ``derivations/*.pdf``. Returns (markdown note for index.md, success); no TeX is a
    success with a note, a LaTeX error is a failure whose note holds the log tail.
    """
    out = Path(out_dir)
    checks_file = out / "checks.json"
    checks = json.loads(checks_file.read_text())["checks"] if checks_file.exists() else []
    figures = [(p, c) for p, c in linked_figures(markdown) if (out / p).exists()]
    derivations = sorted(p.relative_to(out).as_posix()
                         for p in (out / "derivations").glob("*.pdf"))
    tex = out / "report.tex"
    tex.write_text(report_tex(checks, figures, derivations, title), encoding="ascii")
    stale = out / "report.pdf"
    if stale.exists():
        stale.unlink()
    if tex_engine() is None:
        return ("No PDF of this report: pdflatex was not found on this machine "
                "(the LaTeX source is [report.tex](report.tex)).", True)
    try:
        compile_tex(tex)
    except (EosmathError, subprocess.TimeoutExpired) as err:
        return (f"Building [report.tex](report.tex) failed:\n\n```\n{err}\n```", False)
    return ("PDF of this report: [report.pdf](report.pdf) "
            "(LaTeX source [report.tex](report.tex)).", True)
