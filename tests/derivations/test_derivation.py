"""Derivations of every catalog model: round trip through parse_latex, labels, checks."""

import random
import re
import subprocess
import sys

import mpmath
import pytest
import sympy as sp

import eosmath as eos
from eosmath.cli import main as cli_main
from eosmath.derivations import derive
from eosmath.derivations.checks import time_limit, verify_equal, verify_zero
from eosmath.derivations.derivation import Derivation, Equation, Statement
from eosmath.derivations.model_statements import conserved_quantity_statement
from eosmath.derivations.regenerate import regenerate
from eosmath.symbolic.model import Model
from eosmath.symbolic.stable import unstabilize

from .latex_roundtrip import join_lines, parse_back

pytest.importorskip("antlr4", reason="parse_latex needs antlr4-python3-runtime==4.11.*")


def _equal_at_30_digits(a, b, symbols, samples=5):
    """a == b at random points (positive values, so roots and logs stay real)."""
    f = sp.lambdify(symbols, unstabilize(a) - unstabilize(b), modules="mpmath")
    rng = random.Random(1)
    with mpmath.workdps(30):
        for _ in range(samples):
            point = [mpmath.mpf(rng.uniform(0.3, 1.7)) for _ in symbols]
            if abs(f(*point)) > mpmath.mpf(10) ** -25:
                return False
    return True


def _model_derivations(catalog_derivations):
    return [(m, d) for m, d in catalog_derivations if isinstance(m, Model)]


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_every_catalog_model_gets_a_verified_document(catalog_derivations):
    slugs = {d.slug for _, d in catalog_derivations}
    assert {"quadratic", "soft_quadratic", "product_logcosh", "product_sqrt",
            "self_stabilization_reduced", "two_layer_minimal"} <= slugs
    for _, d in catalog_derivations:
        assert d.verified, (d.slug, d.failed_checks)
        doc = d.to_latex()
        assert doc.count(r"\begin{document}") == 1 and doc.rstrip().endswith(r"\end{document}")
        assert "CHECK FAILED" not in doc and r"\textbf{Verified}" in doc


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_gradient_and_hessian_round_trip_through_parse_latex(catalog_derivations):
    for model, d in _model_derivations(catalog_derivations):
        symbols = sorted(model.loss.free_symbols, key=str)
        names = [p.name.replace("_", "") for p in model.params]
        for i, p in enumerate(model.params):
            eq = d.equation(f"gradient-{names[i]}")
            back = parse_back(join_lines(eq.rhs_lines()), symbols)
            assert _equal_at_30_digits(back, model.gradient()[i], symbols), (d.slug, p, back)
            for j in range(i, model.dim):
                eq = d.equation(f"hessian-{names[i]}-{names[j]}")
                back = parse_back(join_lines(eq.rhs_lines()), symbols)
                assert _equal_at_30_digits(back, model.hessian()[i, j], symbols), (d.slug, eq)


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_the_round_trip_would_notice_a_wrong_entry(catalog_derivations):
    model, d = next((m, d) for m, d in catalog_derivations if d.slug == "product_logcosh")
    symbols = sorted(model.loss.free_symbols, key=str)
    back = parse_back(join_lines(d.equation("gradient-x").rhs_lines()), symbols)
    assert not _equal_at_30_digits(back, model.gradient()[1], symbols)


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_every_equation_is_numbered_and_labelled_uniquely(catalog_derivations):
    for _, d in catalog_derivations:
        doc = d.to_latex()
        labels = re.findall(r"\\label\{([^}]*)\}", doc)
        assert len(labels) == len(set(labels))
        assert all(label.startswith(f"eq:{d.slug}:") for label in labels)
        n_equations = sum(len(st.equations) for st in d.statements)
        assert len(labels) == n_equations
        assert "align*" not in doc and "equation*" not in doc
        # every row of an align is either labelled or a continuation marked \nonumber
        for block in re.findall(r"\\begin\{align\}(.*?)\\end\{align\}", doc, re.S):
            for row in block.strip().split("\\\\\n"):
                assert r"\label{" in row or r"\nonumber" in row, row


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_documents_are_deterministic(catalog_derivations):
    model, d = next((m, d) for m, d in catalog_derivations if d.slug == "two_layer_minimal")
    assert derive(model).to_latex() == d.to_latex()


@pytest.mark.slow  # CI runs `regenerate --check` on its own as well
def test_committed_derivations_are_fresh_under_another_hash_seed(tmp_path):
    # The same check CI runs, in a fresh interpreter with a different hash seed.
    from pathlib import Path
    folder = Path(__file__).resolve().parents[2] / "derivations"
    result = subprocess.run(
        [sys.executable, "-m", "eosmath.derivations.regenerate", "--check", "--folder",
         str(folder)],
        capture_output=True, text=True, env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
        cwd=folder.parent, timeout=300)
    assert result.returncode == 0, result.stderr


