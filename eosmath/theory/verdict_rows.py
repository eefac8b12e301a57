"""The numbers of a verdict as table rows: one row per compared quantity, each printed to the
digits that show its agreement. The terminal table (``eosmath verify``), the report's markdown
and its PDF all lay out these rows, so they show the same numbers.

A check's numbers come as its :class:`~eosmath.theory.verdict.Comparison` list, or else as
dicts of predicted/measured values keyed by quantity, or as single values:

>>> check = {"comparisons": [{"quantity": "period", "predicted": 2.0,
...                           "measured": 2.0000000001, "tolerance": 1e-9}]}
>>> row, = quantity_rows(check)
>>> format_number(row.measured, row.digits), format_number(row.tolerance, 3)
('2.0000000001', '1e-09')
>>> [r.quantity for r in quantity_rows({"predicted": {"a": 1, "b": 2}, "measured": {"b": 2.5}})]
['a', 'b']
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_DIGITS = 6
"""Significant digits of a value whose tolerance asks for no more (or is zero or unknown)."""

TOLERANCE_DIGITS = 3


@dataclass(frozen=True)
class QuantityRow:
    """One compared quantity. ``sense`` says how measured is judged against predicted
    ("==", or "<=" / ">=" when the prediction is a bound); ``passed`` is None when the check
    did not judge quantities one by one."""

    quantity: str
    predicted: object
    measured: object
    tolerance: object
    sense: str = "=="
    relative: bool = False
    passed: bool | None = None

    @property
    def digits(self) -> int:
        """Significant digits for predicted and measured: enough that their difference, or
        one tolerance if that is larger, shows in the last two digits printed; at least
        MIN_DIGITS, at most 17 (float64)."""
        try:
            p, m, tol = float(self.predicted), float(self.measured), float(self.tolerance)
        except (TypeError, ValueError):
            return MIN_DIGITS
        if self.relative:
            tol *= abs(p)
        scale, resolution = max(abs(p), abs(m)), max(tol, abs(m - p))
        if not (math.isfinite(scale) and math.isfinite(resolution)) or 0 in (scale, resolution):
            return MIN_DIGITS
        return max(MIN_DIGITS, min(17, math.ceil(math.log10(scale / resolution)) + 2))


def quantity_rows(check: dict) -> list[QuantityRow]:
    """The rows of one check given as a dict (``Verdict.to_dict()``, an entry of
    ``checks.json``): a row per comparison, else a row per key of the predicted/measured
    dicts, else one row."""
    if check.get("comparisons"):
        return [QuantityRow(c["quantity"], c["predicted"], c["measured"], c["tolerance"],
                            c.get("sense", "=="), bool(c.get("relative")), c.get("passed"))
                for c in check["comparisons"]]
    predicted, measured = check.get("predicted"), check.get("measured")
    tolerance = check.get("tolerance")
    if not (isinstance(predicted, dict) or isinstance(measured, dict)):
        return [QuantityRow("", predicted, measured, tolerance)]
    predicted = predicted if isinstance(predicted, dict) else {"": predicted}
    measured = measured if isinstance(measured, dict) else {"": measured}
    per_key = tolerance if isinstance(tolerance, dict) else {}
    keys = list(dict.fromkeys([*predicted, *measured]))
    rows = [QuantityRow(str(k), predicted.get(k, ""), measured.get(k, ""), per_key.get(k, ""))
            for k in keys]
    if not isinstance(tolerance, dict) and rows:  # one tolerance for the check: said once
        rows[0] = QuantityRow(rows[0].quantity, rows[0].predicted, rows[0].measured, tolerance)
    return rows


def format_number(value, digits: int = MIN_DIGITS) -> str:
    """``value`` as plain text: floats to ``digits`` significant digits, integers whole,
    lists and dicts item by item (all of them), anything else as its text.

    >>> format_number(0.000012345678), format_number(3), format_number([1.0, 2.25, "inf"])
    ('1.23457e-05', '3', '[1, 2.25, inf]')
    """
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_number(v, digits) for v in value) + "]"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {format_number(v, digits)}" for k, v in value.items())
    return str(value)


SENSE_TEXT = {"==": "", "<=": "≤ ", ">=": "≥ "}


def predicted_text(row: QuantityRow) -> str:
    """The predicted value, marked ≤ or ≥ when it is a bound."""
    return SENSE_TEXT.get(row.sense, "") + format_number(row.predicted, row.digits)


def measured_text(row: QuantityRow) -> str:
    return format_number(row.measured, row.digits)


def tolerance_text(row: QuantityRow) -> str:
    return format_number(row.tolerance, TOLERANCE_DIGITS) + (" (rel.)" if row.relative else "")
