"""train_gd(..., record_every=k): θ snapshots, in memory or spilled to a .npy memmap."""

import numpy as np
import pytest

from eosmath import nn
from eosmath.errors import InvalidInputError


def _small():
    net = nn.MLP([1, 8, 1], activation="tanh", bias=[True, False])
    return nn.Objective(net, nn.datasets.chebyshev(3, 12)), net.init(seed=1, scheme="chebyshev")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_snapshots_equal_separate_shorter_runs(dtype):
    obj, theta = _small()
    theta = theta.astype(dtype)
    run = nn.train_gd(obj, theta, eta=0.3, steps=23, sharpness_every=100, top_k=1,
                      record_every=5, quiet=True)
    assert run.snapshot_steps.tolist() == [0, 5, 10, 15, 20, 23] and run.snapshot_path is None
    assert run.snapshots.dtype == dtype and run.snapshots.shape == (6, obj.net.n_params)
    # GD is deterministic: θ_t of the long run is the end point of a run of t steps
    for t, row in zip(run.snapshot_steps, run.snapshots, strict=True):
        short = nn.train_gd(obj, theta, eta=0.3, steps=int(t), sharpness_every=100, top_k=1,
                            quiet=True)
        assert np.array_equal(row, short.theta), t
    assert np.array_equal(run.snapshots[-1], run.theta)


def test_large_snapshots_spill_to_a_memmap(tmp_path):
    obj, theta = _small()
    memory = nn.train_gd(obj, theta, eta=0.3, steps=40, sharpness_every=100, top_k=1,
                         record_every=3, quiet=True)
    spilled = nn.train_gd(obj, theta, eta=0.3, steps=40, sharpness_every=100, top_k=1,
                          record_every=3, quiet=True, snapshot_dir=tmp_path, spill_bytes=100)
    assert spilled.snapshot_path is not None and str(tmp_path) in spilled.snapshot_path
    assert isinstance(spilled.snapshots, np.memmap)
    assert np.array_equal(spilled.snapshots, memory.snapshots)
    on_disk = np.load(spilled.snapshot_path)
    assert np.array_equal(on_disk[: len(memory.snapshots)], memory.snapshots)
    ds = spilled.to_xarray()
    assert ds.attrs["snapshot_path"] == spilled.snapshot_path and "snapshots" not in ds
    assert "snapshots" in memory.to_xarray()


def test_early_stop_leaves_nan_rows_in_the_file(tmp_path):
    obj, theta = _small()
    first = nn.train_gd(obj, theta, eta=0.3, steps=0, sharpness_every=100, top_k=1, quiet=True)
    goal = first.loss[0] * 0.9
    run = nn.train_gd(obj, theta, eta=0.3, steps=200, sharpness_every=100, top_k=1,
                      record_every=50, loss_goal=goal, quiet=True, snapshot_dir=tmp_path,
                      spill_bytes=0)
    assert run.status == "goal_reached" and run.snapshot_steps[-1] == run.steps_done
    on_disk = np.load(run.snapshot_path)
    rows = len(run.snapshot_steps)
    assert np.all(np.isfinite(on_disk[:rows])) and np.all(np.isnan(on_disk[rows:]))


def test_bad_record_every_is_refused():
    obj, theta = _small()
    for bad in (0, -2, 1.5, True):
        with pytest.raises(InvalidInputError, match="record_every"):
            nn.train_gd(obj, theta, eta=0.3, steps=3, record_every=bad, quiet=True)
