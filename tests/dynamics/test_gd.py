"""run_gd against closed forms: the quadratic's regimes, stop step and Lyapunov exponent, and
the soft quadratic's 2-cycle (spec/simple_maps.md §1–2)."""

import math

import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.status import Status
from eosmath.errors import InvalidInputError

A = 4.0


@pytest.fixture(scope="module")
def quadratic():
    return eos.models.get("quadratic", a=A)


@pytest.mark.parametrize("eta", np.linspace(0.01, 0.74, 60))
def test_quadratic_regimes_and_convergence_step(quadratic, eta):
    if abs(eta * A - 1) < 1e-9 or abs(eta * A - 2) < 1e-9:
        pytest.skip("boundary point")
    x0, tol = 1.3, 1e-10
    tr = eos.run_gd(quadratic, eta, (x0,), steps=20000, tol=tol)
    q = 1 - eta * A
    if eta * A > 2:
        assert tr.status == Status.DIVERGED
        return
    assert tr.status == Status.CONVERGED
    # stop rule a|x_t| < tol before the update, x_t = q^t x0  →  t = ceil(log(tol/(a x0))/log|q|)
    expected = math.ceil(math.log(tol / (A * x0)) / math.log(abs(q)))
    assert abs(tr.stop_step - expected) <= 1
    signs = np.sign(tr.theta[: tr.stop_step + 1, 0])
    if eta * A < 1:
        assert np.all(signs == 1)                         # monotone convergence
    else:
        assert np.all(signs[1:] == -signs[:-1])           # oscillating convergence


@pytest.mark.parametrize("eta", [0.05, 0.2, 0.35, 0.45, 0.6])
def test_lyapunov_exponent_of_the_quadratic(quadratic, eta):
    tr = eos.run_gd(quadratic, eta, (1e-3,), steps=200, tol=0.0, radius=1e300)
    assert tr.lyapunov == pytest.approx(math.log(abs(1 - eta * A)), abs=1e-9)


@pytest.mark.parametrize("eta, amplitude", [(1.05, 0.224313003623096), (1.5, 0.731103766671223),
                                            (2.0, 1.071400502008837), (2.5, 1.360475564531098)])
def test_soft_quadratic_settles_on_the_symmetric_two_cycle(eta, amplitude):
    m = eos.models.get("soft_quadratic")
    tr = eos.run_gd(m, eta, (0.7,), steps=200000)
    assert tr.status == Status.PERIOD and tr.period == 2
    x = abs(tr.theta[-1, 0])
    assert x == pytest.approx(amplitude, abs=1e-8)
    f_prime = x * (x * x + 2) / (1 + x * x) ** 1.5
    assert f_prime / x == pytest.approx(2 / eta, rel=1e-8)   # secant curvature 2/η


def test_recorded_statistics_and_reducer(quadratic):
    tr = eos.run_gd(quadratic, 0.1, (1.0,), steps=100, reducer=lambda t, th: th[0] ** 2)
    assert len(tr.loss) == len(tr.theta) == tr.stop_step + 1     # through the final iterate
    np.testing.assert_allclose(tr.loss, A / 2 * tr.theta[:, 0] ** 2, rtol=1e-15)
    np.testing.assert_allclose(tr.eos_ratio, 0.1 * A / 2)
    np.testing.assert_allclose(tr.reduced, tr.theta[:, 0] ** 2)
    only = eos.run_gd(quadratic, 0.1, (1.0,), steps=100, record=("loss",))
    assert only.sharpness is None and only.loss is not None


def test_chaotic_soft_quadratic_has_positive_lyapunov_exponent():
    tr = eos.run_gd(eos.models.get("soft_quadratic"), 10.0, (0.7,), steps=5000)
    assert tr.status == Status.CHAOTIC and tr.lyapunov > 0


@pytest.mark.parametrize("kwargs, message", [
    ({"eta": 0.0}, "η"), ({"eta": -1.0}, "η"), ({"eta": float("nan")}, "η"),
    ({"theta0": (np.inf,)}, "finite"), ({"theta0": (1.0, 2.0)}, "entries"),
    ({"record": ("curvature",)}, "cannot record"),
])
def test_bad_input(quadratic, kwargs, message):
    args = {"eta": 0.1, "theta0": (1.0,), "steps": 10, **kwargs}
    with pytest.raises(InvalidInputError, match=message):
        eos.run_gd(quadratic, **args)


