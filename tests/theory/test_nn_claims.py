"""Issue-8 checks (seed 004, Cohen et al., threshold neurons): each passes on its defaults and
fails on a deliberately broken input."""

import pytest

import eosmath.theory as th

NAMES = [
    "shallow_relu.balance_identity",
    "shallow_relu.inactive_stay_inactive",
    "shallow_relu.phases",
    "shallow_relu.lr_decay_ends_oscillation",
    "progressive_sharpening.chebyshev_eos",
    "progressive_sharpening.departs_from_flow",
    "threshold_neurons.mean_model_reduction",
    "threshold_neurons.bias_transition",
    "threshold_neurons.eos_bias_level",
]


@pytest.mark.parametrize("name", NAMES)
def test_check_passes_on_defaults(name):
    verdict = th.verify(name)
    assert verdict.passed, verdict
    assert verdict.source and verdict.statement


def test_balance_fails_with_a_perturbed_prediction():
    assert not th.verify("shallow_relu.balance_identity", increment_scale=1.0001).passed


def test_inactive_pairs_fail_with_a_perturbed_update():
    assert not th.verify("shallow_relu.inactive_stay_inactive", perturb=1e-12).passed


def test_phases_fail_when_stopped_too_early():
    assert not th.verify("shallow_relu.phases", steps=40).passed


def test_lr_decay_fails_without_a_decay():
    assert not th.verify("shallow_relu.lr_decay_ends_oscillation", factor=1.0).passed


def test_progressive_sharpening_fails_below_the_edge():
    assert not th.verify("progressive_sharpening.chebyshev_eos", eta=0.05).passed


def test_departure_from_flow_fails_without_a_crossing():
    assert not th.verify("progressive_sharpening.departs_from_flow", eta=0.05).passed


def test_reconstructed_claims_say_so():
    for info in th.checks():
        if info.name.startswith("threshold_neurons."):
            assert "reconstruction" in info.statement


def test_topk_in_turn_passes_and_fails_below_the_edge():
    verdict = th.verify("shallow_relu.topk_enter_in_turn")
    assert verdict.passed, verdict
    assert not th.verify("shallow_relu.topk_enter_in_turn", eta=0.05).passed
