"""Verdict tables: one row per compared quantity, at the digits that matter, never cut."""

import pytest

from eosmath.theory.harness import Report
from eosmath.theory.verdict import Comparison, Verdict
from eosmath.theory.verdict_rows import QuantityRow, format_number, quantity_rows

LONG = "largest per-step increase of the quantity measured along the whole run (η = 0.05)"


def _verdict(name, comparisons=(), **numbers):
    fields = dict(measured=None, predicted=None, tolerance=None) | numbers
    if comparisons:
        fields = dict(measured={c.quantity: c.measured for c in comparisons},
                      predicted={c.quantity: c.predicted for c in comparisons},
                      tolerance={c.quantity: c.tolerance for c in comparisons})
    return Verdict(name=name, source="a paper", statement="θ_t stays put", passed=True,
                   evidence={}, witness=None, mode="quick", seconds=0.5, kind="theorem",
                   comparisons=tuple(comparisons), **fields)


COMPARISONS = (
    Comparison("period", measured=2.0000000001, predicted=2.0, tolerance=1e-9),
    Comparison(LONG, measured=-5.811122300686398e-14, predicted=0.0, tolerance=1e-12,
               sense="<="),
    Comparison("secant", measured=1.3333333333335, predicted=4 / 3, tolerance=1e-12,
               relative=True),
    Comparison("rate", measured=0.9986754323719313, predicted=0.99840064,
               tolerance=0.00039976000000008227),
)
DICTS = {f"observed order {i} (logcosh, (1.0, {i}.0))": 2.0 + i * 1.2345678912345e-3
         for i in range(12)}


def _report():
    return Report((_verdict("demo.comparisons", COMPARISONS),
                   _verdict("demo.dicts", measured=DICTS, predicted=dict.fromkeys(DICTS, 2.0),
                            tolerance=0.1),
                   _verdict("demo.symbolic", measured="x*(1 - a*eta)" * 8,
                            predicted="-a*eta*x + x" * 8, tolerance="exact")), "quick", "0")


def _resolution(row: QuantityRow) -> float:
    tol = float(row.tolerance or 0) * (abs(float(row.predicted)) if row.relative else 1)
    return max(tol, abs(float(row.measured) - float(row.predicted)))


def test_printed_numbers_read_back_to_well_within_their_tolerance():
    # the oracle is the comparison itself: printing may move a value by less than a tenth of
    # the larger of its tolerance and |measured - predicted|, so a reader sees the agreement
    for v in _report().verdicts[:2]:
        for row in quantity_rows(v.to_dict()):
            resolution = _resolution(row)
            for value in (row.predicted, row.measured):
                printed = float(format_number(value, row.digits))
                assert abs(printed - value) <= resolution / 10 or printed == value, row


def test_a_difference_far_below_six_digits_is_visible():
    row, = quantity_rows(_verdict("x", COMPARISONS[:1]).to_dict())
    assert format_number(row.measured, row.digits) == "2.0000000001"
    assert format_number(row.predicted, row.digits) == "2"


@pytest.mark.parametrize("render", ["table", "to_markdown"])
def test_one_line_per_quantity_with_nothing_cut(render):
    report = _report()
    text = getattr(report, render)()
    assert "…" not in text and "..." not in text
    lines = text.splitlines()
    for quantity in [c.quantity for c in COMPARISONS] + list(DICTS):
        assert sum(quantity in line for line in lines) == 1, quantity
    star = "\\*" if render == "to_markdown" else "*"  # markdown escapes emphasis marks
    assert ("x*(1 - a*eta)" * 8).replace("*", star) in text
    assert ("-a*eta*x + x" * 8).replace("*", star) in text
    assert "≤ 0" in text and "1e-12 (rel.)" in text
    first, third = (next(line for line in lines if f"observed order {i} " in line)
                    for i in (0, 3))
    assert "2.0037" in third and "0.1" in first  # the check's one tolerance, said once


def test_terminal_table_puts_each_check_on_a_line_above_its_quantities():
    lines = _report().table().splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("demo.comparisons"))
    assert lines[head].split()[1] == "pass"
    assert [line.split()[0] for line in lines[head + 1:head + 5]] == [
        "period", "largest", "secant", "rate"]
    assert all(line.startswith("    ") for line in lines[head + 1:head + 5])
