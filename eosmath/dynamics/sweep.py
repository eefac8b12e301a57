"""Step-size × initialisation sweeps: one compiled parallel kernel, per-cell verdicts and
statistics, results as an ``xarray.Dataset`` written chunk by chunk to Zarr (resumable).

>>> import numpy as np, eosmath as eos
>>> m = eos.models.get("quadratic", a=1.0)
>>> ds = eos.sweep(m, eta=np.array([0.5, 1.5, 2.5]), x=1.0, steps=500, quiet=True)
>>> [str(s) for s in ds["status"].values.astype(int).astype(str)]
['0', '0', '3']
"""

from __future__ import annotations

import json
from pathlib import Path

import numba
import numpy as np
import sympy as sp
import xarray as xr
import zarr

from eosmath.dynamics import kernel_template  # noqa: F401  (registers the GD loop)
from eosmath.dynamics.grid import split_axes
from eosmath.dynamics.kernel_template import NSTAT, STAT
from eosmath.dynamics.lane_kernel import LANE_MAX_DIM
from eosmath.dynamics.lane_runner import lane_block_function, run_blocks
from eosmath.dynamics.reducers import kernel_reducers, parse_reducers
from eosmath.dynamics.status import cf_attributes
from eosmath.errors import InvalidInputError
from eosmath.progress import Progress
from eosmath.provenance import provenance


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
    hyper = (np.column_stack([column(h) for h in model.hyper_names]) if model.hyper
             else np.zeros((n, 0)))
    return np.ascontiguousarray(thetas), etas, np.ascontiguousarray(hyper), shape


