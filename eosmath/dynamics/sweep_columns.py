"""The kernel's per-cell rows of statistics → the sweep's per-statistic variables, in one
compiled pass over the cells.

The sweep kernels write one row of ``NSTAT`` numbers per cell (status, stop step, …, as
float64, see :mod:`eosmath.dynamics.stat_layout`). Each of the eleven variables below reads
one or two columns of those rows, casts it to the variable's dtype or combines it with η, and
writes it: done column by column in NumPy, that was eleven strided passes and a few
temporaries, all holding the GIL between passes, so threads could not share it. Here it is a
single loop over the cells that releases the GIL (``nogil``), giving exactly what the NumPy
expressions give (the same casts, products and quotients, element by element).

>>> import numpy as np
>>> from eosmath.dynamics.stat_layout import NSTAT, STAT
>>> rows = np.zeros((2, NSTAT))
>>> rows[:, STAT["status"]] = [0, 3]
>>> rows[:, STAT["lyapunov_sum"]], rows[:, STAT["lyapunov_steps"]] = [2.0, 0.0], [4, 0]
>>> out = {"status": np.empty(2, np.int8), "lyapunov": np.empty(2)}
>>> column_filler(rows, np.array([0.5, 0.5]), out)(np.arange(2))
>>> out["status"].tolist(), out["lyapunov"].tolist()
([0, 3], [0.5, nan])
"""

from __future__ import annotations

import functools

import numpy as np

from eosmath.dynamics.stat_layout import STAT

# the variables filled here, in the order of fill_columns' arguments, with their dtypes
FIXED = {"status": np.int8, "period": np.int16, "stop_step": np.int64, "final_loss": np.float64,
         "final_sharpness": np.float64, "final_eos_ratio": np.float64,
         "max_sharpness": np.float64, "first_unstable_step": np.int64,
         "eos_fraction": np.float64, "lyapunov": np.float64, "underflow_step": np.int64}
_ORDER = tuple(FIXED)


def fill_columns(rows, cells, scale, keep, status, period, stop_step, final_loss,
                 final_sharpness, final_eos_ratio, max_sharpness, first_unstable, eos_fraction,
                 lyapunov, underflow_step, c_status, c_period, c_stop, c_loss, c_sharp, c_max,
                 c_first, c_eos, c_lsum, c_lsteps, c_under):
    """(Compiled by :func:`_compiled`.) For each cell i of ``cells``: row i of ``rows`` into
    element i of each kept output (``keep[k]`` for the k-th); ``scale`` (n,): η·S/edge =
    scale·S. The ``c_*`` are the column indices of the rows."""
    for i in cells:
        if keep[0]:
            status[i] = np.int8(rows[i, c_status])
        if keep[1]:
            period[i] = np.int16(rows[i, c_period])
        if keep[2]:
            stop_step[i] = np.int64(rows[i, c_stop])
        if keep[3]:
            final_loss[i] = rows[i, c_loss]
        if keep[4]:
            final_sharpness[i] = rows[i, c_sharp]
        if keep[5]:
            final_eos_ratio[i] = scale[i] * rows[i, c_sharp]
        if keep[6]:
            max_sharpness[i] = rows[i, c_max]
        if keep[7]:
            first_unstable[i] = np.int64(rows[i, c_first])
        steps = rows[i, c_lsteps]  # indexed, not a row view: views count references
        if keep[8]:
            eos_fraction[i] = rows[i, c_eos] / steps if steps > 0 else 0.0
        if keep[9]:
            lyapunov[i] = rows[i, c_lsum] / steps if steps > 0 else np.nan
        if keep[10]:
            underflow_step[i] = np.int64(rows[i, c_under])


@functools.cache
def _compiled():
    from numba import njit  # here, not at import: importing the sweep stays Numba-free

    return njit(cache=True, nogil=True, error_model="numpy")(fill_columns)


def _copy_columns(source, columns, cells, targets):
    for i in cells:
        for q in range(len(targets)):
            targets[q][i] = source[i, columns[q]]


