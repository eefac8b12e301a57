"""Central-flow checks: each passes on its own inputs, and fails for the reason it states when
the flow's η is off by 10 % (which comparison turns, not only that the verdict does)."""

import numpy as np
import pytest

import eosmath.theory as th

NAMES = ["central_flow.product_limit", "central_flow.product_late_bouncing",
         "central_flow.self_stabilization_toy", "central_flow.two_layer_minimal",
         "central_flow.two_products"]


@pytest.mark.parametrize("name", NAMES)
def test_check_passes_with_its_evidence_declared(name, verdict):
    v = verdict(name)
    assert v.passed, v
    assert v.kind in ("theorem", "reconstruction")
    assert v.prediction_source.startswith("independent integration")
    assert len(v.held_out) >= 3 and all(h.passed for h in v.held_out)


def test_product_limit_measures_the_spec_gap(verdict):
    v = verdict("central_flow.product_limit")
    c = {x.quantity: x for x in v.comparisons}
    assert c["flow ηS/2 at rest"].measured == pytest.approx(1.0, abs=1e-12)
    gap = c["flow ηS/2 at rest"].measured - c["GD's limit ηS/2"].measured
    assert gap == pytest.approx(0.75 * 0.1**2, rel=0.01)        # η²/(4β), β = 1/3


def test_product_limit_with_the_flow_eta_off_misplaces_the_rest_point():
    v = th.verify("central_flow.product_limit", flow_eta_factor=1.1)
    c = {x.quantity: x for x in v.comparisons}
    assert not v.passed
    assert c["flow ηS/2 at rest"].measured == pytest.approx(1 / 1.1, rel=1e-9)
    assert not c["GD's limit ηS/2"].passed


def test_two_products_exercises_the_matrix_case(verdict):
    v = verdict("central_flow.two_products")
    assert v.evidence["largest_rank_of_X"] == 2
    assert v.evidence["sdcp_residual"] <= 1e-8
    assert all(h.measured["rank_X"] == 2 for h in v.held_out)


def test_two_layer_cycles_match_sigma2_and_the_loss(verdict):
    v = verdict("central_flow.two_layer_minimal")
    cycles = v.evidence["cycles"]
    assert len(cycles) >= 3
    for r in cycles:                          # the flow's σ² is GD's w₁ variance per cycle
        assert r["variance"] == pytest.approx(r["sigma2"], rel=0.05)
        assert r["to_flow"] < 0.2 * r["to_gf"]


def test_toy_fails_through_the_position_when_the_flow_eta_is_off():
    v = th.verify("central_flow.self_stabilization_toy", flow_eta_factor=1.1)
    failing = [c.quantity for c in v.comparisons if not c.passed]
    assert failing == ["distance to flow / distance to GF (worst cycle)"]
    # σ² = 2α/β does not depend on η: the flow's edge height does (y = (2/η' − 2/η)/√β).
    assert np.isfinite(v.comparisons[0].measured)

