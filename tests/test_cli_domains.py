"""Section 3 of issue 15 through the real command line, in a subprocess: hostile model text
is refused with exit code 2 and one line on stderr (no traceback); models with a restricted
domain (√x) work in ``show``, ``sweep`` and ``derive``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _model_file(tmp_path, loss: str, name="m") -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'params = ["x", "y"]\nloss = "{loss}"\n', encoding="utf-8")
    return str(path)


def _eosmath(*args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "eosmath.cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=600)


REFUSED = [
    ("log(0*x)", "zoo"), ("x/0", "zoo"), ("1e400*x", "too large"),
    ("x**(999**999)", "too large"), ("-" * 5000 + "x", "nested"),
    ("\u0445 + y", "U+0445 CYRILLIC SMALL LETTER HA; did you mean 'x'?"),
]


@pytest.mark.parametrize("loss, message", REFUSED)
def test_show_refuses_hostile_text_in_one_line(tmp_path, loss, message):
    result = _eosmath("show", _model_file(tmp_path, loss))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eosmath: error:") and message in lines[0]


@pytest.mark.parametrize("loss, message", REFUSED[:2])
def test_sweep_refuses_hostile_text_in_one_line(tmp_path, loss, message):
    result = _eosmath("sweep", _model_file(tmp_path, loss), "--eta", "0.1", "--x", "1",
                      "--y", "1", "--out", str(tmp_path / "s.zarr"), "--quiet")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


@pytest.mark.parametrize("option, value", [("--tol", "-1"), ("--radius", "0")])
def test_sweep_refuses_nonsense_settings_in_one_line(tmp_path, option, value):
    result = _eosmath("sweep", "product", "--eta", "0.5", "--x", "1", "--y", "2", "--out",
                      str(tmp_path / "s.zarr"), "--quiet", option, value)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


SQRT_MODELS = [("sqrt(x)*y**2", "0.5:2:3"), ("sqrt(x-10)+y**2", "10.5:12:3")]


@pytest.mark.parametrize("loss, grid", SQRT_MODELS)
def test_show_of_a_restricted_domain_model(tmp_path, loss, grid):
    result = _eosmath("show", _model_file(tmp_path, loss))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "conserved by gradient flow:" in result.stdout
    if loss.startswith("sqrt(x)*"):  # ∇(x² − y²/4)·∇L = x·y²/√x − √x·y² = 0
        assert "x**2 - y**2/4" in result.stdout


@pytest.mark.parametrize("loss, grid", SQRT_MODELS)
def test_sweep_of_a_restricted_domain_model(tmp_path, loss, grid):
    result = _eosmath("sweep", _model_file(tmp_path, loss), "--eta", "0.05:0.2:3", "--x", grid,
                      "--y", "0.5", "--steps", "300", "--out", str(tmp_path / "s.zarr"),
                      "--quiet")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stdout.startswith("wrote ")


@pytest.mark.parametrize("loss, grid", SQRT_MODELS)
def test_derive_of_a_restricted_domain_model(tmp_path, loss, grid):
    out = tmp_path / "m.tex"
    result = _eosmath("derive", _model_file(tmp_path, loss), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "CHECK FAILED" not in result.stderr
    assert "0 failed" in out.read_text()
