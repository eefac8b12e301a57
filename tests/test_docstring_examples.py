"""Every example in an eosmath docstring runs and prints what it shows."""

import doctest
import importlib
import pkgutil

import pytest

import eosmath

MODULES = sorted(m.name for m in pkgutil.walk_packages(eosmath.__path__, "eosmath.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"