def test_regenerate_check_lists_files_that_differ(tmp_path, monkeypatch):
    import eosmath.derivations.regenerate as regen
    monkeypatch.setattr(regen, "catalog_variants", lambda: [("quadratic", {})])
    (tmp_path / "quadratic.tex").write_text("stale\n")
    (tmp_path / "orphan.tex").write_text("no model makes this\n")
    differ = regenerate(tmp_path, check=True)
    assert "quadratic.tex" in differ and "orphan.tex" in differ
    assert (tmp_path / "quadratic.tex").read_text() == "stale\n"  # --check writes nothing


# ----------------------------------------------------------------------------- checks can fail
def test_a_wrong_conserved_quantity_is_reported_as_failed():
    model = eos.models.get("product", ell="logcosh")
    x, y = model.params
    good = conserved_quantity_statement(model, x**2 - y**2)
    bad = conserved_quantity_statement(model, x**2 + y**2)
    assert good.passed and good.checks[0].method == "symbolic"
    assert not bad.passed and bad.checks[0].method == "failed"
    d = derive(model)
    d.add(Statement("wrong", "A wrong claim", checks=bad.checks))
    assert not d.verified
    assert "CHECK FAILED" in d.to_latex()


def test_the_cli_exits_nonzero_on_failed_checks_and_regenerate_refuses(monkeypatch, tmp_path):
    import eosmath.derivations.regenerate as regen
    from eosmath.cli import derive as derive_cli
    from eosmath.errors import EosmathError

    def broken_derive(model, **kw):
        d = derive(model)
        x = model.params[0]
        d.add(Statement("wrong", "A wrong claim",
                        checks=(verify_zero(x, "x vanishes identically"),)))
        return d

    monkeypatch.setattr(derive_cli, "derive", broken_derive)
    assert cli_main(["derive", "quadratic", "--out", str(tmp_path / "q.tex")]) == 1
    assert "CHECK FAILED" in (tmp_path / "q.tex").read_text()
    monkeypatch.setattr(regen, "derive", broken_derive)
    with pytest.raises(EosmathError, match="failed checks"):
        regen.render_all()


def test_verify_equal_reports_where_a_numeric_identity_fails():
    u = sp.Symbol("u", real=True)
    check = verify_equal(sp.tanh(u), sp.tanh(u) + sp.exp(-40) * u, "almost tanh")
    assert check.passed is False and "nonzero at" in check.detail


def test_time_limit_interrupts_a_long_computation():
    import time
    with pytest.raises(TimeoutError):
        with time_limit(0.2):
            time.sleep(3)


# ----------------------------------------------------------------------------- bad input
def test_a_hessian_sympy_cannot_diagonalise_gets_its_characteristic_polynomial():
    model = Model.from_string("x*y*z + x**4 + y**4 + z**4 + x*z", params="x y z",
                              name="tangled")
    assert model.sharpness() is None
    d = derive(model)
    doc = d.to_latex()
    assert r"\det\left(\nabla^{2} L - \lambda I\right)" in doc
    assert d.statement("sharpness").passed
    charpoly = d.equation("charpoly").rhs
    lam = sp.Symbol("lambda")
    assert sp.expand(charpoly - (model.hessian() - lam * sp.eye(3)).det()) == 0


def test_unsolvable_fixed_points_are_reported_not_found():
    model = Model.from_string("x**2 + cos(3*x)", params="x", name="wiggly")
    assert model.fixed_points() is None
    d = derive(model)
    assert "Not found in closed form" in d.to_latex()
    assert d.statement("fixed-points").checks[0].method == "skipped"


def test_equation_names_must_be_unique_and_label_safe():
    from eosmath.errors import InvalidInputError
    x = sp.Symbol("x")
    d = Derivation("demo", "Demo")
    d.add(Statement("a", "A", equations=(Equation("same", "f", x),)))
    with pytest.raises(InvalidInputError):
        d.add(Statement("b", "B", equations=(Equation("same", "g", x),)))
    with pytest.raises(InvalidInputError):
        Equation("has space", "f", x)


def test_derive_refuses_what_it_cannot_describe():
    from eosmath.errors import InvalidInputError
    from eosmath.symbolic.system import DynamicalSystem
    x = sp.Symbol("x")
    with pytest.raises(InvalidInputError):
        derive(DynamicalSystem((x,), map=(x / 2,)))
    with pytest.raises(InvalidInputError):
        derive("quadratic")
