"""A sweep's result does not depend on how its cells are split: not on the thread count, the
chunk size, nor the blocks the threads take (for the lane kernel and the others)."""

import json

import numba
import numpy as np
import pytest
import xarray as xr

import eosmath as eos
from eosmath.dynamics.sweep import _chunk_cells

CASES = {  # a 2-parameter model (lane kernel) and a 3-parameter one, with a hyper axis
    "product": (dict(ell="logcosh"),
                {"eta": np.linspace(0.5, 3.0, 40), "x": np.linspace(0.1, 2.0, 40), "y": 2.0}),
    "two_layer_minimal": ({}, {"eta": np.linspace(0.5, 6.0, 24), "a": np.linspace(0.1, 2.0, 20),
                               "sigma2": np.array([0.5, 0.7]), "w1": 0.3, "w2": 0.5}),
}


def _sweep(name, threads, chunk=None, **extra):
    options, grid = CASES[name]
    previous = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        return eos.sweep(eos.models.get(name, **options), steps=300, quiet=True, chunk=chunk,
                         **grid, **extra)
    finally:
        numba.set_num_threads(previous)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_dataset_whatever_the_threads_and_chunks(name):
    reference = _sweep(name, threads=1)
    statuses = set(np.unique(reference["status"].values).tolist())
    assert len(statuses) >= 2, statuses  # not a trivial grid
    assert "chunk" not in json.loads(reference.attrs["sweep_config"])  # not part of the result
    for threads, chunk in [(2, None), (2, 7), (1, 3), (2, 1)]:
        xr.testing.assert_identical(_sweep(name, threads, chunk), reference)


def test_a_stores_layout_does_not_depend_on_the_threads(tmp_path):
    one = _sweep("product", 1, store=tmp_path / "one.zarr").load()
    two = _sweep("product", 2, store=tmp_path / "two.zarr").load()
    xr.testing.assert_identical(one, two)
    assert json.loads(one.attrs["sweep_config"])["chunk"] == 40  # 2¹⁶ cells, capped at the axis
    assert _chunk_cells(in_memory=False, threads=16) == _chunk_cells(in_memory=False, threads=1)


def test_in_memory_chunks_give_every_thread_its_share():
    for threads in (1, 2, 16, 64):
        assert _chunk_cells(in_memory=True, threads=threads) >= 2**14 * threads
