"""Every check in full mode (the papers' sizes); slow."""

import pytest

import eosmath.theory as th

KNOWN_FULL_MODE_FAILURES = {
    # Its η·S/2 band [0.8, 1.25] was calibrated on the quick size (200 digits, width 32); at the
    # full size held-out init seed 3 peaks at 1.263. Recorded as a failing claim, not widened.
    "progressive_sharpening.digits_eos": "calibrated band does not transfer to the full size",
}


def _marks(name):
    reason = KNOWN_FULL_MODE_FAILURES.get(name)
    return pytest.param(name, marks=pytest.mark.xfail(reason=reason, strict=True)) if reason \
        else name


@pytest.mark.slow
@pytest.mark.parametrize("name", [_marks(c.name) for c in th.checks()])
def test_full_mode_passes(name):
    v = th.verify(name, quick=False)
    assert v.mode == "full"
    assert v.passed, (v, v.evidence.get("error"))
