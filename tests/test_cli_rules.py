"""``--rule`` on the command line: the text becomes the same rule as the eos.rules factories,
runs the same GD as the Python API, and a malformed rule exits 2 with one line."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import eosmath as eos
from eosmath.cli import main
from eosmath.cli.rule_text import SYNTAX, parse_rules

R = eos.rules
ROOT = Path(__file__).resolve().parents[1]

SAME = [
    ("clip(a, 0.002)", R.clip("a", 0.002)),
    ("clip(a, b, C=0.5)", R.clip(("a", "b"), 0.5)),
    ("heavy_ball(0.9)", R.heavy_ball(0.9)),
    ("nesterov(beta=0.8)", R.nesterov(0.8)),
    ("rmsprop()", R.rmsprop()),
    ("rmsprop(0.9, 1e-6)", R.rmsprop(0.9, 1e-6)),
    ("adam(0.9, 0.999)", R.adam(0.9, 0.999)),
    ("adam(beta2=0.99, eps=1e-7)", R.adam(beta2=0.99, eps=1e-7)),
    ('project(w1=0, a="<= sqrt(2/eta)")', R.project(w1=0, a="<= sqrt(2/eta)")),
    ("project(a=(-1, 2.5))", R.project(a=(-1, 2.5))),
    ("clip(a, 0.002) + heavy_ball(0.9)", R.chain(R.clip("a", 0.002), R.heavy_ball(0.9))),
    ("clip(a,1)+project(b=0)+adam()", R.chain(R.clip("a", 1), R.project(b=0), R.adam())),
]


@pytest.mark.parametrize("text, rule", SAME)
def test_text_gives_the_factories_rule(text, rule):
    assert parse_rules([text]) == R.chain(rule)


def test_repeated_flags_chain_in_order():
    assert parse_rules(["clip(a, 1)", "heavy_ball(0.5)"]) == parse_rules(
        ["clip(a, 1) + heavy_ball(0.5)"])
    assert parse_rules(["heavy_ball(0.5)", "clip(a, 1)"]) != parse_rules(
        ["clip(a, 1)", "heavy_ball(0.5)"])
    assert parse_rules(None) is None and parse_rules([]) is None


REFUSED = [
    ("__import__('os').system('touch PWNED')", "is not one of clip(...)"),
    ("heavy_ball(0.9, 3)", "expected heavy_ball(beta)"),
    ("heavy_ball(x)", "'x' is not allowed here (numbers)"),
    ("heavy_ball(1.5)", "β must lie in [0, 1)"),
    ("clip(a, 1) + heavy_ball(", "not a rule; expected clip(NAME, ..., C)"),
    ("clip(0.002, a)", "the coordinate names come first"),
    ("clip(a, 1) + nesterov(2)", "nesterov(2): β must lie in [0, 1)"),
    ("heavy_ball(0.9) + adam()", "at most one of heavy_ball, nesterov, adam"),
    ("adam(**{'eps': 1})", "* and ** are not rule syntax"),
    ("heavy_ball(" + "-" * 500 + "1)", "nested deeper than"),
    ("x" * 5000, "longer than 1000 characters"),
]


@pytest.mark.parametrize("text, message", REFUSED)
def test_malformed_rules_are_refused_by_name(text, message):
    with pytest.raises(eos.InvalidInputError, match="^--rule") as err:
        parse_rules([text])
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("command", [
    ["sweep", "product", "--eta", "0.5:3:64", "--x", "0.1:2:64", "--y", "2", "--out", "s.zarr"],
    ["train", "--eta", "0.01", "--out", "run.nc"]])
def test_the_real_command_exits_2_with_one_line_and_runs_nothing(tmp_path, command):
    result = subprocess.run(
        [sys.executable, "-m", "eosmath", *command, "--rule",
         "__import__('os').system('touch PWNED')"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--rule" in lines[0] and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no store, no file, nothing run


def test_help_names_the_syntax(capsys):
    for command in ("sweep", "train"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--rule RULE" in text and " ".join(SYNTAX.split()) in text


GRID = ["--eta", "0.5:3:5", "--x", "0.1:2:4", "--y", "2", "--steps", "300", "--quiet"]


def test_sweep_with_a_rule_equals_the_python_api(tmp_path):
    plus, repeated = tmp_path / "plus.zarr", tmp_path / "repeated.zarr"
    assert main(["sweep", "product", *GRID, "--out", str(plus),
                 "--rule", "clip(x, 0.05) + heavy_ball(0.5)"]) == 0
    assert main(["sweep", "product", *GRID, "--out", str(repeated),
                 "--rule", "clip(x, 0.05)", "--rule", "heavy_ball(0.5)"]) == 0
    api = eos.sweep(eos.models.get("product"), eta=np.linspace(0.5, 3, 5),
                    x=np.linspace(0.1, 2, 4), y=2.0, steps=300, quiet=True,
                    rule=R.chain(R.clip("x", 0.05), R.heavy_ball(0.5)))
    plain = eos.sweep(eos.models.get("product"), eta=np.linspace(0.5, 3, 5),
                      x=np.linspace(0.1, 2, 4), y=2.0, steps=300, quiet=True)
    for store in (plus, repeated):
        ds = xr.open_zarr(store).load()
        for name in ("status", "stop_step", "final_x", "final_y", "final_sharpness"):
            np.testing.assert_array_equal(ds[name].values, api[name].values, err_msg=name)
        assert ds["final_eos_ratio"].attrs["update_rule"] == str(api["final_eos_ratio"].attrs[
            "update_rule"]) == "chain(clip(('x',), 0.05), heavy_ball(0.5))"
    # the rule changed the dynamics: the comparison above is not plain GD against itself
    assert not np.array_equal(api["final_x"].values, plain["final_x"].values)


def test_sweep_rule_naming_no_parameter_is_refused(tmp_path, capsys):
    assert main(["sweep", "product", *GRID, "--out", str(tmp_path / "s.zarr"),
                 "--rule", "clip(q, 0.05)"]) == 2
    err = capsys.readouterr().err.strip()
    assert "'q', not a parameter of the model" in err and len(err.splitlines()) == 1


def test_train_with_a_rule_equals_the_python_api(tmp_path):
    from eosmath import nn

    out = tmp_path / "run.npz"
    assert main(["train", "--data", "chebyshev", "--arch", "1-8-1", "--eta", "0.05",
                 "--steps", "20", "--sharpness-every", "10", "--top-k", "1", "--quiet",
                 "--rule", "nesterov(0.8)", "--out", str(out)]) == 0
    net = nn.MLP([1, 8, 1], activation="tanh", bias=[True, False])
    obj = nn.Objective(net, nn.datasets.chebyshev(degree=3, n=20), loss="mse")
    theta = net.init(seed=0, scheme="chebyshev", dtype=np.dtype("float64"))
    kwargs = dict(eta=0.05, steps=20, sharpness_every=10, top_k=1, quiet=True, seed=0)
    api = nn.train_gd(obj, theta, rule=R.nesterov(0.8), **kwargs)
    plain = nn.train_gd(obj, theta, **kwargs)
    saved = np.load(out)
    np.testing.assert_array_equal(saved["loss"], api.loss)
    assert not np.array_equal(saved["loss"], plain.loss)
    assert main(["train", "--eta", "0.05", "--steps", "5", "--quiet", "--rule", "clip(a, 1)",
                 "--out", str(tmp_path / "x.nc")]) == 2
