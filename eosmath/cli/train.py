"""The ``eosmath train`` subcommand (hooked into the main CLI by :func:`register`).

    eosmath train --data chebyshev --arch 1-100-1 --act tanh --eta 0.01 --steps 3000 \\
        --out runs/cheb.nc
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from eosmath.cli.rule_text import SYNTAX, parse_rules
from eosmath.errors import EosmathError, InvalidInputError
from eosmath.nn import datasets
from eosmath.nn.mlp import MLP
from eosmath.nn.objective import Objective
from eosmath.nn.training import train_gd

DATA = {
    "chebyshev": lambda a: datasets.chebyshev(degree=a.degree, n=a.n or 20),
    "orthogonal": lambda a: datasets.orthogonal(n=a.n or 6, seed=a.seed),
    "sparse_coding": lambda a: datasets.sparse_coding(n=a.n or 300, seed=a.seed),
    "two_feature_gaussian": lambda a: datasets.two_feature_gaussian(n=a.n or 1000, seed=a.seed),
    "digits": lambda a: datasets.digits(n=a.n or 500),
    "digits2": lambda a: datasets.digits(n=a.n or 300, two_class=True),
    "cifar10": lambda a: datasets.cifar10(a.data_path, n=a.n or 5000),
}


def parse_arch(text: str) -> list[int]:
    """'1-100-1' → [1, 100, 1]."""
    try:
        sizes = [int(part) for part in text.split("-")]
    except ValueError:
        raise InvalidInputError(f"--arch must look like 1-100-1, got {text!r}") from None
    if len(sizes) < 2:
        raise InvalidInputError(f"--arch needs at least input and output sizes, got {text!r}")
    return sizes


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``train`` to an argparse subparsers object."""
    p = subparsers.add_parser("train", help="full-batch GD on a network with sharpness tracking")
    p.add_argument("--data", choices=sorted(DATA), default="chebyshev")
    p.add_argument("--data-path", default=None, help="CIFAR-10 directory (python pickles)")
    p.add_argument("--n", type=int, default=None, help="number of examples")
    p.add_argument("--degree", type=int, default=3, help="Chebyshev degree")
    p.add_argument("--arch", default="1-100-1", help="layer sizes, e.g. 1-100-1")
    p.add_argument("--act", default="tanh")
    p.add_argument("--loss", default="mse")
    p.add_argument("--no-output-bias", action="store_true",
                   help="no bias on the last layer (default for --data chebyshev, as in Cohen)")
    p.add_argument("--init", default=None, help="xavier or chebyshev (default per data set)")
    p.add_argument("--eta", type=float, required=True, help="step size (> 0)")
    p.add_argument("--steps", type=int, default=1000, help="GD steps (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sharpness-every", type=int, default=20)
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument("--method", choices=["lanczos", "lobpcg"], default="lanczos")
    p.add_argument("--flow-baseline", action="store_true")
    p.add_argument("--rule", action="append", metavar="RULE",
                   help="an update rule instead of plain GD (eosmath.rules; for a network "
                        "heavy_ball, nesterov, rmsprop, adam): " + SYNTAX)
    p.add_argument("--lr-decay-at", type=int, default=None, help="η → η/4 from this step")
    p.add_argument("--loss-goal", type=float, default=None)
    p.add_argument("--acc-goal", type=float, default=None)
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--out", required=True, help="result file (.nc NetCDF or .npz)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run_train)
    return p


def run_train(args) -> int:
    """Run one training from parsed arguments; 0 on success (even if diverged), 2 on bad input."""
    import sys
    from pathlib import Path

    from eosmath.nn.lr_schedules import step_decay
    from eosmath.output_paths import check_output_file

    try:
        check_output_file(args.out, "--out")  # before training: a run is not lost at the end
        if Path(args.out).suffix not in (".nc", ".npz"):
            raise InvalidInputError(f"--out {args.out}: the result is written as NetCDF (.nc) or "
                                    "NumPy (.npz); give one of those suffixes")
        if args.data == "cifar10" and not args.data_path:
            raise InvalidInputError("--data cifar10 needs --data-path DIR, the folder of the "
                                    "CIFAR-10 python batches (data_batch_1, ...)")
        rule = parse_rules(args.rule)  # before the data are read
        data = DATA[args.data](args)
        sizes = parse_arch(args.arch)
        cohen = args.data == "chebyshev"
        bias = [True] * (len(sizes) - 2) + [not (args.no_output_bias or cohen)]
        net = MLP(sizes, activation=args.act, bias=bias)
        obj = Objective(net, data, loss=args.loss)
        scheme = args.init or ("chebyshev" if cohen else "xavier")
        theta = net.init(seed=args.seed, scheme=scheme, dtype=np.dtype(args.dtype))
        schedule = step_decay(args.lr_decay_at) if args.lr_decay_at is not None else None
        run = train_gd(obj, theta, eta=args.eta, steps=args.steps,
                       sharpness_every=args.sharpness_every, top_k=args.top_k,
                       flow_baseline=args.flow_baseline, lr_schedule=schedule,
                       loss_goal=args.loss_goal, acc_goal=args.acc_goal, quiet=args.quiet,
                       method=args.method, seed=args.seed, rule=rule)
    except EosmathError as error:
        print(f"eosmath train: error: {error}", file=sys.stderr)
        return 2
    try:
        path = run.save(args.out)
    except OSError as err:  # the folder checked above went away during training
        try:
            kept = f"; the run is saved in {run.save(f'eosmath-train-{os.getpid()}.nc')}"
        except OSError:
            kept = ""
        print(f"eosmath train: error: cannot write {args.out} ({err.strerror or err}){kept}",
              file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"{run.status} after {run.steps_done} steps: loss {run.loss[-1]:.6g}, "
              f"sharpness {run.sharpness[-1]:.6g} (2/η = {2 / args.eta:.6g}) → {path}")
    return 0
