"""run_gd(..., precision=digits): mpmath GD against the float64 kernel and a 50-digit identity."""

import mpmath
import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.precise import PreciseTrajectory
from eosmath.dynamics.status import Status
from eosmath.errors import InvalidInputError


@pytest.mark.parametrize("name,options,eta,theta0", [
    ("product", {"ell": "logcosh"}, 0.1, (0.7, 1.3)),
    ("product", {"ell": "sqrt"}, 0.25, (1.5, -0.4)),
    ("quadratic", {"a": 4.0}, 0.3, (1.0,)),
])
def test_agrees_with_the_float64_kernel_on_contracting_runs(name, options, eta, theta0):
    m = eos.models.get(name, **options)
    fast = eos.run_gd(m, eta, theta0, 400)
    slow = eos.run_gd(m, eta, theta0, 400, precision=30)
    assert isinstance(slow, PreciseTrajectory) and slow.precision == 30
    assert slow.status == fast.status == Status.CONVERGED
    assert slow.stop_step == fast.stop_step
    np.testing.assert_allclose(slow.to_numpy(), fast.theta, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.array(slow.loss, dtype=float), fast.loss, rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(np.array(slow.sharpness, dtype=float), fast.sharpness,
                               rtol=1e-12)
    np.testing.assert_allclose(np.array(slow.eos_ratio, dtype=float), fast.eos_ratio,
                               rtol=1e-12)


@pytest.mark.parametrize("eta,theta0", [("0.5", ("0.5", "2.5")), ("0.2", ("1.2", "-3.1")),
                                        ("1", ("0.1", "1.9"))])
def test_product_identity_holds_to_50_digits(eta, theta0):
    # x_{t+1}² − y_{t+1}² = (x_t² − y_t²)(1 − η²ℓ'(x_t y_t)²) for f = ℓ(xy), exactly
    # (spec/minimalist_product.md); with ℓ = log cosh, ℓ' = tanh. 500 steps at 50 digits lose
    # at most ~500 roundings of 1e-50 each.
    m = eos.models.get("product", ell="logcosh")
    tr = eos.run_gd(m, eta, theta0, 500, precision=50, record=(), tol=0, radius=np.inf)
    assert tr.status == Status.MAX_STEPS and len(tr.theta) == 501 and tr.loss is None
    with mpmath.workdps(50):
        x0, y0 = (mpmath.mpf(v) for v in theta0)
        eta = mpmath.mpf(eta)
        assert tr.eta == eta                      # taken exactly from its decimal text
        product, worst = x0**2 - y0**2, mpmath.mpf(0)
        for x, y in tr.theta:
            worst = max(worst, abs((x**2 - y**2) - product) / abs(x0**2 - y0**2))
            product *= 1 - eta**2 * mpmath.tanh(x * y) ** 2
        assert worst < mpmath.mpf("1e-46"), worst


def test_stop_rules_match_the_float_path():
    m = eos.models.get("quadratic", a=4.0)
    diverged = eos.run_gd(m, 0.6, (1.0,), 1000, precision=20)
    assert diverged.status == Status.DIVERGED
    assert diverged.stop_step == eos.run_gd(m, 0.6, (1.0,), 1000).stop_step
    assert len(diverged.theta) == diverged.stop_step + 1 == len(diverged.loss)
    assert eos.run_gd(m, 0.1, (1.0,), 1000, precision=20).stop_step == 48


def test_hyper_values_and_precision_of_results():
    m = eos.models.get("quadratic", a=4.0)
    tr = eos.run_gd(m, "0.1", ("1",), 3, precision=40, hyper=("3",), tol=0)
    with mpmath.workdps(40):
        assert tr.theta[-1][0] == mpmath.mpf("0.7") ** 3       # θ ← (1 − 0.1·3)θ, exact
        assert abs(tr.theta[-1][0] - mpmath.mpf("0.343")) < mpmath.mpf("1e-39")


def test_bad_input_is_refused():
    m = eos.models.get("product")
    for kwargs, words in [({"precision": 0}, "precision"), ({"precision": 2.5}, "precision"),
                          ({"precision": 30, "record": ("norm",)}, "cannot record"),
                          ({"precision": 30, "reducer": lambda t, th: 0}, "reducer")]:
        with pytest.raises(InvalidInputError, match=words):
            eos.run_gd(m, 0.1, (0.5, 1.0), 10, **kwargs)
    with pytest.raises(InvalidInputError, match="3 entries|2 entries"):
        eos.run_gd(m, 0.1, (0.5,), 10, precision=30)
    with pytest.raises(InvalidInputError, match="real number"):
        eos.run_gd(m, 0.1, ("half", 1.0), 10, precision=30)
    with pytest.raises(InvalidInputError, match="finite"):
        eos.run_gd(m, "inf", (0.5, 1.0), 10, precision=30)
    with pytest.raises(InvalidInputError, match="> 0"):
        eos.run_gd(m, "-0.1", (0.5, 1.0), 10, precision=30)