def _balanced_order(n: int, run: int = 256) -> np.ndarray:
    """Cells in runs of ``run`` consecutive indices, the runs in a fixed shuffled order.

    prange hands each thread a contiguous block of this order; shuffling mixes cheap
    (early-exit) and expensive (chaotic) regions of the grid into every block, while the runs
    keep memory access sequential (a per-cell shuffle cost a cache miss per cell, ~25%).
    Results do not depend on the order.
    """
    starts = np.random.default_rng(12345).permutation(-(-n // run)) * run
    cells = (starts[:, None] + np.arange(run)[None, :]).ravel()
    return cells[cells < n].astype(np.int64)


def _run_chunk(model, axes, fixed, index_slice, steps, tol, radius, kmax, ptol, reducers):
    thetas, etas, hyper, shape = _cell_inputs(model, axes, fixed, index_slice)
    kernels = model.compile(reducers=kernel_reducers(reducers))
    stats = np.empty((len(etas), NSTAT + len(reducers)))
    final = np.empty_like(thetas)
    args = (thetas, etas, hyper, _balanced_order(len(etas)), steps, tol, radius * radius, kmax,
            ptol, stats, final, numba.get_num_threads())
    if model.dim <= LANE_MAX_DIM:
        block = lane_block_function(kernels.key, lambda: kernels, dim=model.dim,
                                    nhyper=len(model.hyper_names), nstats=stats.shape[1])
        run_blocks(block, *args)
    else:
        kernels.module.sweep_cells(*args)
    return thetas, etas, hyper, stats, final, shape


def _chunk_dataset(model, axes, fixed, index_slice, steps, tol, radius, kmax, ptol,
                   conserved, reducers) -> xr.Dataset:
    thetas, etas, hyper, stats, final, shape = _run_chunk(model, axes, fixed, index_slice,
                                                          steps, tol, radius, kmax, ptol,
                                                          reducers)
    dims = tuple(axes)
    coords = {n: (axes[n][index_slice] if i == 0 else axes[n]) for i, n in enumerate(dims)}

    def grid(values, dtype=np.float64):
        return (dims, np.asarray(values, dtype=dtype).reshape(shape))

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
    }
    for i, p in enumerate(model.params):
        data[f"final_{p}"] = grid(final[:, i])
    for k, r in enumerate(reducers):
        value = stats[:, NSTAT + k]
        with np.errstate(invalid="ignore", divide="ignore"):
            if r.op == "mean":
                value = np.where(lyap_steps > 0, value / lyap_steps, np.nan)
            value = np.where(np.isinf(value) & (lyap_steps == 0), np.nan, value)  # no step taken
        data[r.name] = grid(value)
    diverged = stats[:, STAT["status"]] == 3  # statistics of the end point mean nothing there
    for k, (_, fn) in enumerate(conserved):
        with np.errstate(invalid="ignore", over="ignore"):
            drift = np.where(diverged, np.nan, np.abs(fn(*final.T) - fn(*thetas.T)))
        data[f"drift_{k}"] = grid(drift)
    if model.gf_limit is not None:
        data["gfs_sharpness"] = grid(np.where(diverged, np.nan,
                                              _gfs_sharpness(model, final, hyper, diverged)))
    return xr.Dataset(data, coords=coords)


def _gfs_sharpness(model, final, hyper, skip) -> np.ndarray:
    kernels = model.compile()
    names = model.hyper_names
    out = np.full(len(final), np.nan)
    ok = ~skip & np.all(np.isfinite(final), axis=1)
    if not model.hyper and ok.any():
        # limits given column-wise in one call when gf_limit is vectorised (e.g. product)
        try:
            limits = np.asarray(model.gf_limit(final[ok].T, {}), dtype=np.float64)
        except (TypeError, ValueError):
            limits = None
        if limits is not None and limits.shape == (model.dim, int(ok.sum())):
            values = np.empty(int(ok.sum()))
            kernels.module.sharpness_many(np.ascontiguousarray(limits.T), hyper[:1][0] if len(
                hyper) else np.zeros(0), values)
            out[ok] = values
            return out
    for c in np.flatnonzero(ok):
        limit = model.gf_limit(final[c], dict(zip(names, hyper[c], strict=True)))
        if np.all(np.isfinite(limit)):
            out[c] = kernels.sharpness(np.asarray(limit, dtype=np.float64), hyper[c])
    return out


def _conserved(model):
    found = model.conserved_quantities(max_degree=2)
    return [(q, sp.lambdify(model.params, q.subs(model.hyper), "numpy")) for q in found]


def _config(model, axes, fixed, steps, tol, radius, kmax, ptol, reducers) -> dict:
    return {"model": model.name, "fingerprint": model.fingerprint(),
            "structure_hash": model.structure_hash(), "axes": {k: v.tolist() for k, v in
                                                               axes.items()},
            "fixed": fixed, "steps": steps, "tol": tol, "radius": radius, "kmax": kmax,
            "ptol": ptol, "dtype": "float64",
            "reducers": {r.name: f"{r.op}: {r.expression}" for r in reducers}}


def _attributes(model, config, conserved, reducers=()) -> dict:
    attrs = provenance(model_source=model.source, model_loss=str(model.loss))
    attrs.pop("created_utc")  # a resumed store must end byte-identical to a straight run
    attrs["sweep_config"] = json.dumps(config, sort_keys=True)
    for k, (q, _) in enumerate(conserved):
        attrs[f"drift_{k}"] = f"|Q(θ_end) − Q(θ_0)| for Q = {q}"
    for r in reducers:
        attrs[f"reducer_{r.name}"] = f"{r.op} over the steps taken of {r.expression}"
    return attrs


def sweep(model, *, steps: int = 2000, tol: float = 1e-10, radius: float = 1e6,
          store=None, resume: bool = False, chunk: int | None = None, kmax: int = 16,
          ptol: float = 1e-10, dask=None, quiet: bool = False, reducers=None,
          **values) -> xr.Dataset:
    """GD on every cell of a grid over η, start values and hyper-parameters.

    Swept names take 1-D arrays (coordinates in the order given); the others numbers.
    Per cell (same rules as :func:`~eosmath.dynamics.gd.run_gd`): ``status`` (CF flags),
    ``period``, ``stop_step``, ``final_<param>``, ``final_loss``, ``final_sharpness``,
    ``final_eos_ratio`` (η·S/2), ``max_sharpness``, ``first_unstable_step`` (S > 2/η; −1
    never), ``eos_fraction`` (steps with η·S/2 ∈ [0.95, 1.05]), ``lyapunov`` (from I − η∇²L),
    ``drift_k`` (conserved quantities of gradient flow), ``gfs_sharpness`` (sharpness of the
    gradient-flow limit from the final iterate, where the model has a closed form).

    ``reducers``: user statistics compiled into the GD loop, ``{"name": "op: expression"}``
    with op in max, min, sum, mean and an expression in the model's symbols, evaluated at every
    iterate whose step was taken (e.g. ``{"peak_xy": "max: x*y"}``); one variable each.

    ``store``: a Zarr path written chunk by chunk along the first axis; ``resume=True``
    computes only the chunks not yet written, and refuses a store made with another
    configuration. ``dask``: a ``distributed.Client`` or scheduler address; chunks become tasks.
    """
    if steps < 1:
        raise InvalidInputError("steps must be ≥ 1")
    reducers = parse_reducers(model, reducers)
    axes, fixed = split_axes(model, values)
    if not axes:
        axes = {"eta": np.array([fixed.pop("eta")])}
    first = next(iter(axes))
    n_first = len(axes[first])
    rest = int(np.prod([len(v) for k, v in axes.items() if k != first]))
    chunk = chunk or max(1, min(n_first, 2**16 // max(rest, 1)))
    starts = list(range(0, n_first, chunk))
    conserved = _conserved(model)
    config = _config(model, axes, fixed, steps, tol, radius, kmax, ptol, reducers)
    attrs = _attributes(model, config, conserved, reducers)
    args = (steps, tol, radius, kmax, ptol)

    def compute(start):
        return _chunk_dataset(model, axes, fixed, slice(start, start + chunk), *args, conserved,
                              reducers)

    if store is None:
        parts = _map_chunks(compute, starts, dask, quiet)
        ds = xr.concat(parts, dim=first) if len(parts) > 1 else parts[0]
        ds.attrs.update(attrs)
        _annotate(ds)
        return ds
    return _sweep_to_store(Path(store), compute, starts, chunk, first, attrs, resume, dask,
                           quiet)


def _annotate(ds: xr.Dataset) -> None:
    ds["status"].attrs.update(cf_attributes())
    ds["period"].attrs["long_name"] = "period k of a period-k verdict (0 otherwise)"
    ds["lyapunov"].attrs["long_name"] = "largest Lyapunov exponent (tangent map I − η∇²L)"


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


def _sweep_to_store(path, compute, starts, chunk, first, attrs, resume, dask, quiet):
    if path.exists():
        existing = xr.open_zarr(path, consolidated=False, chunks=None)
        if existing.attrs.get("sweep_config") != attrs["sweep_config"]:
            raise InvalidInputError(
                f"{path} holds a sweep with another model or configuration; choose a new --out "
                "or delete it")
        if not resume:
            raise InvalidInputError(f"{path} exists; pass resume=True (--resume) to continue it")
        done = set(existing.attrs.get("chunks_done", []))
    else:
        done = set()
    todo = [s for s in starts if s not in done]
    with Progress(len(todo), "sweep chunks", quiet=quiet) as bar:
        for s in todo:
            part = _map_chunks(compute, [s], dask, True)[0]
            _annotate(part)
            if not path.exists():
                _create_store(path, part, compute, starts, first, attrs)
            region = {first: slice(s, s + part.sizes[first])}
            part.drop_vars(list(part.coords)).to_zarr(path, region=region, consolidated=False)
            done.add(s)
            # recorded only after the chunk's data is on disk: a kill never marks half a chunk
            zarr.open_group(path, mode="r+").attrs["chunks_done"] = sorted(done)
            bar.update()
    # chunks=None: lazily loaded NumPy-backed variables; reading them needs no Dask scheduler
    return xr.open_zarr(path, consolidated=False, chunks=None)


def _create_store(path, part, compute, starts, first, attrs):
    """Lay out the full store (coordinates, dtypes, attributes) without computing any cell."""
    config = json.loads(attrs["sweep_config"])
    dims = part["status"].dims  # the sweep's axis order (the config's keys are sorted)
    coords = {k: np.asarray(config["axes"][k]) for k in dims}
    shape = tuple(len(v) for v in coords.values())
    chunk_len = part.sizes[first]
    template = xr.Dataset(
        {name: (var.dims, _empty(shape, var.dtype)) for name, var in part.data_vars.items()},
        coords=coords, attrs=attrs)
    for name, var in part.data_vars.items():
        template[name].attrs.update(var.attrs)
    encoding = {name: {"chunks": (chunk_len, *shape[1:])} for name in part.data_vars}
    template.to_zarr(path, mode="w", compute=False, encoding=encoding, consolidated=False)


def _empty(shape, dtype):
    import dask.array as da

    fill = np.nan if np.issubdtype(dtype, np.floating) else 0
    return da.full(shape, fill, dtype=dtype)


__all__ = ["sweep"]
