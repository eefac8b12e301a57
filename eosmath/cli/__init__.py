"""The ``eosmath`` command: one module per subcommand in this package.

Each command module has a ``register(subparsers)`` function (listed in
:data:`COMMAND_MODULES`); only the module of the command being run is imported, so a
command's start-up does not pay for the others and ``eosmath --help`` imports none of them.
Command modules import downwards (from :mod:`eosmath.cli.common` and the subsystems), never
from this module.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import warnings

from eosmath._version import __version__
from eosmath.errors import EosmathError

COMMAND_MODULES = {
    "models": "eosmath.cli.models",
    "show": "eosmath.cli.show",
    "reproduce": "eosmath.cli.reproduce",
    "sweep": "eosmath.cli.sweep",
    "plot": "eosmath.cli.plot",
    "train": "eosmath.cli.train",
    "derive": "eosmath.cli.derive",
    "verify": "eosmath.cli.verify",
}

COMMAND_HELP = {
    "models": "list the model catalog",
    "show": "print a model's loss, gradient, Hessian, conserved quantities",
    "reproduce": "run the main job and write the report",
    "sweep": "GD on a grid of step sizes and starts; results to a Zarr store",
    "plot": "phase diagram of a sweep stored in Zarr",
    "train": "full-batch GD on a network with sharpness tracking",
    "derive": "write the checked LaTeX derivation of a model",
    "verify": "run theorem checks (measured vs predicted)",
}
"""One line per command for ``eosmath --help``, which lists them without importing them."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command`` one of COMMAND_MODULES, that command's full parser (only its
    module is imported), every other command as a help line."""
    parser = argparse.ArgumentParser(
        prog="eosmath", description="The mathematics of gradient descent at the edge of stability.")
    parser.add_argument("--version", action="version", version=f"eosmath {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, text in COMMAND_HELP.items():
        if name == command:
            importlib.import_module(COMMAND_MODULES[name]).register(sub)
        else:  # the overview: a help line, the command's module not imported
            sub.add_parser(name, help=text, add_help=False)
    return parser


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


SIGPIPE_EXIT = 141
"""Exit status when the reader of stdout went away (``eosmath models | head``): 128 + SIGPIPE,
what a command killed by the signal reports to the shell."""


def _reader_gone() -> int:
    """stdout's reader closed the pipe: stop quietly. Later writes (the interpreter's final
    flush included) go to /dev/null, so Python prints no "Exception ignored" either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (replaced by a test harness)
        pass
    finally:
        os.close(devnull)
    return SIGPIPE_EXIT


def main(argv=None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    try:
        try:
            code = _dispatch(argv)
        except SystemExit:  # argparse's --help and usage errors: their text is flushed too
            sys.stdout.flush()
            raise
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except BrokenPipeError:
        return _reader_gone()


def _dispatch(argv) -> int:
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
