"""Name → builder registry of catalog models, with clear errors for unknown names."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from eosmath.errors import UnknownModelError


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    builder: Callable
    summary: str
    source: str


_CATALOG: dict[str, CatalogEntry] = {}


def register(name: str, summary: str, source: str):
    """Decorator: add a builder ``f(**options) -> Model`` to the catalog under ``name``."""

    def wrap(builder: Callable) -> Callable:
        _CATALOG[name] = CatalogEntry(name, builder, summary, source)
        return builder

    return wrap


def names() -> tuple[str, ...]:
    """Names of every catalog model."""
    return tuple(sorted(_CATALOG))


def _entry(name: str) -> CatalogEntry:
    if name not in _CATALOG:
        close = difflib.get_close_matches(name, list(_CATALOG), n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise UnknownModelError(f"unknown model {name!r}{hint} Known: {', '.join(names())}")
    return _CATALOG[name]


def describe(name: str) -> dict:
    """Summary, source and accepted options (with defaults) of a catalog model."""
    entry = _entry(name)
    options = {k: p.default for k, p in inspect.signature(entry.builder).parameters.items()}
    return {"name": name, "summary": entry.summary, "source": entry.source, "options": options}


def get(name: str, **options):
    """Build the catalog model ``name``; ``options`` are its hyper-parameters and variants.

    Unknown names and unknown options raise :class:`~eosmath.errors.UnknownModelError`.
    """
    entry = _entry(name)
    accepted = inspect.signature(entry.builder).parameters
    unknown = set(options) - set(accepted)
    if unknown:
        raise UnknownModelError(
            f"model {name!r} has no option {sorted(unknown)}; it accepts "
            f"{ {k: p.default for k, p in accepted.items()} }")
    return entry.builder(**options)
