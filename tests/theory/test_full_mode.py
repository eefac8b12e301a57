"""Every check in full mode (the papers' sizes); slow."""

import pytest

import eosmath.theory as th


@pytest.mark.slow
@pytest.mark.parametrize("name", [c.name for c in th.checks()])
def test_full_mode_passes(name):
    v = th.verify(name, quick=False)
    assert v.mode == "full"
    assert v.passed, (v, v.evidence.get("error"))
