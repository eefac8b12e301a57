"""Step-size × initialisation sweeps: one compiled parallel kernel, per-cell verdicts and
statistics, results as an ``xarray.Dataset`` written chunk by chunk to Zarr (resumable).

The sweep itself needs neither SymPy nor xarray: it works on a
:class:`~eosmath.dynamics.sweep_model.SweepModel`, runs the kernel's saved machine code and
writes the store with zarr (:mod:`eosmath.dynamics.sweep_store`); xarray is imported only to
hand the result back as a Dataset. Memory and disk are estimated before anything runs.

>>> import numpy as np, eosmath as eos
>>> m = eos.models.get("quadratic", a=1.0)
>>> ds = eos.sweep(m, eta=np.array([0.5, 1.5, 2.5]), x=1.0, steps=500, quiet=True)
>>> [str(s) for s in ds["status"].values.astype(int).astype(str)]
['0', '0', '3']
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from eosmath.dynamics import sweep_store, work_arrays
from eosmath.dynamics.grid import split_axes
from eosmath.dynamics.lane_kernel import LANE_MAX_DIM
from eosmath.dynamics.lane_runner import (
    lane_block_function,
    run_blocks,
    sharpness_points_function,
    thread_count,
)
from eosmath.dynamics.resources import check_resources
from eosmath.dynamics.stat_layout import NSTAT, STAT
from eosmath.dynamics.stopping import check_stopping, no_early_stop
from eosmath.dynamics.store_lock import StoreLock
from eosmath.dynamics.sweep_columns import (
    FIXED,
    column_filler,
    copy_columns,
    piece_counts,
    reducer_column,
)
from eosmath.dynamics.sweep_model import SweepModel
from eosmath.dynamics.variables import axis_attrs, variable_attrs
from eosmath.errors import InvalidInputError, StoreError
from eosmath.progress import Progress
from eosmath.provenance import provenance

_SWEEP_MODELS: OrderedDict = OrderedDict()  # (id(model), key) → (model, SweepModel), the last 8
_SWEEP_MODELS_LOCK = threading.Lock()


def _sweep_model(model, reducers) -> SweepModel:
    """``SweepModel.from_model(model, reducers)``, remembered for the last few model objects
    (SymPy prints and hashes there, ~2 ms, a few percent of a small sweep) while their name,
    hyper-parameter values and the reducers stay the same. The entry holds the model, so its
    id is not reused while remembered."""
    try:
        key = (id(model), model.name, tuple(model.hyper.items()),
               tuple(sorted(reducers.items())) if reducers else None)
        hash(key)
    except (AttributeError, TypeError):  # not a catalog-style Model, or unhashable reducers
        return SweepModel.from_model(model, reducers)
    with _SWEEP_MODELS_LOCK:
        if key in _SWEEP_MODELS:
            _SWEEP_MODELS.move_to_end(key)
            return _SWEEP_MODELS[key][1]
    sm = SweepModel.from_model(model, reducers)
    with _SWEEP_MODELS_LOCK:
        _SWEEP_MODELS[key] = (model, sm)
        while len(_SWEEP_MODELS) > 8:
            _SWEEP_MODELS.popitem(last=False)
    return sm


def _chunk_shape(axes: dict, index_slice) -> tuple:
    """The grid shape of one chunk: ``index_slice`` of the first axis, all of the others."""
    return tuple(len(v[index_slice]) if i == 0 else len(v) for i, v in enumerate(axes.values()))


def _cell_inputs(model, axes: dict, fixed: dict, index_slice, into: dict | None = None):
    """Flattened per-cell start θ (n, dim), η (n,) and hyper values (n, nhyper) for the cells
    of one chunk, written into ``into``'s arrays ``thetas``, ``etas``, ``hyper`` if given.

    Each column is written once, broadcast from its axis (no meshgrid of every axis)."""
    names = list(axes)
    grids = [axes[n][index_slice] if i == 0 else axes[n] for i, n in enumerate(names)]
    shape = _chunk_shape(axes, index_slice)
    n = int(np.prod(shape)) if shape else 1
    dim, nhyper = len(model.params), len(model.hyper_names)
    if into is None:
        thetas, etas, hyper = np.empty((n, dim)), np.empty(n), np.empty((n, nhyper))
    else:
        thetas, etas, hyper = into["thetas"], into["etas"], into["hyper"]

    def fill(target, name):  # target: a view of the chunk's grid shape
        if name in axes:
            k = names.index(name)
            along = [1] * len(shape)
            along[k] = shape[k]
            target[...] = grids[k].reshape(along)
        else:
            target[...] = fixed[name]

    by_cell = thetas.reshape(*shape, dim)  # views: the (n, dim) arrays are C-contiguous
    for i, name in enumerate(map(str, model.params)):
        fill(by_cell[..., i], name)
    by_cell = hyper.reshape(*shape, nhyper)
    for i, name in enumerate(model.hyper_names):
        fill(by_cell[..., i], name)
    fill(etas.reshape(shape), "eta")
    return thetas, etas, hyper, shape


def _balanced_order(n: int, run: int = 256) -> np.ndarray:
    """Cells in runs of ``run`` consecutive indices, the runs in a fixed shuffled order, piece
    by piece: the cells of one piece (``FINISH_PIECE`` consecutive indices) come together,
    the pieces in a shuffled order too.

    The kernels split this order into contiguous blocks; shuffling mixes cheap (early-exit) and
    expensive (chaotic) regions of the grid into the blocks, while the runs keep memory
    access sequential (a per-cell shuffle cost a cache miss per cell, ~25%). Piece by piece,
    the pieces are done one after the other while the kernel runs, and their end-point
    variables are computed then (see :func:`_cell_filler`), not all after it.
    Results do not depend on the order.
    """
    return _shuffled_runs(n, run).copy()  # a writable copy: Numba types read-only arrays apart


@functools.lru_cache(maxsize=8)
def _shuffled_runs(n: int, run: int) -> np.ndarray:
    # every chunk of a sweep but the last has the same size: computed once per size
    rng = np.random.default_rng(12345)
    starts = np.arange(0, n, run)
    pieces = starts // FINISH_PIECE
    piece_rank = rng.permutation(int(pieces[-1]) + 1 if len(starts) else 0)
    starts = starts[np.lexsort((rng.random(len(starts)), piece_rank[pieces]))]
    cells = (starts[:, None] + np.arange(run)[None, :]).ravel()
    cells = cells[cells < n].astype(np.int64)
    cells.flags.writeable = False
    return cells


# statistics measured at every step from the Hessian: its sharpness (curvature level 2), the
# tangent map (level 1); a sweep that keeps none of them runs bare GD in the scalar kernel
# (level 0, see gd_core_in)
SHARPNESS_STATS = frozenset({"max_sharpness", "first_unstable_step", "eos_fraction"})
TANGENT_STATS = frozenset({"lyapunov", "underflow_step"})


def _curvature_level(keep) -> int:
    if keep is None or not SHARPNESS_STATS.isdisjoint(keep):
        return 2
    return 1 if not TANGENT_STATS.isdisjoint(keep) else 0


def _run_chunk(sm: SweepModel, axes, fixed, index_slice, steps, tol, radius, kmax, ptol,
               rule=None, curvature=2, inputs=None, out=None):
    """The kernel on the cells of one chunk; ``inputs``: what :func:`_cell_inputs` gives
    for them, if already built (the benchmarks time the kernel call alone). ``out``: the
    chunk's variables (name → array of its grid shape) to fill from the kernel's output (see
    :func:`_cell_filler`): by the lane kernel's threads, each block of cells as soon as it is
    done (its rows still in cache, the work spread over the threads); else after the kernel.
    The scratch arrays come from :mod:`eosmath.dynamics.work_arrays`."""
    shape = _chunk_shape(axes, index_slice)
    n = int(np.prod(shape)) if shape else 1
    spec = {"thetas": ((n, sm.dim), "f8"), "etas": ((n,), "f8"),
            "hyper": ((n, len(sm.hyper_names)), "f8"),
            "stats": ((n, NSTAT + len(sm.reducers)), "f8"), "final": ((n, sm.dim), "f8")}
    with work_arrays.lend(spec) as work:
        thetas, etas, hyper, _ = inputs or _cell_inputs(sm, axes, fixed, index_slice, work)
        stats, final = work["stats"], work["final"]
        order = _balanced_order(len(etas))
        fill, finish = ((None, None) if out is None
                        else _cell_filler(sm, out, thetas, etas, hyper, stats, final, rule))
        args = (thetas, etas, hyper, order, steps, tol, radius * radius, kmax, ptol, stats,
                final, thread_count())
        if rule is not None:  # update rules: their own kernel (eosmath.dynamics.rule_gd)
            from eosmath.dynamics.rule_gd import sweep_cells_rule

            sweep_cells_rule(sm.load_kernels().module, rule, *args[:-1])
        elif sm.dim <= LANE_MAX_DIM:
            # no bare-GD level here: a cell out of steps needs the tangent to tell chaos, and
            # rerunning those cells (as gd_core_in does) cost more than the tangent in the
            # lanes
            block = lane_block_function(sm.key, sm.load_kernels, dim=sm.dim,
                                        level=max(curvature, 1), nhyper=len(sm.hyper_names),
                                        nstats=stats.shape[1])
            run_blocks(block, *args, after_block=fill)
            fill = None
        else:
            sm.load_kernels().module.sweep_cells_curvature(*args, curvature)
        if fill is not None:
            fill(order)
        if finish is not None:
            finish()


def _variables(sm: SweepModel, keep=None) -> dict:
    """Name → dtype of every variable :func:`_chunk_arrays` returns, in the same order
    (``keep``: only those named, see :func:`_kept_stats`)."""
    f8 = np.dtype(np.float64)
    out = {"status": np.dtype(np.int8), "period": np.dtype(np.int16),
           "stop_step": np.dtype(np.int64), "final_loss": f8, "final_sharpness": f8,
           "final_eos_ratio": f8, "max_sharpness": f8,
           "first_unstable_step": np.dtype(np.int64), "eos_fraction": f8, "lyapunov": f8,
           "underflow_step": np.dtype(np.int64)}
    out.update({f"final_{p}": f8 for p in sm.params})
    out.update({name: f8 for name, _, _ in sm.reducers})
    out.update({f"drift_{k}": f8 for k in range(len(sm.conserved))})
    if sm.gf_limit_path is not None or sm.gf_limit is not None:
        out["gfs_sharpness"] = f8
    return out if keep is None else {k: v for k, v in out.items() if k in keep}


def _kept_stats(sm: SweepModel, stats) -> tuple | None:
    """The variables a sweep keeps: None for all, else ``status`` and those named in
    ``stats`` (a name or names), in the Dataset's order; an unknown name is refused."""
    if stats is None:
        return None
    names = [stats] if isinstance(stats, str) else list(stats)
    available = _variables(sm)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise InvalidInputError(f"unknown statistic(s) {', '.join(map(repr, unknown))}; this "
                                f"sweep can keep: {', '.join(available)}")
    return tuple(n for n in available if n == "status" or n in names)


