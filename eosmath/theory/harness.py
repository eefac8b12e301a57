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
from eosmath.theory.registry import checks, lookup
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
    recheck = None
    if not outcome.passed and outcome.recheck is not None:
        recheck = outcome.recheck()
    return Verdict(name=info.name, source=info.source, statement=info.statement,
                   passed=bool(outcome.passed), measured=outcome.measured,
                   predicted=outcome.predicted, tolerance=outcome.tolerance,
                   evidence=dict(outcome.evidence), witness=outcome.witness,
                   mode="quick" if quick else "full", seconds=time.perf_counter() - start,
                   recheck=recheck)


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

    def to_markdown(self) -> str:
        """A markdown table (for the reproduce report): check, source, statement, predicted,
        measured, tolerance, verdict, seconds."""
        lines = ["| check | source | statement | predicted | measured | tolerance | verdict | "
                 "seconds |", "|---|---|---|---|---|---|---|---|"]
        for v in self.verdicts:
            mark = "pass" if v.passed else "**FAIL**"
            if v.recheck is not None:
                mark += f" ({v.recheck.verdict} at {v.recheck.dps} digits)"
            cells = [_md(plain(x)) for x in (v.predicted, v.measured, v.tolerance)]
            lines.append(f"| `{v.name}` | {_md(v.source)} | {_md(v.statement)} | "
                         f"{' | '.join(cells)} | {mark} | {v.seconds:.2f} |")
        lines.append(f"\n{len(self.verdicts)} checks, {len(self.failures)} failed "
                     f"({self.mode} mode, eosmath {self.eosmath_version}).")
        return "\n".join(lines)

    def table(self) -> str:
        """A readable fixed-width table, one line per check."""
        width = max([len(v.name) for v in self.verdicts] + [5])
        lines = [f"{'check':{width}s}  result  {'measured':>14s}  {'predicted':>14s}  seconds",
                 "-" * (width + 52)]
        for v in self.verdicts:
            mark = "pass" if v.passed else "FAIL"
            lines.append(f"{v.name:{width}s}  {mark:6s}  {_cell(v.measured):>14s}  "
                         f"{_cell(v.predicted):>14s}  {v.seconds:7.2f}")
            if v.recheck is not None:
                lines.append(f"{'':{width}s}  recheck at {v.recheck.dps} digits: "
                             f"{v.recheck.verdict}")
        n_fail = len(self.failures)
        lines.append(f"{len(self.verdicts)} checks, {n_fail} failed ({self.mode} mode, "
                     f"eosmath {self.eosmath_version})")
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
