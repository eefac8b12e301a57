"""``eosmath sweep``: a step-size × initialisation sweep from the command line."""

from __future__ import annotations

import argparse

from eosmath.cli.common import load_model, parse_assignments
from eosmath.cli.rule_text import SYNTAX, parse_rules
from eosmath.dynamics.grid import parse_grid
from eosmath.errors import InvalidInputError


class _ModelHelp(argparse.Action):
    """``-h``/``--help`` that, after ``eosmath sweep MODEL``, also lists MODEL's axes."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser.print_help()
        spec = getattr(namespace, "model", None)
        if spec:
            from eosmath.errors import EosmathError

            try:
                settings = parse_assignments(getattr(namespace, "set", None))
                options = {k: v for k, v in settings.items()
                           if isinstance(v, str) and ":" not in v}
                print("\n" + model_axes_help(spec, _sweep_model(spec, options, {})))
            except EosmathError as err:
                parser.exit(2, f"eosmath: error: {err}\n")
        parser.exit()


def model_axes_help(spec: str, sm) -> str:
    """What ``eosmath sweep MODEL`` can sweep: η, the parameters, the hyper-parameters."""
    lines = [f"{spec}: axes of this model (each NAME=VALUE fixed or start:stop:num swept)",
             "  --eta         step size (required)"]
    lines += [f"  --{p:<11s} start value of parameter {p} (required)" for p in sm.params]
    lines += [f"  --{h:<11s} hyper-parameter (default {v:g})"
              for h, v in zip(sm.hyper_names, sm.hyper_values, strict=True)]
    if not sm.hyper_names:
        lines.append("  (no hyper-parameters)")
    return "\n".join(lines)


def register(subparsers):
    p = subparsers.add_parser(
        "sweep", help="GD on a grid of step sizes and starts; results to a Zarr store",
        add_help=False,
        description="Example: eosmath sweep product --eta 0.5:3:512 --x 0.1:2:512 --y 2 "
                    "--steps 2000 --out runs/p.zarr. Any parameter or hyper-parameter of the "
                    "model can be given as NAME=start:stop:num (swept) or NAME=value; "
                    "`eosmath sweep MODEL --help` lists them.")
    p.add_argument("-h", "--help", action=_ModelHelp,
                   help="show this help (after MODEL: also the model's axes) and exit")
    p.add_argument("model", help="catalog name or TOML model file")
    p.add_argument("--eta", required=True, help="step size: value or start:stop:num")
    p.add_argument("--out", required=True, help="Zarr store to write (a new folder)")
    p.add_argument("--steps", type=int, default=2000,
                   help="GD steps per cell at most (default 2000)")
    p.add_argument("--tol", type=float, default=1e-10, help="stop when ‖∇L‖ < tol (default 1e-10)")
    p.add_argument("--radius", type=float, default=1e6, help="divergence radius (default 1e6)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="catalog option (e.g. ell=sqrt) or hyper-parameter value or grid")
    p.add_argument("--reduce", action="append", metavar="NAME=OP:EXPR",
                   help="a per-cell statistic of your own, e.g. peak='max: x*y' "
                        "(op: max, min, sum, mean)")
    p.add_argument("--rule", action="append", metavar="RULE",
                   help=f"an update rule instead of plain GD (eosmath.rules): {SYNTAX}")
    p.add_argument("--stats", metavar="NAME,NAME",
                   help="keep only these per-cell variables (status always), e.g. "
                        "stop_step,final_loss; default: all")
    p.add_argument("--resume", action="store_true", help="continue a killed sweep")
    p.add_argument("--chunk", type=int, metavar="N",
                   help="first-axis values per chunk written (default: about 65536 cells)")
    p.add_argument("--force", action="store_true",
                   help="run even where the memory or disk estimate says it will not fit")
    p.add_argument("--dask", metavar="ADDRESS", help="run the chunks on a Dask scheduler")
    p.add_argument("--workers", type=int, help="start a local Dask cluster with N workers")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_sweep, parse_known=True)
    return p


def _stat_names(text):
    """``--stats a,b`` as ('a', 'b'); None (all) when not given."""
    if text is None:
        return None
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise InvalidInputError("--stats expects variable names separated by commas")
    return names


def run_sweep(args, extra=None) -> int:
    from eosmath.dynamics import sweep_store
    from eosmath.dynamics.stopping import check_stopping
    from eosmath.dynamics.sweep import sweep_arrays

    check_stopping(args.tol, args.radius)  # before the model is built or compiled
    rule = parse_rules(args.rule)
    settings = parse_assignments(args.set)
    options = {k: v for k, v in settings.items() if isinstance(v, str) and ":" not in v}
    values = {"eta": parse_grid(args.eta)}  # η is the first axis, as in the papers' figures
    values.update({k: parse_grid(v) for k, v in settings.items() if k not in options})
    values.update({k: parse_grid(v) for k, v in _pairs(extra or [])})
    if args.workers is not None and args.workers < 1:
        raise InvalidInputError(f"--workers must be ≥ 1, got {args.workers}")
    reducers = {}
    for item in args.reduce or []:
        name, sep, spec = item.partition("=")
        if not sep:
            raise InvalidInputError(f"--reduce expects NAME=OP:EXPR, got {item!r}")
        reducers[name.strip()] = spec
    sweep_store.check_target(args.out, args.resume)  # before a cluster or a kernel starts
    sm = _sweep_model(args.model, options, reducers)
    labels = {} if rule is None else {"labels": _rule_labels(rule, sm)}
    dask, own_cluster = args.dask, None
    try:
        if args.workers:
            from eosmath.dynamics.sweep import _distributed

            Client, LocalCluster = _distributed().Client, _distributed().LocalCluster
            own_cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1)
            dask = Client(own_cluster)
        path = sweep_arrays(sm, steps=args.steps, tol=args.tol, radius=args.radius,
                            store=args.out, resume=args.resume, dask=dask, quiet=args.quiet,
                            chunk=args.chunk, force=args.force, stats=_stat_names(args.stats),
                            rule=rule, **labels, **values)
    except KeyboardInterrupt:
        import shlex
        import sys

        again = list(getattr(args, "argv", []))
        if not sweep_store.is_store(args.out):
            print("eosmath: interrupted before the store was laid out; nothing to resume",
                  file=sys.stderr)
            return 130
        again += [] if "--resume" in again else ["--resume"]
        print(f"eosmath: interrupted; the chunks finished are saved in {args.out}; continue "
              f"with: {shlex.join(['eosmath', *again])}", file=sys.stderr)
        return 130
    finally:
        if own_cluster is not None:
            dask.close()
            own_cluster.close()
    import zarr

    from eosmath.dynamics.status import Status

    status = zarr.open_array(f"{path}/status", mode="r")[...]
    counts = {s.name.lower(): int((status == int(s)).sum()) for s in Status}
    print(f"wrote {args.out}: " + ", ".join(f"{n} {c}" for n, c in counts.items() if c))
    return 0


def _sweep_model(spec: str, options: dict, reducers: dict):
    """The model as the sweep needs it: saved by an earlier run (no SymPy), else derived."""
    from eosmath.dynamics import sweep_model

    def derive():
        model = load_model(spec, [f"{k}={v}" for k, v in options.items()])
        return sweep_model.SweepModel.from_model(model, reducers)

    saved = sweep_model.saved(spec, options, reducers,
                              load_kernels=lambda: derive().load_kernels())
    if saved is not None:
        return saved
    derived = derive()
    sweep_model.save(derived, spec, options, reducers)
    return derived


def _rule_labels(rule, sm):
    """Variable attributes relabelled for the rule's statistics (as ``eos.sweep`` writes them)."""
    from eosmath.dynamics.rule_gd import compile_rule, rule_variable_attrs
    from eosmath.dynamics.variables import variable_attrs

    compiled = compile_rule(rule, sm.params, sm.hyper_names)
    return lambda name: rule_variable_attrs(name, variable_attrs(name), compiled)


def _pairs(extra):
    """``--x 0.1:2:512 --y 2`` → [("x", "0.1:2:512"), ("y", "2")] (parameter axes by name)."""
    out, it = [], iter(extra)
    for token in it:
        if not token.startswith("--"):
            raise InvalidInputError(f"unexpected argument {token!r}; sweep axes are given as "
                                    "--NAME VALUE")
        name = token[2:]
        if "=" in name:
            name, value = name.split("=", 1)
        else:
            value = next(it, None)
            if value is None:
                raise InvalidInputError(f"--{name} needs a value")
        out.append((name, value))
    return out
