"""Run named checks: ``verify`` (one) and ``verify_all`` (many) → Verdicts and a report.

>>> import eosmath.theory as th
>>> v = th.verify("quadratic.factor")
>>> v.passed, v.mode
(True, 'quick')
"""

from __future__ import annotations

import inspect
import json
import time
import traceback
from dataclasses import dataclass

from eosmath._version import __version__
from eosmath.errors import EosmathError
from eosmath.progress import Progress
from eosmath.theory.families import checks, lookup
from eosmath.theory.registry import HELD_OUT_MINIMUM, KIND_TITLES, KINDS, CheckInfo
from eosmath.theory.verdict import Outcome, Verdict, plain
from eosmath.theory.verdict_rows import (
    measured_text,
    predicted_text,
    quantity_rows,
    tolerance_text,
)


def verify(name: str, quick: bool = True, **overrides) -> Verdict:
    """Run the check ``name`` and return its :class:`Verdict`.

    ``quick=True`` runs CI sizes (seconds), ``quick=False`` the papers' sizes. ``overrides``
    go to the check function (e.g. a deliberately wrong η, to see the check fail). A failing
    check with a witness is re-run at high precision before the Verdict is returned.
    """
    info = lookup(name)
    accepted = [p for p in inspect.signature(info.function).parameters if p != "quick"]
    unknown = sorted(set(overrides) - set(accepted))
    if unknown:
        raise EosmathError(f"check {name!r} has no input {unknown}; it accepts {accepted}")
    start = time.perf_counter()
    try:
        outcome = info.function(quick=quick, **overrides)
    except Exception as err:  # noqa: BLE001 - a crashing check is reported, not fatal
        outcome = _crashed(err)
    if not isinstance(outcome, Outcome):
        raise TypeError(f"check {name!r} returned {type(outcome).__name__}, not Outcome")
    passed, notes = _judge(info, outcome)
    recheck = None
    if not passed and outcome.recheck is not None:
        recheck = outcome.recheck()
    evidence = dict(outcome.evidence)
    if notes:
        evidence["harness"] = "; ".join(notes)
    measured, predicted, tolerance = outcome.measured, outcome.predicted, outcome.tolerance
    if outcome.comparisons and measured is None and predicted is None:
        measured = {c.quantity: c.measured for c in outcome.comparisons}
        predicted = {c.quantity: c.predicted for c in outcome.comparisons}
        tolerance = {c.quantity: c.tolerance for c in outcome.comparisons}
    return Verdict(name=info.name, source=info.source, statement=info.statement,
                   passed=passed, measured=measured, predicted=predicted, tolerance=tolerance,
                   evidence=evidence, witness=outcome.witness,
                   mode="quick" if quick else "full", seconds=time.perf_counter() - start,
                   recheck=recheck, kind=info.kind, prediction_source=info.prediction_source,
                   tolerance_basis=info.tolerance_basis, not_shown=info.not_shown,
                   comparisons=tuple(outcome.comparisons), held_out=tuple(outcome.held_out),
                   calibration_inputs=outcome.calibration_inputs)


def _judge(info: CheckInfo, outcome: Outcome) -> tuple[bool, list[str]]:
    """The verdict: the check's own conclusion, every comparison it states, and (for a
    calibrated tolerance) its held-out runs. Returns (passed, reasons for failing)."""
    notes = [f"comparison {c.quantity!r} fails" for c in outcome.comparisons if not c.passed]
    if info.calibrated:
        if outcome.calibration_inputs is None:
            notes.append("calibrated tolerance without recorded calibration inputs")
        if len(outcome.held_out) < HELD_OUT_MINIMUM:
            notes.append(f"calibrated tolerance with {len(outcome.held_out)} held-out inputs "
                         f"(at least {HELD_OUT_MINIMUM} are required)")
        notes += [f"held-out input {h.inputs} fails" for h in outcome.held_out if not h.passed]
    return bool(outcome.passed) and not notes, notes


def _crashed(err: Exception) -> Outcome:
    return Outcome(passed=False, measured=f"error: {type(err).__name__}", predicted=None,
                   tolerance=None, evidence={"error": f"{type(err).__name__}: {err}",
                                             "traceback": traceback.format_exc()})