def test_long_run_draws_a_progress_bar_and_matches_the_quiet_run(capsys):
    m = eos.models.get("product", ell="logcosh")
    loud = eos.run_gd(m, 1.3, (0.6, 2.0), steps=300_000, tol=0.0, record=())
    drawn = capsys.readouterr().err
    quiet = eos.run_gd(m, 1.3, (0.6, 2.0), steps=300_000, tol=0.0, record=(), quiet=True)
    assert "GD steps" in drawn and "300000/300000" in drawn.replace(",", "")
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(loud.theta, quiet.theta)
    assert loud.stop_step == quiet.stop_step


def test_trajectory_repr_is_a_summary_not_the_arrays():
    m = eos.models.get("product", ell="logcosh")
    tr = eos.run_gd(m, 0.5, (0.3, 3.0), 20_000, tol=0.0)
    text = repr(tr)
    assert len(text) < 300 and "stop_step=" in text and "status=" in text
    assert text.count("\n") == 0


@pytest.mark.parametrize("eta, theta0, status", [
    (0.1, (1.0,), Status.CONVERGED), (0.5, (1.0,), Status.PERIOD), (0.6, (1.0,), Status.DIVERGED),
    (0.45, (1.0,), Status.MAX_STEPS)])
def test_statistics_run_through_the_final_iterate(quadratic, eta, theta0, status):
    # L = 2x², S = 4 everywhere: loss[t] is L(θ_t) for every row of theta, the last included
    steps = 40 if status == Status.MAX_STEPS else 2000
    tr = eos.run_gd(quadratic, eta, theta0, steps=steps)
    assert tr.status == status
    n = tr.stop_step + 1
    assert len(tr.theta) == len(tr.loss) == len(tr.sharpness) == len(tr.eos_ratio) == n
    expected = A / 2 * tr.theta[:, 0] ** 2
    finite = np.isfinite(expected)
    assert np.array_equal(tr.loss[finite], expected[finite])
    assert tr.loss[-1] == tr.stats["final_loss"] and tr.sharpness[-1] == tr.stats["final_sharpness"]
    assert np.all(tr.sharpness[finite] == A)


def test_stop_false_takes_exactly_the_steps_asked_for(quadratic):
    converging = eos.run_gd(quadratic, 0.1, (1.0,), steps=300, stop=False)
    assert converging.status == Status.MAX_STEPS and converging.stop_step == 300
    assert len(converging.theta) == len(converging.loss) == 301
    orbit = eos.run_gd(quadratic, 0.5, (1.0,), steps=300, stop=False)   # x ↦ −x: period 2
    assert orbit.status == Status.MAX_STEPS and orbit.period == 0 and len(orbit.theta) == 301
    assert np.array_equal(orbit.theta[::2, 0], np.ones(151))
    # the same iterates as the default run, which stopped early
    early = eos.run_gd(quadratic, 0.1, (1.0,), steps=300)
    assert np.array_equal(converging.theta[: early.stop_step + 1], early.theta)
    # divergence still ends the run: an iterate beyond the radius (or non-finite) is final
    diverging = eos.run_gd(quadratic, 0.6, (1.0,), steps=300, stop=False)
    assert diverging.status == Status.DIVERGED and diverging.stop_step < 300
    unbounded = eos.run_gd(quadratic, 0.6, (1.0,), steps=3000, stop=False, radius=np.inf)
    # here ‖∇L‖² overflows first (|x| ≈ 3.8e153): no step can be taken from there
    assert unbounded.status == Status.DIVERGED and unbounded.stop_step < 3000
    assert abs(unbounded.theta[-1, 0]) > 1e150 and len(unbounded.loss) == unbounded.stop_step + 1


def test_stop_false_with_a_rule(quadratic):
    tr = eos.run_gd(quadratic, 0.1, (1.0,), steps=200, stop=False,
                    rule=eos.rules.heavy_ball(0.5))
    assert tr.status == Status.MAX_STEPS and tr.stop_step == 200 and len(tr.loss) == 201
    assert tr.loss[-1] == tr.stats["final_loss"] == A / 2 * tr.theta[-1, 0] ** 2
