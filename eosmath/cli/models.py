"""``eosmath models [NAME]``: list the model catalog (SymPy models, then the numeric models
beside it), or describe one model: summary, kind, options, reference."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("models", help="list the model catalog")
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="describe this model only (a SymPy or a numeric model)")
    p.set_defaults(func=run)


def run(args) -> int:
    from eosmath.models import describe, names, numeric_names

    if args.name:
        known = [*names(), *numeric_names()]
        if args.name not in known:
            import difflib

            from eosmath.errors import UnknownModelError

            close = difflib.get_close_matches(args.name, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownModelError(f"unknown model {args.name!r}{hint} Known: "
                                    f"{', '.join(names())}; numeric: {', '.join(numeric_names())}")
        print(_describe(describe(args.name)))
        return 0
    for name in names():
        _summary_lines(describe(name))
    print("\nnumeric models (evaluated numerically, no SymPy form; "
          "build with eos.models.numeric(NAME)):")
    for name in numeric_names():
        _summary_lines(describe(name))
    return 0


def _kind(info: dict) -> str:
    return "SymPy" if info["symbolic"] else "numeric"


def _summary_lines(info: dict) -> None:
    options = ", ".join(f"{k}={v!r}" for k, v in info["options"].items())
    marker = "" if info["symbolic"] else "[numeric] "
    print(f"{info['name']:28s} {marker}{info['summary']}")
    if options:
        print(f"{'':28s}   options: {options}")
    print(f"{'':28s}   source: {info['source']}")


def _describe(info: dict) -> str:
    lines = [f"{info['name']} ({_kind(info)} model): {info['summary']}",
             f"source: {info['source']}"]
    options = ", ".join(f"{k}={v!r}" for k, v in info["options"].items())
    lines.append(f"options: {options or 'none'}")
    if info["symbolic"]:
        lines.append(f"build: eos.models.get({info['name']!r}, ...); "
                     f"eosmath show {info['name']} prints its derived objects")
    else:
        lines.append(f"why not symbolic: {info['why_not_symbolic']}")
        lines.append(f"build: eos.models.numeric({info['name']!r}, ...)")
    return "\n".join(lines)
