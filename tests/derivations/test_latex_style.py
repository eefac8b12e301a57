"""House style of the LaTeX printer (eosmath.derivations.latex)."""

import pytest
import sympy as sp

from eosmath.derivations.latex import LINE_WIDTH, break_lines, symbol, text, to_latex, visible_width
from eosmath.symbolic.stable import LogCosh, Softplus

from .latex_roundtrip import join_lines, parse_back

pytest.importorskip("antlr4", reason="parse_latex needs antlr4-python3-runtime==4.11.*")


@pytest.mark.parametrize("name, expected", [
    ("eta", r"\eta"), ("theta", r"\theta"), ("alpha", r"\alpha"), ("beta", r"\beta"),
    ("sigma1", r"\sigma_{1}"), ("ell", r"\ell"), ("eta0", r"\eta_{0}"), ("w2", "w_{2}"),
    ("a_1_2", "a_{12}"),
])
def test_symbol_names(name, expected):
    assert symbol(name) == expected


def test_stable_helpers_print_as_the_functions_they_stand_for():
    u = sp.Symbol("u")
    assert to_latex(LogCosh(u)) == r"\log\cosh\left(u\right)"
    assert to_latex(Softplus(u)) == r"\log\left(1 + e^{u}\right)"


def test_fractional_powers_are_folded_and_fractions_displayed():
    x = sp.Symbol("x")
    assert to_latex(x ** sp.Rational(3, 2)) == "x^{3/2}"
    assert to_latex(x / 2) == r"\frac{x}{2}"


def test_named_functions_use_operatorname():
    x = sp.Symbol("x")
    assert to_latex(sp.sign(x)).startswith(r"\operatorname{sign}")
    assert to_latex(sp.Function("g")(x)).startswith(r"\operatorname{g}")
    assert to_latex(sp.Function("softclip")(x)).startswith(r"\operatorname{softclip}")


def test_long_sums_are_broken_and_rejoin_to_the_same_expression():
    x, y = sp.symbols("x y")
    expr = sum(sp.Rational(k, 7) * x**k * y ** (k % 3) for k in range(1, 25))
    lines = break_lines(expr)
    assert len(lines) > 2
    assert all(visible_width(line) <= LINE_WIDTH for line in lines)
    assert sp.expand(parse_back(join_lines(lines), expr.free_symbols) - expr) == 0


def test_a_long_factor_is_broken_inside_its_parentheses():
    # (c, not λ: parse_latex reads "\lambda \left(" as a function call)
    x, y, c = sp.symbols("x y c")
    inner = sum(x**k * y ** (20 - k) for k in range(20))
    expr = c * inner + x
    lines = break_lines(expr)
    assert len(lines) > 2
    assert any(r"\right." in line for line in lines)
    assert max(visible_width(line) for line in lines) <= LINE_WIDTH + 8
    assert sp.expand(parse_back(join_lines(lines), expr.free_symbols) - expr) == 0


def test_short_expressions_stay_on_one_line():
    x = sp.Symbol("x")
    assert break_lines(x**2 + 1) == ["x^{2} + 1"]


def test_text_escapes_specials_and_unknown_characters():
    out = text("L = ½σ₁²a² & 50% x_1 ☃")
    assert r"\&" in out and r"\%" in out and r"x\_1" in out
    assert r"\ensuremath{\frac{1}{2}}\ensuremath{\sigma}\ensuremath{_{1}}" in out
    assert "[U+2603]" in out
    assert all(ord(c) < 128 for c in out)
