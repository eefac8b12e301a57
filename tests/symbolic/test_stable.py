import mpmath
import numpy as np
import pytest
import sympy as sp

import eosmath as eos
from eosmath.symbolic.stable import LogCosh, Softplus, prove_equal, stabilize

U = sp.Symbol("u", real=True)


def test_log_cosh_derivative_is_tanh_not_sinh_over_cosh():
    d = sp.diff(stabilize(sp.log(sp.cosh(U))), U)
    assert d == sp.tanh(U)
    assert not d.has(sp.sinh) and not d.has(sp.cosh)


def test_sinh_over_cosh_and_sech_squared_rewrites():
    assert stabilize(sp.sinh(U) / sp.cosh(U)) == sp.tanh(U)
    rewritten = stabilize(1 / sp.cosh(U) ** 2)
    assert not rewritten.has(sp.cosh)
    assert sp.simplify((rewritten - 1 / sp.cosh(U) ** 2).rewrite(sp.exp)) == 0


def test_softplus_derivative_matches_textbook_derivative():
    textbook = sp.diff(sp.log(1 + sp.exp(U)), U)
    assert sp.simplify((sp.diff(Softplus(U), U) - textbook).rewrite(sp.exp)) == 0


def test_prove_equal_rejects_a_wrong_rewrite():
    with pytest.raises(AssertionError):
        prove_equal(sp.tanh(U), sp.sinh(U) / (sp.cosh(U) + sp.Rational(1, 10**6)))


@pytest.mark.parametrize("u", [0.0, 0.3, -5.0, 709.0, 711.0, 5000.0, -5000.0])
def test_stable_functions_agree_with_mpmath_and_never_overflow(u):
    f = sp.lambdify([U], [LogCosh(U), Softplus(U)], modules="numpy")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        logcosh, softplus = f(np.float64(u))
    with mpmath.workdps(50):
        assert logcosh == pytest.approx(float(mpmath.log(mpmath.cosh(u))), rel=1e-15, abs=1e-300)
        assert softplus == pytest.approx(float(mpmath.log(1 + mpmath.exp(u))), rel=1e-15,
                                         abs=1e-300)


def test_compiled_product_gradient_is_finite_beyond_the_cosh_overflow():
    # sinh/cosh would give inf/inf = NaN once |xy| > ~710; the tanh form gives exactly (y, x).
    k = eos.models.get("product", ell="logcosh").compile()
    theta = np.array([30.0, 40.0])
    assert np.all(np.isfinite(k.grad(theta)))
    np.testing.assert_array_equal(k.grad(theta), [40.0, 30.0])
    assert np.isfinite(k.loss(theta))
    assert k.loss(theta) == pytest.approx(1200 - np.log(2), rel=1e-15)


def test_every_catalog_model_has_a_proven_rewrite():
    for name in ("product", "soft_quadratic", "quadratic", "two_layer_minimal"):
        proof = eos.models.get(name).rewrite_proof()
        assert proof.entries and proof.all_symbolic
