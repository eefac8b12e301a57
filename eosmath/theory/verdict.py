"""Results of theorem checks: what a check function returns, and the frozen Verdict."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Outcome:
    """What a check function returns: the conclusion computed from a run.

    ``recheck`` (optional) re-runs the claim at ``witness`` in mpmath at high precision; the
    harness calls it only when the check failed. It returns a :class:`Recheck`, or None when
    there is nothing to re-run (e.g. the hypothesis itself fails).
    """

    passed: bool
    measured: object
    predicted: object
    tolerance: object
    evidence: dict = field(default_factory=dict)
    witness: object = None
    recheck: Callable[[], Recheck | None] | None = None


@dataclass(frozen=True)
class Recheck:
    """The high-precision re-run of a failing witness.

    ``passed`` says whether the claim holds at ``dps`` digits: a failure in float64 that passes
    here was a floating-point artefact; one that fails here too is a real counterexample.
    """

    passed: bool
    measured: object
    dps: int
    note: str = ""

    @property
    def verdict(self) -> str:
        return "floating-point artefact" if self.passed else "confirmed counterexample"


@dataclass(frozen=True)
class Verdict:
    """Measured vs predicted for one named claim, with the evidence behind the verdict.

    ``passed`` is the float64 verdict; when it is False and the check could be re-run,
    ``recheck`` holds the high-precision outcome (see :class:`Recheck`).
    """

    name: str
    source: str
    statement: str
    passed: bool
    measured: object
    predicted: object
    tolerance: object
    evidence: dict
    witness: object
    mode: str
    seconds: float
    recheck: Recheck | None = None

    def __str__(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        text = (f"[{mark}] {self.name}: measured {_short(self.measured)}, predicted "
                f"{_short(self.predicted)}, tolerance {_short(self.tolerance)}")
        if self.recheck is not None:
            text += f" (high-precision recheck: {self.recheck.verdict})"
        return text

    def to_dict(self) -> dict:
        return {"name": self.name, "source": self.source, "statement": self.statement,
                "passed": bool(self.passed), "predicted": plain(self.predicted),
                "measured": plain(self.measured), "tolerance": plain(self.tolerance),
                "seconds": round(float(self.seconds), 4)}


def plain(value):
    """A JSON-safe copy of ``value`` (NumPy scalars/arrays → Python; non-finite floats → str)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if value is None or isinstance(value, str):
        return value
    return str(value)


def _short(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    text = str(plain(value))
    return text if len(text) <= 60 else text[:57] + "..."
