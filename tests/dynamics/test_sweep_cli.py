import pytest
import xarray as xr

from eosmath.cli import main


def test_sweep_cli_writes_resumes_and_refuses(tmp_path, capsys):
    out = str(tmp_path / "p.zarr")
    args = ["sweep", "product", "--eta", "0.5:3:6", "--x", "0.1:2:4", "--y", "2", "--steps",
            "500", "--out", out, "--quiet"]
    assert main(args) == 0
    ds = xr.open_zarr(out)
    assert dict(ds.sizes) == {"eta": 6, "x": 4}
    assert main(args + ["--resume"]) == 0
    assert main(["sweep", "product", "--eta", "0.5:3:6", "--x", "0.1:2:4", "--y", "2",
                 "--steps", "400", "--out", out, "--resume", "--quiet"]) == 2
    assert "another model or configuration" in capsys.readouterr().err
    assert main(["sweep", "product", "--eta", "0", "--x", "1", "--y", "2", "--out",
                 str(tmp_path / "q.zarr")]) == 2


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_sweep_cli_user_reducer(tmp_path, capsys):
    out = str(tmp_path / "r.zarr")
    args = ["sweep", "product", "--eta", "0.5:2:3", "--x", "0.5", "--y", "2", "--steps", "300",
            "--out", out, "--quiet", "--reduce", "peak=max: x*y"]
    assert main(args) == 0
    ds = xr.open_zarr(out)
    assert float(ds.peak.isel(eta=0)) == 1.0  # x·y starts at 0.5·2 and only shrinks
    assert main(args[:-2] + ["--reduce", "peak"]) == 2
    assert "NAME=OP:EXPR" in capsys.readouterr().err


def test_sweep_cli_on_a_local_dask_cluster_matches_the_local_run(tmp_path):
    # the CLI's model (possibly the saved SweepModel) travels to worker processes
    grid = ["sweep", "product", "--eta", "0.5:3:8", "--x", "0.1:2:6", "--y", "2", "--steps",
            "300", "--quiet"]
    assert main(grid + ["--out", str(tmp_path / "local.zarr")]) == 0
    assert main(grid + ["--out", str(tmp_path / "cluster.zarr"), "--workers", "2"]) == 0
    local = xr.open_zarr(tmp_path / "local.zarr").load()
    cluster = xr.open_zarr(tmp_path / "cluster.zarr").load()
    xr.testing.assert_identical(local, cluster)
