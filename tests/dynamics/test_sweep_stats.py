"""``stats=`` (``--stats``): a sweep keeps the variables asked for, each equal to the full
sweep's; without per-step curvature statistics the scalar kernel runs bare GD."""

import numba
import numpy as np
import pytest
import xarray as xr

import eosmath as eos
from eosmath.cli import main
from eosmath.dynamics.stat_layout import NSTAT, STAT
from eosmath.dynamics.sweep import _balanced_order
from eosmath.errors import InvalidInputError
from tests.dynamics.test_sweep_dims import random_quartic

SUBSETS = [("stop_step",), ("stop_step", "final_loss", "final_x0"), ("lyapunov", "period"),
           ("max_sharpness",), ("final_sharpness", "final_eos_ratio", "underflow_step"),
           ("eos_fraction", "lyapunov")]


@pytest.fixture(scope="module")
def quartic():
    model = random_quartic(3, seed=3)
    grid = {"eta": np.linspace(0.02, 0.3, 10), "x0": np.linspace(-0.5, 0.5, 6), "x1": 0.1,
            "x2": 0.1}
    return model, grid, eos.sweep(model, steps=400, quiet=True, **grid)


@pytest.mark.parametrize("keep", SUBSETS)
def test_three_parameter_subsets_equal_the_full_sweep(quartic, keep):
    model, grid, full = quartic
    part = eos.sweep(model, steps=400, quiet=True, stats=keep, **grid)
    assert list(part.data_vars) == [n for n in full.data_vars if n == "status" or n in keep]
    for name in part.data_vars:
        np.testing.assert_array_equal(part[name].values, full[name].values, err_msg=name)


def test_the_full_grid_has_every_verdict_the_rerun_must_handle(quartic):
    # bare GD reruns the cells that run out of steps: the grid has such cells, and others
    statuses = set(quartic[2].status.values.ravel().tolist())
    assert 4 in statuses or 2 in statuses
    assert statuses - {2, 4}


def test_two_parameter_and_gf_limit_subsets_equal_the_full_sweep():
    model = eos.models.get("product", ell="logcosh")
    grid = {"eta": np.linspace(0.5, 3.0, 8), "x": np.linspace(0.1, 2.0, 5), "y": 2.0}
    full = eos.sweep(model, steps=800, quiet=True, **grid)
    assert "gfs_sharpness" in full.data_vars
    for keep in [("stop_step",), ("gfs_sharpness", "lyapunov")]:
        part = eos.sweep(model, steps=800, quiet=True, stats=keep, **grid)
        assert set(part.data_vars) == {"status", *keep}
        for name in part.data_vars:
            np.testing.assert_array_equal(part[name].values, full[name].values, err_msg=name)


def test_curvature_levels_measure_less_but_keep_the_iterates(quartic):
    model = quartic[0]
    module = model.compile().module
    etas = np.repeat(quartic[1]["eta"], 6)
    thetas = np.column_stack([np.tile(quartic[1]["x0"], 10), np.full((60, 2), 0.1)])
    out = {}
    for level in (2, 1, 0):
        stats, final = np.empty((60, NSTAT)), np.empty((60, 3))
        module.sweep_cells_curvature(thetas, etas, np.zeros((60, 0)), _balanced_order(60), 400,
                                     1e-10, 1e12, 16, 1e-10, stats, final,
                                     numba.get_num_threads(), level)
        out[level] = stats, final
    full, full_end = out[2]
    for level in (1, 0):
        stats, end = out[level]
        np.testing.assert_array_equal(end, full_end)
        for name in ("status", "stop_step", "period", "final_loss", "final_sharpness"):
            np.testing.assert_array_equal(stats[:, STAT[name]], full[:, STAT[name]])
    # level 1: the tangent map (Lyapunov sum, underflow) exactly, no sharpness per step
    for name in ("lyapunov_sum", "underflow_step", "underflow_index"):
        np.testing.assert_array_equal(out[1][0][:, STAT[name]], full[:, STAT[name]])
    assert np.isnan(out[1][0][:, STAT["max_sharpness"]]).all()
    # level 0: cells out of steps were rerun at level 1 (their Lyapunov sum is the full
    # run's); the others never computed a Hessian
    bare = out[0][0]
    ran_out = np.isin(full[:, STAT["status"]], (2, 4)) | (full[:, STAT["stop_step"]] == 400)
    assert ran_out.any() and (~ran_out & (full[:, STAT["stop_step"]] > 0)).any()
    np.testing.assert_array_equal(bare[ran_out, STAT["lyapunov_sum"]],
                                  full[ran_out, STAT["lyapunov_sum"]])
    decided = ~ran_out & (full[:, STAT["stop_step"]] > 0)
    # the tangent never moved from its unit start: log ‖v‖ is 0 up to the rounding of 1/√3
    assert np.all(np.abs(bare[decided, STAT["lyapunov_sum"]]) < 1e-15)
    assert not np.all(np.abs(full[decided, STAT["lyapunov_sum"]]) < 1e-15)


def test_unknown_statistic_is_refused():
    model = eos.models.get("product", ell="logcosh")
    with pytest.raises(InvalidInputError, match="unknown statistic.*'sharpnes'"):
        eos.sweep(model, eta=np.array([1.0]), x=1.0, y=1.0, quiet=True, stats=["sharpnes"])


def test_cli_stats(tmp_path, capsys):
    out = str(tmp_path / "s.zarr")
    args = ["sweep", "product", "--eta", "0.5:3:4", "--x", "0.1:2:3", "--y", "2", "--steps",
            "300", "--out", out, "--quiet"]
    assert main(args + ["--stats", "stop_step,final_loss"]) == 0
    assert set(xr.open_zarr(out).data_vars) == {"status", "stop_step", "final_loss"}
    assert main(args[:-3] + ["--out", str(tmp_path / "t.zarr"), "--quiet", "--stats", "nope"]) == 2
    assert "unknown statistic" in capsys.readouterr().err


def test_an_error_in_a_block_callback_reaches_the_caller():
    # run_blocks calls after_block on its worker threads; an error there must not vanish
    from eosmath.dynamics.lane_runner import lane_block_function, run_blocks

    m = eos.models.get("quadratic", a=1.0)
    block = lane_block_function(m.compile().key, m.compile, dim=1, nhyper=1, nstats=NSTAT)
    n = 4096
    stats, final = np.empty((n, NSTAT)), np.empty((n, 1))

    def fail(cells):
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        run_blocks(block, np.ones((n, 1)), np.full(n, 0.5), np.ones((n, 1)), np.arange(n), 50,
                   1e-10, 1e12, 16, 1e-10, stats, final, threads=2, after_block=fail)


def test_the_remembered_sweep_model_follows_the_hyper_parameters():
    # sweep() remembers SweepModel.from_model per model object; a changed hyper-parameter
    # value must give a new one (and the sweep the new value's numbers)
    from eosmath.dynamics.sweep import _sweep_model

    model = eos.models.get("quadratic", a=1.0)
    assert _sweep_model(model, None) is _sweep_model(model, None)
    first = eos.sweep(model, eta=[1.5], x=[1.0], steps=50, quiet=True)
    model.hyper[next(iter(model.hyper))] = 3.0     # η = 1.5 now beyond 2/a
    assert _sweep_model(model, None).hyper_values == (3.0,)
    second = eos.sweep(model, eta=[1.5], x=[1.0], steps=50, quiet=True)
    assert first.status.values.ravel().tolist() == [0]      # converged
    assert second.status.values.ravel().tolist() == [3]     # diverged
