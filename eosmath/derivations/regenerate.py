"""Write ``derivations/<name>.tex`` for every catalog model; ``--check`` compares instead.

    python -m eosmath.derivations.regenerate            # rewrite derivations/
    python -m eosmath.derivations.regenerate --check    # exit 1, listing files that differ

The product model gets one document per loss ℓ. Output is deterministic (no timestamps, sorted
items), so CI can diff it. A document with a failed check is refused, not written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eosmath import models
from eosmath.derivations.derive import default_slug, derive
from eosmath.errors import EosmathError

DEFAULT_FOLDER = Path("derivations")  # relative to the working directory (the repository root)


def catalog_variants() -> list[tuple[str, dict]]:
    """(catalog name, options) for every document: each model once, product once per ℓ."""
    from eosmath.models.product import LOSSES

    out = []
    for name in models.names():
        if name == "product":
            out += [(name, {"ell": ell}) for ell in sorted(LOSSES)]
        else:
            out.append((name, {}))
    return out


def render_all() -> dict[str, str]:
    """File name → LaTeX text of every catalog derivation."""
    texts = {}
    for name, options in catalog_variants():
        model = models.get(name, **options)
        d = derive(model)
        if not d.verified:
            failed = "; ".join(f"{c.claim} ({c.detail})" for c in d.failed_checks)
            raise EosmathError(f"derivation of {default_slug(model)} has failed checks: {failed}")
        texts[f"{d.slug}.tex"] = d.to_latex()
    return texts


def regenerate(folder=DEFAULT_FOLDER, check: bool = False) -> list[str]:
    """Write (or with ``check`` only compare) every document; return the names that differ.

    Files in ``folder`` that no catalog model produces count as differing under ``check``.
    """
    folder = Path(folder)
    texts = render_all()
    differ = []
    for filename, content in sorted(texts.items()):
        path = folder / filename
        current = path.read_text() if path.exists() else None
        if current != content:
            differ.append(filename)
            if not check:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(content)
    if check and folder.exists():
        differ += sorted(p.name for p in folder.glob("*.tex") if p.name not in texts)
    return differ


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eosmath.derivations.regenerate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if any file differs from what is generated")
    parser.add_argument("--folder", default=str(DEFAULT_FOLDER), help="default: ./derivations")
    args = parser.parse_args(argv)
    try:
        differ = regenerate(args.folder, check=args.check)
    except EosmathError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.check and differ:
        print("derivations out of date (run python -m eosmath.derivations.regenerate):",
              file=sys.stderr)
        for name in differ:
            print(f"  {name}", file=sys.stderr)
        return 1
    verb = "would change" if args.check else "written"
    print(f"{len(differ)} file(s) {verb}" + (": " + ", ".join(differ) if differ else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
