"""Each registered check runs once per test session in quick mode; tests share the Verdict."""

import pytest

import eosmath.theory as th

_VERDICTS: dict[str, th.Verdict] = {}


@pytest.fixture(scope="session")
def verdict():
    """``verdict(name)``: the quick-mode Verdict of check ``name``, computed once."""
    def get(name: str) -> th.Verdict:
        if name not in _VERDICTS:
            _VERDICTS[name] = th.verify(name)
        return _VERDICTS[name]
    return get
