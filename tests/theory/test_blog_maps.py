"""Blog seed checks: pass on the defaults, fail on broken inputs."""

import pytest
import sympy as sp

import eosmath as eos
import eosmath.theory as th


@pytest.mark.parametrize("name", [c.name for c in th.checks()
                                  if c.family in ("quadratic", "soft_quadratic")])
def test_passes_on_defaults(name):
    v = th.verify(name)
    assert v.passed, v


def test_factor_fails_on_another_model():
    assert not th.verify("quadratic.factor", model=eos.models.get("soft_quadratic")).passed


def test_regimes_fail_for_a_wrong_curvature_claim():
    v = th.verify("quadratic.regimes", a=2.0, a_claim=2.1)
    assert not v.passed
    assert abs(v.measured[1] - 1.0) < v.tolerance       # the boundary really is at 2/a


def test_convergence_time_fails_for_a_wrong_curvature():
    assert not th.verify("quadratic.convergence_time", a_claim=2.05).passed


def test_symmetric_cycle_fails_beyond_eta_star():
    v = th.verify("soft_quadratic.symmetric_cycle", etas=[2.7])   # asymmetric regime
    assert not v.passed and v.recheck is not None and not v.recheck.passed


def test_symmetric_cycle_amplitudes_match_spec():
    rows = th.verify("soft_quadratic.symmetric_cycle").evidence["rows"]
    for row in rows:
        assert abs(row["gd_amplitude"] - row["spec_value"]) < 1e-10


def test_pointwise_curvature_fails_outside_the_cycle_regime():
    assert not th.verify("soft_quadratic.pointwise_curvature", etas=[0.9, 1.5]).passed


def test_symmetry_breaking_fails_for_a_wrong_threshold():
    assert not th.verify("soft_quadratic.symmetry_breaking", eta_claim=2.65).passed


def test_period_doubling_fails_for_a_perturbed_value():
    assert not th.verify("soft_quadratic.period_doubling", eta_claim=5.6629028809).passed


def test_cascade_fails_for_a_wrong_period():
    assert not th.verify("soft_quadratic.cascade", claims={5.5: 4}).passed


def test_flip_condition_fails_for_a_subcritical_loss():
    x = sp.Symbol("x", real=True)
    # x² + x⁴: c₂ = 2, c₃ = 0, c₄ = 24, so 3c₃² − c₂c₄ < 0 (no stable orbit above 2/c₂).
    assert not th.verify("soft_quadratic.flip_condition", model=eos.Model(x**2 + x**4, (x,))).passed


def test_regime_recheck_confirms_a_wrong_claim_and_accepts_the_right_one():
    from eosmath.theory.blog_maps import _recheck_regimes

    v = th.verify("quadratic.regimes", a_claim=2.1)
    assert v.recheck is not None and v.recheck.verdict == "confirmed counterexample"
    assert _recheck_regimes(2.0, [0.5, 1.0], 0.0025).passed     # the recheck is not vacuous


def test_step_count_recheck():
    from eosmath.theory.blog_maps import _recheck_steps

    # η = 0.3, a = 2: q = 0.4 and ⌈log 1e-8 / (2 log 0.4)⌉ = 11 steps.
    assert _recheck_steps(0.3, 2.0, 1e-8, 11).passed
    assert not _recheck_steps(0.3, 2.0, 1e-8, 13).passed
