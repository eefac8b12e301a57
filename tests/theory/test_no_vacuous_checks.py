"""Every registered check has at least one test that runs it on a broken input."""

import re
from pathlib import Path

import eosmath.theory as th

HERE = Path(__file__).parent
# th.verify("name", <override>=...): a call with at least one override.
CALL = re.compile(r'th\.verify\(\s*"([a-z_]+\.[a-z_0-9]+)",\s*[A-Za-z_][A-Za-z_0-9]*=')


def _negative_calls() -> set[str]:
    names = set()
    for path in HERE.glob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(CALL.findall(text))
    return names


def test_every_check_has_a_broken_input_test():
    missing = sorted({c.name for c in th.checks()} - _negative_calls())
    assert not missing, f"checks without a broken-input test: {missing}"