@dataclass(frozen=True)
class Report:
    """The Verdicts of one ``verify_all`` run, with the mode and the eosmath version."""

    verdicts: tuple[Verdict, ...]
    mode: str
    eosmath_version: str

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    @property
    def failures(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if not v.passed)

    def __getitem__(self, name: str) -> Verdict:
        for v in self.verdicts:
            if v.name == name:
                return v
        raise KeyError(name)

    def to_dict(self) -> dict:
        return {"checks": [v.to_dict() for v in self.verdicts],
                "eosmath_version": self.eosmath_version, "mode": self.mode}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(plain(self.to_dict()), indent=indent, ensure_ascii=False)

    def by_kind(self) -> list[tuple[str, tuple[Verdict, ...]]]:
        """The verdicts grouped by kind of evidence, in :data:`KINDS` order (empty kinds left
        out)."""
        order = [*KINDS, "unclassified"]
        return [(k, group) for k in order
                if (group := tuple(v for v in self.verdicts if v.kind == k))]

    def summary(self) -> str:
        """One line: claims verified per kind, failures, and regression guards apart."""
        claims = [v for v in self.verdicts if v.kind != "regression"]
        guards = [v for v in self.verdicts if v.kind == "regression"]
        per_kind = ", ".join(f"{k} {len(g)}" for k, g in self.by_kind() if k != "regression")
        passed = sum(v.passed for v in claims)
        text = (f"{passed} of {len(claims)} claims verified ({per_kind}); "
                f"{len(guards)} regression guards, {sum(not v.passed for v in guards)} failing "
                f"({self.mode} mode, eosmath {self.eosmath_version}).")
        return text

    def to_markdown(self) -> str:
        """Markdown for the reproduce report, per kind of evidence: a table of the checks
        (source, statement, evidence, verdict, seconds), then a table of their numbers with
        one row per compared quantity (:mod:`~eosmath.theory.verdict_rows`), never cut."""
        lines = []
        for kind, group in self.by_kind():
            lines += [f"\n#### {KIND_TITLES[kind]}\n",
                      "| check | source | statement | prediction from | tolerance basis | "
                      "not shown | verdict | seconds |", "|---|---|---|---|---|---|---|---|"]
            lines += [f"| `{v.name}` | {_md(v.source)} | {_md(v.statement)} | "
                      f"{_md(v.prediction_source)} | {_md(v.tolerance_basis)} | "
                      f"{_md(v.not_shown)} | {_verdict_text(v, '**FAIL**')} | {v.seconds:.2f} |"
                      for v in group]
            lines += ["", "| check | quantity | predicted | measured | tolerance | |",
                      "|---|---|---|---|---|---|"]
            for v in group:
                for i, row in enumerate(quantity_rows(v.to_dict())):
                    name = f"`{v.name}`" if i == 0 else ""
                    cells = [row.quantity, predicted_text(row), measured_text(row),
                             tolerance_text(row), _row_mark(row)]
                    lines.append(f"| {name} | " + " | ".join(_md(c) for c in cells) + " |")
        lines.append("\n" + self.summary())
        return "\n".join(lines)

    def table(self) -> str:
        """A readable fixed-width table, grouped by kind of evidence: a line per check
        (verdict, seconds), under it a line per compared quantity with predicted, measured
        and tolerance at the digits that matter. Nothing is cut: a long quantity or value
        widens its own line only."""
        rows = {v.name: quantity_rows(v.to_dict()) for v in self.verdicts}
        cells = {name: [(r.quantity, predicted_text(r), measured_text(r), tolerance_text(r),
                         _row_mark(r)) for r in rs] for name, rs in rows.items()}
        every = [c for cs in cells.values() for c in cs]
        widths = [min(_QUANTITY_WIDTH if i == 0 else _VALUE_WIDTH,
                      max([len(c[i]) for c in every] + [len(h)]))
                  for i, h in enumerate(_TABLE_HEADER[:4])]
        name_width = max([len(v.name) for v in self.verdicts] + [5])
        widths.append(0)  # the last column (a quantity's own mark) is not padded
        header = "    " + "  ".join(f"{h:{w}s}" for h, w in zip(_TABLE_HEADER, widths, strict=True))
        lines = [f"{'check':{name_width}s}  result  seconds", header.rstrip(),
                 "-" * max(len(header), name_width + 17)]
        for kind, group in self.by_kind():
            lines.append(f"{KIND_TITLES[kind]}:")
            for v in group:
                lines.append(f"{v.name:{name_width}s}  {_verdict_text(v, 'FAIL'):6s}  "
                             f"{v.seconds:7.2f}")
                for c in cells[v.name]:
                    lines.append(("    " + "  ".join(f"{text:{w}s}" for text, w in
                                                    zip(c, widths, strict=True))).rstrip())
                if "harness" in v.evidence:
                    lines.append(f"    {v.evidence['harness']}")
        lines.append(self.summary())
        return "\n".join(lines)


_TABLE_HEADER = ("quantity", "predicted", "measured", "tolerance", "")
_QUANTITY_WIDTH = 48  # columns line up up to this width; a longer quantity shifts its own line
_VALUE_WIDTH = 24


def _verdict_text(v: Verdict, fail: str) -> str:
    mark = "pass" if v.passed else fail
    if v.recheck is not None:
        mark += f" ({v.recheck.verdict} at {v.recheck.dps} digits)"
    if v.held_out:
        mark += f" (held out: {sum(h.passed for h in v.held_out)}/{len(v.held_out)})"
    return mark


def _row_mark(row) -> str:
    """A quantity's own verdict when the check judged quantities one by one."""
    return "" if row.passed is None else ("ok" if row.passed else "FAILS")


def verify_all(quick: bool = True, names=None, quiet: bool = True) -> Report:
    """Run every registered check (or those in ``names``; a family name selects its checks)."""
    selected = _select(names)
    verdicts = []
    with Progress(total=len(selected), label="checks", quiet=quiet) as bar:
        for name in selected:
            verdicts.append(verify(name, quick=quick))
            bar.update()
    return Report(tuple(verdicts), "quick" if quick else "full", __version__)


def _select(names) -> list[str]:
    registered = [c.name for c in checks()]
    if not names:
        return registered
    out = []
    for name in names:
        family = [n for n in registered if n.split(".", 1)[0] == name]
        out.extend(family if family else [lookup(name).name])
    return list(dict.fromkeys(out))


def _md(value) -> str:
    """A markdown table cell: "|" would end the cell and "*" start emphasis (a*eta*x)."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text.replace("|", "\\|").replace("*", "\\*")
