"""The sweep store writer against zarr and xarray themselves: what it writes reads back
identical to what xarray's own to_zarr writes, and zarr validates it."""

import numpy as np
import pytest
import xarray as xr
import zarr

from eosmath.dynamics import zarr_v3


def _dataset():
    rng = np.random.default_rng(1)
    coords = {"eta": np.linspace(0.5, 3.0, 7), "x": np.linspace(0.1, 2.0, 5),
              "y": np.array([1.0, 2.0, 3.0])}
    floats = rng.normal(size=(7, 5))
    floats[2, 3] = np.nan
    data = {
        "status": (("eta", "x"), rng.integers(0, 6, (7, 5)).astype(np.int8),
                   {"flag_values": [0, 1], "flag_meanings": "a b"}),
        "period": (("eta", "x"), rng.integers(0, 300, (7, 5)).astype(np.int16), {}),
        "stop_step": (("eta", "x"), rng.integers(-1, 2**40, (7, 5)), {}),
        "final_loss": (("eta", "x"), floats, {"long_name": "loss"}),
        "cube": (("eta", "x", "y"), rng.normal(size=(7, 5, 3)), {}),
    }
    attrs = {"sweep_config": '{"a": 1}', "chunks_done": [0, 3], "note": "é ∇"}
    return coords, data, attrs


def _write_ours(path, coords, data, attrs, chunk=3):
    variables = {k: (dims, v.dtype, a) for k, (dims, v, a) in data.items()}
    zarr_v3.create_store(path, coords, variables, attrs, {"eta": chunk})
    for start in range(0, 7, chunk):
        for name, (_, values, _) in data.items():
            zarr_v3.write_region(path, name, values[start:start + chunk],
                                 (start,) + (0,) * (values.ndim - 1))


def test_reads_back_identical_to_xarrays_own_store(tmp_path):
    coords, data, attrs = _dataset()
    _write_ours(tmp_path / "ours.zarr", coords, data, attrs)
    ds = xr.Dataset({k: (dims, v, a) for k, (dims, v, a) in data.items()}, coords=coords,
                    attrs=attrs)
    ds.to_zarr(tmp_path / "theirs.zarr", consolidated=False,
               encoding={k: {"chunks": (3,) + v.shape[1:]} for k, (_, v, _) in data.items()})
    ours = xr.open_zarr(tmp_path / "ours.zarr", consolidated=False, chunks=None).load()
    theirs = xr.open_zarr(tmp_path / "theirs.zarr", consolidated=False, chunks=None).load()
    xr.testing.assert_identical(ours, theirs)
    for name, (_, values, _) in data.items():
        assert ours[name].dtype == values.dtype
        np.testing.assert_array_equal(zarr_v3.read_array(tmp_path / "ours.zarr", name), values)


def test_zarr_itself_opens_the_store(tmp_path):
    coords, data, attrs = _dataset()
    _write_ours(tmp_path / "s.zarr", coords, data, attrs)
    group = zarr.open_group(tmp_path / "s.zarr", mode="r")
    assert dict(group.attrs) == attrs
    for name, (_, values, _) in data.items():
        np.testing.assert_array_equal(group[name][...], values)
        assert group[name].chunks[0] == 3


def test_unwritten_chunks_read_as_fill_and_writes_are_deterministic(tmp_path):
    coords, data, attrs = _dataset()
    variables = {k: (dims, v.dtype, a) for k, (dims, v, a) in data.items()}
    zarr_v3.create_store(tmp_path / "a.zarr", coords, variables, attrs, {"eta": 3})
    assert np.isnan(zarr_v3.read_array(tmp_path / "a.zarr", "final_loss")).all()
    assert (zarr_v3.read_array(tmp_path / "a.zarr", "status") == 0).all()
    _write_ours(tmp_path / "a.zarr", coords, data, attrs)
    _write_ours(tmp_path / "b.zarr", coords, data, attrs)
    files = sorted(p.relative_to(tmp_path / "a.zarr") for p in (tmp_path / "a.zarr").rglob("*")
                   if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b.zarr")
                           for p in (tmp_path / "b.zarr").rglob("*") if p.is_file())
    for rel in files:
        assert (tmp_path / "a.zarr" / rel).read_bytes() == (tmp_path / "b.zarr" / rel).read_bytes()


def test_misaligned_region_is_refused_and_attrs_update_keeps_others(tmp_path):
    coords, data, attrs = _dataset()
    _write_ours(tmp_path / "s.zarr", coords, data, attrs)
    with pytest.raises(ValueError, match="whole chunks"):
        zarr_v3.write_region(tmp_path / "s.zarr", "period", np.zeros((3, 5), np.int16), (1, 0))
    with pytest.raises(ValueError, match="whole chunks"):
        zarr_v3.write_region(tmp_path / "s.zarr", "period", np.zeros((2, 5), np.int16), (0, 0))
    zarr_v3.update_attrs(tmp_path / "s.zarr", chunks_done=[0, 3, 6])
    assert zarr_v3.read_attrs(tmp_path / "s.zarr") == {**attrs, "chunks_done": [0, 3, 6]}
