"""Issue-8 checks (seed 004, Cohen et al., threshold neurons): each passes on its defaults; the
broken inputs of the seed-004 and Cohen checks are declared as their ``violations`` (run by
tests/theory/test_evidence.py); the tests here assert specific failure details."""


import numpy as np
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
def test_check_passes_on_defaults(name, verdict):
    v = verdict(name)
    assert v.passed, v
    assert v.source and v.statement


def test_reconstructed_claims_say_so():
    for info in th.checks():
        if info.name.startswith("threshold_neurons."):
            assert "reconstruction" in info.statement


def test_topk_in_turn_passes_with_lambda2_after_lambda1(verdict):
    v = verdict("shallow_relu.topk_enter_in_turn")
    assert v.passed, v
    m = v.measured
    assert m["first step η·λ₁/2 ≥ 0.95"] < m["first step η·λ₂/2 ≥ 0.95 (after λ₁'s)"]


@pytest.mark.parametrize("name", ["shallow_relu.balance_preserved", "shallow_relu.phases_at_edge",
                                  "shallow_relu.lemma_a1_tau_init"])
def test_new_seed004_checks_pass(name, verdict):
    v = verdict(name)
    assert v.passed, v
    assert v.kind == "theorem" and v.comparisons


def test_balance_is_lost_beyond_eta_d_le_1():
    # The seed states ‖w_j‖ ≥ |a_j| for every η; at η = 3 (η‖d_j‖ reaches 1.5) B_j < 0.
    v = th.verify("shallow_relu.balance_preserved", eta=3.0)
    worst = v.measured["min over t, j of (‖w_j‖² − a_j²)/(‖w_j‖² + a_j²)"]
    assert not v.passed and worst < -1e-3
    assert v.measured["largest η‖d_j^t‖ (hypothesis: ≤ 1)"] > 1


def test_lemma_a1_as_printed_is_refuted():
    v = th.verify("shallow_relu.lemma_a1_tau_init", combine="max")
    assert not v.passed
    refuted = {(r["eta"], r["A"], r["B"]): r for r in v.evidence["printed_max_refuted_on"]}
    row = refuted[(0.5, 3.0, 0.1)]
    assert row["tau_init"] == 6 and row["terms"][1] > 10


def test_phases_beyond_the_edge_fail_on_lambda_plus_only():
    v = th.verify("shallow_relu.phases_at_edge", eta=2.6)
    failing = {c.quantity for c in v.comparisons if not c.passed}
    assert failing == {"min λ+ over the second half"}


def test_rayleigh_quotients_match_the_explicit_hessian():
    from eosmath import nn
    from eosmath.nn import orthogonal_relu as orl
    from eosmath.theory.shallow_relu import rayleigh_quotients

    data = nn.datasets.orthogonal()
    obj = nn.Objective(orl.network(40, 6), data, loss="mse")
    theta = orl.init_balanced(40, 6, 1e-3, seed=0)
    for _ in range(60):  # into phase 2, where the Gauss–Newton part matters
        theta = theta - 0.5 * obj.grad(theta)
    vectors = np.vstack([orl.theorem_directions(orl.init_balanced(40, 6, 1e-3, seed=0), data),
                         np.random.default_rng(1).normal(size=(3, theta.size))])
    H = orl.hessian(theta, data)
    exact = np.einsum("ip,pq,iq->i", vectors, H, vectors)
    assert np.allclose(rayleigh_quotients(theta, data, vectors), exact, rtol=1e-12, atol=1e-14)


def test_lr_decay_before_the_edge_fails_for_lack_of_oscillation():
    v = th.verify("shallow_relu.lr_decay_ends_oscillation", decay_at=600, steps=1200)
    failing = {c.quantity for c in v.comparisons if not c.passed}
    assert failing == {"loss increases in the 500 steps before the decay"}
