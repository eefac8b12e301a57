"""Verdicts that used to look plausible and be wrong (issue 15 §2): unbounded growth labelled
chaotic, a NaN loss labelled converged, an undefined gradient labelled diverged, nonsense
stopping settings accepted, and a saddle given a stability condition."""

import math

import numpy as np
import pytest
import sympy as sp

import eosmath as eos
from eosmath.cli import main
from eosmath.dynamics.status import Status
from eosmath.errors import InvalidInputError


def test_geometric_growth_inside_the_radius_is_diverged_not_chaotic():
    # x_t = (1 − 0.7·3)^t = (−1.1)^t: 13780.6 after 100 steps, far inside the radius 1e6
    m = eos.models.get("quadratic", a=3.0)
    tr = eos.run_gd(m, 0.7, (1.0,), 100)
    assert tr.theta[-1, 0] == pytest.approx(1.1**100, rel=1e-12)
    assert tr.status == Status.DIVERGED
    assert tr.lyapunov == pytest.approx(math.log(1.1), abs=1e-12)
    ds = eos.sweep(m, eta=np.array([0.7]), x=1.0, steps=100, quiet=True)
    assert int(ds["status"].values[0]) == Status.DIVERGED


@pytest.mark.parametrize("loss, eta, theta0, steps", [
    ("-x**2/2 + y**2/2", 0.01, (1.0, 1.0), 300),    # a saddle: x_t = 1.01^t
    ("x**2/2 + y**2", 2.2, (0.5, 0.0), 60),   # x grows by 1.2, the y-tangent by 3.4
])
def test_held_out_growth_is_diverged(loss, eta, theta0, steps):
    tr = eos.run_gd(eos.Model.from_string(loss, "x y"), eta, theta0, steps)
    assert np.linalg.norm(tr.theta[-1]) < 1e6  # not the radius: the growth rule decides
    assert tr.status == Status.DIVERGED


@pytest.mark.parametrize("eta, steps", [(10.0, 100), (10.0, 300), (10.0, 5000), (12.0, 3000)])
def test_bounded_chaos_stays_chaotic(eta, steps):
    # the soft quadratic's GD map is chaotic and bounded at these step sizes; short runs too
    tr = eos.run_gd(eos.models.get("soft_quadratic"), eta, (0.7,), steps)
    assert tr.status == Status.CHAOTIC


@pytest.mark.parametrize("steps", [100, 300, 5000])
def test_growth_rule_leaves_bounded_chaos_of_a_sweep_alone(steps):
    # held out: the soft quadratic's L' is bounded and has the sign of x, so
    # |x_{t+1}| ≤ max(|x_t|, η·sup|L'|): GD stays bounded and no cell may be declared diverged
    ds = eos.sweep(eos.models.get("soft_quadratic"), eta=np.linspace(5.0, 12.0, 200), x=0.7,
                   steps=steps, quiet=True)
    status = ds["status"].values
    assert (status == Status.CHAOTIC).sum() > 50
    assert not np.any(status == Status.DIVERGED)


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_nan_loss_at_the_start_is_invalid_not_converged():
    # ∇L = (2x/(1 + x²), 2y) is finite, so GD "converges" to (0, 0), where L = log(−1) = NaN
    m = eos.Model.from_string("log(-1-x**2)+y**2", "x y")
    tr = eos.run_gd(m, 0.1, (1.0, 1.0), 1000)
    assert tr.status == Status.INVALID
    ds = eos.sweep(m, eta=np.array([0.1, 0.2]), x=1.0, y=1.0, steps=1000, quiet=True)
    assert ds["status"].values.tolist() == [Status.INVALID] * 2


def test_undefined_gradient_is_invalid_overflow_is_diverged():
    # √(x − 10): the first step from x = 10.5 jumps to 10.5 − 1/(2√0.5) < 10, out of the domain
    m = eos.Model.from_string("sqrt(x - 10) + y**2", "x y")
    tr = eos.run_gd(m, 1.0, (10.5, 0.1), 100)
    assert tr.stop_step == 1 and tr.status == Status.INVALID
    # x⁴ with a large step grows until x³ overflows: L = ∞ there, so it is a divergence
    q = eos.Model.from_string("x**4", "x")
    tr = eos.run_gd(q, 1.0, (2.0,), 100, radius=math.inf)
    assert tr.status == Status.DIVERGED


@pytest.mark.parametrize("kwargs, message", [
    ({"tol": -1.0}, "tol must be"), ({"tol": math.nan}, "tol must be"),
    ({"tol": math.inf}, "tol must be"), ({"radius": 0.0}, "radius must be > 0"),
    ({"radius": math.nan}, "radius must be > 0"), ({"radius": 1.5}, "must exceed"),
])
def test_nonsense_stopping_settings_are_refused(kwargs, message):
    m = eos.models.get("product")
    with pytest.raises(InvalidInputError, match=message):
        eos.run_gd(m, 0.1, (1.0, 2.0), 10, **kwargs)
    with pytest.raises(InvalidInputError, match=message):
        eos.sweep(m, eta=np.array([0.1, 0.2]), x=1.0, y=2.0, steps=10, quiet=True, **kwargs)


@pytest.mark.parametrize("option, value, message", [
    ("--tol", "-1", "tol must be"), ("--radius", "0", "radius must be > 0")])
def test_cli_refuses_nonsense_stopping_settings(tmp_path, capsys, option, value, message):
    code = main(["sweep", "product", "--eta", "0.5:1:2", "--x", "1", "--y", "2", "--steps",
                 "10", "--out", str(tmp_path / "s.zarr"), "--quiet", option, value])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s.zarr").exists()


def test_saddle_has_no_stable_step_size():
    m = eos.Model.from_string("x**2 - y**2", "x y")
    (fp,) = m.fixed_points()
    assert fp.is_saddle and fp.stability_condition == sp.false
    assert fp.describe_stability() == "unstable for every η (saddle)"
    (fp,) = eos.Model.from_string("x**2 + 3*y**2", "x y").fixed_points()
    assert not fp.is_saddle and fp.stability_condition.subs(eos.ETA, sp.Rational(1, 3)) == sp.false
    assert fp.stability_condition.subs(eos.ETA, sp.Rational(1, 4)) == sp.true


def test_derivation_gives_a_saddle_no_stability_condition():
    from eosmath.derivations.model_statements import fixed_points_statement

    m = eos.Model.from_string("x**2 - y**2 + x**4 + y**4", "x y")
    statement = fixed_points_statement(m)
    latex = statement.to_latex("saddle")
    # (0, 0) has eigenvalues ±2: no condition for it; (0, ±1/√2) have {2, 4}: η·4 < 2
    assert latex.count("< 2") == 2 and "Point 1 is a saddle" in latex
    assert statement.passed
