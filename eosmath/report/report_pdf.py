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

from eosmath.derivations.tex_escape import latex_escape
from eosmath.errors import EosmathError
from eosmath.theory.registry import KIND_TITLES
from eosmath.theory.verdict_rows import TOLERANCE_DIGITS, quantity_rows


def _breakable(name: str) -> str:
    """Escaped text that may also break after ``_`` and ``/`` (paths in a narrow column)."""
    return latex_escape(name).replace(r"\_", r"\_\allowbreak{}").replace("/", r"/\allowbreak{}")


def number(value, digits: int = 6) -> str:
    r"""``value`` as LaTeX text with ``digits`` significant digits (powers of ten as
    ``\times 10^{k}``); lists and dicts show every item, strings are escaped (and may break
    after commas).

    >>> number(0.000012345678)
    '$1.23457\\times10^{-5}$'
    >>> number([1.0, 2.5, 3.0])
    '[1,\\allowbreak{} 2.5,\\allowbreak{} 3]'
    """
    if isinstance(value, bool) or value is None:
        return latex_escape(str(value))
    if isinstance(value, (int, float)):
        text = f"{value:.{digits}g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            return f"${mantissa}\\times10^{{{int(exponent)}}}$"
        return text
    if isinstance(value, (list, tuple)):
        return "[" + ",\\allowbreak{} ".join(number(v, digits) for v in value) + "]"
    if isinstance(value, dict):
        return "; ".join(f"{latex_escape(str(k))}: {number(v, digits)}" for k, v in value.items())
    math = symbolic(str(value), digits)
    return math if math is not None else _code_text(str(value))


def _code_text(text: str) -> str:
    """Escaped text that may break after commas and operators (code in a narrow column)."""
    return latex_escape(text).replace(",", r",\allowbreak{}").replace("*", r"*\allowbreak{}")


_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
          "rho sigma tau upsilon phi chi psi omega")
_MATH_NAME = re.compile(r"(?:[A-Za-z]|" + "|".join(_GREEK.split()) + r")"
                        r"(?:\d+|_[A-Za-z0-9]+)?")
"""Names read as mathematical symbols: one letter or a Greek letter's name, with an optional
numeric or ``_`` subscript (``c2``, ``x_0``, ``alpha``). Longer words (``period``, ``inf``)
make the text stay text, so a status such as ``max-steps`` is never typeset as a difference."""

_MAX_SYMBOLIC = 400
"""Longest text tried as an expression (longer ones stay escaped text, which may break)."""


def symbolic(text: str, digits: int = 6) -> str | None:
    r"""LaTeX math for ``text`` that is a SymPy expression printed as code, or a bracketed list
    of them (``[sqrt(2)*sqrt(alpha)/sqrt(beta), 0]``, numbers among them to ``digits``); None
    for anything else. The text is read by the whitelist parser
    (:func:`~eosmath.symbolic.parsing.parse_expression`), never evaluated. The math is shrunk
    to its column when wider, and set as the code text when over twice as wide.

    >>> print(symbolic("c2/(3*c3)"))
    \fitmath{\frac{c_{2}}{3 c_{3}}}{c2/(3*\allowbreak{}c3)}
    >>> print(symbolic("[sqrt(alpha), 1.41421356237]"))
    [\fitmath{\sqrt{\alpha}}{sqrt(alpha)},\allowbreak{} 1.41421]
    >>> print(symbolic("[(sqrt(2), 0)]"))
    [(\fitmath{\sqrt{2}}{sqrt(2)},\allowbreak{} 0)]
    >>> symbolic("max-steps") is None, symbolic("0.5") is None
    (True, True)
    """
    text = text.strip()
    if not text or len(text) > _MAX_SYMBOLIC:
        return None
    return _symbolic(text, digits, 0)


def _symbolic(text: str, digits: int, depth: int) -> str | None:
    """A list ``[…]`` or tuple ``(a, b)`` of items (nested up to three deep), or one
    expression; ``(a)`` alone is an expression."""
    if depth < 3 and len(text) >= 2 and (text[0], text[-1]) in (("[", "]"), ("(", ")")):
        parts = _top_level_items(text[1:-1])
        if parts and (text[0] == "[" or len(parts) > 1):
            cells = []
            for part in (p.strip() for p in parts):
                math = _symbolic(part, digits, depth + 1)
                if math is None and not _is_number(part):
                    return None
                cells.append(math or number(float(part), digits))
            return text[0] + ",\\allowbreak{} ".join(cells) + text[-1]
        if text[0] == "[":
            return None
    return _expression(text)


