"""Two-layer checks: pass on the defaults, fail for the reason they state; the helpers against
independent oracles (the model's SymPy kernels, integrated gradient flow, 50-digit runs).

Hypothesis violations are declared on each check and run by tests/theory/test_evidence.py.
"""

import math

import numpy as np
import pytest
import sympy as sp

import eosmath as eos
import eosmath.theory as th
import eosmath.theory.minimalist_two_layer as mtl
from eosmath.theory._iterate import trajectory
from eosmath.theory.families import lookup
from eosmath.theory.minimalist_two_layer import CANONICAL, clipped_gd

NAMES = [c.name for c in th.checks() if c.family == "two_layer_minimal"]


@pytest.mark.parametrize("name", NAMES)
def test_passes_on_defaults(name, verdict):
    v = verdict(name)
    assert v.passed, (v, v.evidence)


def test_every_check_declares_its_evidence():
    for name in NAMES:
        assert not lookup(name).problems(), name


def test_regression_guards_are_the_measured_numbers():
    kinds = {name: lookup(name).kind for name in NAMES}
    assert {n for n, k in kinds.items() if k == "regression"} == {
        "two_layer_minimal.eos_band", "two_layer_minimal.unclipped_collapse"}


# ------------------------------------------------------------------ helpers vs oracles
def test_unclipped_helper_equals_compiled_gd():
    # Independent implementation: the model's Numba GD kernel (no clipping).
    model = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.02)
    ref = trajectory(model, [0.67, 0.01, 1.0], 4.0, 300)
    run = clipped_gd(theta0=(0.67, 0.01, 1.0), C=0.0, steps=300)
    assert np.allclose(run.thetas, ref, rtol=1e-10, atol=1e-300)


def test_closed_form_hessians_equal_the_model_kernel():
    model = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.02)
    k = model.compile()
    run = clipped_gd(steps=400)
    for t in (0, 77, 200, 400):
        assert np.allclose(run.hessians()[t], k.hessian(run.thetas[t]), rtol=1e-13, atol=1e-18)


def test_plain_mode_warns_on_underflow():
    with pytest.warns(RuntimeWarning, match="1e-250"):
        clipped_gd(sigma2=0.01, theta0=(0.6, 1e-3, 0.1), C=0.0, steps=15000, log_mode=False)


def test_clipped_gd_matches_50_digit_run():
    rows = np.array([[float(v) for v in r] for r in mtl.mp_clipped_gd(
        1.0, 0.02, 4.0, (0.67, 0.01, 1.0), 0.002, 1000)])
    assert np.allclose(clipped_gd(steps=1000).thetas, rows, rtol=1e-10, atol=1e-14)


def test_edge_time_equals_integrated_gradient_flow():
    # A second method: DOP853 on the w1 = 0 gradient flow, stopped when a reaches a*.
    from scipy.integrate import solve_ivp

    s2, eta, a_star = 0.02**2, 4.0, math.sqrt(0.5)

    def flow(t, y):
        r = y[0] * y[1] - 1
        return [-s2 * y[1] * r, -s2 * y[0] * r]

    def reach(t, y):
        return y[0] - a_star

    reach.terminal = True
    sol = solve_ivp(flow, (0, 1e5), [0.67, 1.0], method="DOP853", rtol=1e-12, atol=1e-14,
                    events=reach)
    assert mtl.edge_time(0.67, 1.0, 0.02, eta).steps == pytest.approx(sol.t_events[0][0] / eta,
                                                                         rel=1e-9)


def test_edge_time_is_infinite_when_a_star_is_out_of_reach():
    assert mtl.edge_time(0.67, 1.0, 0.02, 2.0).steps == math.inf


def test_rate_resolution_is_half_the_gap_symbolically():
    q = sp.Symbol("q", positive=True)
    gap = ((1 - q) ** 2 - (1 - 2 * q) ** 2) / 2
    assert sp.expand(gap - (q - sp.Rational(3, 2) * q**2)) == 0
    assert mtl.rate_resolution(1.0, 0.02) == pytest.approx(0.02**2 - 1.5 * 0.02**4, rel=1e-12)


def test_calibrated_constants_are_not_the_runs_own_extremes(verdict):
    # gfs_bounds used to take a_lo, a_hi, W1 from the judged run; now they are fixed in advance
    # and the canonical run stays strictly inside them.
    lo, hi = mtl.a_band(CANONICAL)
    a_star = math.sqrt(2 / CANONICAL["eta"])
    assert (lo / a_star, hi / a_star) == pytest.approx((math.sqrt(0.8 / 1.1), math.sqrt(1.2)))
    st = mtl._stats(CANONICAL)
    assert lo < st["a_band"][0] * a_star and st["a_band"][1] * a_star < hi
    assert st["w1_max"] < mtl.W1_BOUND


