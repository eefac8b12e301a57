"""Product-model checks: pass on the defaults; failure details the meta-tests do not look at.

Each check's hypothesis violations (perturbed model, wrong η regime, β = 0, plain 2/R) are
declared in the registry and run by tests/theory/test_evidence.py.
"""

import math

import numpy as np
import pytest

import eosmath as eos
import eosmath.theory as th
from eosmath.theory._iterate import trajectory
from eosmath.theory.minimalist_product import _limit, first_order_switch, gf_drift_integral


@pytest.mark.parametrize("name", [c.name for c in th.checks() if c.family == "product"])
def test_passes_on_defaults(name, verdict):
    v = verdict(name)
    assert v.passed, v
    assert v.kind != "unclassified"


def test_gd_identity_failure_with_wrong_power_of_eta_is_real():
    v = th.verify("product.gd_identity", eta_power=1)
    assert not v.passed and v.witness is not None
    assert v.recheck is not None and not v.recheck.passed   # not a rounding artefact


def test_chunked_limit_stops_at_the_first_step_on_the_axis():
    model = eos.models.get("product", ell="logcosh")
    theta, steps, converged = _limit(model, (1.0, 3.0), 0.05, 10**6)
    tr = trajectory(model, (1.0, 3.0), 0.05, steps)
    assert converged and abs(theta[0]) < 1e-13 <= abs(tr[-2, 0])
    assert np.array_equal(theta, tr[-1])


def test_drift_integral_reduces_to_the_loss_drop_when_x_is_small():
    # √(R² + 4s²) ≈ R when s = xy ≪ R, so I ≈ Δℓ/R (the spec's R − ηΔℓ).
    x0, y0 = 0.01, 10.0
    r = y0**2 - x0**2
    assert abs(gf_drift_integral("logcosh", (x0, y0)) * r / math.log(math.cosh(x0 * y0)) - 1) < 1e-4


def test_spec_loss_drop_formula_is_only_first_order_correct_for_small_x():
    # From (1, 2) the spec's R − ηΔℓ has an O(η) error (observed order 1), the GF integral O(η²).
    v = th.verify("product.gf_regime", ells=("logcosh",), starts=((1.0, 2.0),),
                  first_order="loss_drop")
    assert not v.passed
    assert all(abs(o - 1) < 0.05 for o in v.evidence["rows"][0]["orders"])


def test_regime_switch_resolves_the_first_order_shift(verdict):
    e = verdict("product.regime_switch").evidence
    # The first-order shift η_s − 2/R is larger than the window the check allows above η_s.
    assert e["eta_s"] - e["2/R"] > 10 * e["eta_s"] ** 3
    assert e["2/R"] < e["eta_s"] <= e["onset"]


def test_spec_start_cannot_separate_the_two_switch_predictions():
    # At (0.5, 10) the EoS onset lies further above η_s than η_s lies above 2/R (spec A.7).
    eta_s = first_order_switch("logcosh", (0.5, 10.0))
    assert abs(eta_s - 0.0200675) < 1e-7 and abs(2 / 99.75 - 0.0200501) < 1e-7
    v = th.verify("product.regime_switch", theta0=(0.5, 10.0))
    onset = v.evidence["onset"]
    assert onset - eta_s > eta_s - 2 / 99.75


def test_eos_bouncing_time_scale_is_beta_over_eta_squared(verdict):
    for row in verdict("product.eos_bouncing").evidence["rows"]:
        assert abs(row["rate"] * row["time_scale_steps"] - 1) < 0.01


def test_no_recheck_when_the_eos_hypothesis_fails():
    v = th.verify("product.eos_limit", ells=("logcosh",), theta0=(0.5, 4.0))
    assert not v.passed and v.recheck is None


def test_normalisation_failure_without_the_curvature_factor_is_confirmed():
    v = th.verify("product.normalisation", c_claim=1.0)
    assert not v.passed and v.recheck is not None
    assert v.recheck.verdict == "confirmed counterexample"
