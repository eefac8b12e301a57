"""``eosmath models``: list the model catalog with options and sources."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("models", help="list the model catalog")
    p.set_defaults(func=run)


def run(args) -> int:
    from eosmath.models import describe, names

    for name in names():
        info = describe(name)
        options = ", ".join(f"{k}={v!r}" for k, v in info["options"].items())
        print(f"{name:28s} {info['summary']}")
        if options:
            print(f"{'':28s}   options: {options}")
        print(f"{'':28s}   source: {info['source']}")
    return 0
