"""Self-stabilization checks on the toy and the ODE: pass on the defaults, and the failures the
repaired checks can now detect (the broken inputs themselves are the checks' `violations`,
run by tests/theory/test_evidence.py)."""

import math

import numpy as np
import pytest

import eosmath.theory as th
from eosmath.theory import self_stabilization as ss

TOY_CHECKS = [c.name for c in th.checks()
              if c.family == "self_stabilization" and ".mlp_" not in c.name]


@pytest.mark.parametrize("name", TOY_CHECKS)
def test_passes_on_defaults(name, verdict):
    v = verdict(name)
    assert v.passed, v
    assert v.kind in ("identity", "reconstruction", "theorem")


def test_predicted_dynamics_on_the_toy_is_the_reduced_map():
    # Oracle: along θ† = (0, 0, z₀ + ηt) Definition 7 reduces to map (3) in (x, √β·y), whatever
    # the quartic term (it is not in the prediction: GD and v* differ by ηc₄x³/6 per step).
    eta, alpha, beta = 0.02, 1.0, 2.0
    toy = ss._toy(eta, alpha, beta, c4=0.04)
    dagger, us, taylor = ss.constrained_trajectory(toy, [0.3, 0.0, 0.0], eta, 300)
    assert np.allclose(dagger[1:, :2], 0.0, atol=1e-9)
    v0 = np.array([0.3, -0.1, 0.0]) - dagger[1]
    vstar, _ = ss.predicted_dynamics(taylor, dagger[1:], us[1:], v0, eta)
    x, Y = v0[0], math.sqrt(beta) * v0[1]
    for t in range(len(vstar)):
        assert abs(vstar[t, 0] - x) <= 1e-9 and abs(math.sqrt(beta) * vstar[t, 1] - Y) <= 1e-9
        x, Y = -(1 + eta * Y) * x, Y + eta * (alpha - beta * x * x / 2)


def test_theorem1_judges_a_prediction_that_differs_from_gd(verdict):
    v = verdict("self_stabilization.theorem1")
    errors = v.evidence["errors"]
    # c₄ = 2ηβ: GD is not the predicted dynamics (the deviation is not rounding) ...
    assert errors["deviation"] > 1.0
    # ... and the errors are of Theorem 1's orders: normalised, they stay put as ε halves.
    by_eta = {h.inputs["eta"]: h.measured for h in v.held_out
              if h.inputs["kappa"] == 2.0 and h.inputs["x0_over_delta"] == 0.5}
    for key in ("deviation", "sharpness", "loss"):
        assert by_eta[0.01][key] == pytest.approx(by_eta[0.02][key], rel=0.15)


def test_theorem1_fails_with_a_wrong_alpha_at_every_step_size():
    v = th.verify("self_stabilization.theorem1", alpha_factor=1.2)
    assert not v.passed
    assert not [c for c in v.comparisons if c.quantity.startswith("deviation")][0].passed
    # The normalised deviation grows like 1/ε (an O(δ) error), so no constant would do.
    devs = {h.inputs["eta"]: h.measured["deviation"] for h in v.held_out
            if h.inputs["kappa"] == 2.0 and h.inputs["x0_over_delta"] == 0.5}
    assert devs[0.01] > 1.8 * devs[0.02]
    assert v.recheck is not None and v.recheck.verdict == "confirmed counterexample"


def test_generalized_sharpness_rate_and_escape(verdict):
    rows = {r["c4"]: r for r in verdict("self_stabilization.generalized_sharpness")
            .evidence["rows"]}
    assert rows[-0.5]["measured_rate"] < 0 < rows[0.5]["measured_rate"]
    assert rows[-0.5]["final_distance"] < 1e-4      # converged to the 2-cycle
    assert rows[0.5]["final_distance"] > 0.1        # spiralled away


def test_stage_recheck_accepts_the_true_claim_and_confirms_the_broken_one():
    start = [0.01 * math.sqrt(2), -0.5, 0.0]
    assert ss._recheck_stages(ss._toy(0.01), start, 0.01, 0.01, 1.0, 1.0).passed
    v = th.verify("self_stabilization.four_stages", step_factor=0.5)
    assert v.recheck is not None and v.recheck.verdict == "confirmed counterexample"


def test_lv_conserved_verdict_has_no_witness_when_it_passes(verdict):
    v = verdict("self_stabilization.lv_conserved")
    assert (v.passed, v.witness) == (True, None)
    assert v.measured <= v.tolerance and v.evidence["symbolic_first_integral"]


@pytest.mark.slow
def test_full_mode_theorem1_and_generalized():
    for name in ("self_stabilization.theorem1", "self_stabilization.generalized_sharpness"):
        v = th.verify(name, quick=False)
        assert v.passed, v
