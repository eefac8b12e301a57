"""The compiled per-cell fill of the sweep's fixed variables against the NumPy expressions it
replaced (casts, η·S/2, quotients by the step count), on rows with every edge case."""

import numpy as np
import pytest

from eosmath.dynamics.stat_layout import NSTAT, STAT
from eosmath.dynamics.sweep_columns import FIXED, column_filler


def _rows(n, rng):
    rows = rng.normal(size=(n, NSTAT + 2)) * 10
    rows[:, STAT["status"]] = rng.integers(0, 6, n)
    rows[:, STAT["period"]] = rng.integers(0, 17, n)
    rows[:, STAT["stop_step"]] = rng.integers(0, 10**6, n)
    rows[:, STAT["first_unstable_step"]] = rng.integers(-1, 2000, n)
    rows[:, STAT["underflow_step"]] = rng.integers(-1, 2000, n)
    rows[:, STAT["lyapunov_steps"]] = rng.integers(0, 3, n)       # zero steps: NaN / 0
    rows[::7, STAT["final_sharpness"]] = np.nan
    rows[::11, STAT["max_sharpness"]] = np.inf
    return rows


def _numpy(rows, scale):
    col = lambda name: rows[:, STAT[name]]  # noqa: E731
    steps = col("lyapunov_steps")
    with np.errstate(invalid="ignore", divide="ignore"):
        lyap = np.where(steps > 0, col("lyapunov_sum") / steps, np.nan)
        eos = np.where(steps > 0, col("eos_steps") / steps, 0.0)
    out = {name: col(name).astype(FIXED[name]) for name in
           ("status", "period", "stop_step", "final_loss", "final_sharpness", "max_sharpness",
            "first_unstable_step", "underflow_step")}
    out.update(final_eos_ratio=scale * col("final_sharpness"), eos_fraction=eos, lyapunov=lyap)
    return out


def test_fill_equals_the_numpy_expressions_for_any_cells_and_subset():
    rng = np.random.default_rng(0)
    n = 1000
    rows, scale = _rows(n, rng), rng.uniform(0.1, 3.0, n)
    expected = _numpy(rows, scale)
    keep = ["status", "lyapunov", "final_eos_ratio", "stop_step"]
    out = {name: np.full((10, 100), -7, FIXED[name]) for name in keep}   # a 2-D grid
    fill = column_filler(rows, scale, out)
    order = rng.permutation(n)
    for part in np.array_split(order, 7):      # blocks of cells in any order, as threads do
        fill(part)
    for name in keep:
        np.testing.assert_array_equal(out[name].ravel(), expected[name], err_msg=name)
    full = {name: np.empty(n, dtype) for name, dtype in FIXED.items()}
    column_filler(rows, scale, full)(np.arange(n))
    for name in FIXED:
        np.testing.assert_array_equal(full[name], expected[name], err_msg=name)


def test_a_wrong_output_array_is_refused():
    rows = np.zeros((4, NSTAT))
    with pytest.raises(ValueError, match="status"):
        column_filler(rows, np.ones(4), {"status": np.empty(4, np.int64)})
    with pytest.raises(ValueError, match="lyapunov"):
        column_filler(rows, np.ones(4), {"lyapunov": np.empty((4, 2))[:, 0]})
