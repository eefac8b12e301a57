"""Results of theorem checks: what a check function returns, and the frozen Verdict.

A check states each number it compares as a :class:`Comparison`, so the harness (not the check)
decides whether measured and predicted agree, and a test can show that moving the prediction
by twice the tolerance turns the verdict:

>>> c = Comparison("period", measured=2.0000000001, predicted=2.0, tolerance=1e-9)
>>> c.passed, c.perturbed().passed
(True, False)
>>> Comparison("gap", measured=0.3, predicted=0.5, tolerance=0.0, sense="<=").passed
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

SENSES = ("==", "<=", ">=")


@dataclass(frozen=True)
class Comparison:
    """One measured number against its prediction.

    ``sense`` ``"=="``: |measured − predicted| ≤ tolerance; ``"<="``: measured ≤ predicted +
    tolerance (the prediction is an upper bound); ``">="``: measured ≥ predicted − tolerance.
    ``relative=True`` scales the tolerance by |predicted|. A non-finite measured value fails.
    """

    quantity: str
    measured: float
    predicted: float
    tolerance: float
    relative: bool = False
    sense: str = "=="

    def __post_init__(self):
        if self.sense not in SENSES:
            raise ValueError(f"sense must be one of {SENSES}, got {self.sense!r}")
        if not (float(self.tolerance) >= 0):
            raise ValueError(f"tolerance of {self.quantity!r} must be ≥ 0, got {self.tolerance}")

    @property
    def absolute_tolerance(self) -> float:
        tol = float(self.tolerance)
        return tol * abs(float(self.predicted)) if self.relative else tol

    @property
    def passed(self) -> bool:
        m, p, tol = float(self.measured), float(self.predicted), self.absolute_tolerance
        if not (math.isfinite(m) and math.isfinite(p)):
            return False
        if self.sense == "==":
            return abs(m - p) <= tol
        if self.sense == "<=":
            return m <= p + tol
        return m >= p - tol

    def perturbed(self, factor: float = 2.0) -> Comparison:
        """The same comparison with the prediction moved by ``factor`` tolerances towards
        failing (away from the measured value; a bound is tightened). A zero tolerance moves
        it by 1e-9 relative. For ``"=="`` the result always fails when ``factor`` > 1."""
        m, p = float(self.measured), float(self.predicted)
        step = factor * self.absolute_tolerance or 1e-9 * max(1.0, abs(p))
        if self.sense == "==":
            p = p + step if p >= m else p - step
        else:
            p = p - step if self.sense == "<=" else p + step
        return Comparison(self.quantity, m, p, self.absolute_tolerance, False, self.sense)

    def to_dict(self) -> dict:
        return {"quantity": self.quantity, "measured": plain(self.measured),
                "predicted": plain(self.predicted), "tolerance": plain(self.tolerance),
                "relative": self.relative, "sense": self.sense, "passed": self.passed}


@dataclass(frozen=True)
class HeldOut:
    """A calibrated check's run on an input it was not calibrated on."""

    inputs: dict
    passed: bool
    measured: object = None

    def to_dict(self) -> dict:
        return {"inputs": plain(self.inputs), "passed": bool(self.passed),
                "measured": plain(self.measured)}


@dataclass
class Outcome:
    """What a check function returns: the conclusion computed from a run.

    ``recheck`` (optional) re-runs the claim at ``witness`` in mpmath at high precision; the
    harness calls it only when the check failed. It returns a :class:`Recheck`, or None when
    there is nothing to re-run (e.g. the hypothesis itself fails).

    ``comparisons`` are the numbers compared (the harness fails the verdict if any of them
    fails, whatever ``passed`` says). A check whose tolerance is calibrated records its
    ``calibration_inputs`` and its runs on ``held_out`` inputs.
    """

    passed: bool
    measured: object
    predicted: object
    tolerance: object
    evidence: dict = field(default_factory=dict)
    witness: object = None
    recheck: Callable[[], Recheck | None] | None = None
    comparisons: tuple[Comparison, ...] = ()
    held_out: tuple[HeldOut, ...] = ()
    calibration_inputs: object = None


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
    kind: str = "unclassified"
    prediction_source: str = ""
    tolerance_basis: str = ""
    not_shown: str = ""
    comparisons: tuple[Comparison, ...] = ()
    held_out: tuple[HeldOut, ...] = ()
    calibration_inputs: object = None

    def __str__(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        text = (f"[{mark}] {self.name}: measured {_short(self.measured)}, predicted "
                f"{_short(self.predicted)}, tolerance {_short(self.tolerance)}")
        if self.recheck is not None:
            text += f" (high-precision recheck: {self.recheck.verdict})"
        return text

    def to_dict(self) -> dict:
        out = {"name": self.name, "kind": self.kind, "source": self.source,
               "statement": self.statement, "prediction_source": self.prediction_source,
               "tolerance_basis": self.tolerance_basis, "not_shown": self.not_shown,
               "passed": bool(self.passed), "predicted": plain(self.predicted),
               "measured": plain(self.measured), "tolerance": plain(self.tolerance),
               "comparisons": [c.to_dict() for c in self.comparisons],
               "seconds": round(float(self.seconds), 4)}
        if self.calibration_inputs is not None or self.held_out:
            out["calibration_inputs"] = plain(self.calibration_inputs)
            out["held_out"] = [h.to_dict() for h in self.held_out]
        if self.recheck is not None:
            out["recheck"] = {"passed": self.recheck.passed, "dps": self.recheck.dps,
                              "verdict": self.recheck.verdict}
        return out


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
