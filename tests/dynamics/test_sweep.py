"""Sweeps equal run_gd cell by cell; storage resumes to identical bytes; bad input refused."""

import warnings

import numpy as np
import pytest
import xarray as xr

import eosmath as eos
from eosmath.dynamics import sweep_store
from eosmath.dynamics.status import Status
from eosmath.errors import InvalidInputError, StoreError

GRID = {"eta": np.linspace(0.5, 3.0, 12), "x": np.linspace(0.1, 2.0, 6), "y": 2.0}


@pytest.fixture(scope="module")
def product():
    return eos.models.get("product", ell="logcosh")


@pytest.fixture(scope="module")
def in_memory(product):
    return eos.sweep(product, steps=1500, quiet=True, **GRID)


def test_sweep_equals_run_gd_cell_by_cell(product, in_memory):
    for i, eta in enumerate(GRID["eta"]):
        for j, x in enumerate(GRID["x"]):
            tr = eos.run_gd(product, eta, (x, 2.0), steps=1500)
            cell = in_memory.isel(eta=i, x=j)
            assert int(cell.status) == int(tr.status)
            assert int(cell.stop_step) == tr.stop_step
            assert int(cell.period) == tr.period
            np.testing.assert_array_equal([float(cell.final_x), float(cell.final_y)],
                                          tr.theta[-1])


def test_dataset_layout_and_attributes(in_memory):
    ds = in_memory
    assert list(ds["status"].dims) == ["eta", "x"]
    assert ds["status"].attrs["flag_meanings"] == \
        "converged period chaotic diverged max_steps invalid not_computed"
    assert ds["status"].attrs["flag_values"] == [0, 1, 2, 3, 4, 5, -1]
    assert "x**2 - y**2" in ds.attrs["drift_0"]
    for name in ("final_loss", "final_sharpness", "final_eos_ratio", "max_sharpness",
                 "first_unstable_step", "eos_fraction", "lyapunov", "gfs_sharpness"):
        assert name in ds
    converged = ds["status"].values == 0
    # GF from the final iterate of a converged cell stays put: GFS sharpness = final sharpness
    np.testing.assert_allclose(ds["gfs_sharpness"].values[converged],
                               ds["final_sharpness"].values[converged], rtol=1e-6)


def test_hyper_parameter_axis(product):
    m = eos.models.get("quadratic")
    ds = eos.sweep(m, eta=0.3, a=np.array([1.0, 5.0, 7.0]), x=1.0, steps=500, quiet=True)
    assert ds["status"].values.tolist() == [0, 0, 3]   # η·a = 0.3, 1.5, 2.1


def test_resumed_store_is_byte_identical(product, tmp_path, monkeypatch):
    import eosmath.dynamics.sweep as sweep_module

    straight = tmp_path / "straight.zarr"
    resumed = tmp_path / "resumed.zarr"
    eos.sweep(product, steps=1500, quiet=True, store=straight, chunk=3, **GRID)
    # a run killed while computing its third chunk
    real, calls = sweep_module._chunk_arrays, []

    def dies_on_third_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "_chunk_arrays", dies_on_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        eos.sweep(product, steps=1500, quiet=True, store=resumed, chunk=3, **GRID)
    monkeypatch.setattr(sweep_module, "_chunk_arrays", real)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        partial = xr.open_zarr(resumed).load()
    assert partial.attrs["complete"] is False
    status = partial["status"].values
    assert (status[6:] == int(Status.NOT_COMPUTED)).all()       # never read as a verdict
    assert (status[:6] >= 0).all()
    assert np.isnan(partial["final_loss"].values[6:]).all()
    assert sweep_store.done_blocks(resumed, 3) == [0, 3]
    recomputed = []
    monkeypatch.setattr(sweep_module, "_chunk_arrays",
                        lambda *a, **k: recomputed.append(a[3].start) or real(*a, **k))
    eos.sweep(product, steps=1500, quiet=True, store=resumed, chunk=3, resume=True, **GRID)
    assert recomputed == [6, 9]                     # only the missing chunks
    a = xr.open_zarr(straight).load()
    b = xr.open_zarr(resumed).load()
    assert a.attrs["complete"] is True and b.attrs["complete"] is True
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert a.attrs == b.attrs
    files_a = sorted(p.relative_to(straight) for p in straight.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(resumed) for p in resumed.rglob("*") if p.is_file())
    for rel in files_a:
        assert (straight / rel).read_bytes() == (resumed / rel).read_bytes()


def test_store_from_another_configuration_is_refused(product, tmp_path):
    path = tmp_path / "s.zarr"
    eos.sweep(product, steps=100, quiet=True, store=path, **GRID)
    with pytest.raises(StoreError, match="another model or configuration"):
        eos.sweep(product, steps=200, quiet=True, store=path, resume=True, **GRID)
    with pytest.raises(StoreError, match="resume"):
        eos.sweep(product, steps=100, quiet=True, store=path, **GRID)


@pytest.mark.parametrize("values, message", [
    ({"eta": np.array([0.5, -1.0]), "x": 1.0, "y": 2.0}, "> 0"),
    ({"eta": np.array([]), "x": 1.0, "y": 2.0}, "empty"),
    ({"eta": np.array([0.5, np.nan]), "x": 1.0, "y": 2.0}, "non-finite"),
    ({"eta": 0.5, "x": 1.0}, "y"),
    ({"eta": 0.5, "x": 1.0, "y": 2.0, "z": 3.0}, "unknown"),
    ({"eta": 0.5, "x": np.ones((2, 2)), "y": 2.0}, "1-D"),
])
def test_bad_input_is_refused_before_running(product, values, message):
    with pytest.raises(InvalidInputError, match=message):
        eos.sweep(product, steps=10, quiet=True, **values)


def test_end_point_variables_do_not_depend_on_the_pieces(monkeypatch):
    # drift and GF-limit sharpness are computed after the kernel in pieces of contiguous
    # cells: any piece size gives the same values as one piece
    from eosmath.dynamics import sweep as sweep_module

    m = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.5)
    grid = {"eta": np.linspace(0.5, 6.0, 30), "a": np.linspace(0.1, 2.0, 21), "w1": 0.3,
            "w2": 0.5}
    monkeypatch.setattr(sweep_module, "FINISH_PIECE", 10**9)
    whole = eos.sweep(m, **grid, steps=200, quiet=True)
    monkeypatch.setattr(sweep_module, "FINISH_PIECE", 37)
    pieces = eos.sweep(m, **grid, steps=200, quiet=True)
    for name in ("drift_0", "gfs_sharpness"):
        np.testing.assert_array_equal(pieces[name].values, whole[name].values)
    assert np.isfinite(whole["gfs_sharpness"].values).sum() > 100