def _working_bytes_per_cell(sm: SweepModel, naxes: int) -> int:
    """Bytes per cell that computing a chunk holds besides its results: the start values,
    η, hyper-parameters (and the table they are built in), the cell order, the kernel's
    statistics row and end point, and a few temporaries."""
    return 8 * (2 * sm.dim + 1 + len(sm.hyper_names) + 1 + NSTAT + len(sm.reducers) + naxes
                + 4)


def _chunk_arrays(sm: SweepModel, axes, fixed, index_slice, steps, tol, radius, kmax, ptol,
                  rule=None, keep=None, out=None):
    """The variables of one chunk: name → NumPy array of the chunk's grid shape (``keep``:
    only those named; None: all). ``out``: arrays (name → the chunk's part of the whole
    result, e.g. a view) to write into instead of new ones; every kept name must be there."""
    curvature = _curvature_level(keep)
    shape = _chunk_shape(axes, index_slice)
    if out is None:
        out = work_arrays.packed_empty(shape, _variables(sm, keep))
    else:
        out = {name: out[name] for name in _variables(sm, keep)}
    _run_chunk(sm, axes, fixed, index_slice, steps, tol, radius, kmax, ptol, rule, curvature,
               out=out)
    return out


def _cell_filler(sm: SweepModel, out: dict, thetas, etas, hyper, stats, final, rule):
    """``(fill, finish)``: ``fill(cells)`` writes the variables of ``out`` (name →
    C-contiguous array, one element per cell) at the given cells (int64 indices): those that
    come straight from the kernel's per-cell rows ``stats`` and end points ``final`` in
    compiled passes that release the GIL, so threads may fill disjoint cells at once; those
    that need the model's NumPy functions (conserved-quantity drift, GF-limit sharpness)
    piece by piece (``FINISH_PIECE`` consecutive cells), when a call completes a piece.
    ``finish()`` checks that every cell was filled. Only the variables ``out`` names are
    computed, each by the same operations whatever the cells' grouping.

    Per block of cells, the model's functions gathered and scattered the block's rows
    (NumPy fancy indexing, ~90 ns a cell); on whole chunks after the kernel they were a
    serial tail (3 ms of a 40 ms sweep)."""
    scale = 0.5 * etas if rule is None else etas / rule.threshold_factor  # η·S/edge over S
    fill_fixed = column_filler(stats, scale, {n: a for n, a in out.items() if n in FIXED})
    flat = {name: a.reshape(-1) for name, a in out.items() if name not in FIXED}
    if any(not a.flags.c_contiguous for a in out.values()):
        raise ValueError("_cell_filler: the output arrays must be C-contiguous")
    copied = [(i, flat[f"final_{p}"]) for i, p in enumerate(sm.params) if f"final_{p}" in flat]
    columns, targets = [i for i, _ in copied], tuple(a for _, a in copied)
    reducers = [(NSTAT + k, op == "mean", flat[name])
                for k, (name, op, _) in enumerate(sm.reducers) if name in flat]
    drifts = [(k, fn) for k, fn in enumerate(_conserved_functions(sm)) if f"drift_{k}" in flat]
    status, steps_col = STAT["status"], STAT["lyapunov_steps"]

    gfs_sharpness = _gfs_sharpness_function(sm) if "gfs_sharpness" in flat else None
    n = len(stats)
    ends = drifts or gfs_sharpness is not None
    pieces = -(-n // FINISH_PIECE)
    left = np.full(pieces, FINISH_PIECE) if ends else None
    if ends and n:
        left[-1] = n - (pieces - 1) * FINISH_PIECE  # cells of each piece, still to fill
    lock = threading.Lock()

    def fill(cells):
        fill_fixed(cells)
        if targets:
            copy_columns(final, columns, cells, targets)
        for column, mean, target in reducers:
            reducer_column(stats, column, steps_col, mean, cells, target)
        if ends:  # the pieces these cells complete: their end points, by this thread
            done = piece_counts(cells, FINISH_PIECE, pieces)
            with lock:
                before = left.copy()
                left[:] -= done
                ready = np.flatnonzero((left == 0) & (before > 0))
            for k in ready:
                end_points(k * FINISH_PIECE, min((k + 1) * FINISH_PIECE, n))

    def end_points(lo, hi):
        end, diverged = final[lo:hi], stats[lo:hi, status] == 3  # (the end means nothing)
        with np.errstate(invalid="ignore", over="ignore"):
            for k, fn in drifts:
                drift = flat[f"drift_{k}"][lo:hi]
                np.subtract(fn(*end.T), fn(*thetas[lo:hi].T), out=drift)
                np.abs(drift, out=drift)
                drift[diverged] = np.nan
            if gfs_sharpness is not None:
                flat["gfs_sharpness"][lo:hi] = gfs_sharpness(end, hyper[lo:hi], diverged)

    def finish():
        if ends and left.any():
            raise RuntimeError("_cell_filler: cells left unfilled")  # every cell, once

    return fill, finish


# cells of a piece: the end-point variables are computed piece by piece, by the thread that
# completes one (while the other threads run the kernel); NumPy's temporaries (64 KiB) stay in
# cache and in the heap (whole-chunk ones were fresh pages each: ~1 ms of a 3-parameter sweep)
FINISH_PIECE = 8192

@functools.lru_cache(maxsize=16)
def _conserved_functions(sm: SweepModel) -> list:
    """sm.conserved_functions(), compiled once per SweepModel and process, not per chunk."""
    return sm.conserved_functions()


def _gfs_sharpness_function(sm: SweepModel):
    """``f(final, hyper, skip) -> (n,)``: the sharpness at the gradient-flow limit from each
    end point (rows of ``final``), NaN where ``skip`` or the end point or its limit is not
    finite. Looked up once per chunk (the compiled function's handle costs ~20 µs)."""
    limit_of = sm.gf_limit_function()
    if sm.dim <= LANE_MAX_DIM:
        sharpness = sharpness_points_function(sm.key, sm.load_kernels, dim=sm.dim,
                                              nhyper=len(sm.hyper_names))
    else:
        module = sm.load_kernels().module

        def sharpness(cols, h, skip):
            values = np.empty(cols.shape[1])
            module.sharpness_many(np.ascontiguousarray(cols.T), np.asarray(h, float), values)
            return np.where(skip | ~np.isfinite(cols).all(axis=0), np.nan, values)

    def gfs_sharpness(final, hyper, skip):
        out = np.full(len(final), np.nan)
        skip = skip | ~_finite_rows(final)
        if skip.all():
            return out
        if sm.gf_limit_path is not None and (not hyper.shape[1] or (hyper == hyper[0]).all()):
            # a catalog limit (NumPy, element by element, defined on any row) and one
            # hyper-parameter value: every row at once, the skipped ones masked in the kernel
            # (gathering the others cost more than computing the few skipped)
            hrow = np.ascontiguousarray(hyper[0], dtype=np.float64)
            cols = _limit_columns(limit_of, final,
                                  dict(zip(sm.hyper_names, hrow.tolist(), strict=True)))
            return sharpness(cols, hrow, skip)
        # one call per distinct hyper-parameter value (usually one), never one per cell
        for hrow, cells in _hyper_groups(hyper, np.flatnonzero(~skip)):
            hdict = dict(zip(sm.hyper_names, hrow.tolist(), strict=True))
            cols = _limit_columns(limit_of, final if len(cells) == len(final) else final[cells],
                                  hdict)
            out[cells] = sharpness(cols, np.ascontiguousarray(hrow, dtype=np.float64),
                                   np.zeros(len(cells), dtype=bool))
        return out

    return gfs_sharpness


def _finite_rows(a) -> np.ndarray:
    """Rows of ``a`` (n, d) with every entry finite (column by column: NumPy's reductions
    along a short last axis are slow)."""
    ok = np.isfinite(a[:, 0])
    for i in range(1, a.shape[1]):
        ok &= np.isfinite(a[:, i])
    return ok


def _hyper_groups(hyper, cells):
    """``(hyper row, its cells)`` for each distinct row of ``hyper`` among ``cells``; one
    group without sorting where no hyper-parameter varies (the usual case)."""
    if not hyper.shape[1] or (hyper[cells] == hyper[cells[0]]).all():
        return [(hyper[cells[0]], cells)]
    rows, group = np.unique(hyper[cells], axis=0, return_inverse=True)
    group = group.ravel()
    return [(hrow, cells[group == g]) for g, hrow in enumerate(rows)]


def _limit_columns(limit_of, starts, hyper: dict) -> np.ndarray:
    """Gradient-flow limits from ``starts`` (n, dim), as columns (dim, n): one column-wise
    call where the limit function is vectorised (the catalog's are), else one call per
    start."""
    try:
        with np.errstate(all="ignore"):
            limits = np.asarray(limit_of(starts.T, hyper), dtype=np.float64)
        if limits.shape == starts.T.shape:
            return limits
    except (TypeError, ValueError):
        pass
    return np.array([np.asarray(limit_of(start, hyper), dtype=np.float64)
                     for start in starts]).T.reshape(starts.shape[1], len(starts))


def _chunk_cells(in_memory: bool, threads: int) -> int:
    """Cells per chunk when the caller names no chunk size.

    A store's chunk is its on-disk layout and the unit a resumed sweep recomputes, so it is
    the same on every machine (2¹⁶ cells). In memory a chunk is only a batch of the kernel,
    and each batch ends with threads waiting for the last blocks of the step loop (short,
    see :func:`~eosmath.dynamics.lane_runner.block_bounds`) and costs a set-up (inputs, cell
    order, output views): about the same per batch whatever its size. So batches are large,
    2¹⁸ cells (one for a 512 × 512 sweep; about 50–80 MB of working memory) or 2¹⁵ per
    thread where that is more, and a progress bar still moves on sweeps that take long.
    """
    return 2**16 if not in_memory else max(2**18, 2**15 * threads)


def _config(sm: SweepModel, axes, fixed, steps, tol, radius, kmax, ptol, chunk) -> dict:
    """The sweep's configuration as recorded in its attributes; ``chunk`` (a store's
    layout) None for an in-memory sweep, whose result does not depend on it."""
    # the axes themselves are the store's coordinates, written once: here only their digest
    config = {"model": sm.name, "params": list(sm.params), "fingerprint": sm.fingerprint,
              "structure_hash": sm.structure_hash,
              "axes": {k: {"size": len(v), "sha256": hashlib.sha256(
                  np.ascontiguousarray(v, dtype="<f8").tobytes()).hexdigest()}
                  for k, v in axes.items()},
              "fixed": fixed, "steps": steps, "tol": tol, "radius": radius, "kmax": kmax,
              "ptol": ptol, "dtype": "float64", "chunk": chunk,
              "reducers": {name: f"{op}: {text}" for name, op, text in sm.reducers}}
    if chunk is None:
        del config["chunk"]
    return config


def _attributes(sm: SweepModel, config) -> dict:
    attrs = provenance(model_source=sm.source, model_loss=sm.loss_text)
    attrs.pop("created_utc")  # a resumed store must end byte-identical to a straight run
    attrs["sweep_config"] = json.dumps(config, sort_keys=True)
    for k, (text, _) in enumerate(sm.conserved):
        attrs[f"drift_{k}"] = f"|Q(θ_end) − Q(θ_0)| for Q = {text}"
    for name, op, text in sm.reducers:
        attrs[f"reducer_{name}"] = f"{op} over the steps taken of {text}"
    return attrs


def sweep(model, *, steps: int = 2000, tol: float = 1e-10, radius: float = 1e6,
          store=None, resume: bool = False, chunk: int | None = None, kmax: int = 16,
          ptol: float = 1e-10, dask=None, quiet: bool = False, reducers=None,
          force: bool = False, rule=None, stats=None, stop: bool = True, **values):
    """GD on every cell of a grid over η, start values and hyper-parameters.

    Swept names take 1-D arrays (coordinates in the order given); the others numbers.
    Per cell (same rules as :func:`~eosmath.dynamics.gd.run_gd`): ``status`` (CF flags),
    ``period``, ``stop_step``, ``final_<param>``, ``final_loss``, ``final_sharpness``,
    ``final_eos_ratio`` (η·S/2), ``max_sharpness``, ``first_unstable_step`` (S > 2/η; −1
    never), ``eos_fraction`` (steps with η·S/2 ∈ [0.95, 1.05]), ``lyapunov`` (from I − η∇²L),
    ``underflow_step`` (a coordinate flushed to 0 where it would grow; −1 never),
    ``drift_k`` (conserved quantities of gradient flow), ``gfs_sharpness`` (sharpness of the
    gradient-flow limit from the final iterate, where the model has a closed form).

    ``reducers``: user statistics compiled into the GD loop, ``{"name": "op: expression"}``
    with op in max, min, sum, mean and an expression in the model's symbols, evaluated at every
    iterate whose step was taken (e.g. ``{"peak_xy": "max: x*y"}``); one variable each.

    ``rule``: an update rule of :mod:`eosmath.rules`, run by the same compiled loop as
    ``run_gd(..., rule=...)`` (each cell equals that trajectory bit for bit, every dimension);
    sharpness statistics are then the rule's (preconditioned) sharpness, ``final_eos_ratio``,
    ``first_unstable_step`` and ``eos_fraction`` are measured against the rule's threshold
    c/η (variables relabelled so), and ``lyapunov`` is NaN.

    ``stop=False``: every cell takes exactly ``steps`` steps unless it diverges (no CONVERGED
    or PERIOD stop; ``tol`` and ``kmax`` ignored), as ``run_gd(..., stop=False)``.

    ``stats``: the variables to keep (names as above; ``status`` is always kept), e.g.
    ``stats=("stop_step",)``; None keeps all. What is kept equals the full sweep's values;
    for a model with more than two parameters, without ``max_sharpness``,
    ``first_unstable_step`` and ``eos_fraction`` no sharpness is computed per step, and
    without ``lyapunov`` and ``underflow_step`` too the kernel runs bare GD (gradient only;
    cells out of steps are rerun with the tangent map to tell CHAOTIC from MAX_STEPS).

    ``store``: a Zarr path written chunk by chunk along the first axis by one writer at a time
    (a lock in the store); ``resume=True`` computes only the chunks not yet written, and
    refuses a store made with another configuration. Until the last chunk is written the
    store's ``complete`` attribute is false and the missing cells' status is ``not_computed``.
    ``dask``: a ``distributed.Client`` or scheduler address; chunks become tasks.
    Memory (and, with a store, disk) is estimated first: a sweep that would not fit is
    refused unless ``force=True``.
    ``model`` may also be a :class:`~eosmath.dynamics.sweep_model.SweepModel` (then its own
    reducers are used). Returns an ``xarray.Dataset`` (read back from ``store`` if given).
    """
    import xarray as xr

    sm = model if isinstance(model, SweepModel) else _sweep_model(model, reducers)
    if not stop:
        tol, kmax = no_early_stop()
    labels = variable_attrs
    if rule is not None:
        from eosmath.dynamics.rule_gd import compile_rule, rule_variable_attrs

        compiled = compile_rule(rule, sm.params, sm.hyper_names)

        def labels(name):
            return rule_variable_attrs(name, variable_attrs(name), compiled)
    result = sweep_arrays(sm, steps=steps, tol=tol, radius=radius, store=store, resume=resume,
                          chunk=chunk, kmax=kmax, ptol=ptol, dask=dask, quiet=quiet,
                          force=force, rule=rule, labels=labels, stats=stats, **values)
    if store is not None:
        # chunks=None: lazily loaded NumPy-backed variables; reading them needs no Dask
        return xr.open_zarr(store, chunks=None)
    coords, data, attrs = result
    dims = tuple(coords)
    ds = xr.Dataset({name: (dims, values, labels(name))
                     for name, values in data.items()},
                    coords={n: (n, v, axis_attrs(n, sm.params)) for n, v in coords.items()})
    ds.attrs.update(attrs)
    ds.attrs[sweep_store.COMPLETE] = True  # as in a finished store: every cell computed
    return ds


def sweep_arrays(sm: SweepModel, *, steps: int = 2000, tol: float = 1e-10,
                 radius: float = 1e6, store=None, resume: bool = False,
                 chunk: int | None = None, kmax: int = 16, ptol: float = 1e-10, dask=None,
                 quiet: bool = False, force: bool = False, rule=None, labels=variable_attrs,
                 stats=None, **values):
    """:func:`sweep` without xarray: returns ``(coords, {name: array}, attrs)``, or with
    ``store`` the store's path once every chunk is on disk. ``labels(name)``: the attributes
    of each variable."""
    if steps < 1:
        raise InvalidInputError("steps must be ≥ 1")
    if chunk is not None and chunk < 1:
        raise InvalidInputError(f"chunk must be ≥ 1, got {chunk}")
    axes, fixed = split_axes(sm, values)
    largest = [np.max(np.abs(axes[p])) if p in axes else abs(fixed[p])
               for p in map(str, sm.params)]
    tol, radius = check_stopping(tol, radius, float(np.sqrt(np.sum(np.square(largest)))))
    if not axes:
        axes = {"eta": np.array([fixed.pop("eta")])}
    first = next(iter(axes))
    n_first = len(axes[first])
    rest = int(np.prod([len(v) for k, v in axes.items() if k != first]))
    if chunk is None:
        chunk = max(1, _chunk_cells(store is None, thread_count()) // max(rest, 1))
    chunk = min(chunk, n_first)
    starts = list(range(0, n_first, chunk))
    keep = _kept_stats(sm, stats)
    config = _config(sm, axes, fixed, steps, tol, radius, kmax, ptol,
                     chunk if store is not None else None)
    if keep is not None:
        config["stats"] = list(keep)  # only with a selection: full sweeps keep their config
    compiled_rule = None
    if rule is not None:
        from eosmath.dynamics.rule_gd import compile_rule

        compiled_rule = compile_rule(rule, sm.params, sm.hyper_names)
        config["rule"] = str(rule)  # only with a rule: plain sweeps keep their configuration
    attrs = _attributes(sm, config)
    args = (steps, tol, radius, kmax, ptol, compiled_rule, keep)
    if store is not None:
        sweep_store.check_target(store, resume)
    cells = n_first * rest
    result_bytes = sum(d.itemsize for d in _variables(sm, keep).values())
    chunk_bytes = chunk * rest * (result_bytes + _working_bytes_per_cell(sm, len(axes)))
    what = f"a sweep of {cells:,} cells ({' × '.join(str(len(v)) for v in axes.values())})"
    if store is None:
        # the results (each chunk writes its part in place) and the chunk being computed
        check_resources(memory=cells * result_bytes + chunk_bytes, disk=None, what=what,
                        memory_hint="; write it to a store chunk by chunk instead "
                                    "(store=PATH, eosmath sweep --out)", force=force)
    with _connected(dask) as client:
        if store is not None:
            in_flight = _in_flight(client) if client is not None else 1
            done = (len(sweep_store.done_blocks(store, chunk)) * chunk * rest
                    if resume and sweep_store.is_store(store) else 0)
            check_resources(memory=in_flight * chunk_bytes, disk=(cells - done) * result_bytes,
                            what=what, store=store,
                            memory_hint=f" for its chunks of {chunk * rest:,} cells (a chunk "
                                        f"is {chunk} value(s) of the first axis, {first})",
                            force=force)

        def compute(start):
            return _chunk_arrays(sm, axes, fixed, slice(start, start + chunk), *args)

        if store is None:
            shape = tuple(len(v) for v in axes.values())
            data = work_arrays.packed_empty(shape, _variables(sm, keep))

            def compute_in_place(start):
                part = slice(start, start + chunk)
                return _chunk_arrays(sm, axes, fixed, part, *args,
                                     out={name: a[part] for name, a in data.items()})

            # on a cluster a chunk's arrays travel back and are copied in; here they are
            # written in place
            local = client is None
            for start, values in _map_chunks(compute_in_place if local else compute, starts,
                                             client, quiet):
                if not local:
                    for name, a in data.items():
                        a[start:start + chunk] = values[name]
            return axes, data, attrs

        coords = {n: (v, axis_attrs(n, sm.params)) for n, v in axes.items()}
        variables = {name: (tuple(axes), dtype, labels(name))
                     for name, dtype in _variables(sm, keep).items()}
        return _sweep_to_store(Path(store), compute, starts, chunk, coords, variables, attrs,
                               resume, client, quiet)


@contextlib.contextmanager
def _connected(dask):
    """``dask`` as a ``distributed.Client`` (None stays None); a client made here from a
    scheduler address is closed at the end."""
    if dask is None:
        yield None
        return
    Client = _distributed().Client

    if isinstance(dask, Client):
        yield dask
        return
    try:
        client = Client(dask, timeout=10)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        raise InvalidInputError(f"cannot reach the Dask scheduler at {dask!r} ({err})") from None
    try:
        yield client
    finally:
        client.close()


def _distributed():
    """The ``distributed`` package, or a clear refusal where the extra is not installed."""
    try:
        import distributed
    except ImportError:
        raise InvalidInputError('running on Dask needs the distributed extra: pip install '
                                '"eosmath[distributed]"') from None
    return distributed


def _in_flight(client) -> int:
    """Chunks submitted at once to a cluster: two per worker thread keep every worker busy
    while results travel back and are written."""
    return 2 * max(1, sum(client.nthreads().values()))


def _map_chunks(compute, starts, client, quiet):
    """Yield ``(start, chunk arrays)`` for every start, in the order they finish; on a Dask
    cluster at most :func:`_in_flight` chunks are submitted at a time."""
    with Progress(len(starts), "sweep chunks", quiet=quiet) as bar:
        if client is None:
            for s in starts:
                yield s, compute(s)
                bar.update()
            return
        from distributed import as_completed

        pending = iter(starts)
        futures = {}

        def submit():
            s = next(pending, None)
            if s is not None:
                future = client.submit(compute, s, pure=False)
                futures[future] = s
                running.add(future)

        running = as_completed()
        try:
            for _ in range(_in_flight(client)):
                submit()
            for future in running:
                s = futures.pop(future)
                yield s, future.result()
                bar.update()
                submit()
        finally:
            for future in futures:  # interrupted: drop what is still queued
                future.cancel()


def _sweep_to_store(path, compute, starts, chunk, coords, variables, attrs, resume, dask,
                    quiet):
    with StoreLock(path):
        if sweep_store.is_store(path):
            existing = sweep_store.read_attrs(path)
            if existing.get("sweep_config") != attrs["sweep_config"]:
                raise StoreError(
                    f"{path} holds a sweep with another model or configuration; choose a new "
                    "--out or delete it")
            if not resume:
                raise StoreError(f"{path} exists; pass --resume (resume=True) to continue it")
            sweep_store.clean_temporary(path)
            done = set(sweep_store.done_blocks(path, chunk))
        else:
            sweep_store.create(path, coords, variables, attrs, chunk)
            done = set()
        todo = [s for s in starts if s not in done]
        writer = sweep_store.Writer(path)
        for start, part in _map_chunks(compute, todo, dask, quiet):
            writer.write(part, start)
        writer.finish()
    return path


__all__ = ["sweep", "sweep_arrays"]
