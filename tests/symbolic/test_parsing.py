import pytest
import sympy as sp

import eosmath as eos
from eosmath.errors import ModelSyntaxError
from eosmath.symbolic.parsing import parse_expression

X, Y = sp.symbols("x y", real=True)
SYMS = {"x": X, "y": Y}


@pytest.mark.parametrize("text, token", [
    ("__import__('os').system('echo hi')", "__import__"),
    ("x.__class__", "__class__"),
    ("lambda: 1", "lambda"),
    ("exec('1')", "exec"),
    ("frobnicate(x)", "frobnicate"),
    ("eval('x')", "eval"),
    ("x if y else 1", "x if y else 1"),
    ("[x for x in y]", "[x for x in y]"),
    ("'abc'", "'abc'"),
    ("exp(x, y)", "exp(x, y)"),
    ("log(x=1)", "1"),
    ("z + x", "z"),
    ("2**2**2**2**2", "2**2**2**2**2"),
])
def test_refuses_and_names_the_offending_token(text, token):
    with pytest.raises(ModelSyntaxError) as err:
        parse_expression(text, SYMS)
    assert token in str(err.value)


def test_refusal_happens_before_anything_runs(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelSyntaxError):
        parse_expression(f"__import__('pathlib').Path('{marker}').touch()", SYMS)
    assert not marker.exists()


@pytest.mark.parametrize("text, expected", [
    ("log(cosh(x*y))", sp.log(sp.cosh(X * Y))),
    ("sqrt(1+x**2)", sp.sqrt(1 + X**2)),
    ("x^2 - y^2", X**2 - Y**2),
    ("-x/2 + 3.5*pi", -X / 2 + sp.Float(3.5) * sp.pi),
])
def test_accepts_whitelisted_expressions(text, expected):
    assert sp.simplify(parse_expression(text, SYMS) - expected) == 0


def test_from_string_equals_catalog_model():
    text_model = eos.Model.from_string("log(cosh(x*y))", params="x y")
    catalog = eos.models.get("product", ell="logcosh")
    assert text_model.loss == catalog.loss
    assert text_model.gradient() == catalog.gradient()


def test_parameter_names_are_validated():
    with pytest.raises(ModelSyntaxError):
        eos.Model.from_string("x", params="x __class__")
    with pytest.raises(ModelSyntaxError):
        eos.Model.from_string("x", params="x x")
    with pytest.raises(ModelSyntaxError):
        eos.Model.from_string("exp(x)", params="exp")


def test_model_file_round_trip(tmp_path):
    path = tmp_path / "tilted.toml"
    path.write_text('name = "tilted"\nparams = ["x", "y"]\nloss = "log(cosh(x*y)) + c*x**2"\n'
                    'source = "notes eq. 2"\n[hyper]\nc = 0.25\n')
    m = eos.Model.from_file(path)
    assert m.name == "tilted" and m.hyper_names == ("c",)
    assert m.hyper_values.tolist() == [0.25]
    c = sp.Symbol("c", real=True)
    assert sp.simplify(m.gradient()[0] - (Y * sp.tanh(X * Y) + 2 * c * X)) == 0


@pytest.mark.parametrize("content, message", [
    ('params = ["x"]\nloss = "x.__class__"\n', "__class__"),
    ('params = ["x"]\n', "missing required key 'loss'"),
    ('params = ["x"]\nloss = "x"\nshell = "rm -rf"\n', "unknown keys"),
    ('params = ["x"]\nloss = "x"\n[hyper]\nc = "os"\n', "must map names to numbers"),
    ('params = ["x"\n', "not valid TOML"),
])
def test_model_file_errors(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ModelSyntaxError, match=message):
        eos.Model.from_file(path)
