"""Every check declares its evidence, and its verdict can fail for the reason it states.

- the declaration is complete (kind, prediction source, tolerance basis, what is not shown,
  at least one input that breaks the hypothesis);
- moving any predicted value by twice its tolerance turns a pass into a fail (the verdict
  depends on the prediction and the tolerance is not so wide that anything passes);
- each declared hypothesis violation makes the check fail;
- a calibrated tolerance comes with its calibration inputs and passes on held-out inputs.
"""

import dataclasses

import pytest
from heavy_checks import by_weight

import eosmath.theory as th
from eosmath.theory.families import lookup
from eosmath.theory.harness import _judge
from eosmath.theory.registry import HELD_OUT_MINIMUM

CHECKS = [by_weight(c.name) for c in th.checks()]
VIOLATIONS = [by_weight((c.name, label)) for c in th.checks() for label in c.violations]


def test_every_check_declares_its_evidence():
    problems = {c.name: c.problems() for c in th.checks() if c.problems()}
    assert not problems, "\n".join(f"{k}: {'; '.join(v)}" for k, v in problems.items())


@pytest.mark.parametrize("name", CHECKS)
def test_perturbed_prediction_fails(name, verdict):
    v = verdict(name)
    assert v.passed, f"{name} fails: {v}"
    if not v.comparisons:
        assert not _is_number(v.predicted), (
            f"{name} compares numbers but states no Comparison: the harness cannot judge it")
        return
    info = lookup(name)
    for i, c in enumerate(v.comparisons):
        if c.sense != "==":
            continue
        moved = list(v.comparisons)
        moved[i] = c.perturbed(2.0)
        outcome = th.Outcome(passed=True, measured=None, predicted=None, tolerance=None,
                             comparisons=tuple(moved), held_out=v.held_out,
                             calibration_inputs=v.calibration_inputs)
        assert not _judge(info, outcome)[0], f"{name}: {c.quantity} moved by 2 tol still passes"


@pytest.mark.parametrize(("name", "label"), VIOLATIONS)
def test_hypothesis_violation_fails(name, label):
    overrides = lookup(name).violation(label)
    v = th.verify(name, **overrides)
    assert not v.passed, f"{name} passes with {label} = {overrides}"


@pytest.mark.parametrize("name", [by_weight(c.name) for c in th.checks() if c.calibrated])
def test_calibrated_check_passes_held_out_inputs(name, verdict):
    v = verdict(name)
    assert v.calibration_inputs is not None
    assert len(v.held_out) >= HELD_OUT_MINIMUM and all(h.passed for h in v.held_out)
    calibrated_on = v.calibration_inputs
    assert all(h.inputs != calibrated_on for h in v.held_out), "held-out input = calibration"


def test_regression_guards_are_not_counted_as_claims():
    outcome = th.Outcome(passed=True, measured=1.0, predicted=1.0, tolerance=0.0)
    info = dataclasses.replace(lookup("quadratic.factor"), kind="regression")
    assert _judge(info, outcome)[0]
    report = th.Report((dataclasses.replace(th.verify("quadratic.factor"), kind="regression"),),
                       "quick", "x")
    assert report.summary().startswith("0 of 0 claims verified")
    assert "1 regression guards" in report.summary()


def test_calibrated_without_held_out_fails():
    info = dataclasses.replace(lookup("quadratic.factor"), tolerance_basis="calibrated: pilot")
    bare = th.Outcome(passed=True, measured=1.0, predicted=1.0, tolerance=0.1,
                      calibration_inputs={"eta": 1.0})
    passed, notes = _judge(info, bare)
    assert not passed and "held-out" in notes[0]
    held = tuple(th.HeldOut({"eta": e}, True) for e in (1.1, 1.2, 1.3))
    assert _judge(info, dataclasses.replace(bare, held_out=held))[0]
    bad = held[:2] + (th.HeldOut({"eta": 1.4}, False),)
    assert not _judge(info, dataclasses.replace(bare, held_out=bad))[0]


def test_a_failing_comparison_fails_the_verdict_whatever_the_check_says():
    c = th.Comparison("x", measured=1.0, predicted=2.0, tolerance=0.1)
    outcome = th.Outcome(passed=True, measured=None, predicted=None, tolerance=None,
                         comparisons=(c,))
    assert not _judge(lookup("quadratic.factor"), outcome)[0]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
