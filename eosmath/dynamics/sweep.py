"""Step-size × initialisation sweeps: one compiled parallel kernel, per-cell verdicts and
statistics, results as an ``xarray.Dataset`` written chunk by chunk to Zarr (resumable).

The sweep itself needs neither SymPy nor xarray: it works on a
:class:`~eosmath.dynamics.sweep_model.SweepModel`, runs the kernel's saved machine code and
writes the store with :mod:`eosmath.dynamics.zarr_v3`; xarray is imported only to hand the
result back as a Dataset.

>>> import numpy as np, eosmath as eos
>>> m = eos.models.get("quadratic", a=1.0)
>>> ds = eos.sweep(m, eta=np.array([0.5, 1.5, 2.5]), x=1.0, steps=500, quiet=True)
>>> [str(s) for s in ds["status"].values.astype(int).astype(str)]
['0', '0', '3']
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from eosmath.dynamics import zarr_v3
from eosmath.dynamics.grid import split_axes
from eosmath.dynamics.lane_kernel import LANE_MAX_DIM
from eosmath.dynamics.lane_runner import (
    lane_block_function,
    run_blocks,
    sharpness_points_function,
    thread_count,
)
from eosmath.dynamics.stat_layout import NSTAT, STAT
from eosmath.dynamics.status import cf_attributes
from eosmath.dynamics.stopping import check_stopping
from eosmath.dynamics.sweep_model import SweepModel
from eosmath.errors import InvalidInputError
from eosmath.progress import Progress
from eosmath.provenance import provenance

VARIABLE_ATTRS = {
    "status": cf_attributes(),
    "period": {"long_name": "period k of a period-k verdict (0 otherwise)"},
    "lyapunov": {"long_name": "largest Lyapunov exponent (tangent map I − η∇²L)"},
    "underflow_step": {"long_name": "first step at which a coordinate (or tangent component) "
                                    "was exactly 0 in float64 although its multiplier "
                                    "|1 − η∂²L/∂θᵢ²| > 1 would grow it (−1: never)"},
}


def _cell_inputs(model, axes: dict, fixed: dict, index_slice):
    """Flattened per-cell start θ, η and hyper values for the cells of one chunk."""
    names = list(axes)
    grids = [axes[n][index_slice] if i == 0 else axes[n] for i, n in enumerate(names)]
    mesh = np.meshgrid(*grids, indexing="ij") if grids else []
    shape = mesh[0].shape if mesh else ()
    n = int(np.prod(shape)) if shape else 1

    def column(name):
        if name in axes:
            return mesh[names.index(name)].ravel()
        return np.full(n, fixed[name])

    thetas = np.column_stack([column(str(p)) for p in model.params])
    etas = column("eta")
    hyper = (np.column_stack([column(h) for h in model.hyper_names]) if model.hyper_names
             else np.zeros((n, 0)))
    return np.ascontiguousarray(thetas), etas, np.ascontiguousarray(hyper), shape


def _balanced_order(n: int, run: int = 256) -> np.ndarray:
    """Cells in runs of ``run`` consecutive indices, the runs in a fixed shuffled order.

    The kernels split this order into contiguous blocks; shuffling mixes cheap (early-exit) and
    expensive (chaotic) regions of the grid into every block, while the runs keep memory
    access sequential (a per-cell shuffle cost a cache miss per cell, ~25%).
    Results do not depend on the order.
    """
    starts = np.random.default_rng(12345).permutation(-(-n // run)) * run
    cells = (starts[:, None] + np.arange(run)[None, :]).ravel()
    return cells[cells < n].astype(np.int64)


def _run_chunk(sm: SweepModel, axes, fixed, index_slice, steps, tol, radius, kmax, ptol):
    thetas, etas, hyper, shape = _cell_inputs(sm, axes, fixed, index_slice)
    stats = np.empty((len(etas), NSTAT + len(sm.reducers)))
    final = np.empty_like(thetas)
    args = (thetas, etas, hyper, _balanced_order(len(etas)), steps, tol, radius * radius, kmax,
            ptol, stats, final, thread_count())
    if sm.dim <= LANE_MAX_DIM:
        block = lane_block_function(sm.key, sm.load_kernels, dim=sm.dim,
                                    nhyper=len(sm.hyper_names), nstats=stats.shape[1])
        run_blocks(block, *args)
    else:
        sm.load_kernels().module.sweep_cells(*args)
    return thetas, etas, hyper, stats, final, shape


def _chunk_arrays(sm: SweepModel, axes, fixed, index_slice, steps, tol, radius, kmax, ptol):
    """The variables of one chunk: name → NumPy array of the chunk's grid shape."""
    thetas, etas, hyper, stats, final, shape = _run_chunk(sm, axes, fixed, index_slice, steps,
                                                          tol, radius, kmax, ptol)

    def grid(values, dtype=np.float64):
        return np.asarray(values, dtype=dtype).reshape(shape)

    lyap_steps = stats[:, STAT["lyapunov_steps"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        lyap = np.where(lyap_steps > 0, stats[:, STAT["lyapunov_sum"]] / lyap_steps, np.nan)
        eos_fraction = np.where(lyap_steps > 0, stats[:, STAT["eos_steps"]] / lyap_steps, 0.0)
    data = {
        "status": grid(stats[:, STAT["status"]], np.int8),
        "period": grid(stats[:, STAT["period"]], np.int16),
        "stop_step": grid(stats[:, STAT["stop_step"]], np.int64),
        "final_loss": grid(stats[:, STAT["final_loss"]]),
        "final_sharpness": grid(stats[:, STAT["final_sharpness"]]),
        "final_eos_ratio": grid(0.5 * etas * stats[:, STAT["final_sharpness"]]),
        "max_sharpness": grid(stats[:, STAT["max_sharpness"]]),
        "first_unstable_step": grid(stats[:, STAT["first_unstable_step"]], np.int64),
        "eos_fraction": grid(eos_fraction),
        "lyapunov": grid(lyap),
        "underflow_step": grid(stats[:, STAT["underflow_step"]], np.int64),
    }
    for i, p in enumerate(sm.params):
        data[f"final_{p}"] = grid(final[:, i])
    for k, (name, op, _) in enumerate(sm.reducers):
        value = stats[:, NSTAT + k]
        with np.errstate(invalid="ignore", divide="ignore"):
            if op == "mean":
                value = np.where(lyap_steps > 0, value / lyap_steps, np.nan)
            value = np.where(np.isinf(value) & (lyap_steps == 0), np.nan, value)  # no step taken
        data[name] = grid(value)
    diverged = stats[:, STAT["status"]] == 3  # statistics of the end point mean nothing there
    for k, fn in enumerate(_conserved_functions(sm)):
        with np.errstate(invalid="ignore", over="ignore"):
            drift = np.where(diverged, np.nan, np.abs(fn(*final.T) - fn(*thetas.T)))
        data[f"drift_{k}"] = grid(drift)
    if sm.gf_limit_path is not None or sm.gf_limit is not None:
        data["gfs_sharpness"] = grid(np.where(diverged, np.nan,
                                              _gfs_sharpness(sm, final, hyper, diverged)))
    return data


@functools.lru_cache(maxsize=16)
def _conserved_functions(sm: SweepModel) -> list:
    """sm.conserved_functions(), compiled once per SweepModel and process, not per chunk."""
    return sm.conserved_functions()


def _gfs_sharpness(sm: SweepModel, final, hyper, skip) -> np.ndarray:
    limit_of = sm.gf_limit_function()
    if sm.dim <= LANE_MAX_DIM:
        sharpness = sharpness_points_function(sm.key, sm.load_kernels, dim=sm.dim,
                                              nhyper=len(sm.hyper_names))
    else:
        module = sm.load_kernels().module

        def sharpness(points, h):
            values = np.empty(len(points))
            module.sharpness_many(np.ascontiguousarray(points), np.asarray(h, float), values)
            return values
    out = np.full(len(final), np.nan)
    ok = ~skip & np.all(np.isfinite(final), axis=1)
    if not sm.hyper_names and ok.any():
        # limits given column-wise in one call when gf_limit is vectorised (e.g. product)
        try:
            limits = np.asarray(limit_of(final[ok].T, {}), dtype=np.float64)
        except (TypeError, ValueError):
            limits = None
        if limits is not None and limits.shape == (sm.dim, int(ok.sum())):
            out[ok] = sharpness(limits.T, np.zeros(0))
            return out
    for c in np.flatnonzero(ok):
        limit = np.asarray(limit_of(final[c], dict(zip(sm.hyper_names, hyper[c], strict=True))),
                           dtype=np.float64)
        if np.all(np.isfinite(limit)):
            out[c] = sharpness(limit[None, :], hyper[c])[0]
    return out


def _config(sm: SweepModel, axes, fixed, steps, tol, radius, kmax, ptol) -> dict:
    return {"model": sm.name, "fingerprint": sm.fingerprint,
            "structure_hash": sm.structure_hash, "axes": {k: v.tolist() for k, v in
                                                          axes.items()},
            "fixed": fixed, "steps": steps, "tol": tol, "radius": radius, "kmax": kmax,
            "ptol": ptol, "dtype": "float64",
            "reducers": {name: f"{op}: {text}" for name, op, text in sm.reducers}}


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
          ptol: float = 1e-10, dask=None, quiet: bool = False, reducers=None, **values):
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

    ``store``: a Zarr path written chunk by chunk along the first axis; ``resume=True``
    computes only the chunks not yet written, and refuses a store made with another
    configuration. ``dask``: a ``distributed.Client`` or scheduler address; chunks become tasks.
    ``model`` may also be a :class:`~eosmath.dynamics.sweep_model.SweepModel` (then its own
    reducers are used). Returns an ``xarray.Dataset`` (read back from ``store`` if given).
    """
    import xarray as xr

    sm = model if isinstance(model, SweepModel) else SweepModel.from_model(model, reducers)
    result = sweep_arrays(sm, steps=steps, tol=tol, radius=radius, store=store, resume=resume,
                          chunk=chunk, kmax=kmax, ptol=ptol, dask=dask, quiet=quiet, **values)
    if store is not None:
        # chunks=None: lazily loaded NumPy-backed variables; reading them needs no Dask
        return xr.open_zarr(store, consolidated=False, chunks=None)
    coords, data, attrs = result
    dims = tuple(coords)
    ds = xr.Dataset({name: (dims, values, VARIABLE_ATTRS.get(name, {}))
                     for name, values in data.items()}, coords=coords)
    ds.attrs.update(attrs)
    return ds


def sweep_arrays(sm: SweepModel, *, steps: int = 2000, tol: float = 1e-10,
                 radius: float = 1e6, store=None, resume: bool = False,
                 chunk: int | None = None, kmax: int = 16, ptol: float = 1e-10, dask=None,
                 quiet: bool = False, **values):
    """:func:`sweep` without xarray: returns ``(coords, {name: array}, attrs)``, or with
    ``store`` the store's path once every chunk is on disk."""
    if steps < 1:
        raise InvalidInputError("steps must be ≥ 1")
    axes, fixed = split_axes(sm, values)
    largest = [np.max(np.abs(axes[p])) if p in axes else abs(fixed[p])
               for p in map(str, sm.params)]
    tol, radius = check_stopping(tol, radius, float(np.sqrt(np.sum(np.square(largest)))))
    if not axes:
        axes = {"eta": np.array([fixed.pop("eta")])}
    first = next(iter(axes))
    n_first = len(axes[first])
    rest = int(np.prod([len(v) for k, v in axes.items() if k != first]))
    chunk = chunk or max(1, min(n_first, 2**16 // max(rest, 1)))
    starts = list(range(0, n_first, chunk))
    config = _config(sm, axes, fixed, steps, tol, radius, kmax, ptol)
    attrs = _attributes(sm, config)
    args = (steps, tol, radius, kmax, ptol)

    def compute(start):
        return _chunk_arrays(sm, axes, fixed, slice(start, start + chunk), *args)

    if store is None:
        parts = _map_chunks(compute, starts, dask, quiet)
        data = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
        return axes, data, attrs
    return _sweep_to_store(Path(store), compute, starts, chunk, axes, attrs, resume, dask,
                           quiet)


def _map_chunks(compute, starts, dask, quiet):
    if dask is not None:
        from distributed import Client

        client = dask if isinstance(dask, Client) else Client(dask)
        futures = client.map(compute, starts, pure=False)
        return client.gather(futures)
    parts = []
    with Progress(len(starts), "sweep chunks", quiet=quiet) as bar:
        for s in starts:
            parts.append(compute(s))
            bar.update()
    return parts


def _sweep_to_store(path, compute, starts, chunk, axes, attrs, resume, dask, quiet):
    if path.exists():
        existing = zarr_v3.read_attrs(path)
        if existing.get("sweep_config") != attrs["sweep_config"]:
            raise InvalidInputError(
                f"{path} holds a sweep with another model or configuration; choose a new --out "
                "or delete it")
        if not resume:
            raise InvalidInputError(f"{path} exists; pass resume=True (--resume) to continue it")
        done = set(existing.get("chunks_done", []))
    else:
        done = set()
    todo = [s for s in starts if s not in done]
    first = next(iter(axes))
    with Progress(len(todo), "sweep chunks", quiet=quiet) as bar:
        for s in todo:
            part = _map_chunks(compute, [s], dask, True)[0]
            if not path.exists():
                variables = {name: (tuple(axes), values.dtype, VARIABLE_ATTRS.get(name, {}))
                             for name, values in part.items()}
                zarr_v3.create_store(path, axes, variables, attrs, chunks={first: chunk})
            for name, values in part.items():
                zarr_v3.write_region(path, name, values, (s,) + (0,) * (values.ndim - 1))
            done.add(s)
            # recorded only after the chunk's data is on disk: a kill never marks half a chunk
            zarr_v3.update_attrs(path, chunks_done=sorted(done))
            bar.update()
    return path


__all__ = ["sweep", "sweep_arrays"]
