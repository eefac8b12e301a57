"""Progressive sharpening and the edge of stability on a digits MLP (Cohen et al. recipe)."""

import numpy as np

import eosmath.theory as th
from eosmath.theory.progressive_sharpening import digits_objective


def test_digits_init_is_pytorch_default_scale():
    obj, theta = digits_objective(quick=True)
    assert obj.net.sizes == (64, 32, 32, 10)
    for W, b in obj.net.unflatten(theta):
        bound = 1.0 / np.sqrt(W.shape[1])
        assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
        # uniform on ±bound has standard deviation bound/√3
        assert abs(W.std() - bound / np.sqrt(3)) < 0.1 * bound


def test_digits_eos_passes_on_defaults():
    verdict = th.verify("progressive_sharpening.digits_eos")
    assert verdict.passed, verdict
    assert verdict.source and verdict.statement
    m = verdict.measured
    assert m["first_crossing_step"] > 0
    assert 0.8 <= m["band"][0] <= m["band"][1] <= 1.25
    assert m["loss_end"] < m["loss_first_crossing"]
    assert m["loss_increases_after_crossing"] > 0


def test_digits_eos_fails_far_below_the_edge():
    # η = 0.05: 2/η = 40 is far above the sharpness GD reaches, so η·S/2 never crosses 0.95
    verdict = th.verify("progressive_sharpening.digits_eos", eta=0.05)
    assert not verdict.passed


def test_digits_eos_fails_when_stopped_before_the_loss_settles():
    # 260 steps: the sharpness has crossed, but the loss has not yet halved from the crossing
    verdict = th.verify("progressive_sharpening.digits_eos", steps=260)
    assert not verdict.passed


def test_digits_departs_from_flow_passes_on_defaults():
    verdict = th.verify("progressive_sharpening.digits_departs_from_flow")
    assert verdict.passed, verdict
    m = verdict.measured
    assert m["gf_ratio_end"] > m["gd_ratio_end"]


def test_digits_departs_from_flow_fails_below_the_edge():
    verdict = th.verify("progressive_sharpening.digits_departs_from_flow", eta=0.05, steps=300)
    assert not verdict.passed
