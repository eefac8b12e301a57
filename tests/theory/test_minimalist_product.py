"""Product-model checks: pass on the defaults, fail on broken inputs."""

import pytest
import sympy as sp

import eosmath as eos
import eosmath.theory as th


@pytest.mark.parametrize("name", [c.name for c in th.checks() if c.family == "product"])
def test_passes_on_defaults(name):
    v = th.verify(name)
    assert v.passed, v


def _broken_loss():
    # ℓ(xy) plus an odd term in x: the axis y = 0 is no longer a line of fixed points, and
    # x² − y² is no longer conserved.
    x, y = sp.symbols("x y", real=True)
    return eos.Model(sp.log(sp.cosh(x * y)) + x**3 / 10, (x, y), name="broken")


def test_invariant_lines_fail_on_perturbed_model():
    assert not th.verify("product.invariant_lines", model=_broken_loss()).passed


def test_gf_conservation_fails_on_perturbed_model():
    assert not th.verify("product.gf_conserved", model=_broken_loss()).passed


def test_gd_identity_fails_with_wrong_power_of_eta():
    v = th.verify("product.gd_identity", eta_power=1)
    assert not v.passed and v.witness is not None
    assert v.recheck is not None and not v.recheck.passed   # real, not a rounding artefact


def test_product_formula_fails_before_convergence():
    assert not th.verify("product.limit_product_formula", steps=20).passed


def test_gf_limit_sharpness_needs_the_curvature_factor():
    assert th.verify("product.gf_limit", ell="logistic_even").passed
    assert not th.verify("product.gf_limit", ell="logistic_even", c_claim=1.0).passed


def test_gf_regime_fails_in_the_eos_regime():
    assert not th.verify("product.gf_regime", r_times_eta=3.0).passed   # R = 3/η > 2/η


def test_eos_limit_fails_in_the_gf_regime():
    assert not th.verify("product.eos_limit", theta0=(0.5, 4.0)).passed    # R < 2/η = 40


def test_eos_limit_fails_for_the_square_loss():
    assert not th.verify("product.eos_limit", ells=("square",)).passed      # β = 0


def test_eos_limit_fails_with_an_off_by_one_tolerance():
    # The measured gap error at η = 0.05 is ~1e-3 (spec); a tolerance ten times smaller fails.
    assert not th.verify("product.eos_limit", tolerance=1e-4).passed


def test_regime_switch_fails_for_a_wrong_location():
    assert not th.verify("product.regime_switch", eta_claim=0.0204).passed


def test_normalisation_fails_without_the_curvature_factor():
    assert not th.verify("product.normalisation", c_claim=1.0).passed


def test_eos_failure_is_confirmed_at_high_precision():
    v = th.verify("product.eos_limit", ells=("logcosh",), tolerance=1e-4)
    assert not v.passed and v.recheck is not None and v.recheck.dps == 50
    assert v.recheck.verdict == "confirmed counterexample"
    assert abs(v.recheck.measured - v.measured) < 1e-9      # float64 and 50 digits agree


def test_no_recheck_when_the_hypothesis_fails():
    v = th.verify("product.eos_limit", theta0=(0.5, 4.0))
    assert not v.passed and v.recheck is None


def test_switch_recheck_accepts_the_predicted_location():
    from eosmath.theory.minimalist_product import _recheck_switch

    model = eos.models.get("product", ell="logcosh")
    assert _recheck_switch(model, (0.5, 10.0), 0.0200675, 1e-4).passed
    v = th.verify("product.regime_switch", eta_claim=0.0204)
    assert v.recheck.verdict == "confirmed counterexample"
