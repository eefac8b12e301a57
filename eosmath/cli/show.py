"""``eosmath show MODEL``: a model's loss, gradient, Hessian, sharpness, conserved quantities
and GD-invariant subspaces (or a dynamical system's map and vector field)."""

from __future__ import annotations

from eosmath.cli.common import load_model


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "show", help="print a model's loss, gradient, Hessian, conserved quantities")
    p.add_argument("model", help="catalog name or path to a TOML model file")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="hyper-parameter/option")
    p.add_argument("--max-degree", type=int, default=4,
                   help="degree of the conserved-quantity search")
    p.set_defaults(func=run)


def run(args) -> int:
    import sympy as sp

    from eosmath.symbolic.model import Model

    m = load_model(args.model, args.set)
    if not isinstance(m, Model):
        print(m)
        for label, item in (("map", m._map), ("vector field", m._field)):
            if item is not None:
                print(f"\n{label}:\n{sp.pretty(item)}")
        return 0
    print(f"{m.name}: {m.description}\nsource: {m.source}")
    if m.hyper:
        print("hyper-parameters: " + ", ".join(f"{k} = {v:g}" for k, v in m.hyper.items()))
    print(f"\nloss:\n{sp.pretty(m.loss)}\n\ngradient:\n{sp.pretty(m.gradient())}")
    print(f"\nHessian:\n{sp.pretty(m.hessian())}")
    s = m.sharpness()
    closed = sp.pretty(s) if s is not None else "no closed form"
    print(f"\nsharpness (largest eigenvalue): {closed}")
    conserved = m.conserved_quantities(max_degree=args.max_degree)
    print("\nconserved by gradient flow: " + (", ".join(map(str, conserved)) or "none found"))
    print("GD-invariant subspaces: " + (", ".join(map(str, m.invariant_subspaces())) or "none"))
    return 0
