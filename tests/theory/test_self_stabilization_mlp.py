"""self_stabilization.mlp_predicted_dynamics and its building blocks (projection, ∇S)."""

import numpy as np
import pytest

import eosmath.theory as th
from eosmath.theory import self_stabilization_mlp as ssm

NAME = "self_stabilization.mlp_predicted_dynamics"


@pytest.mark.parametrize("name", [NAME, "self_stabilization.mlp_spike_cycle"])
def test_check_passes_on_defaults(name):
    verdict = th.verify(name)
    assert verdict.passed, verdict
    assert verdict.source and verdict.statement


def test_spike_cycle_fails_with_a_wrong_eta_in_the_prediction():
    # θ† and v* run with η = 0.41 while GD uses 0.4: the predicted spike comes ~9 steps early.
    assert not th.verify("self_stabilization.mlp_spike_cycle", eta_pred=0.41).passed


def test_spike_cycle_fails_without_the_initial_displacement():
    # x₀ ≈ 1e-17: no spike within 80 steps, so the sharpness never returns below 2/η.
    assert not th.verify("self_stabilization.mlp_spike_cycle", x0_fraction=0.0).passed


def test_check_fails_when_the_prediction_starts_from_a_perturbed_point():
    assert not th.verify("self_stabilization.mlp_predicted_dynamics",
                          start_perturbation=1e-2).passed


def _quadratic(seed=0, d=6):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.array([0.1, 0.3, 0.7, 1.0, 1.5, 3.0])
    A = Q @ np.diag(lam) @ Q.T
    b = rng.standard_normal(d)
    return A, b, Q[:, -1], lam[-1]


def test_projection_on_a_quadratic_is_the_orthogonal_projection_onto_the_hyperplane():
    # L = ½θᵀAθ − bᵀθ with S = 3 < 2/η: M = {u·(Aθ − b) = 0} = {λ₁ u·θ = u·b}, a hyperplane.
    A, b, u, lam1 = _quadratic()
    p = np.random.default_rng(1).standard_normal(6)
    expected = p - u * (u @ p - (u @ b) / lam1)
    got = ssm.project(lambda t: A @ t - b, p, eta=0.5)
    assert np.allclose(got, expected, atol=1e-8)
    assert abs(u @ (A @ got - b)) < 1e-8
    # A point moved off M along u is not its own projection.
    assert not np.allclose(got + 0.1 * u, ssm.project(lambda t: A @ t - b, got, eta=0.5) + 0.2 * u)


def test_grad_sharpness_matches_the_cubic_contraction():
    # L = Σ a_i θ_i²/2 + Σ c_i θ_i³/6: ∇³L[u, u] = c ⊙ u² exactly.
    rng = np.random.default_rng(2)
    a, c = np.array([1.0, 2.0, 5.0]), rng.standard_normal(3)
    theta = rng.standard_normal(3) * 0.1
    u = rng.standard_normal(3)
    u /= np.linalg.norm(u)
    got = ssm.grad_sharpness(lambda t: a * t + c * t**2 / 2, theta, u)
    assert np.allclose(got, c * u**2, rtol=1e-6, atol=1e-9)
    assert not np.allclose(got, c * u, rtol=1e-3)


def test_constrained_step_on_a_quadratic_stays_on_the_hyperplane_and_descends():
    # PGD step on the quadratic = projected gradient step within the hyperplane, closed form.
    A, b, u, lam1 = _quadratic(3)
    grad = lambda t: A @ t - b  # noqa: E731
    p = ssm.project(grad, np.zeros(6), eta=0.5)
    step = ssm.project(grad, p - 0.5 * grad(p), eta=0.5)
    q = p - 0.5 * grad(p)
    expected = q - u * (u @ q - (u @ b) / lam1)
    assert np.allclose(step, expected, atol=1e-8)
