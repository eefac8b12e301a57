"""A user's mistake at the command line gets exit code 2 and one line on stderr, never a
traceback, and is caught before any work that it would waste (issue 15, section 4).

Every case runs the real command in a subprocess. Where the refusal must come before the work,
the work asked for is far too long to finish within the test's timeout, so a refusal that
came after it would fail the test by timing out.
"""

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
PYTHON = [sys.executable, "-m", "eosmath"]
ENDLESS_SWEEP = ["sweep", "product", "--eta", "0.5:3:4096", "--x", "0.1:2:4096", "--y", "2",
                 "--steps", "1000000", "--quiet"]


def run(args, timeout=120, cwd=None, prefix=()):
    return subprocess.run([*prefix, *PYTHON, *args], env=ENV, capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def assert_refused(result, *needles):
    err = result.stderr.strip()
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


@pytest.fixture(scope="module")
def read_only_mount():
    """A command prefix that runs it with ``DIR`` on a read-only file system (a private mount
    namespace: needs ``unshare`` and the right to mount; skipped elsewhere)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare")

    def prefix(folder):
        return [unshare, "-m", "sh", "-c",
                f"mount -t tmpfs -o ro none {shlex.quote(str(folder))} && exec \"$@\"", "sh"]

    probe = subprocess.run([*prefix("/mnt"), "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot mount a read-only file system here")
    return prefix


def test_sweep_out_on_a_read_only_file_system(tmp_path, read_only_mount):
    ro = tmp_path / "ro"
    ro.mkdir()
    result = run([*ENDLESS_SWEEP, "--out", str(ro / "s.zarr")], prefix=read_only_mount(ro))
    assert_refused(result, "Read-only file system", str(ro / "s.zarr"))


def test_sweep_out_onto_an_existing_file(tmp_path):
    target = tmp_path / "results.txt"
    target.write_text("keep me")
    assert_refused(run([*ENDLESS_SWEEP, "--out", str(target)]), "existing file")
    assert target.read_text() == "keep me"


def test_sweep_out_into_a_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "paper.tex").write_text("keep me")
    assert_refused(run([*ENDLESS_SWEEP, "--out", str(tmp_path)]), "not a sweep store")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.tex"]


def test_sweep_that_would_not_fit_on_disk_or_in_memory(tmp_path):
    huge = ["sweep", "product", "--eta", "0.5:3:100000", "--x", "0.1:2:100000", "--y", "2",
            "--out", str(tmp_path / "s.zarr")]
    assert_refused(run(huge), "uncompressed", "free", "--force")
    assert not (tmp_path / "s.zarr").exists()


def test_train_out_unwritable_is_refused_before_training(tmp_path, read_only_mount):
    ro = tmp_path / "ro"
    ro.mkdir()
    args = ["train", "--eta", "0.01", "--steps", "100000000", "--out", str(ro / "run.nc")]
    assert_refused(run(args, prefix=read_only_mount(ro)), "Read-only file system", "--out")
    assert_refused(run(["train", "--eta", "0.01", "--steps", "100000000", "--out",
                        str(tmp_path)]), "is a folder")


def test_verify_json_unwritable_is_refused_before_any_check(tmp_path, read_only_mount):
    ro = tmp_path / "ro"
    ro.mkdir()
    result = run(["verify", "--all", "--full", "--json", str(ro / "r.json")],
                 prefix=read_only_mount(ro))
    assert_refused(result, "--json", "Read-only file system")
    assert result.stdout == ""  # not one check ran


def test_negative_grid_start_in_the_space_form_parses(tmp_path):
    out = tmp_path / "s.zarr"
    ok = run(["sweep", "product", "--eta", "0.5", "--x", "-1:1:3", "--y", "2", "--steps", "50",
              "--out", str(out), "--quiet"])
    assert ok.returncode == 0, ok.stderr
    # η's own grid parses too; what is refused is the value, with the reason
    assert_refused(run(["sweep", "product", "--eta", "-1:2:8", "--x", "1", "--y", "2", "--out",
                        str(tmp_path / "t.zarr")]), "η must be > 0")


def test_sweep_model_help_lists_the_axes_and_documents_every_option():
    result = run(["sweep", "quadratic", "--help"])
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "--x" in text and "parameter x" in text and "--a" in text and "hyper-parameter" in text
    for option, words in (("--steps", "GD steps"), ("--quiet", "no progress")):
        line = next(line for line in text.splitlines() if line.strip().startswith(option))
        assert words in line, line
    assert_refused(run(["sweep", "no_such_model", "--help"]), "unknown model")


def test_train_cifar10_without_data_path():
    assert_refused(run(["train", "--data", "cifar10", "--eta", "0.01", "--out", "x.nc"]),
                   "--data-path")


def test_train_out_csv_is_refused_not_written_as_netcdf(tmp_path):
    out = tmp_path / "a.csv"
    assert_refused(run(["train", "--eta", "0.1", "--out", str(out)]), ".nc")
    assert not out.exists()


def test_train_eta_zero_names_the_failing_constraint():
    err = assert_refused(run(["train", "--eta", "0", "--out", "x.nc"]), "eta > 0")
    assert "top_k" not in err and "sharpness_every" not in err


def test_plot_of_a_three_axis_sweep_needs_a_slice(tmp_path):
    store = tmp_path / "s.zarr"
    made = run(["sweep", "quadratic", "--eta", "0.5:3:4", "--x", "0.5:1:3", "--a", "0.5:1.5:2",
                "--steps", "50", "--out", str(store), "--quiet"])
    assert made.returncode == 0, made.stderr
    assert_refused(run(["plot", str(store), "status", "--out", str(tmp_path / "a.png")]),
                   "--sel a=")
    ok = run(["plot", str(store), "status", "--sel", "a=1.5", "--out", str(tmp_path / "b.png")])
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "b.png").stat().st_size > 1000
    assert_refused(run(["plot", str(store), "status", "--sel", "z=1"]), "not an axis")
    assert_refused(run(["plot", str(tmp_path / "missing.zarr"), "status"]), "not a sweep store")


def test_ctrl_c_during_a_sweep_prints_the_resume_command(tmp_path):
    from eosmath.dynamics import sweep_store

    store = tmp_path / "s.zarr"
    args = ["sweep", "product", "--eta", "0.3:1.2:80", "--x", "0.1:2:2000", "--y", "2",
            "--steps", "5000", "--chunk", "1", "--quiet", "--out", str(store)]
    proc = subprocess.Popen([*PYTHON, *args], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 120
    while proc.poll() is None and not sweep_store.done_blocks(store, 1):
        assert time.monotonic() < end
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    command = err.split("continue with: ", 1)[1].strip()
    words = shlex.split(command)
    assert words[0] == "eosmath" and words[-1] == "--resume" and words[1:-1] == args
    assert not sweep_store.is_complete(store)
    resumed = run(words[1:])
    assert resumed.returncode == 0, resumed.stderr
    assert sweep_store.is_complete(store)
