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
        """Markdown tables (for the reproduce report), one per kind of evidence: check,
        statement, evidence (prediction source, tolerance basis, not shown), predicted,
        measured, tolerance, verdict, seconds."""
        lines = []
        for kind, group in self.by_kind():
            lines += [f"\n#### {KIND_TITLES[kind]}\n",
                      "| check | source | statement | prediction from | tolerance basis | "
                      "not shown | predicted | measured | tolerance | verdict | seconds |",
                      "|---|---|---|---|---|---|---|---|---|---|---|"]
            for v in group:
                mark = "pass" if v.passed else "**FAIL**"
                if v.recheck is not None:
                    mark += f" ({v.recheck.verdict} at {v.recheck.dps} digits)"
                if v.held_out:
                    mark += f" (held out: {sum(h.passed for h in v.held_out)}/{len(v.held_out)})"
                cells = [_md(plain(x)) for x in (v.predicted, v.measured, v.tolerance)]
                lines.append(f"| `{v.name}` | {_md(v.source)} | {_md(v.statement)} | "
                             f"{_md(v.prediction_source)} | {_md(v.tolerance_basis)} | "
                             f"{_md(v.not_shown)} | {' | '.join(cells)} | {mark} | "
                             f"{v.seconds:.2f} |")
        lines.append("\n" + self.summary())
        return "\n".join(lines)

    def table(self) -> str:
        """A readable fixed-width table, one line per check, grouped by kind of evidence."""
        width = max([len(v.name) for v in self.verdicts] + [5])
        lines = [f"{'check':{width}s}  result  {'measured':>14s}  {'predicted':>14s}  seconds",
                 "-" * (width + 52)]
        for kind, group in self.by_kind():
            lines.append(f"{KIND_TITLES[kind]}:")
            for v in group:
                mark = "pass" if v.passed else "FAIL"
                lines.append(f"{v.name:{width}s}  {mark:6s}  {_cell(v.measured):>14s}  "
                             f"{_cell(v.predicted):>14s}  {v.seconds:7.2f}")
                if v.recheck is not None:
                    lines.append(f"{'':{width}s}  recheck at {v.recheck.dps} digits: "
                                 f"{v.recheck.verdict}")
                if "harness" in v.evidence:
                    lines.append(f"{'':{width}s}  {v.evidence['harness']}")
        lines.append(self.summary())
        return "\n".join(lines)


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


def _cell(value) -> str:
    if isinstance(value, bool):
        return str(value)
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        text = str(plain(value))
        return text if len(text) <= 14 else text[:13] + "…"


def _md(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text.replace("|", "\\|")
