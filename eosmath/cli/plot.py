"""``eosmath plot STORE VARIABLE``: a phase diagram of a stored sweep, as a PNG.

A store whose sweep did not finish is refused unless ``--partial`` (then the cells never
computed are masked); a sweep with more than two axes needs ``--sel NAME=VALUE`` for the rest.
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("plot", help="phase diagram of a sweep stored in Zarr")
    p.add_argument("store", help="Zarr store written by `eosmath sweep`")
    p.add_argument("variable", help="e.g. status, final_sharpness, lyapunov")
    p.add_argument("--out", help="PNG file (default: STORE-VARIABLE.png)")
    p.add_argument("--sel", action="append", metavar="NAME=VALUE",
                   help="fix an axis at its value nearest VALUE (sweeps with more than 2 axes)")
    p.add_argument("--partial", action="store_true",
                   help="plot a sweep that did not finish, cells not computed left blank")
    p.set_defaults(func=run_plot)


def run_plot(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import xarray as xr

    from eosmath.dynamics import sweep_store
    from eosmath.dynamics.status import Status
    from eosmath.errors import InvalidInputError, StoreError
    from eosmath.output_paths import check_output_file
    from eosmath.plot import phase_diagram

    if not sweep_store.is_store(args.store):
        raise StoreError(f"{args.store} is not a sweep store (no zarr.json there)")
    try:
        ds = xr.open_zarr(args.store, chunks=None)
    except (FileNotFoundError, ValueError, OSError, KeyError) as err:
        raise StoreError(f"cannot open {args.store} as a sweep store ({err})") from None
    if args.variable not in ds:
        raise InvalidInputError(f"{args.variable!r} is not in the store; it has "
                                f"{sorted(ds.data_vars)}")
    da_status = ds["status"] if "status" in ds else None
    if sweep_store.COMPLETE not in ds.attrs and not args.partial:
        raise StoreError(f"{args.store} was written before eosmath recorded whether a sweep "
                         "finished (its missing cells may read as converged); if it did "
                         "finish, plot it with --partial, else run the sweep again")
    if not sweep_store.is_complete(ds):
        missing = int((da_status == int(Status.NOT_COMPUTED)).sum()) if da_status is not None \
            else "some"
        if not args.partial:
            raise StoreError(
                f"{args.store} is a partial sweep ({missing} of {ds['status'].size} cells not "
                "computed): finish it with the same `eosmath sweep` command plus --resume, or "
                "plot what is there with --partial")
        if args.variable != "status":  # the status variable shows them as not_computed
            ds[args.variable] = ds[args.variable].where(da_status != int(Status.NOT_COMPUTED))
    ds = _select(ds, args.variable, args.sel or [])
    out = args.out or f"{str(args.store).rstrip('/')}-{args.variable}.png"
    check_output_file(out, "--out")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    phase_diagram(ds, args.variable).savefig(out, dpi=120, bbox_inches="tight")
    print(f"wrote {out}")
    return 0


def _select(ds, variable, selections):
    """Fix the axes named in ``NAME=VALUE`` selections; refuse a result that is not 2-D."""
    from eosmath.errors import InvalidInputError

    for item in selections:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise InvalidInputError(f"--sel expects NAME=VALUE, got {item!r}")
        if name not in ds[variable].dims:
            raise InvalidInputError(f"--sel {name}: not an axis of {variable}; its axes are "
                                    f"{list(ds[variable].dims)}")
        try:
            number = float(value)
        except ValueError:
            raise InvalidInputError(f"--sel {name}={value}: the value is not a number") from None
        ds = ds.sel({name: number}, method="nearest")
    dims = ds[variable].dims
    if len(dims) > 2:
        extra = dims[2:]
        hint = " ".join(f"--sel {d}={float(ds[d].values[0]):g}" for d in extra)
        ranges = ", ".join(f"{d} from {float(ds[d].min()):g} to {float(ds[d].max()):g}"
                           for d in extra)
        raise InvalidInputError(f"{variable} has {len(dims)} axes {list(dims)}; a phase diagram "
                                f"shows 2: fix the others, e.g. {hint} ({ranges})")
    if len(dims) < 2:
        raise InvalidInputError(f"{variable} has {len(dims)} axis {list(dims)}; a phase "
                                "diagram needs 2 (sweep two names)")
    return ds
