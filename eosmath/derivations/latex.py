"""The house style of every formula eosmath writes: one LaTeX printer, configured here only.

Symbols print as the papers write them (``eta`` → η, ``sigma1`` → σ₁, ``ell`` → ℓ); fractional
powers are folded (x^{3/2}); named functions without a LaTeX macro use ``\\operatorname``; the
stable helpers print as the functions they stand for (LogCosh → log cosh, Softplus → log(1+eᵘ)).
Long sums are broken into lines (:func:`break_lines`) so that no equation runs off the page.

>>> import sympy as sp
>>> x, eta = sp.Symbol("x"), sp.Symbol("eta")
>>> to_latex(x - eta * x ** sp.Rational(3, 2))
'- \\\\eta x^{3/2} + x'
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from eosmath.derivations.tex_escape import latex_escape

HOUSE_SETTINGS = {
    "fold_frac_powers": True,   # x^{3/2}, not x^{\frac{3}{2}}
    "fold_short_frac": False,   # display style: \frac{x}{2}, never x/2
    "long_frac_ratio": 3,       # \frac{1}{d} (n) when the numerator is far wider than d
    "mat_str": "bmatrix",
    "mat_delim": "",
    "mul_symbol": None,
    "inv_trig_style": "abbreviated",
    "ln_notation": False,
}
"""The only LatexPrinter settings eosmath uses (see :class:`HousePrinter`)."""

LINE_WIDTH = 54
"""Visible characters of math per line before a sum is broken (fits an 11pt article column)."""

_MATRIX_INDEX = re.compile(r"^([A-Za-z]+)_(\d+)_(\d+)$")


class HousePrinter(LatexPrinter):
    """SymPy's LatexPrinter with eosmath's settings and symbol conventions."""

    def __init__(self, settings=None):
        super().__init__({**HOUSE_SETTINGS, **(settings or {})})

    def _print_Symbol(self, expr, style="plain"):
        match = _MATRIX_INDEX.match(expr.name)
        if match:  # matrix entries a_1_2 (quadratic with matrix=) print as a_{12}
            base, i, j = match.groups()
            return f"{self._print(sp.Symbol(base))}_{{{i}{j}}}"
        return super()._print_Symbol(expr, style=style)

    def _print_Function(self, expr, exp=None):
        # Functions SymPy has no macro for print upright through \operatorname (SymPy already
        # does this for multi-letter names; single letters would otherwise come out italic).
        name = type(expr).__name__
        if len(name) == 1 and not hasattr(self, f"_print_{name}"):
            args = ", ".join(self._print(a) for a in expr.args)
            head = rf"\operatorname{{{name}}}" + (f"^{{{exp}}}" if exp else "")
            return rf"{head}\left({args}\right)"
        return super()._print_Function(expr, exp)


_PRINTER = HousePrinter()


def to_latex(expr) -> str:
    """``expr`` in house style (a single line; see :func:`break_lines` for long ones)."""
    return _PRINTER.doprint(sp.sympify(expr))


def symbol(name_or_symbol) -> str:
    """The house LaTeX of a symbol (or of a symbol name): ``"sigma1"`` → ``\\sigma_{1}``."""
    s = name_or_symbol if isinstance(name_or_symbol, sp.Symbol) else sp.Symbol(name_or_symbol)
    return to_latex(s)


def visible_width(latex: str) -> int:
    """A rough count of the characters ``latex`` shows (commands count as one glyph)."""
    text = re.sub(r"\\(left|right|operatorname|mathrm)\b", "", latex)
    text = re.sub(r"\\[A-Za-z]+", "M", text)
    text = re.sub(r"[{}\s&]|\\[,;!]", "", text)
    return len(text)


def _signed_terms(expr: sp.Add) -> list[tuple[str, sp.Expr]]:
    """Top-level terms of a sum as (sign, term without its sign), in the printer's order."""
    out = []
    for term in _PRINTER._as_ordered_terms(expr):
        if _PRINTER._print(term).startswith("-"):
            out.append(("-", -term))
        else:
            out.append(("+", term))
    return out


def _factor_lines(term: sp.Expr, width: int) -> list[str] | None:
    """A product c·(a + b + …) too wide for a line, as lines cut inside the parentheses."""
    if not isinstance(term, sp.Mul):
        return None
    sums = [f for f in term.args if isinstance(f, sp.Add)]
    if len(sums) != 1:
        return None
    rest = sp.Mul(*[f for f in term.args if f is not sums[0]])
    inner = break_lines(sums[0], width - 4)
    if len(inner) < 2:
        return None
    prefix = "" if rest == 1 else to_latex(rest) + " "
    return ([prefix + r"\left(" + inner[0] + r" \right."]
            + [r"\left. " + line + r" \right." for line in inner[1:-1]]
            + [r"\left. " + inner[-1] + r" \right)"])


def break_lines(expr, width: int = LINE_WIDTH) -> list[str]:
    """``expr`` as one or more lines, each about ``width`` visible characters or fewer.

    A sum too wide for one line is cut between terms (every continuation line starts with its
    sign); a term c·(a + b + …) that is itself too wide is cut inside its parentheses. Other
    expressions (roots, fractions) stay on one line.

    >>> x = sp.Symbol("x")
    >>> len(break_lines(sum(x**k for k in range(1, 40)), width=30)) > 1
    True
    """
    expr = sp.sympify(expr)
    whole = to_latex(expr)
    if visible_width(whole) <= width or not isinstance(expr, sp.Add):
        return [whole]
    lines: list[str] = []
    current = ""
    for sign, term in _signed_terms(expr):
        text = to_latex(term)
        piece = f"{sign} {text}" if current or sign == "-" else text
        candidate = f"{current} {piece}".strip()
        if visible_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        split = _factor_lines(term, width) if visible_width(piece) > width else None
        if split:
            head = f"{sign} " if (lines or sign == "-") else ""
            lines += [head + split[0]] + split[1:-1]
            current = split[-1]
        else:
            current = piece
    lines.append(current)
    return lines


def join_lines(pieces: list[str], width: int = LINE_WIDTH, sep: str = ", ") -> list[str]:
    """Ready LaTeX pieces (e.g. the members of a set) packed into lines of about ``width``."""
    lines, current = [], ""
    for k, piece in enumerate(pieces):
        piece = piece + (sep.rstrip() if k < len(pieces) - 1 else "")
        candidate = f"{current} {piece}".strip()
        if current and visible_width(candidate) > width:
            lines.append(current)
            current = piece
        else:
            current = candidate
    lines.append(current)
    return lines




def text(s) -> str:
    """Plain (Unicode) prose as LaTeX text that pdflatex accepts (see :mod:`.tex_escape`).

    >>> print(text("σ ≤ 50% of x_1"))
    \\ensuremath{\\sigma} \\ensuremath{\\leq} 50\\% of x\\_1
    """
    return latex_escape(s)
