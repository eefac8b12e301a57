"""Sweep stores as a researcher meets them: killed part-way, written twice at once, read by
xarray and zarr, resumed to the same bytes as an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr

import eosmath as eos
from eosmath.cli import main
from eosmath.dynamics import sweep_store
from eosmath.dynamics.status import Status
from eosmath.dynamics.store_lock import LOCK_NAME, StoreLock
from eosmath.errors import StoreError

ROOT = Path(__file__).resolve().parents[2]
# 80 chunks of 2000 cells, a few seconds of computing on this machine
LONG = ["sweep", "product", "--eta", "0.3:1.2:80", "--x", "0.1:2:2000", "--y", "2",
        "--steps", "5000", "--chunk", "1", "--quiet"]
NOT_COMPUTED = int(Status.NOT_COMPUTED)


def _cli(args, **kwargs):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "eosmath", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def _wait_for(condition, timeout=120.0):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.005)


def _files(root: Path) -> dict:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _open_without_warnings(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return xr.open_zarr(path).load()


@pytest.fixture(scope="module")
def killed_and_straight(tmp_path_factory):
    """A real `eosmath sweep` killed with SIGKILL after its first chunk, and the same sweep
    run to the end."""
    root = tmp_path_factory.mktemp("stores")
    killed, straight = root / "killed.zarr", root / "straight.zarr"
    run = _cli(LONG + ["--out", str(killed)])
    _wait_for(lambda: run.poll() is not None or sweep_store.done_blocks(killed, 1))
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL, run.stderr.read()
    finished = _cli(LONG + ["--out", str(straight)])
    assert finished.wait() == 0, finished.stderr.read()
    return killed, straight, run.pid


def test_killed_sweep_reads_not_computed_and_incomplete(killed_and_straight):
    killed, _, pid = killed_and_straight
    ds = _open_without_warnings(killed)
    assert ds.attrs["complete"] is False and not sweep_store.is_complete(killed)
    status = ds["status"].values
    missing = status == NOT_COMPUTED
    assert missing.any() and not missing.all()
    # whole chunks: a row (chunk = 1 value of η) is entirely computed or entirely not
    assert set(missing.all(axis=1) | ~missing.any(axis=1)) == {True}
    # status is each block's last write: of the blocks it does not mark done, only the one
    # cut short can hold other variables already
    rows = missing.all(axis=1)
    cut_short = rows & ~np.isnan(ds["final_loss"].values).all(axis=1)
    assert cut_short.sum() <= 1
    assert ds["status"].attrs["flag_meanings"].split()[-1] == "not_computed"
    # zarr itself reads the same thing
    assert (zarr.open_array(killed / "status", mode="r")[...] == status).all()
    # the lock of the killed writer is still there, naming it
    assert json.loads((killed / LOCK_NAME).read_text())["pid"] == pid


def test_plot_refuses_a_partial_store_unless_asked(killed_and_straight, tmp_path, capsys):
    killed, _, _ = killed_and_straight
    out = tmp_path / "status.png"
    assert main(["plot", str(killed), "status", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "partial sweep" in err and "--resume" in err and "--partial" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()
    assert main(["plot", str(killed), "status", "--out", str(out), "--partial"]) == 0
    assert main(["plot", str(killed), "final_sharpness", "--out", str(tmp_path / "s.png"),
                 "--partial"]) == 0
    assert out.stat().st_size > 1000
    fig = eos.plot.phase_diagram(xr.open_zarr(killed, chunks=None), "status")
    labels = {t.get_text() for t in fig.axes[0].get_legend().get_texts()}
    assert "not computed" in labels and "converged" in labels


def test_resume_after_kill_is_byte_identical_to_an_uninterrupted_run(killed_and_straight):
    killed, straight, pid = killed_and_straight
    stale = killed / "status" / "c" / "7.0123abcd.partial"  # what a write cut short leaves
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"half a chunk")
    resumed = _cli(LONG + ["--out", str(killed), "--resume"])
    assert resumed.wait() == 0, resumed.stderr.read()
    err = resumed.stderr.read()
    assert f"taking over the lock of {killed} left by pid {pid}" in err
    assert not stale.exists() and not (killed / LOCK_NAME).exists()
    a, b = _files(straight), _files(killed)
    assert sorted(a) == sorted(b)
    assert all(a[k] == b[k] for k in a)
    ds = _open_without_warnings(killed)
    assert ds.attrs["complete"] is True
    assert (ds["status"].values != NOT_COMPUTED).all()


def test_a_second_writer_is_refused_with_the_holders_pid(tmp_path):
    store = tmp_path / "s.zarr"
    first = _cli(LONG + ["--out", str(store)])
    try:
        _wait_for(lambda: first.poll() is not None or sweep_store.done_blocks(store, 1))
        assert first.poll() is None, "the first sweep finished before the second started"
        # other settings, same store: the data would come from one and the metadata from the
        # other
        second = _cli([*LONG[:-5], "--steps", "4000", "--chunk", "1", "--quiet", "--out",
                       str(store)])
        assert second.wait() == 2
        err = second.stderr.read()
        assert f"pid {first.pid}" in err and "being written by another sweep" in err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        again = _cli(LONG + ["--out", str(store), "--resume"])  # same settings: also refused
        assert again.wait() == 2 and f"pid {first.pid}" in again.stderr.read()
    finally:
        first.kill()
        first.wait()


def test_lock_is_exclusive_within_a_process_and_released(tmp_path):
    store = tmp_path / "s.zarr"
    with StoreLock(store):
        with pytest.raises(StoreError, match=f"pid {os.getpid()}"):
            with StoreLock(store):
                pass
    with StoreLock(store) as lock:  # released cleanly: no note of a takeover
        assert lock.taken_over is None


@pytest.mark.filterwarnings("ignore:Consolidated metadata")  # xarray's own to_zarr
def test_store_layout_matches_what_xarray_writes(tmp_path):
    m = eos.models.get("product")
    grid = {"eta": np.linspace(0.5, 3, 7), "x": np.linspace(0.1, 2, 3), "y": 2.0}
    ours = eos.sweep(m, steps=200, quiet=True, store=tmp_path / "ours.zarr", chunk=3, **grid)
    ours = ours.load()
    ours.to_zarr(tmp_path / "theirs.zarr", zarr_format=3)
    theirs = _open_without_warnings(tmp_path / "theirs.zarr")
    xr.testing.assert_identical(ours, theirs)
    for name in ours.variables:
        a = json.loads((tmp_path / "ours.zarr" / name / "zarr.json").read_text())
        b = json.loads((tmp_path / "theirs.zarr" / name / "zarr.json").read_text())
        assert a["attributes"].get("_FillValue") == b["attributes"].get("_FillValue"), name
        assert a["dimension_names"] == b["dimension_names"]
    # the chunk grid is the write block: 3 values of η per chunk, the other axis whole
    status = zarr.open_array(tmp_path / "ours.zarr" / "status", mode="r")
    assert status.chunks == (3, 3) and status.fill_value == NOT_COMPUTED
    # the axes are written once, as coordinates; the configuration keeps only their digest
    config = json.loads(ours.attrs["sweep_config"])
    assert set(config["axes"]["eta"]) == {"size", "sha256"}


def test_existing_file_and_foreign_folder_are_refused_before_computing(tmp_path, monkeypatch):
    import eosmath.dynamics.sweep as sweep_module

    monkeypatch.setattr(sweep_module, "_chunk_arrays", lambda *a, **k: pytest.fail("ran"))
    m = eos.models.get("quadratic")
    afile = tmp_path / "file.zarr"
    afile.write_text("keep me")
    with pytest.raises(StoreError, match="existing file"):
        eos.sweep(m, eta=np.array([0.5, 1.0]), x=1.0, store=afile, quiet=True)
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "paper.tex").write_text("keep me")
    with pytest.raises(StoreError, match="not a sweep store"):
        eos.sweep(m, eta=np.array([0.5, 1.0]), x=1.0, store=folder, quiet=True)
    assert afile.read_text() == "keep me" and (folder / "paper.tex").read_text() == "keep me"


def test_in_memory_sweep_that_would_not_fit_says_to_use_a_store(monkeypatch):
    from eosmath.dynamics import resources
    from eosmath.errors import ResourceError

    m = eos.models.get("quadratic")
    grid = {"eta": np.linspace(0.5, 1.5, 4), "x": np.linspace(0.1, 2, 50)}
    # 200 cells × 4 int/float result variables... well under 1 MB: pretend 10 kB are free
    monkeypatch.setattr(resources, "available_memory", lambda: 1e4)
    with pytest.raises(ResourceError, match=r"needs about .* kB of memory and 10\.0 kB is "
                                            r"available; write it to a store"):
        eos.sweep(m, steps=20, quiet=True, **grid)
    assert eos.sweep(m, steps=20, quiet=True, force=True, **grid)["status"].size == 200


def test_memory_estimate_covers_what_an_in_memory_sweep_holds():
    """The estimate is at least the result itself (its Dataset's bytes), measured."""
    from eosmath.dynamics.sweep import _variables
    from eosmath.dynamics.sweep_model import SweepModel

    m = eos.models.get("product")
    ds = eos.sweep(m, eta=np.linspace(0.5, 3, 20), x=np.linspace(0.1, 2, 30), y=2.0,
                   steps=20, quiet=True)
    per_cell = sum(d.itemsize for d in _variables(SweepModel.from_model(m)).values())
    data_bytes = sum(ds[v].nbytes for v in ds.data_vars)
    assert per_cell * 600 == data_bytes
    assert list(_variables(SweepModel.from_model(m))) == list(ds.data_vars)


def test_store_sweep_that_would_not_fit_on_disk_is_refused_before_writing(tmp_path,
                                                                         monkeypatch):
    from eosmath.dynamics import resources
    from eosmath.errors import ResourceError

    monkeypatch.setattr(resources, "free_disk", lambda path: 1000.0)
    m = eos.models.get("quadratic")
    with pytest.raises(ResourceError, match=r"writes up to .* \(uncompressed\) .* 1\.0 kB is "
                                            "free"):
        eos.sweep(m, eta=np.linspace(0.5, 1.5, 40), x=1.0, steps=20, quiet=True,
                  store=tmp_path / "s.zarr")
    assert not (tmp_path / "s.zarr").exists()


def test_available_memory_agrees_with_proc_meminfo():
    from eosmath.dynamics.resources import available_memory

    text = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    line = next((x for x in text.splitlines() if x.startswith("MemAvailable:")), None)
    if line is None:
        pytest.skip("no /proc/meminfo")
    proc = float(line.split()[1]) * 1024
    assert available_memory() == pytest.approx(proc, rel=0.2)  # moments apart, other jobs run


_CONCURRENCY = {"running": 0, "peak": 0, "lock": None, "real": None}


def _slow_chunk(*args, **kwargs):
    """The real chunk, held 0.3 s, counting how many run at once (module level: Dask
    pickles it by reference, and the in-process workers share the counters)."""
    state = _CONCURRENCY
    with state["lock"]:
        state["running"] += 1
        state["peak"] = max(state["peak"], state["running"])
    time.sleep(0.3)
    try:
        return state["real"](*args, **kwargs)
    finally:
        with state["lock"]:
            state["running"] -= 1


def test_dask_store_sweep_keeps_several_chunks_in_flight(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import threading

    import eosmath.dynamics.sweep as sweep_module

    _CONCURRENCY.update(running=0, peak=0, lock=threading.Lock(),
                        real=sweep_module._chunk_arrays)
    m = eos.models.get("product")
    grid = {"eta": np.linspace(0.5, 3, 12), "x": np.linspace(0.1, 2, 5), "y": 2.0}
    eos.sweep(m, steps=300, quiet=True, chunk=2, store=tmp_path / "local.zarr", **grid)
    monkeypatch.setattr(sweep_module, "_chunk_arrays", _slow_chunk)
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False) as cluster:
        with distributed.Client(cluster) as client:
            eos.sweep(m, steps=300, quiet=True, chunk=2, store=tmp_path / "dask.zarr",
                      dask=client, **grid)
    assert _CONCURRENCY["peak"] == 3      # every worker busy at once (6 chunks, 3 workers)
    a, b = _files(tmp_path / "local.zarr"), _files(tmp_path / "dask.zarr")
    assert sorted(a) == sorted(b) and all(a[k] == b[k] for k in a)


def test_a_layout_cut_short_is_laid_out_again(tmp_path):
    """Killed while laying out (arrays made, the group's zarr.json not yet): not a store yet,
    so the next run starts it afresh instead of refusing the folder."""
    m = eos.models.get("quadratic")
    grid = {"eta": np.linspace(0.5, 1.5, 4), "x": 1.0}
    eos.sweep(m, steps=20, quiet=True, store=tmp_path / "whole.zarr", **grid)
    cut = tmp_path / "cut.zarr"
    (cut / "status").mkdir(parents=True)
    (cut / "status" / "zarr.json").write_text("{}")  # what create() writes before the group
    (cut / LOCK_NAME).write_text("")
    assert not sweep_store.is_store(cut)
    eos.sweep(m, steps=20, quiet=True, store=cut, **grid)
    a, b = _files(tmp_path / "whole.zarr"), _files(cut)
    assert sorted(a) == sorted(b) and all(a[k] == b[k] for k in a)


def test_axes_and_metadata_are_written_once_not_after_every_chunk(tmp_path, monkeypatch):
    store = tmp_path / "s.zarr"
    watched = ["zarr.json", "eta/zarr.json", "eta/c/0", "x/c/0", "status/zarr.json"]
    snapshots, real = [], sweep_store.Writer.write

    def write_and_look(self, data, start):
        real(self, data, start)
        snapshots.append({w: ((store / w).stat().st_ino, (store / w).stat().st_mtime_ns)
                          for w in watched})

    monkeypatch.setattr(sweep_store.Writer, "write", write_and_look)
    m = eos.models.get("product")
    eos.sweep(m, eta=np.linspace(0.5, 3, 5), x=np.linspace(0.1, 2, 3000), y=2.0, steps=20,
              chunk=1, quiet=True, store=store)
    assert len(snapshots) == 5 and all(s == snapshots[0] for s in snapshots)
    # the 3000 x values live in the coordinate's chunk, not in the group's metadata as JSON:
    # its size does not grow with the axis (only "30" → "3000" in sizes and shapes)
    monkeypatch.setattr(sweep_store.Writer, "write", real)
    small = tmp_path / "small.zarr"
    eos.sweep(m, eta=np.linspace(0.5, 3, 5), x=np.linspace(0.1, 2, 30), y=2.0, steps=20,
              chunk=1, quiet=True, store=small)
    growth = (store / "zarr.json").stat().st_size - (small / "zarr.json").stat().st_size
    assert 0 <= growth < 200


def test_a_store_without_the_completeness_flag_is_not_vouched_for(tmp_path, capsys):
    """Stores written before issue 15 carry no flag (and fill missing cells with 0, the
    code of converged): plot says so instead of drawing them as finished."""
    store = tmp_path / "old.zarr"
    eos.sweep(eos.models.get("product"), eta=np.linspace(0.5, 3, 4), x=np.linspace(0.1, 2, 3),
              y=2.0, steps=20, quiet=True, store=store)
    group = zarr.open_group(store, mode="r+")
    del group.attrs["complete"]
    assert not sweep_store.is_complete(store)
    out = str(tmp_path / "p.png")
    assert main(["plot", str(store), "status", "--out", out]) == 2
    assert "before eosmath recorded whether a sweep finished" in capsys.readouterr().err
    assert main(["plot", str(store), "status", "--out", out, "--partial"]) == 0
