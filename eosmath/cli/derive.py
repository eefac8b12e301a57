"""``eosmath derive MODEL``: write the checked LaTeX derivation of a model.

MODEL is a catalog name (options with ``--set NAME=VALUE``, e.g. ``--set ell=sqrt``) or the
path of a TOML model file (``--set`` then changes hyper-parameter defaults). The exit code is
0 when every check passed, 1 when a check failed (the document is still written and says
which), 2 for bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

from eosmath import models
from eosmath.derivations.derive import derive
from eosmath.derivations.pdf import build_pdf
from eosmath.errors import EosmathError, InvalidInputError


def _value(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_settings(pairs) -> dict:
    """["a=2", "ell=sqrt"] → {"a": 2, "ell": "sqrt"}; a malformed pair is refused."""
    out = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InvalidInputError(f"--set expects NAME=VALUE, got {pair!r}")
        out[name.strip()] = _value(value.strip())
    return out


def load_model(spec: str, settings: dict):
    """A catalog model (``spec`` a name) or a TOML model file (``spec`` a path)."""
    from eosmath.symbolic.model import Model

    path = Path(spec)
    if spec.endswith(".toml") or path.exists():
        model = Model.from_file(path)
        return model.with_hyper(**settings) if settings else model
    return models.get(spec, **settings)


def run(args) -> int:
    try:
        model = load_model(args.model, parse_settings(args.set))
        d = derive(model)
        text = d.to_latex(standalone=not args.fragment)
        if args.out:
            out = Path(args.out)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text)
        else:
            out = None
            sys.stdout.write(text)
        if args.pdf:
            if out is None or args.fragment:
                raise InvalidInputError("--pdf needs --out FILE.tex and a standalone document")
            print(f"wrote {build_pdf(out)}", file=sys.stderr)
    except EosmathError as err:
        print(f"eosmath derive: error: {err}", file=sys.stderr)
        return 2
    if out is not None:
        print(f"wrote {out}", file=sys.stderr)
    for check in d.failed_checks:
        print(f"eosmath derive: CHECK FAILED: {check.claim} {check.detail}", file=sys.stderr)
    return 0 if d.verified else 1


def register(subparsers) -> None:
    """Add the ``derive`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser("derive", help="write the checked LaTeX derivation of a model",
                              description=__doc__.splitlines()[0].replace("``", ""))
    p.add_argument("model", help="catalog name (see eosmath.models.names()) or a .toml file")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", default=[],
                   help="catalog option or hyper-parameter value (repeatable)")
    p.add_argument("--out", metavar="FILE.tex", help="write here instead of standard output")
    p.add_argument("--pdf", action="store_true", help="also compile FILE.pdf with pdflatex")
    p.add_argument("--fragment", action="store_true",
                   help="no preamble: a fragment for \\input (needs amsmath in the host)")
    p.set_defaults(func=run)
