"""Read house-style LaTeX back into SymPy with ``parse_latex`` (helpers for the tests)."""

import re

import sympy as sp
from sympy.core.function import AppliedUndef

from eosmath.derivations.latex import to_latex


def join_lines(lines) -> str:
    """Lines of a broken equation as one LaTeX string (drops the \\right. … \\left. seams)."""
    return re.sub(r"\\right\.\s*\\left\.", "", " ".join(lines))


def _undo_juxtaposition(expr):
    # parse_latex reads "c \left(a + b\right)" as a call of an unknown function c; in house
    # style a symbol before parentheses is always a product.
    return expr.replace(lambda e: isinstance(e, AppliedUndef) and len(e.args) == 1,
                        lambda e: sp.Symbol(type(e).__name__) * e.args[0])


def parse_back(latex: str, symbols) -> sp.Expr:
    """``latex`` parsed, with each parsed symbol mapped back onto the model's own symbol."""
    from sympy.parsing.latex import parse_latex

    expr = _undo_juxtaposition(parse_latex(latex))
    mapping = {}
    for s in symbols:
        parsed = parse_latex(to_latex(s))
        mapping[parsed] = s
    by_name = {str(k): v for k, v in mapping.items()}
    return expr.xreplace({f: by_name[str(f)] for f in expr.free_symbols if str(f) in by_name})
