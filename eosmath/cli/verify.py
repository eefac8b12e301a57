"""``eosmath verify [NAME ...] [--all] [--full] [--json FILE]``: run theorem checks.

Exit code 0 when every selected check passes, 1 otherwise.
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("verify", help="run theorem checks (measured vs predicted)")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="check names (family.claim) or family names; none with --all")
    p.add_argument("--all", action="store_true", help="run every registered check")
    p.add_argument("--full", action="store_true", help="the papers' sizes (slower)")
    p.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    p.add_argument("--list", action="store_true", help="list the checks and exit")
    p.set_defaults(func=run)


def run(args) -> int:
    from eosmath.theory.families import checks
    from eosmath.theory.harness import verify_all

    if args.list or (not args.names and not args.all):
        for info in checks():
            print(f"{info.name:45s} [{info.kind}] {info.statement}\n"
                  f"{'':45s} source: {info.source}")
        return 0
    if args.json:  # checked before the checks run, not after
        from eosmath.output_paths import check_output_file

        check_output_file(args.json, "--json")
    report = verify_all(quick=not args.full, names=None if args.all else args.names, quiet=False)
    print(report.table())
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.to_json() + "\n", encoding="utf-8")
    return 0 if report.passed else 1
