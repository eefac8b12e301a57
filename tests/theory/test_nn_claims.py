"""Issue-8 checks (seed 004, Cohen et al., threshold neurons): each passes on its defaults and
fails on a deliberately broken input."""

import math

import pytest

import eosmath as eos

DEFAULT_PASS = [
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


@pytest.mark.parametrize("name", DEFAULT_PASS)
def test_check_passes_on_defaults(name):
    verdict = eos.verify(name)
    assert verdict.passed, verdict
    assert verdict.source and verdict.statement


BROKEN = [
    ("shallow_relu.balance_identity", {"increment_scale": 1.0001}),       # perturbed prediction
    ("shallow_relu.inactive_stay_inactive", {"perturb": 1e-12}),          # perturbed update
    ("shallow_relu.phases", {"steps": 40}),                               # stopped too early
    ("shallow_relu.lr_decay_ends_oscillation", {"factor": 1.0}),          # no decay at all
    ("progressive_sharpening.chebyshev_eos", {"eta": 0.05}),              # never reaches 2/η
    ("progressive_sharpening.departs_from_flow", {"eta": 0.05}),          # no crossing
    ("threshold_neurons.bias_transition", {"predicted_eta": 4 * math.pi / 400**2}),
    ("threshold_neurons.eos_bias_level", {"predict_d": 200}),             # wrong dimension
]


@pytest.mark.parametrize("name, overrides", BROKEN, ids=[b[0] for b in BROKEN])
def test_check_fails_on_broken_input(name, overrides):
    assert not eos.verify(name, **overrides).passed


def test_reconstructed_claims_say_so():
    for info in eos.checks():
        if info.name.startswith("threshold_neurons."):
            assert "reconstruction" in info.statement
