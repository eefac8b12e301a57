"""``eosmath plot STORE VARIABLE``: a phase diagram of a stored sweep, as a PNG."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("plot", help="phase diagram of a sweep stored in Zarr")
    p.add_argument("store", help="Zarr store written by `eosmath sweep`")
    p.add_argument("variable", help="e.g. status, final_sharpness, lyapunov")
    p.add_argument("--out", help="PNG file (default: STORE-VARIABLE.png)")
    p.set_defaults(func=run_plot)


def run_plot(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import xarray as xr

    from eosmath.errors import InvalidInputError
    from eosmath.plot import phase_diagram

    try:
        ds = xr.open_zarr(args.store, consolidated=False)
    except (FileNotFoundError, ValueError, OSError) as err:
        raise InvalidInputError(f"cannot open {args.store} as a sweep store ({err})") from None
    if args.variable not in ds:
        raise InvalidInputError(f"{args.variable!r} is not in the store; it has "
                                f"{sorted(ds.data_vars)}")
    out = args.out or f"{str(args.store).rstrip('/')}-{args.variable}.png"
    phase_diagram(ds, args.variable).savefig(out, dpi=120, bbox_inches="tight")
    print(f"wrote {out}")
    return 0
