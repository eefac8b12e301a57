"""``eosmath reproduce``: run the main job (catalog, sweeps, every theorem check) and write the
report (``index.md``, figures, derivations, the PDF where TeX is installed)."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("reproduce", help="run the main job and write the report")
    p.add_argument("--out", default="report", help="output folder (default: report)")
    p.add_argument("--full", action="store_true", help="the papers' sizes where the machine allows")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run)


def run(args) -> int:
    from eosmath.report.reproduce import run_report

    ok = run_report(args.out, full=args.full, quiet=args.quiet)
    print(f"report written to {args.out}/index.md" + ("" if ok else " (some sections FAILED)"))
    return 0 if ok else 1
