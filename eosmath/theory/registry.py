"""The registry of named theorem checks (``family.claim``) and the ``@check`` decorator.

Every check declares what kind of evidence its verdict is, so a reader of the verdict table can
tell why a pass means what it says:

- ``kind``: ``identity`` (exact algebra, checked symbolically or at high precision), ``theorem``
  (a paper's stated result), ``reconstruction`` (a statement rebuilt in spec/ because the paper's
  text was lost), ``regression`` (a number measured earlier on the same dynamics: it guards the
  code and tests no paper; never counted as a verified claim);
- ``prediction_source``: where the predicted value comes from, one of
  :data:`PREDICTION_SOURCES` optionally followed by ``": detail"``; never the run being judged;
- ``tolerance_basis``: where the tolerance comes from. One that starts with ``"calibrated"`` was
  set after a pilot run: the check must then record its calibration inputs and pass on at least
  :data:`HELD_OUT_MINIMUM` held-out inputs, which it runs too (see ``Outcome.held_out``);
- ``not_shown``: what the check does not establish;
- ``violations``: named input overrides that break the claim's hypothesis (wrong η regime,
  perturbed model, shifted start); the check must fail on each of them. An override mapping
  that is costly to build (a model) may be given as a function returning it.

The registry only stores what the family modules register when they are imported; which
modules those are, and loading them, is :mod:`eosmath.theory.families`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from eosmath.errors import EosmathError

KINDS = ("identity", "theorem", "reconstruction", "regression")
"""Kinds of evidence, in the order reports list them."""

KIND_TITLES = {"identity": "Identities (exact algebra)", "theorem": "Theorems of the papers",
               "reconstruction": "Reconstructions (statements rebuilt from the papers' lost text)",
               "regression": "Regression guards (numbers from earlier runs; not verified claims)",
               "unclassified": "Checks whose evidence is not declared"}
"""Section titles of reports, by kind (``unclassified``: not declared; a test forbids it)."""

PREDICTION_SOURCES = ("closed form", "paper formula", "independent integration", "mpmath",
                      "symbolic", "earlier run")
"""Where a prediction may come from; ``earlier run`` only for ``regression`` checks."""

HELD_OUT_MINIMUM = 3
"""Held-out inputs a calibrated check must also pass."""


class UnknownCheckError(EosmathError):
    """A check name that is not in the registry."""


@dataclass(frozen=True)
class CheckInfo:
    """One registered claim: where it comes from, what it says, and what its evidence is."""

    name: str
    source: str
    statement: str
    function: Callable
    kind: str = "unclassified"
    prediction_source: str = ""
    tolerance_basis: str = ""
    not_shown: str = ""
    violations: Mapping[str, dict | Callable[[], dict]] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def reconstruction(self) -> bool:
        return self.kind == "reconstruction"

    @property
    def calibrated(self) -> bool:
        return self.tolerance_basis.lower().startswith("calibrated")

    @property
    def verifies_a_claim(self) -> bool:
        """True unless the check is a regression guard (which tests no paper)."""
        return self.kind != "regression"

    def violation(self, label: str) -> dict:
        """The input overrides of the hypothesis violation ``label``."""
        overrides = self.violations[label]
        return dict(overrides() if callable(overrides) else overrides)

    def problems(self) -> list[str]:
        """What is missing or inconsistent in the declaration (empty when it is complete)."""
        out = []
        if self.kind not in KINDS:
            out.append(f"kind {self.kind!r} is not one of {KINDS}")
        head = self.prediction_source.split(":", 1)[0].strip()
        if head not in PREDICTION_SOURCES:
            out.append(f"prediction_source {self.prediction_source!r} does not start with one "
                       f"of {PREDICTION_SOURCES}")
        elif head == "earlier run" and self.kind != "regression":
            out.append("only a regression check may take its prediction from an earlier run")
        if not self.tolerance_basis.strip():
            out.append("tolerance_basis is empty")
        if not self.not_shown.strip():
            out.append("not_shown is empty")
        if not self.violations:
            out.append("no violations: name at least one input that breaks the hypothesis")
        elif not all(callable(v) or (isinstance(v, Mapping) and v)
                     for v in self.violations.values()):
            out.append("each violation must be a non-empty mapping of input overrides "
                       "(or a function returning one)")
        return out


_REGISTRY: dict[str, CheckInfo] = {}


def check(name: str, source: str, statement: str, *, kind: str = "unclassified",
          prediction_source: str = "", tolerance_basis: str = "", not_shown: str = "",
          violations: Mapping[str, dict | Callable[[], dict]] | None = None,
          reconstruction: bool = False):
    """Register ``function(quick: bool, **overrides) -> Outcome`` as the check ``name``.

    See the module docstring for the evidence fields. ``reconstruction=True`` is the older
    spelling of ``kind="reconstruction"``. Reconstructions get "(reconstruction)" appended to
    their statement.
    """
    if "." not in name:
        raise ValueError(f"check names are 'family.claim', got {name!r}")
    if reconstruction:
        kind = "reconstruction"

    def wrap(function: Callable) -> Callable:
        text = statement + (" (reconstruction)" if kind == "reconstruction" else "")
        _REGISTRY[name] = CheckInfo(name, source, text, function, kind=kind,
                                    prediction_source=prediction_source,
                                    tolerance_basis=tolerance_basis, not_shown=not_shown,
                                    violations=dict(violations or {}))
        return function

    return wrap


def find(name: str) -> CheckInfo:
    """The check ``name`` among those registered so far; unknown names raise with the closest
    matches (:func:`eosmath.theory.families.lookup` loads every family first)."""
    if name not in _REGISTRY:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=4, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownCheckError(f"unknown check {name!r}.{hint} "
                                f"See eosmath.checks() for the {len(_REGISTRY)} known checks.")
    return _REGISTRY[name]


def registered() -> tuple[CheckInfo, ...]:
    """The checks registered so far, sorted by name."""
    return tuple(_REGISTRY[k] for k in sorted(_REGISTRY))
