"""Hostile or nonsensical model text is refused quickly with a one-line ModelSyntaxError
(issue 15 §3): undefined constants, huge numbers and exponents, deep nesting, look-alike
letters; and the domain sampler keeps checks inside a restricted domain."""

import random
import time

import mpmath
import pytest
import sympy as sp

import eosmath as eos
from eosmath.errors import ModelSyntaxError
from eosmath.symbolic.domain import sample_in_domain
from eosmath.symbolic.parsing import MAX_DEPTH, parse_expression

X, Y = sp.symbols("x y", real=True)
SYMS = {"x": X, "y": Y}


@pytest.mark.parametrize("text, message", [
    ("log(0*x)", "zoo"),
    ("x/0", "zoo"),
    ("1e400*x", "too large"),
    ("x + 0*log(0)", "zoo"),
    ("x**(999**999)", "too large"),
    ("x**(9**9**9)", "exponent above"),
    ("x**1001", "exponent above"),
    ("x**-5000 + y", "exponent above"),
    ("(x+y)**(10**400)", "too large"),
    ("9" * 400 + "*x", "too large"),
    ("9" * 5000 + "*x", "too large"),
    ("-" * 5000 + "x", "nested more than"),
    ("(" * 300 + "x" + ")" * 300, "nested"),
    ("sin(" * 250 + "x" + ")" * 250, "nested"),
    ("x**" * 250 + "x", "nested more than 200"),
])
def test_refused_quickly_with_one_line(text, message):
    start = time.perf_counter()
    with pytest.raises(ModelSyntaxError, match=message) as err:
        parse_expression(text, SYMS)
    assert time.perf_counter() - start < 5.0
    assert "\n" not in str(err.value) and len(str(err.value)) < 300


def test_cyrillic_letter_is_named_by_its_code_point():
    with pytest.raises(ModelSyntaxError) as err:
        parse_expression("\u0445**2 + y", SYMS)
    assert ("unknown name 'х' (U+0445 CYRILLIC SMALL LETTER HA; did you mean 'x'?)"
            in str(err.value))


def test_greek_letter_without_a_look_alike_gets_no_suggestion():
    with pytest.raises(ModelSyntaxError, match=r"U\+03BB GREEK SMALL LETTER LAMDA\)"):
        parse_expression("\u03bb*x", SYMS)


def test_nesting_within_the_limit_is_accepted():
    expr = parse_expression("sin(" * (MAX_DEPTH - 10) + "x" + ")" * (MAX_DEPTH - 10), SYMS)
    assert expr.free_symbols == {X}
    assert parse_expression("2**1000*x", SYMS) == sp.Integer(2) ** 1000 * X
    # a long sum or product is a chain, not a deep nest
    assert len(parse_expression(" + ".join(["x*y"] * 1500) + " - y", SYMS).args) == 2
    assert parse_expression("*".join(["x"] * 900), SYMS) == X**900


@pytest.mark.parametrize("loss", ["log(0*x) + y**2", "x/0 + y", "1e400*x*y"])
def test_model_from_string_refuses_undefined_losses(loss):
    with pytest.raises(ModelSyntaxError):
        eos.Model.from_string(loss, "x y")


def test_domain_sampler_stays_inside_and_reports_shortfall():
    rng = random.Random(1)
    with mpmath.workdps(30):
        inside = sample_in_domain([lambda x, y: mpmath.sqrt(x - 10) + mpmath.log(y)], 2, 8, rng)
        assert len(inside) == 8 and all(p[0] >= 10 and p[1] > 0 for p in inside)
        # √(−1 − x²) is real nowhere: no point, and the caller must skip its check
        assert sample_in_domain([lambda x: mpmath.sqrt(-1 - x * x)], 1, 4, rng) == []


@pytest.mark.parametrize("loss, inside", [
    ("sqrt(x)*y**2", (1.0, 0.5)),
    pytest.param("sqrt(x - 10) + y**2", (11.0, 0.5), marks=pytest.mark.slow)])
def test_restricted_domain_models_derive_and_sweep(loss, inside):
    import numpy as np

    m = eos.Model.from_string(loss, "x y")
    m.conserved_quantities()  # sampled inside the domain, no complex arithmetic
    assert m.invariant_subspaces() is not None
    ds = eos.sweep(m, eta=np.array([0.05, 0.1]), x=np.array([inside[0], inside[0] + 0.5]),
                   y=inside[1], steps=200, quiet=True)
    assert set(np.unique(ds["status"].values)) <= {0, 1, 2, 4, 5}


def test_a_slow_compile_says_that_it_is_compiling(monkeypatch, capsys):
    # a 100-deep nested loss compiles for minutes; any compile beyond NOTICE_AFTER says so
    import eosmath.progress

    monkeypatch.setattr(eosmath.progress, "NOTICE_AFTER", 0.0)
    eos.Model.from_string("x**3*y + 7*y**2/3", "x y").compile(cache=False)
    assert "compiling the kernels of model" in capsys.readouterr().err
    monkeypatch.setattr(eosmath.progress, "NOTICE_AFTER", 60.0)
    eos.Model.from_string("x**3*y + 7*y**2/3", "x y").compile(cache=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("loss, points", [("sqrt(x)*y**2", 4), ("sqrt(x - 10) + y**2", 4),
                                          ("log(-1 - x**2) + y**2", 0)])
def test_backend_cross_check_samples_inside_the_domain(loss, points):
    from eosmath.kernels.crosscheck import cross_check_backends

    agreement = cross_check_backends(eos.Model.from_string(loss, "x y"), points=4)
    assert agreement.points == points
    # nowhere real: nothing compared, so no pass, and the note says why
    assert agreement.passed == (points > 0)
    assert (agreement.note == "") == (points == 4)
