"""The registry of named theorem checks (``family.claim``) and the ``@check`` decorator."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from eosmath.errors import EosmathError


class UnknownCheckError(EosmathError):
    """A check name that is not in the registry."""


@dataclass(frozen=True)
class CheckInfo:
    """One registered claim: where it comes from and what it says."""

    name: str
    source: str
    statement: str
    reconstruction: bool
    function: Callable

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]


_REGISTRY: dict[str, CheckInfo] = {}


def check(name: str, source: str, statement: str, reconstruction: bool = False):
    """Register ``function(quick: bool, **overrides) -> Outcome`` as the check ``name``.

    ``reconstruction=True`` marks claims whose formula the spec reconstructs (the paper's was
    not recovered); the statement then says so.
    """
    if "." not in name:
        raise ValueError(f"check names are 'family.claim', got {name!r}")

    def wrap(function: Callable) -> Callable:
        text = statement + (" (reconstruction)" if reconstruction else "")
        _REGISTRY[name] = CheckInfo(name, source, text, reconstruction, function)
        return function

    return wrap


def lookup(name: str) -> CheckInfo:
    """The registered check ``name``; unknown names raise with the closest matches."""
    _load_families()
    if name not in _REGISTRY:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=4, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownCheckError(f"unknown check {name!r}.{hint} "
                                f"See eosmath.checks() for the {len(_REGISTRY)} known checks.")
    return _REGISTRY[name]


def checks() -> tuple[CheckInfo, ...]:
    """Every registered check (name, source, statement), sorted by name."""
    _load_families()
    return tuple(_REGISTRY[k] for k in sorted(_REGISTRY))


def _load_families() -> None:
    # Importing the family modules fills the registry (done lazily: they import SciPy/Numba).
    from eosmath.theory import families  # noqa: F401
