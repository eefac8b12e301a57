"""The ``eosmath`` command.

Subcommands living in other subsystems register themselves through a ``register(subparsers)``
function in their own module (listed in :data:`COMMAND_MODULES`). Only the module of the
command being run is imported: a subcommand's start-up does not pay for the others.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import re
import sys
import warnings

import eosmath
from eosmath.errors import EosmathError

COMMAND_MODULES = {
    "sweep": "eosmath.dynamics.cli",
    "plot": "eosmath.dynamics.plot_cli",
    "train": "eosmath.nn.cli",
    "derive": "eosmath.report.derive_cli",
    "verify": "eosmath.theory.cli",
}

COMMAND_HELP = {
    "sweep": "GD on a grid of step sizes and starts; results to a Zarr store",
    "plot": "phase diagram of a sweep stored in Zarr",
    "train": "full-batch GD on a network with sharpness tracking",
    "derive": "write the checked LaTeX derivation of a model",
    "verify": "run theorem checks (measured vs predicted)",
}
"""One line per command for ``eosmath --help``, which lists them without importing them."""


def parse_assignments(pairs) -> dict:
    """``["a=4", "ell=sqrt"]`` → ``{"a": 4.0, "ell": "sqrt"}`` (numbers where they parse)."""
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise EosmathError(f"expected NAME=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        try:
            out[key.strip()] = int(value) if value.strip().lstrip("-").isdigit() else float(value)
        except ValueError:
            out[key.strip()] = value.strip()
    return out


def load_model(spec: str, settings=None):
    """A catalog name (with options) or a path to a TOML model file."""
    from pathlib import Path

    settings = parse_assignments(settings)
    if spec.endswith(".toml") or Path(spec).is_file():
        model = eosmath.Model.from_file(spec)
        numeric = {k: v for k, v in settings.items() if isinstance(v, (int, float))}
        return model.with_hyper(**numeric) if numeric else model
    return eosmath.models.get(spec, **settings)


def cmd_models(args) -> int:
    from eosmath.models import describe, names

    for name in names():
        info = describe(name)
        options = ", ".join(f"{k}={v!r}" for k, v in info["options"].items())
        print(f"{name:28s} {info['summary']}")
        if options:
            print(f"{'':28s}   options: {options}")
        print(f"{'':28s}   source: {info['source']}")
    return 0


def cmd_show(args) -> int:
    import sympy as sp

    m = load_model(args.model, args.set)
    if not isinstance(m, eosmath.Model):
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


def cmd_reproduce(args) -> int:
    from eosmath.report.reproduce import run_report

    ok = run_report(args.out, full=args.full, quiet=args.quiet)
    print(f"report written to {args.out}/index.md" + ("" if ok else " (some sections FAILED)"))
    return 0 if ok else 1


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command`` one of COMMAND_MODULES, that command's full parser (only its
    module is imported), otherwise every command as a help line (``eosmath --help``)."""
    parser = argparse.ArgumentParser(
        prog="eosmath", description="The mathematics of gradient descent at the edge of stability.")
    parser.add_argument("--version", action="version", version=f"eosmath {eosmath.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("models", help="list the model catalog")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("show", help="print a model's loss, gradient, Hessian, conserved quantities")
    p.add_argument("model", help="catalog name or path to a TOML model file")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="hyper-parameter/option")
    p.add_argument("--max-degree", type=int, default=4,
                   help="degree of the conserved-quantity search")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("reproduce", help="run the main job and write the report")
    p.add_argument("--out", default="report", help="output folder (default: report)")
    p.add_argument("--full", action="store_true", help="the papers' sizes where the machine allows")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_reproduce)

    if command in COMMAND_MODULES:
        if _module_exists(COMMAND_MODULES[command]):
            importlib.import_module(COMMAND_MODULES[command]).register(sub)
    else:  # the overview only: each command's help line, none of their modules imported
        for name, text in COMMAND_HELP.items():
            sub.add_parser(name, help=text, add_help=False)
    return parser


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent package is absent too
        return False


NEGATIVE_VALUE = re.compile(r"^-\.?\d")  # -1, -1:2:8, -.5, -1e-3: a value, not an option


def join_negative_values(argv: list[str]) -> list[str]:
    """``["--eta", "-1:2:8"]`` → ``["--eta=-1:2:8"]``: argparse takes a value that starts
    with ``-`` for an option unless it is a plain number.

    >>> join_negative_values(["sweep", "m", "--eta", "-1:2:8", "--x", "2"])
    ['sweep', 'm', '--eta=-1:2:8', '--x', '2']
    """
    out = []
    for token in argv:
        if (out and NEGATIVE_VALUE.match(token) and out[-1].startswith("--")
                and "=" not in out[-1]):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _one_line_warning(message, category, filename, lineno, line=None) -> str:
    return f"eosmath: warning: {message}\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    argv = join_negative_values(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command)
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "parse_known", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    args.argv = argv  # to print the command again (e.g. with --resume after an interrupt)
    formatwarning = warnings.formatwarning
    warnings.formatwarning = _one_line_warning
    try:
        if getattr(args, "parse_known", False):
            return int(args.func(args, extra) or 0)
        return int(args.func(args) or 0)
    except EosmathError as err:
        print(f"eosmath: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("eosmath: interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.formatwarning = formatwarning


if __name__ == "__main__":
    sys.exit(main())
