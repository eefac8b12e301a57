"""``eosmath sweep``: a step-size × initialisation sweep from the command line."""

from __future__ import annotations

import argparse

from eosmath.dynamics.grid import parse_grid
from eosmath.errors import InvalidInputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help="GD on a grid of step sizes and starts; results to a Zarr store",
        description="Example: eosmath sweep product --eta 0.5:3:512 --x 0.1:2:512 --y 2 "
                    "--steps 2000 --out runs/p.zarr. Any parameter or hyper-parameter of the "
                    "model can be given as NAME=start:stop:num (swept) or NAME=value.")
    p.add_argument("model", help="catalog name or TOML model file")
    p.add_argument("--eta", required=True, help="step size: value or start:stop:num")
    p.add_argument("--out", required=True, help="Zarr store to write")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--tol", type=float, default=1e-10, help="stop when ‖∇L‖ < tol (default 1e-10)")
    p.add_argument("--radius", type=float, default=1e6, help="divergence radius (default 1e6)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="catalog option (e.g. ell=sqrt) or hyper-parameter value or grid")
    p.add_argument("--reduce", action="append", metavar="NAME=OP:EXPR",
                   help="a per-cell statistic of your own, e.g. peak='max: x*y' "
                        "(op: max, min, sum, mean)")
    p.add_argument("--resume", action="store_true", help="continue a killed sweep")
    p.add_argument("--dask", metavar="ADDRESS", help="run the chunks on a Dask scheduler")
    p.add_argument("--workers", type=int, help="start a local Dask cluster with N workers")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run_sweep, parse_known=True)


def run_sweep(args, extra=None) -> int:
    from eosmath.cli import parse_assignments
    from eosmath.dynamics.stopping import check_stopping
    from eosmath.dynamics.sweep import sweep_arrays

    check_stopping(args.tol, args.radius)  # before the model is built or compiled
    settings = parse_assignments(args.set)
    options = {k: v for k, v in settings.items() if isinstance(v, str) and ":" not in v}
    values = {"eta": parse_grid(args.eta)}  # η is the first axis, as in the papers' figures
    values.update({k: parse_grid(v) for k, v in settings.items() if k not in options})
    values.update({k: parse_grid(v) for k, v in _pairs(extra or [])})
    dask, own_cluster = args.dask, None
    if args.workers:
        from distributed import Client, LocalCluster

        own_cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1)
        dask = Client(own_cluster)
    reducers = {}
    for item in args.reduce or []:
        name, sep, spec = item.partition("=")
        if not sep:
            raise InvalidInputError(f"--reduce expects NAME=OP:EXPR, got {item!r}")
        reducers[name.strip()] = spec
    sm = _sweep_model(args.model, options, reducers)
    try:
        path = sweep_arrays(sm, steps=args.steps, tol=args.tol, radius=args.radius,
                            store=args.out, resume=args.resume, dask=dask, quiet=args.quiet,
                            **values)
    finally:
        if own_cluster is not None:
            dask.close()
            own_cluster.close()
    from eosmath.dynamics import zarr_v3
    from eosmath.dynamics.status import Status

    status = zarr_v3.read_array(path, "status")
    counts = {s.name.lower(): int((status == int(s)).sum()) for s in Status}
    print(f"wrote {args.out}: " + ", ".join(f"{n} {c}" for n, c in counts.items() if c))
    return 0


def _sweep_model(spec: str, options: dict, reducers: dict):
    """The model as the sweep needs it: saved by an earlier run (no SymPy), else derived."""
    from eosmath.dynamics import sweep_model

    def derive():
        from eosmath.cli import load_model

        model = load_model(spec, [f"{k}={v}" for k, v in options.items()])
        return sweep_model.SweepModel.from_model(model, reducers)

    saved = sweep_model.saved(spec, options, reducers,
                              load_kernels=lambda: derive().load_kernels())
    if saved is not None:
        return saved
    derived = derive()
    sweep_model.save(derived, spec, options, reducers)
    return derived


def _pairs(extra):
    """``--x 0.1:2:512 --y 2`` → [("x", "0.1:2:512"), ("y", "2")] (parameter axes by name)."""
    out, it = [], iter(extra)
    for token in it:
        if not token.startswith("--"):
            raise argparse.ArgumentTypeError(f"unexpected argument {token!r}")
        name = token[2:]
        if "=" in name:
            name, value = name.split("=", 1)
        else:
            value = next(it, None)
            if value is None:
                raise argparse.ArgumentTypeError(f"--{name} needs a value")
        out.append((name, value))
    return out