def _expression(text: str) -> str | None:
    import ast

    import sympy as sp

    from eosmath.errors import ModelSyntaxError
    from eosmath.symbolic.parsing import ALLOWED_CONSTANTS, ALLOWED_FUNCTIONS, parse_expression

    try:
        tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    calls = {n.func.id for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    symbols = names - calls - set(ALLOWED_FUNCTIONS) - set(ALLOWED_CONSTANTS)
    if (isinstance(tree.body, ast.Name) or not names
            or not all(_MATH_NAME.fullmatch(n) for n in symbols)):
        return None
    try:
        expr = parse_expression(text, {n: sp.Symbol(n) for n in symbols})
    except (ModelSyntaxError, RecursionError, MemoryError, TypeError, ValueError):
        return None
    return rf"\fitmath{{{sp.latex(expr)}}}{{{_code_text(text)}}}"


def _top_level_items(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses and brackets."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item.strip() for item in items]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_SENSE = {"==": "", "<=": "\\ensuremath{\\leq} ", ">=": "\\ensuremath{\\geq} "}


def _rows(check: dict) -> list[tuple[str, str, str, str]]:
    """(quantity, predicted, measured, tolerance) cells of one check, a row per compared
    quantity (:func:`~eosmath.theory.verdict_rows.quantity_rows`), at the digits that matter."""
    return [(latex_escape(r.quantity, scripts=True),
             _SENSE.get(r.sense, "") + number(r.predicted, r.digits), number(r.measured, r.digits),
             number(r.tolerance, TOLERANCE_DIGITS) + (" (rel.)" if r.relative else ""))
            for r in quantity_rows(check)]


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
\newsavebox{\fitmathbox}
\newcommand{\fitmath}[2]{\sbox{\fitmathbox}{$\displaystyle #1$}%
  \ifdim\wd\fitmathbox>2\linewidth #2\else
  \ifdim\wd\fitmathbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\fitmathbox}}\else
  \usebox{\fitmathbox}\fi\fi}
\sloppy
"""


def report_tex(checks: list[dict], figures: list[tuple[str, str]] = (),
               derivations: list[str] = (), title: str = "eosmath reproduce report") -> str:
    """The LaTeX source of the report.

    ``checks`` are Verdict dicts as in ``checks.json`` (name, source, statement, predicted,
    measured, passed); ``figures`` are (path, caption) relative to the report folder;
    ``derivations`` are paths of derivation PDFs (or .tex files) to link.
    """
    lines = [_PREAMBLE, r"\begin{document}", rf"\section*{{{latex_escape(title)}}}"]
    claims = [c for c in checks if c.get("kind") != "regression"]
    guards = [c for c in checks if c.get("kind") == "regression"]
    lines += [r"\subsection*{Theorem checks}",
              f"{sum(bool(c.get('passed')) for c in claims)} of {len(claims)} claims verified; "
              f"{len(guards)} regression guards (numbers from earlier runs, not verified "
              f"claims), {sum(not c.get('passed') for c in guards)} failing.", ""]
    for kind in (*KIND_TITLES,):
        group = [c for c in checks if c.get("kind", "unclassified") == kind]
        if group:
            lines.append(rf"\subsubsection*{{{latex_escape(KIND_TITLES[kind])}}}")
            for c in group:
                lines += _check_block(c)
    if figures:
        lines.append(r"\subsection*{Figures}")
    for path, caption in figures:
        lines += [r"\begin{figure}[htbp]\centering",
                  rf"\includegraphics[width=.8\linewidth,height=.4\textheight,"
                  rf"keepaspectratio]{{{path}}}",
                  rf"\caption{{{latex_escape(caption, scripts=True)}}}", r"\end{figure}"]
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


def _check_block(c: dict) -> list[str]:
    """One check: name and verdict, statement, evidence, and its numbers as a table."""
    verdict = "pass" if c.get("passed") else r"\textbf{FAIL}"
    lines = [r"\begin{samepage}\noindent",
             rf"\texttt{{{_breakable(c['name'])}}} --- {verdict} "
             rf"{{\footnotesize({_breakable(c.get('source', ''))})}}\\",
             latex_escape(c.get("statement", ""), scripts=True) + r"\\[2pt]"]
    evidence = [("prediction from", c.get("prediction_source")),
                ("tolerance", c.get("tolerance_basis")), ("not shown", c.get("not_shown"))]
    lines.append(r"{\footnotesize " + "; ".join(
        rf"\emph{{{k}}}: {latex_escape(v, scripts=True)}" for k, v in evidence if v) + "}")
    lines += [r"\end{samepage}", "", r"{\small\begin{longtable}{@{}P{.34}P{.22}P{.22}P{.18}@{}}",
              r"\emph{quantity} & \emph{predicted} & \emph{measured} & \emph{tolerance}\\",
              r"\hline"]
    lines += [" & ".join(row) + r"\\" for row in _rows(c)]
    lines += [r"\hline\end{longtable}}", ""]
    return lines


def tex_engine() -> str | None:
    """The path of pdflatex, or None when TeX is not installed."""
    return shutil.which("pdflatex")


def compile_tex(tex_path, timeout: float = 180, tail: int = 30) -> Path:
    """Compile ``tex_path`` with pdflatex (two passes, for longtable widths) next to itself;
    the last pass's log is kept beside the PDF (``.log``).

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
        shutil.copyfile(Path(work) / (tex_path.stem + ".log"), tex_path.with_suffix(".log"))
    return target


def overfull_boxes(log_path) -> int:
    """The number of overfull boxes (text running past its column or margin) a pdflatex log
    reports."""
    text = Path(log_path).read_text(errors="replace")
    return sum(line.startswith("Overfull \\") for line in text.splitlines())


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
    for stale in (out / "report.pdf", out / "report.log"):
        if stale.exists():
            stale.unlink()
    if tex_engine() is None:
        return ("No PDF of this report: pdflatex was not found on this machine "
                "(the LaTeX source is [report.tex](report.tex)).", True)
    try:
        compile_tex(tex)
    except (EosmathError, subprocess.TimeoutExpired) as err:
        return (f"Building [report.tex](report.tex) failed:\n\n```\n{err}\n```", False)
    overfull = overfull_boxes(out / "report.log")
    return ("PDF of this report: [report.pdf](report.pdf) "
            f"(LaTeX source [report.tex](report.tex); pdflatex log [report.log](report.log): "
            f"{overfull} overfull box{'' if overfull == 1 else 'es'}).", True)
