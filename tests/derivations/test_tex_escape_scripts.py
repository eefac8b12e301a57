"""Plain-text sub- and superscripts in prose (θ_t, λ_max, d_j^t) typeset as math, identifiers
(shallow_relu.phases, digits_eos) left as they are."""

import re
import shutil
import subprocess

import pytest

from eosmath.derivations.tex_escape import latex_escape
from eosmath.theory.families import checks


@pytest.mark.parametrize("text, expected", [
    ("θ_t", r"\ensuremath{\theta_{t}}"),
    ("λ_max", r"\ensuremath{\lambda_{\mathrm{max}}}"),
    ("w_1", r"\ensuremath{w_{1}}"),
    ("‖d_j‖", r"\ensuremath{\|}\ensuremath{d_{j}}\ensuremath{\|}"),
    ("d_j^t", r"\ensuremath{d_{j}^{t}}"),
    ("a_j²", r"\ensuremath{a_{j}^{2}}"),
    ("ηa_j/n", r"\ensuremath{\eta}\ensuremath{a_{j}}/n"),
    ("x_{t+1}", r"\ensuremath{x_{t+1}}"),
    ("δ̄_0", r"\ensuremath{\bar{\delta}_{0}}"),
    ("|x*_0|", r"\textbar{}\ensuremath{x^{*}_{0}}\textbar{}"),
    ("e_w₁", r"\ensuremath{e_{w{}_{1}}}"),
    ("R·e^{−ηI}", r"R\ensuremath{\cdot}e\ensuremath{^{-\eta I}}"),
    ("∇S^⊥_t", r"\ensuremath{\nabla}S\ensuremath{^{\perp}_{t}}"),
    ("∏_t(1", r"\ensuremath{\prod_{t}}(1"),
    ("x'_0²", r"\ensuremath{x'_{0}{}^{2}}"),
])
def test_scripts_are_typeset(text, expected):
    assert latex_escape(text, scripts=True) == expected


@pytest.mark.parametrize("text", [
    "shallow_relu.balance_preserved", "digits_eos", "model.conserved_quantities", "a_j_k",
    "x_hist_2", "d_models", "50 % of_it", "cost_t", "x_\\y"])
def test_identifiers_and_odd_text_keep_their_underscores(text):
    assert latex_escape(text, scripts=True) == latex_escape(text)
    assert r"\_" in latex_escape(text)


def test_without_scripts_nothing_changes():
    assert latex_escape("θ_t and x^2") == r"\ensuremath{\theta}\_t and x\textasciicircum{}2"


def _registry_texts():
    return [t for c in checks()
            for t in (c.statement, c.prediction_source, c.tolerance_basis, c.not_shown) if t]


def test_registry_prose_is_ascii_and_only_identifiers_keep_underscores():
    names = {c.name for c in checks()}
    typeset = 0
    for text in _registry_texts():
        out = latex_escape(text, scripts=True)
        assert out.isascii()
        typeset += out.count("_{")
        # every underscore left literal belongs to an identifier: a word of 2+ letters
        # joined to the next by "_" (check names, functions, data sets)
        for left in re.findall(r"(\S*)\\_", out):
            assert re.search(r"[A-Za-z0-9]{2}$", left), (left, text)
    assert typeset > 50  # the registry really writes subscripts this way
    joined = " ".join(_registry_texts())
    assert any(n in joined for n in names)  # and really mentions identifiers


@pytest.mark.tex
@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                    reason="needs pdflatex and pdftotext")
def test_every_registry_text_compiles_and_shows_no_literal_subscript(tmp_path):
    tricky = ["x'_0² and x*_0^t and θ†_t^2", "a_j_k, x_\\y, 50 % of_it",
              "S^⊥_t, e^{−ηI}, ∫_0^{x₀y₀}", "‖d_j^t‖², δ̄_0, ∇λ_max(∇²L)",
              "2^{-3}_{i}, x_{t+1}^{(2)}, ℓ_eff''(0)"]
    body = "\n\n".join(latex_escape(t, scripts=True) for t in _registry_texts() + tricky)
    tex = tmp_path / "prose.tex"
    tex.write_text("\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage{lmodern}"
                   "\\usepackage{amsmath,amssymb}\\sloppy\\begin{document}\n" + body
                   + "\n\\end{document}\n")
    result = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode",
                             tex.name], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    text = subprocess.run(["pdftotext", "prose.pdf", "-"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout
    assert "λmax" in text and "θt" in text
    for literal in ("θ_t", "λ_max", "d_j", "w_j", "B_j"):
        assert literal not in text
