"""`eosmath derive` (via register), TOML model files, and the pdflatex build."""

import argparse
import shutil

import pytest

from eosmath.cli import derive as derive_cli
from eosmath.derivations.pdf import build_pdf

NO_TEX = shutil.which("pdflatex") is None
TEX_REASON = ("pdflatex not installed (apt-get install texlive-latex-base "
              "texlive-latex-recommended)")

MODEL_FILE = """
name = "tilted_product"
params = ["x", "y"]
loss = "log(cosh(x*y)) + c*x**2"
source = "my notes, eq. (2)"
description = "product model with a small ridge on x"

[hyper]
c = 0.01
"""


def _run(argv):
    parser = argparse.ArgumentParser(prog="eosmath")
    derive_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_register_adds_derive_with_a_func():
    parser = argparse.ArgumentParser()
    derive_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["derive", "product", "--set", "ell=sqrt", "--fragment"])
    assert args.func is derive_cli.run and args.set == ["ell=sqrt"] and args.fragment


def test_catalog_options_are_routed_to_the_catalog(tmp_path):
    out = tmp_path / "p.tex"
    assert _run(["derive", "product", "--set", "ell=sqrt", "--out", str(out)]) == 0
    text = out.read_text()
    assert r"\label{eq:product_sqrt:gradient-x}" in text
    assert r"\sqrt{x^{2} y^{2} + 1}" in text


def test_fragment_has_no_preamble(tmp_path, capsys):
    assert _run(["derive", "quadratic", "--fragment"]) == 0
    text = capsys.readouterr().out
    assert r"\documentclass" not in text and r"\begin{document}" not in text
    assert r"\section{Derivation: quadratic}" in text


def test_a_toml_model_file_gets_the_same_document(tmp_path):
    path = tmp_path / "tilted.toml"
    path.write_text(MODEL_FILE)
    out = tmp_path / "tilted.tex"
    assert _run(["derive", str(path), "--set", "c=0.5", "--out", str(out)]) == 0
    text = out.read_text()
    assert r"\label{eq:tilted_product:hessian-x-y}" in text
    assert "my notes, eq. (2)" in text and "0.5" in text
    assert "Conserved" in text or "None found" in text


@pytest.mark.parametrize("argv, message", [
    (["derive", "no_such_model"], "unknown model"),
    (["derive", "quadratic", "--set", "a"], "NAME=VALUE"),
    (["derive", "quadratic", "--set", "b=2"], "no option"),
    (["derive", "quadratic", "--pdf"], "--pdf needs --out"),
])
def test_bad_input_exits_2_with_a_clear_message(argv, message, capsys):
    assert _run(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.tex
@pytest.mark.skipif(NO_TEX, reason=TEX_REASON)
def test_every_catalog_document_compiles(catalog_derivations, tmp_path):
    for _, d in catalog_derivations:
        tex = d.write(tmp_path / f"{d.slug}.tex")
        pdf = build_pdf(tex)
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000


@pytest.mark.tex
@pytest.mark.skipif(NO_TEX, reason=TEX_REASON)
def test_a_fragment_compiles_inside_a_host_document(catalog_derivations, tmp_path):
    _, d = next((m, d) for m, d in catalog_derivations if d.slug == "self_stabilization_reduced")
    d.write(tmp_path / "part.tex", standalone=False)
    host = tmp_path / "host.tex"
    host.write_text("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
                    "\\begin{document}\n\\input{part}\n\\end{document}\n")
    import subprocess
    result = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode",
                             "host.tex"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.tex
@pytest.mark.skipif(NO_TEX, reason=TEX_REASON)
def test_a_latex_error_is_reported(tmp_path):
    from eosmath.errors import EosmathError
    bad = tmp_path / "bad.tex"
    bad.write_text("\\documentclass{article}\\begin{document}$\\frac{1}{$\\end{document}\n")
    with pytest.raises(EosmathError, match="pdflatex failed"):
        build_pdf(bad)
