"""A sweep's gfs_sharpness, computed for all cells at once (one call per distinct
hyper-parameter value), equals eos.gfs_sharpness from each cell's final iterate (one cell at a
time, the closed-form limit, the compiled sharpness)."""

import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.gf_limits import scalar_network_gf_limit


def _assert_equals_per_cell(model, ds, hyper_axis):
    names = [str(p) for p in model.params]
    hyper = list(model.hyper_names)
    checked = 0
    for index in np.ndindex(ds.status.shape):
        cell = ds.isel(dict(zip(ds.status.dims, index, strict=True)))
        final = [float(cell[f"final_{p}"]) for p in names]
        if int(cell.status) == 3 or not np.all(np.isfinite(final)):
            assert np.isnan(float(cell.gfs_sharpness))
            continue
        h = [float(cell[n]) if n == hyper_axis else float(model.hyper_values[k])
             for k, n in enumerate(hyper)]
        expected = eos.gfs_sharpness(model, final, hyper=h)
        np.testing.assert_allclose(float(cell.gfs_sharpness), expected, rtol=1e-13)
        checked += 1
    assert checked > 0


def test_hyper_parameter_axis_two_layer_minimal():
    model = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.5)
    ds = eos.sweep(model, eta=np.linspace(0.5, 6.0, 4), a=np.linspace(0.1, 2.0, 3),
                   w1=0.3, w2=0.5, sigma2=np.array([0.3, 0.5]), steps=300, quiet=True)
    _assert_equals_per_cell(model, ds, "sigma2")


def test_scalar_network_target_axis():
    # the limit has no formula: a root per cell, found by a vectorised Newton iteration here
    # and by brentq in eos.gfs_sharpness (rtol 1e-15): agreement to rounding of the root
    model = eos.models.get("scalar_network", depth=3)
    ds = eos.sweep(model, eta=np.linspace(0.05, 0.5, 4), w1=np.linspace(0.5, 1.5, 3), w2=1.1,
                   w3=0.9, y=np.array([0.5, 2.0]), steps=300, quiet=True)
    _assert_equals_per_cell(model, ds, "y")


def test_vectorised_scalar_network_limit_equals_the_one_start_root():
    rng = np.random.default_rng(7)
    w = rng.uniform(0.2, 1.8, size=(6, 40)) * rng.choice([-1.0, 1.0], size=(6, 40))
    many = scalar_network_gf_limit(w, 1.3)
    one = np.array([scalar_network_gf_limit(w[:, k], 1.3) for k in range(40)]).T
    # both roots u are within a few ulps (brentq: xtol = rtol = 1e-15) of the true one; sᵢ =
    # √(u + bᵢ) moves by δu / (2(u + bᵢ)) relative, so the bound scales with 1/min sᵢ²
    slack = 8e-15 * np.maximum(1.0, np.max(one**2 - w**2 + w[:1] ** 2, axis=0))
    bound = slack / (2 * np.min(one**2, axis=0))
    assert np.all(np.abs(many / one - 1) <= bound)
    np.testing.assert_allclose(np.prod(many, axis=0), 1.3 * np.sign(np.prod(w, axis=0)),
                               rtol=1e-13)


@pytest.mark.slow  # compiles the scalar kernel of a 9-parameter model (~15 s on 2 cores)
def test_beyond_the_lane_kernel_skipped_cells_are_nan_and_the_others_per_cell():
    # 9 parameters: the sharpness at the limits comes from the scalar kernel's sharpness_many,
    # every row at once, the diverged and non-finite ones masked after
    model = eos.models.get("scalar_network", depth=9)
    fixed = {f"w{i}": 1.0 + 0.02 * (i - 1) for i in range(2, 10)}
    ds = eos.sweep(model, eta=np.linspace(0.05, 0.6, 5), w1=np.linspace(0.5, 1.5, 3), **fixed,
                   steps=300, quiet=True)
    assert (ds.status.values == 3).any()  # some cells diverged: their value must be NaN
    _assert_equals_per_cell(model, ds, None)
