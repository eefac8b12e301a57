"""The central-flow section of catalog derivations: every check passes, and the checks can
fail (a wrong σ² or a wrong ∇S is caught)."""

from pathlib import Path

import pytest
import sympy as sp

import eosmath as eos
from eosmath.derivations import central_flow_statements as cfs


@pytest.mark.parametrize(("name", "options", "slug"),
                         [("product", {"ell": "logcosh"}, "product_logcosh"),
                          ("two_layer_minimal", {}, "two_layer_minimal"),
                          ("self_stabilization_toy", {}, "self_stabilization_toy")])
def test_section_is_verified_and_in_the_committed_derivation(name, options, slug):
    statements = cfs.central_flow_statements(eos.models.get(name, **options))
    assert [s.key for s in statements][:2] == ["central-flow-ode", "central-flow-lemma2"]
    assert all(c.passed for s in statements for c in s.checks)
    tex = (Path(__file__).parents[2] / "derivations" / f"{slug}.tex").read_text()
    assert rf"\label{{eq:{slug}:cf-ode}}" in tex


def test_other_models_get_no_section():
    assert cfs.central_flow_statements(eos.models.get("quadratic", a=1.0)) == []


def test_lemma2_check_catches_a_wrong_third_derivative(monkeypatch):
    m = eos.models.get("two_layer_minimal")
    good = cfs._lemma2_sampled(m, [(0.7, 0.05, 1.1)])
    assert good.passed
    real = m.derivative

    def wrong(order):
        t = real(order)
        return t * sp.Rational(101, 100) if order == 3 else t

    monkeypatch.setattr(m, "derivative", wrong)
    assert not cfs._lemma2_sampled(m, [(0.7, 0.05, 1.1)]).passed
