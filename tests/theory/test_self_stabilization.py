"""Self-stabilization checks: pass on the defaults, fail on broken inputs."""

import pytest
import sympy as sp

import eosmath.theory as th


@pytest.mark.parametrize("claim", [c.name.split(".", 1)[1] for c in th.checks()
                                   if c.family == "self_stabilization"])
def test_passes_on_defaults(claim):
    v = th.verify(f"self_stabilization.{claim}")
    assert v.passed, v


def test_lemma2_fails_with_the_wrong_eigenvector():
    assert not th.verify("self_stabilization.lemma2", vector="second").passed


def test_fixed_point_fails_for_a_wrong_delta():
    alpha, beta = sp.symbols("alpha beta", positive=True)
    assert not th.verify("self_stabilization.ode_fixed_point",
                         delta_claim=sp.sqrt(alpha / beta)).passed


def test_conserved_fails_for_a_wrong_quantity():
    X, Y = sp.Symbol("X", positive=True), sp.Symbol("Y", real=True)
    assert not th.verify("self_stabilization.lv_conserved", quantity=X**2 + Y**2).passed


def test_lotka_volterra_fails_with_a_flipped_sign():
    z, w = sp.symbols("z w", positive=True)
    assert not th.verify("self_stabilization.lotka_volterra", field=(z * (w - 1),
                                                                     w * (z - 1))).passed


def test_corollary1_fails_with_a_tighter_constant():
    assert not th.verify("self_stabilization.corollary1", x_bound_factor=1.0).passed


def test_toy_is_not_the_reduced_map_at_another_step():
    eta0 = sp.Symbol("eta0", real=True)
    assert not th.verify("self_stabilization.toy_is_reduced_map", step=eta0 / 2).passed


def test_four_stages_fail_below_the_edge():
    assert not th.verify("self_stabilization.four_stages", step_factor=0.5).passed


def test_theorem1_fails_without_the_slow_sharpness_term():
    assert not th.verify("self_stabilization.theorem1", include_y=False).passed


def test_theorem1_constrained_trajectory_is_the_line():
    rows = th.verify("self_stabilization.theorem1").evidence["rows"]
    assert all(r["pgd_vs_line"] < 1e-9 for r in rows)


def test_generalized_sharpness_fails_for_the_wrong_side():
    assert not th.verify("self_stabilization.generalized_sharpness",
                         claims={-0.5: "above", 0.5: "above"}).passed


def test_stage_and_generalized_rechecks_accept_the_true_claims():
    import math

    from eosmath.theory.self_stabilization import _recheck_generalized, _recheck_stages, _toy

    start = [0.01 * math.sqrt(2), -0.5, 0.0]
    assert _recheck_stages(_toy(0.01), start, 0.01, 0.01, 1.0, 1.0).passed
    assert _recheck_generalized(0.01, 1.0, 1.0, -0.5, "below").passed
    v = th.verify("self_stabilization.four_stages", step_factor=0.5)
    assert v.recheck is not None and v.recheck.verdict == "confirmed counterexample"


def test_issue_example():
    v = th.verify("self_stabilization.lv_conserved")
    assert (v.passed, v.witness) == (True, None)
    assert v.measured <= v.tolerance and v.evidence["symbolic_first_integral"]
