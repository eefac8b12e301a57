"""Multiplicative coordinates flushed to 0 by float64 (issue 15 §2, DESIGN.md pitfall): the
kernels detect it, run_gd warns and records it, sweeps store it per cell, and the
log-magnitude representation recovers the instability that plain float64 loses, in agreement
with an mpmath run of the same GD (no exponent range limit)."""

import math

import mpmath
import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.gd import UnderflowWarning
from eosmath.dynamics.log_magnitude import run_gd_log_magnitude
from eosmath.dynamics.status import Status
from eosmath.errors import EosmathError, InvalidInputError
from eosmath.theory.minimalist_two_layer import mp_clipped_gd

SETTING = {"eta": 4.0, "theta0": (0.1, 1e-3, 0.1), "steps": 15000}


@pytest.fixture(scope="module")
def model():
    return eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.01)


@pytest.fixture(scope="module")
def exact():
    """The same GD at 40 digits (mp_clipped_gd with C = 0 is unclipped GD): log|w₁| and a."""
    rows = mp_clipped_gd(1.0, 0.01, SETTING["eta"], SETTING["theta0"], 0.0, SETTING["steps"],
                         dps=40)
    with mpmath.workdps(40):
        log_w1 = np.array([float(mpmath.log(abs(r[1]))) for r in rows])
    return log_w1, np.array([float(r[0]) for r in rows])


def test_plain_float64_run_loses_w1_and_says_so(model):
    with pytest.warns(UnderflowWarning, match=r"w1 underflowed to exactly 0 at step 3323"):
        tr = eos.run_gd(model, **SETTING)
    w1 = tr.theta[:, 1]
    assert np.flatnonzero(w1 == 0)[0] == 3323 and np.all(w1[3323:] == 0)
    assert tr.status == Status.MAX_STEPS and tr.eos_ratio[-1] == pytest.approx(1.9988, abs=1e-4)
    step = tr.stats["underflow_step"]
    assert 3323 < step <= tr.stop_step and tr.stats["underflow_index"] == 1
    # the detection is right: at the check step the w1-multiplier exceeds 1 in magnitude
    hess = model.compile().hessian(tr.theta[int(step) - 1])
    assert abs(1 - SETTING["eta"] * hess[1, 1]) > 1


def test_sweep_records_the_underflow_step_per_cell(model):
    ds = eos.sweep(model, eta=np.array([1.0, 4.0]), a=0.1, w1=1e-3, w2=0.1,
                   steps=SETTING["steps"], quiet=True)
    small = eos.run_gd(model, 1.0, SETTING["theta0"], SETTING["steps"])
    with pytest.warns(UnderflowWarning):
        large = eos.run_gd(model, **SETTING)
    assert ds["underflow_step"].values.tolist() == [int(small.stats["underflow_step"]),
                                                    int(large.stats["underflow_step"])]
    assert ds["underflow_step"].values[1] > 0
    assert "multiplier" in ds["underflow_step"].attrs["long_name"]


def test_log_magnitude_run_recovers_the_instability(model, exact):
    log_w1, a = exact
    run = run_gd_log_magnitude(model, SETTING["eta"], SETTING["theta0"], SETTING["steps"],
                               log_coordinates=("w1",))
    # before the instability re-triggers (w1 below 1e-250 throughout 3323..8000), the update of
    # log|w1| only accumulates rounding: steps·ε·max|log|w1|| = 8000·2.2e-16·3900 ≈ 7e-9
    bound = 8000 * np.finfo(float).eps * np.abs(log_w1[:8001]).max()
    assert np.abs(run.log_abs[:8001, 0] - log_w1[:8001]).max() < bound
    # the exact run regrows w1 to order one (the edge of stability re-triggers), and so does
    # the log-magnitude run, at the same step; float64 in plain form never does
    regrow = np.flatnonzero(log_w1 > math.log(1e-3))
    assert len(regrow) and regrow[-1] > 8000
    first = regrow[regrow > 8000][0]
    assert np.flatnonzero(run.log_abs[:, 0] > math.log(1e-3))[
        np.flatnonzero(run.log_abs[:, 0] > math.log(1e-3)) > 8000][0] == first
    assert run.theta[-1, 0] == pytest.approx(a[-1], rel=1e-6)
    assert run.eos_ratio[-1] < 1.9


def test_only_multiplicative_coordinates_can_be_carried(model):
    with pytest.raises(InvalidInputError, match="not multiplicative"):
        run_gd_log_magnitude(model, 4.0, (0.1, 1e-3, 0.1), 10, log_coordinates=("w2",))
    with pytest.raises(InvalidInputError, match="start non-zero"):
        run_gd_log_magnitude(model, 4.0, (0.1, 0.0, 0.1), 10, log_coordinates=("w1",))


def test_log_magnitude_with_a_rule_follows_run_gd_with_the_rule():
    # seed 002's clipped GD over its first 200 steps (w1 stays far above underflow): the two
    # loops differ only in rounding (fma in the compiled run_gd; w1 through exp(log|w1|) here)
    m = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.02)
    for rule in (eos.rules.clip("a", 0.002),
                 eos.rules.chain(eos.rules.clip("a", 0.002), eos.rules.project(a="<= 0.7"))):
        run = run_gd_log_magnitude(m, 4.0, (0.67, 0.01, 1.0), 200, log_coordinates=("w1",),
                                   rule=rule)
        tr = eos.run_gd(m, 4.0, (0.67, 0.01, 1.0), 200, rule=rule, stop=False)
        np.testing.assert_allclose(run.theta, tr.theta, rtol=1e-12, atol=1e-15)
        assert len(run.sharpness) == len(run.theta) == 201          # through the final iterate
        np.testing.assert_allclose(run.sharpness, tr.sharpness, rtol=1e-12)
        assert run.rule == str(rule)
    capped = run_gd_log_magnitude(m, 4.0, (0.67, 0.01, 1.0), 200, log_coordinates=("w1",),
                                  rule=eos.rules.project(a="<= 0.7"))
    assert capped.theta[:, 0].max() == 0.7


@pytest.mark.parametrize("rule, message", [
    (eos.rules.heavy_ball(0.5), "keeps a state"),
    (eos.rules.clip("w1", 1.0), "carried coordinate"),
    (eos.rules.project(w1=0), "carried coordinate"),
    ("clip", "rule= takes")])
def test_log_magnitude_refuses_rules_it_cannot_follow(model, rule, message):
    with pytest.raises(EosmathError, match=message):
        run_gd_log_magnitude(model, 4.0, (0.1, 1e-3, 0.1), 10, log_coordinates=("w1",),
                             rule=rule)
