"""Blog seed checks: pass on the defaults; failure details the meta-tests do not look at.

The hypothesis violations of each check (wrong curvature, η beyond η*, ...) are declared in
the registry and run by tests/theory/test_evidence.py.
"""

import pytest

import eosmath.theory as th


@pytest.mark.parametrize("name", [c.name for c in th.checks()
                                  if c.family in ("quadratic", "soft_quadratic")])
def test_passes_on_defaults(name, verdict):
    v = verdict(name)
    assert v.passed, v
    assert v.kind != "unclassified"


def test_regimes_fail_for_a_wrong_curvature_claim():
    v = th.verify("quadratic.regimes", a=2.0, a_claim=2.1)
    assert not v.passed
    assert abs(v.measured[1] - 1.0) < v.tolerance       # the boundary really is at 2/a


def test_symmetric_cycle_fails_beyond_eta_star_at_high_precision_too():
    v = th.verify("soft_quadratic.symmetric_cycle", etas=[2.7])   # asymmetric regime
    assert not v.passed and v.recheck is not None and not v.recheck.passed


def test_symmetric_cycle_amplitudes_match_spec(verdict):
    for row in verdict("soft_quadratic.symmetric_cycle").evidence["rows"]:
        assert abs(row["gd_amplitude"] - row["spec_value"]) < 1e-12


def test_first_doubling_point_agrees_with_the_independent_period_doubling_solve():
    from eosmath.theory.blog_maps import ETA_PD, _doubling_points

    points = _doubling_points()
    assert abs(points[0] - ETA_PD) < 1e-12          # 2ᵏ-cycle solver (k = 1) = spec M4 solve
    # Feigenbaum: successive gaps shrink by ≈ 4.67 (4.05 and 4.58 at these early levels).
    gaps = [b - a for a, b in zip(points, points[1:], strict=False)]
    assert all(3.5 < g0 / g1 < 5.5 for g0, g1 in zip(gaps, gaps[1:], strict=False))


def test_cascade_rejects_a_missing_doubling_at_high_precision():
    v = th.verify("soft_quadratic.cascade", etas=(5.8,), period_claims={5.8: 2})
    assert not v.passed and v.recheck.verdict == "confirmed counterexample"
    assert v.recheck.measured == 4


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
