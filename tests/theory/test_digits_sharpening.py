"""Progressive sharpening and the edge of stability on a digits MLP (Cohen et al. recipe)."""

import numpy as np
import pytest

from eosmath.theory.progressive_sharpening import BAND, digits_objective


def test_digits_init_is_pytorch_default_scale():
    obj, theta = digits_objective(quick=True)
    assert obj.net.sizes == (64, 32, 32, 10)
    for W, b in obj.net.unflatten(theta):
        bound = 1.0 / np.sqrt(W.shape[1])
        assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
        # uniform on ±bound has standard deviation bound/√3
        assert abs(W.std() - bound / np.sqrt(3)) < 0.1 * bound


@pytest.mark.slow
def test_digits_eos_passes_on_defaults_and_held_out_seeds(verdict):
    v = verdict("progressive_sharpening.digits_eos")
    assert v.passed, v
    assert v.tolerance_basis.startswith("calibrated")
    assert v.calibration_inputs["init_seed"] == 0
    assert sorted(h.inputs["init_seed"] for h in v.held_out) == [1, 2, 3]
    for h in v.held_out:
        assert h.passed and BAND[0] <= h.measured["band"][0] <= h.measured["band"][1] <= BAND[1]
    assert v.evidence["first_crossing_step"] > 0


@pytest.mark.slow
def test_digits_departs_from_flow_passes_on_defaults(verdict):
    v = verdict("progressive_sharpening.digits_departs_from_flow")
    assert v.passed, v
    m = v.measured
    assert m["gradient flow's η·S/2 at the end"] > m["GD's η·S/2 at the end (≤ band ceiling)"]