# ------------------------------------------------------------------ failures they detect
def test_gfs_bounds_fail_on_a_run_that_breaks_the_hypothesis():
    v = th.verify("two_layer_minimal.gfs_bounds", **mtl.NO_CLIP)
    assert not v.passed
    failing = [c.quantity for c in v.comparisons if not c.passed]
    assert failing == ["max violation of lower ≤ φ ≤ upper (units 2/η)"]


def test_gfs_bounds_fail_with_a_band_narrower_than_the_run():
    v = th.verify("two_layer_minimal.gfs_bounds", band=(0.9, 1.1))
    assert not v.passed and v.recheck is not None and not v.recheck.passed


def test_lemma42_alignment_is_part_of_the_verdict(monkeypatch):
    monkeypatch.setattr(mtl, "ALIGNMENT", 0.99)      # canonical minimum is 0.98217
    v = th.verify("two_layer_minimal.lemma42")
    assert not v.passed
    assert [c.quantity for c in v.comparisons if not c.passed] == ["(ii) min |<v, e_w1>|"]


def test_lemma42_upper_slack_can_fail(monkeypatch):
    monkeypatch.setattr(mtl, "SLACK", 0.03)          # canonical maximum is 0.0376
    v = th.verify("two_layer_minimal.lemma42")
    assert [c.quantity for c in v.comparisons if not c.passed] == ["(i) max S/(σ₁²a²) − 1"]


def test_lemma42_step_condition_failure_is_in_w2():
    v = th.verify("two_layer_minimal.lemma42", **mtl.BROKEN_STEP)
    assert not v.passed and v.evidence.get("harness")


def test_phases_fail_when_a_falls_from_the_start():
    v = th.verify("two_layer_minimal.phases", theta0=(0.67, 0.2, 1.0))
    assert not v.passed and v.evidence["phase1_monotone"] is False


def test_limiting_sharpness_names_the_broken_hypothesis_when_gd_never_reaches_the_edge():
    v = th.verify("two_layer_minimal.limiting_sharpness", eta=2.0)
    assert not v.passed and not v.evidence["hypotheses"]["(ii) σ1²a0² < 2/η < σ1²h(Q0)"]


def test_phases_without_an_edge_fail_quickly():
    assert mtl.t0_window({**CANONICAL, "eta": 2.0}) == (math.inf, math.inf)
    assert not th.verify("two_layer_minimal.phases", eta=2.0).passed


def test_t0_recheck_at_high_precision():
    r = mtl._recheck_t0(CANONICAL, mtl.t0_window(CANONICAL))
    assert r.passed and r.measured == 78


def test_t0_window_contains_every_held_out_t0():
    for extra in mtl.HELD_OUT:
        s = {**CANONICAL, **extra}
        lo, hi = mtl.t0_window(s)
        assert lo <= mtl._stats(s)["t0"] <= hi, extra


def test_rate_failure_is_confirmed_at_high_precision():
    v = th.verify("two_layer_minimal.loss_rate", rate_factor=2.0)
    assert v.recheck is not None and v.recheck.verdict == "confirmed counterexample"


def test_pgd_recheck_is_exact_at_50_digits():
    assert mtl._recheck_pgd((1 - 2 * 0.02**2) ** 2).passed
    assert not mtl._recheck_pgd((1 - 0.02**2) ** 2).passed


def test_eos_cycles_fail_without_the_clip():
    v = th.verify("two_layer_minimal.eos_cycles", C=0.0)
    failing = [c.quantity for c in v.comparisons if not c.passed]
    assert failing == ["max over episodes of fall − ηC(t2 − t1)"]


def test_eta_free_rate_control_is_far_from_the_eos_rate(verdict):
    v = verdict("two_layer_minimal.eta_free_rate")
    assert v.evidence["control_gap_to_eos_rate"] > 8 * mtl.rate_resolution(1.0, 0.02)


def test_scalar_nets_from_a_small_start_do_sharpen():
    v = th.verify("two_layer_minimal.scalar_no_sharpening",
                  cases=((("zhu_slice", {}), (0.5, 0.5), 0.2),))
    assert v.evidence["scalar"][0]["longest_sharpening"] > 10


@pytest.mark.slow
def test_limit_recheck_agrees_with_float64():
    r = mtl._recheck_limit(CANONICAL)
    assert r.passed and abs(r.measured - 0.99980) < 1e-5      # spec §3: 0.99980
