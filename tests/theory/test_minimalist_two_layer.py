"""Two-layer checks: pass on the defaults, fail on broken inputs; the clipped-GD helper."""

import numpy as np
import pytest

import eosmath as eos
import eosmath.theory as th
from eosmath.theory._iterate import trajectory
from eosmath.theory.minimalist_two_layer import clipped_gd


@pytest.mark.parametrize("name", [c.name for c in th.checks() if c.family == "two_layer_minimal"])
def test_passes_on_defaults(name):
    v = th.verify(name)
    assert v.passed, v


def test_unclipped_helper_equals_compiled_gd():
    # Independent implementation: the model's Numba GD kernel (no clipping).
    model = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.02)
    ref = trajectory(model, [0.67, 0.01, 1.0], 4.0, 300)
    run = clipped_gd(theta0=(0.67, 0.01, 1.0), C=0.0, steps=300)
    assert np.allclose(run.thetas, ref, rtol=1e-10, atol=1e-300)


def test_plain_mode_warns_on_underflow():
    with pytest.warns(RuntimeWarning, match="1e-250"):
        clipped_gd(sigma2=0.01, theta0=(0.6, 1e-3, 0.1), C=0.0, steps=15000, log_mode=False)


def test_limiting_sharpness_fails_when_gd_never_reaches_the_edge():
    assert not th.verify("two_layer_minimal.limiting_sharpness", eta=2.0).passed


def test_phases_fail_for_an_off_by_one_t0():
    assert not th.verify("two_layer_minimal.phases", t0_claim=77).passed


def test_lemma42_fails_when_the_step_condition_is_violated():
    # ησ₂²(a² + w₂²) ≈ 2 > 1: w2 overshoots and decreases.
    assert not th.verify("two_layer_minimal.lemma42", sigma2=0.6).passed


def test_loss_rate_fails_with_the_heuristic_rate_as_a_bound():
    assert not th.verify("two_layer_minimal.loss_rate", rate_factor=2.0).passed


def test_gfs_bounds_fail_with_a_too_narrow_band_of_a():
    assert not th.verify("two_layer_minimal.gfs_bounds", a_band=(0.70, 0.71)).passed


def test_pgd_rate_fails_with_the_upper_rate():
    assert not th.verify("two_layer_minimal.pgd_rate", rate_factor=1.0).passed


def test_collapse_absent_with_clipping():
    assert not th.verify("two_layer_minimal.unclipped_collapse", C_unclipped=0.0088388).passed


def test_clipped_gd_matches_50_digit_run():
    from eosmath.theory.minimalist_two_layer import mp_clipped_gd

    rows = np.array([[float(v) for v in r] for r in mp_clipped_gd(1.0, 0.02, 4.0,
                                                                   (0.67, 0.01, 1.0), 0.002, 1000)])
    run = clipped_gd(steps=1000)
    assert np.allclose(run.thetas, rows, rtol=1e-10, atol=1e-14)


def test_rate_failure_is_confirmed_at_high_precision():
    v = th.verify("two_layer_minimal.loss_rate", rate_factor=2.0)
    assert v.recheck is not None and v.recheck.verdict == "confirmed counterexample"


def test_t0_recheck_at_high_precision():
    v = th.verify("two_layer_minimal.phases", t0_claim=77)
    assert v.recheck is not None and v.recheck.measured == 78


def test_pgd_recheck_is_exact_at_50_digits():
    from eosmath.theory.minimalist_two_layer import _recheck_pgd

    assert _recheck_pgd((1 - 2 * 0.02**2) ** 2).passed
    assert not _recheck_pgd((1 - 0.02**2) ** 2).passed


def test_limit_recheck_agrees_with_float64():
    from eosmath.theory.minimalist_two_layer import CANONICAL, _recheck_limit

    r = _recheck_limit(CANONICAL)
    assert r.passed and abs(r.measured - 0.99980) < 1e-5      # spec §3: 0.99980
