"""Name → builder registry of catalog models, with clear errors for unknown names.

Two tables. The catalog proper (:func:`names`, :func:`get`) holds SymPy
:class:`~eosmath.symbolic.model.Model` objects: derivations, every backend, sweeps. Models
that cannot be symbolic without an approximation (an expectation with no closed form, a
network on a data set) are registered beside it as **numeric models** (:func:`numeric_names`,
:func:`numeric`), with the same summary and source and the reason they are not symbolic;
:func:`describe` answers for both.

>>> "threshold_mean_model" in numeric_names(), describe("threshold_mean_model")["symbolic"]
(True, False)
>>> get("threshold_mean_model")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
eosmath.errors.UnknownModelError: 'threshold_mean_model' is a numeric model, not a SymPy one ...
"""

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


@dataclass(frozen=True)
class NumericEntry:
    """A numeric model: ``target`` is "module:callable", imported only when it is built."""

    name: str
    target: str
    summary: str
    source: str
    why_not_symbolic: str

    def builder(self) -> Callable:
        import importlib

        module, attr = self.target.split(":")
        return getattr(importlib.import_module(module), attr)


_NUMERIC: dict[str, NumericEntry] = {}


def register_numeric(name: str, target: str, summary: str, source: str,
                     why_not_symbolic: str) -> None:
    """Add a numeric model built by ``target`` ("module:callable", imported lazily)."""
    _NUMERIC[name] = NumericEntry(name, target, summary, source, why_not_symbolic)


def numeric_names() -> tuple[str, ...]:
    """Names of every numeric model (not SymPy: see the module docstring)."""
    return tuple(sorted(_NUMERIC))


def numeric(name: str, **options):
    """Build the numeric model ``name`` with ``options`` (see :func:`describe`)."""
    if name not in _NUMERIC:
        close = difflib.get_close_matches(name, list(_NUMERIC) + list(_CATALOG), n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise UnknownModelError(f"unknown numeric model {name!r}{hint} Known: "
                                f"{', '.join(numeric_names())}")
    builder = _NUMERIC[name].builder()
    accepted = inspect.signature(builder).parameters
    unknown = set(options) - set(accepted)
    if unknown:
        raise UnknownModelError(
            f"model {name!r} has no option {sorted(unknown)}; it accepts "
            f"{ {k: p.default for k, p in accepted.items()} }")
    return builder(**options)


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
    if name in _NUMERIC:
        raise UnknownModelError(f"{name!r} is a numeric model, not a SymPy one "
                                f"({_NUMERIC[name].why_not_symbolic}); build it with "
                                f"eos.models.numeric({name!r}, ...)")
    if name not in _CATALOG:
        close = difflib.get_close_matches(name, list(_CATALOG), n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise UnknownModelError(f"unknown model {name!r}{hint} Known: {', '.join(names())}")
    return _CATALOG[name]


def describe(name: str) -> dict:
    """Summary, source and accepted options (with defaults) of a catalog or numeric model;
    ``symbolic`` says which (a numeric model adds ``why_not_symbolic``)."""
    if name in _NUMERIC:
        entry = _NUMERIC[name]
        params = inspect.signature(entry.builder()).parameters
        return {"name": name, "summary": entry.summary, "source": entry.source,
                "options": {k: p.default for k, p in params.items()}, "symbolic": False,
                "why_not_symbolic": entry.why_not_symbolic}
    entry = _entry(name)
    options = {k: p.default for k, p in inspect.signature(entry.builder).parameters.items()}
    return {"name": name, "summary": entry.summary, "source": entry.source, "options": options,
            "symbolic": True}


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
