"""``eosmath models``: the SymPy catalog and the numeric models, through the real command."""

import subprocess
import sys

from eosmath.models import describe, names, numeric_names


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eosmath.cli", "models", *args],
                          capture_output=True, text=True, timeout=120)


def test_list_has_every_sympy_and_every_numeric_model_marked():
    result = _cli()
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    heads = {line.split()[0]: line for line in lines if line and not line[0].isspace()}
    assert set(names()) | set(numeric_names()) <= set(heads)
    assert numeric_names()  # the catalog really has numeric models
    for name in numeric_names():
        assert "[numeric]" in heads[name] and describe(name)["summary"] in heads[name]
    for name in names():
        assert "[numeric]" not in heads[name]
    for name in (*names(), *numeric_names()):
        assert f"source: {describe(name)['source']}" in result.stdout


def test_one_numeric_model_is_described_with_its_reference():
    name = numeric_names()[0]
    info = describe(name)
    result = _cli(name)
    assert result.returncode == 0 and result.stderr == ""
    out = result.stdout
    assert out.startswith(f"{name} (numeric model): {info['summary']}")
    assert f"source: {info['source']}" in out and info["why_not_symbolic"] in out
    assert f"eos.models.numeric({name!r}" in out
    for option, default in info["options"].items():
        assert f"{option}={default!r}" in out


def test_one_sympy_model_is_described():
    result = _cli("quadratic")
    assert result.returncode == 0
    assert result.stdout.startswith("quadratic (SymPy model): ")
    assert "eos.models.get('quadratic'" in result.stdout


def test_unknown_model_is_one_line_naming_both_lists():
    result = _cli("threshold_netwrk")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "unknown model 'threshold_netwrk'; did you mean threshold_network" in result.stderr
    assert "numeric: " in result.stderr and "Traceback" not in result.stderr
