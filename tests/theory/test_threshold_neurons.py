"""Threshold-neuron checks (Ahn et al., NeurIPS 2023; spec B.3, B.5): each passes on its
defaults, its evidence is declared, and it fails where its claim is wrong (the declared
violations are run by tests/theory/test_evidence.py; the specific failures are asserted here)."""

import math

import pytest
import sympy as sp

import eosmath.theory as th
from eosmath.theory.threshold_neurons import common_mode_threshold, transition_tolerance

NAMES = ["threshold_neurons.common_mode_threshold", "threshold_neurons.network_transition",
         "threshold_neurons.mean_model_reduction", "threshold_neurons.bias_transition",
         "threshold_neurons.eos_bias_level"]


@pytest.mark.parametrize("name", NAMES)
def test_check_passes_and_says_it_is_a_reconstruction(name, verdict):
    v = verdict(name)
    assert v.passed, v
    assert v.kind == "reconstruction" and "(reconstruction)" in v.statement
    assert v.comparisons


def test_mean_model_reduction_gives_the_papers_constant():
    d = sp.Symbol("d", positive=True)
    assert sp.simplify(common_mode_threshold() - 8 * sp.pi / d**2) == 0


def test_network_transition_is_near_8pi_over_d2(verdict):
    v = verdict("threshold_neurons.network_transition")
    ratio = v.evidence["d=200"]["ratio_to_8pi_over_d2"]
    assert abs(ratio - 1) < transition_tolerance(200, 300, 0.004)["total"]


def test_network_tolerance_is_fixed_in_advance_and_rejects_8_percent():
    tol = transition_tolerance(200, 300, 0.004)
    assert tol["total"] < 0.06          # so a prediction 8% off cannot pass at d = 200
    assert tol["finite_size"] == pytest.approx(0.0298, abs=5e-4)


def test_network_transition_fails_against_a_wrong_constant():
    assert not th.verify("threshold_neurons.network_transition", predicted_factor=1.08).passed


def test_summed_loss_shows_no_transition_near_8pi_over_d2():
    # without the 1/n the initial sharpness is n times larger: every η of the bracket is past it
    v = th.verify("threshold_neurons.network_transition", normalisation="sum")
    assert not v.passed
    assert all(math.isnan(v.evidence[f"d={d}"]["transition"]) for d in (100, 200))


def test_mean_model_transition_rejects_the_alternative_and_shifted_constants():
    assert not th.verify("threshold_neurons.bias_transition", predicted_eta_factor=1.08).passed
    assert not th.verify("threshold_neurons.bias_transition", predict_d=420).passed


def test_bias_transition_passes_its_held_out_inputs(verdict):
    v = verdict("threshold_neurons.bias_transition")
    assert len(v.held_out) >= 3 and all(h.passed for h in v.held_out)


def test_eos_bias_level_fails_with_dimension_off_by_five_percent():
    assert not th.verify("threshold_neurons.eos_bias_level", predict_d=420).passed


@pytest.mark.slow
def test_network_transition_full_mode():
    # T = 10 (Figure 1's total time), d = 200 and 400, and the Figure-1 accuracy sweep
    v = th.verify("threshold_neurons.network_transition", quick=False)
    assert v.passed, v
    sweep = v.evidence["figure1_sweep"]["eta_over_eta_c"]
    assert sweep[16.0]["final_bias"] < sweep[0.5]["final_bias"]
