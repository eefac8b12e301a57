"""Threshold-neuron checks (Ahn et al., NeurIPS 2023; spec B.3, B.5): each passes on its
defaults, its evidence is declared, and it fails where its claim is wrong (the declared
violations are run by tests/theory/test_evidence.py; the specific failures are asserted here)."""

import math

import numpy as np
import pytest
import sympy as sp

import eosmath.theory as th
from eosmath.nn.datasets import sparse_coding
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


def _vector_reading(eta, normalisation, d=200, n=300, seed=0):
    """The literal reading of spec B.5: a₊, a₋ ∈ ℝᵈ, f = Σᵢ a₊ᵢReLU(xᵢ + b) − a₋ᵢReLU(−xᵢ + b)
    (each coordinate N(0, 1/(2d))), ⌈10/η⌉ steps. Returns (final b, test accuracy)."""
    data = sparse_coding(d=d, n=n, lam=3.0, seed=seed)
    test = sparse_coding(d=d, n=2000, lam=3.0, seed=seed + 10_000)
    x, y = data.X, data.Y[:, 0]
    scale = 1.0 / n if normalisation == "mean" else 1.0
    ap, am = np.random.default_rng([seed, 1]).normal(0.0, math.sqrt(1 / (2 * d)), (2, d))
    b = 0.0
    for _ in range(math.ceil(10.0 / eta)):
        plus, minus = np.maximum(x + b, 0.0), np.maximum(b - x, 0.0)
        g = -scale * y * 0.5 * (1.0 - np.tanh(0.5 * y * (plus @ ap - minus @ am)))
        gb = g @ ((plus > 0) @ ap - (minus > 0) @ am)
        ap, am, b = ap - eta * (g @ plus), am + eta * (g @ minus), b - eta * gb
    f = np.maximum(test.X + b, 0.0) @ ap - np.maximum(b - test.X, 0.0) @ am
    return b, float(np.mean(np.sign(f) == test.Y[:, 0]))


@pytest.mark.slow
@pytest.mark.parametrize("normalisation", ["mean", "sum"])
def test_vector_weight_reading_does_not_reproduce_figure_1(normalisation):
    # Figure 1 starts near the linear level Φ(λ/√d) = 58.4% and its bias falls above 8π/d².
    # With vector outer weights (2d parameters, n = 300 samples) the test accuracy stays at
    # chance on both sides of 8π/d², and the bias does not fall there (it rises).
    eta_c = 8 * math.pi / 200**2
    below, above = (_vector_reading(f * eta_c, normalisation) for f in (0.5, 2.0))
    assert below[1] < 0.55 and above[1] < 0.55
    assert above[0] > -0.05 and below[0] > -0.05


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_network_transition_on_other_draws(seed):
    # other data sets and initialisations (the default is seed 0)
    assert th.verify("threshold_neurons.network_transition", seed=seed).passed
