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

LINE_WIDTH = 58
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


def _signed_terms(expr: sp.Add) -> list[tuple[str, str]]:
    """Top-level terms of a sum as (sign, LaTeX of |term|), in the printer's own order."""
    out = []
    for term in _PRINTER._as_ordered_terms(expr):
        text = _PRINTER._print(term)
        if text.startswith("-"):
            out.append(("-", text[1:].lstrip()))
        else:
            out.append(("+", text))
    return out


def break_lines(expr, width: int = LINE_WIDTH) -> list[str]:
    """``expr`` as one or more lines, each about ``width`` visible characters or fewer.

    A sum too wide for one line is cut between terms; every continuation line starts with its
    sign. Other expressions (products, fractions) stay on one line.

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
    for sign, text in _signed_terms(expr):
        piece = (f"{sign} {text}" if current or sign == "-" else text).strip()
        candidate = f"{current} {piece}".strip()
        if current and visible_width(candidate) > width:
            lines.append(current)
            current = piece
        else:
            current = candidate
    lines.append(current)
    return lines


_TEXT_REPLACEMENTS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "−": "-", "–": "--", "—": "---", "…": r"\dots{}", "‘": "`", "’": "'", "“": "``", "”": "''",
    "·": r"$\cdot$", "×": r"$\times$", "≤": r"$\le$", "≥": r"$\ge$", "≠": r"$\ne$",
    "≈": r"$\approx$", "∈": r"$\in$", "→": r"$\to$", "↦": r"$\mapsto$", "⇔": r"$\Leftrightarrow$",
    "∇": r"$\nabla$", "√": r"$\surd$", "∏": r"$\prod$", "∑": r"$\sum$", "½": r"$\frac12$",
    "±": r"$\pm$", "ℓ": r"$\ell$", "∞": r"$\infty$", "⋯": r"$\cdots$", "ᵀ": r"$^{T}$",
    "²": r"$^{2}$", "³": r"$^{3}$", "⁴": r"$^{4}$", "ᵢ": r"$_{i}$", "ⱼ": r"$_{j}$",
    "₀": r"$_{0}$", "₁": r"$_{1}$", "₂": r"$_{2}$", "₃": r"$_{3}$", "₄": r"$_{4}$",
    "α": r"$\alpha$", "β": r"$\beta$", "γ": r"$\gamma$", "δ": r"$\delta$", "ε": r"$\varepsilon$",
    "η": r"$\eta$", "θ": r"$\theta$", "λ": r"$\lambda$", "μ": r"$\mu$", "π": r"$\pi$",
    "σ": r"$\sigma$", "τ": r"$\tau$", "φ": r"$\varphi$", "ω": r"$\omega$", "Σ": r"$\Sigma$",
    "é": r"\'e", "è": r"\`e", "ö": r"\"o", "ü": r"\"u", "ä": r"\"a",
}


def text(s: str) -> str:
    """Plain (Unicode) prose as LaTeX text that pdflatex accepts.

    Special characters are escaped, common mathematical characters become their macros (runs of
    them share one ``$…$``), and any other non-ASCII character is written as ``[U+XXXX]``
    rather than breaking the build.

    >>> print(text("½σ₁² ≤ 2/η (50% of x_1)"))
    $\\frac12\\sigma_{1}^{2}$ $\\le$ 2/$\\eta$ (50\\% of x\\_1)
    """
    pieces: list[tuple[bool, str]] = []  # (is_math, content)
    for ch in str(s):
        rep = _TEXT_REPLACEMENTS.get(ch)
        if rep is None:
            rep = ch if ord(ch) < 128 else f"[U+{ord(ch):04X}]"
        is_math = rep.startswith("$") and rep.endswith("$") and len(rep) > 2
        content = rep[1:-1] if is_math else rep
        if pieces and pieces[-1][0] == is_math:
            pieces[-1] = (is_math, pieces[-1][1] + content)
        else:
            pieces.append((is_math, content))
    return "".join(f"${c}$" if m else c for m, c in pieces)