def _count_pieces(cells, piece, counts):
    for i in cells:
        counts[i // piece] += 1


def _reducer_column(rows, column, steps_column, mean, cells, target):
    for i in cells:
        value, steps = rows[i, column], rows[i, steps_column]
        if mean:
            value = value / steps if steps > 0 else np.nan
        # no step taken: the reducer's start value (±inf) means nothing
        target[i] = np.nan if (np.isinf(value) and steps == 0) else value


@functools.cache
def _compiled_copies():
    from numba import njit

    return {f.__name__: njit(cache=True, nogil=True, error_model="numpy")(f)
            for f in (_reducer_column, _copy_columns, _count_pieces)}


def copy_columns(source: np.ndarray, columns, cells: np.ndarray, targets: tuple):
    """``targets[q][i] = source[i, columns[q]]`` for i in ``cells`` and every q, in one pass
    over the cells (each row read once), compiled, without the GIL; ``targets``: a non-empty
    tuple of float64 arrays.

    >>> a, b = np.zeros(3), np.zeros(3)
    >>> copy_columns(np.arange(6.0).reshape(3, 2), [1, 0], np.array([2, 0]), (a, b))
    >>> a.tolist(), b.tolist()
    ([1.0, 0.0, 5.0], [0.0, 0.0, 4.0])
    """
    _compiled_copies()["_copy_columns"](source, np.asarray(columns, dtype=np.int64),
                          np.asarray(cells, dtype=np.int64), targets)


def piece_counts(cells: np.ndarray, piece: int, pieces: int) -> np.ndarray:
    """How many of ``cells`` fall in each run of ``piece`` consecutive indices (``pieces``
    of them): ``np.bincount(cells // piece, minlength=pieces)`` without the temporaries.

    >>> piece_counts(np.array([0, 5, 3, 9]), 4, 3).tolist()
    [2, 1, 1]
    """
    counts = np.zeros(pieces, dtype=np.int64)
    _compiled_copies()["_count_pieces"](np.asarray(cells, dtype=np.int64), piece, counts)
    return counts


def reducer_column(rows, column, steps_column, mean: bool, cells, target):
    """A user reducer's variable at ``cells`` from the kernel's rows: column ``column``, over
    the steps taken (column ``steps_column``) where ``mean``; NaN where no step was taken
    and the value is still the reducer's start (±inf). Compiled, without the GIL.

    >>> rows = np.array([[6.0, 3.0], [-np.inf, 0.0]]); t = np.empty(2)
    >>> reducer_column(rows, 0, 1, True, np.arange(2), t); t.tolist()
    [2.0, nan]
    """
    _compiled_copies()["_reducer_column"](rows, column, steps_column, mean,
                                          np.asarray(cells, dtype=np.int64), target)


_COLUMNS = tuple(STAT[name] for name in (
    "status", "period", "stop_step", "final_loss", "final_sharpness", "max_sharpness",
    "first_unstable_step", "eos_steps", "lyapunov_sum", "lyapunov_steps", "underflow_step"))


def column_filler(rows: np.ndarray, scale: np.ndarray, out: dict):
    """``fill(cells)``: writes, for the cells (an int64 array of row indices), the variables
    of :data:`FIXED` that ``out`` names (C-contiguous arrays of any shape with one element per
    row, of the dtype in FIXED) from the kernel's ``rows`` (n, NSTAT or more); ``scale``:
    η·S/edge over S per cell (0.5·η for GD). It releases the GIL: threads may fill disjoint
    cells at once (the sweep fills each block of cells as the kernel finishes it)."""
    n = rows.shape[0]
    flat = []
    for name in _ORDER:
        a = out.get(name)
        if a is None:
            flat.append(np.empty(0, FIXED[name]))
            continue
        if a.dtype != FIXED[name] or a.size != n or not a.flags.c_contiguous:
            raise ValueError(f"column_filler: {name} must be a C-contiguous array of {n} "
                             f"{FIXED[name].__name__}, got {a.dtype} of size {a.size}")
        flat.append(a.reshape(-1))
    keep = np.array([name in out for name in _ORDER])
    rows = np.ascontiguousarray(rows)
    scale = np.ascontiguousarray(scale, dtype=np.float64)
    compiled = _compiled()

    def fill(cells):
        compiled(rows, np.asarray(cells, dtype=np.int64), scale, keep, *flat, *_COLUMNS)

    return fill

