"""Self-stabilization on the tanh MLP: the checks and their building blocks (projection, ∇S,
the batched Hessian, the float32 start). Broken inputs are the checks' `violations`, run by
tests/theory/test_evidence.py; here are the failure details the repaired checks detect."""

import numpy as np
import pytest

import eosmath.theory as th
from eosmath.theory import self_stabilization_mlp as ssm

MLP_CHECKS = [c.name for c in th.checks() if c.name.startswith("self_stabilization.mlp_")]


@pytest.mark.slow
@pytest.mark.parametrize("name", MLP_CHECKS)
def test_check_passes_on_defaults_and_held_out_runs(name, verdict):
    v = verdict(name)
    assert v.passed, v
    assert len(v.held_out) >= 3 and all(h.passed for h in v.held_out)
    assert "1-20-1" in v.not_shown


@pytest.mark.slow
def test_self_stabilization_happens_in_the_window(verdict):
    # From the float32 start the unstable component is tiny, grows past δ and is caught.
    c = {x.quantity.split(" (")[0]: x.measured
         for x in verdict("self_stabilization.mlp_predicted_dynamics").comparisons}
    assert c["|x*_0|/δ"] < 1e-3 and c["max|x*|/δ"] > 3 and c["|x*_T|/δ"] < 1e-3


@pytest.mark.slow
def test_spike_cycle_with_a_wrong_eta_predicts_the_spike_too_early():
    v = th.verify("self_stabilization.mlp_spike_cycle", eta_pred=0.41)
    timing = [c for c in v.comparisons if c.quantity.startswith("(predicted spike step")][0]
    assert not v.passed and not timing.passed and timing.measured < 0


def test_first_crossing_stops_where_the_midpoint_sharpness_reaches_the_edge():
    obj, theta = ssm.small_objective()
    step, theta0, samples = ssm.first_crossing(obj, theta, 0.4)
    assert step is not None and theta0.dtype == np.float64 and len(samples) >= 2
    grad = ssm._Gradient(obj)
    assert ssm.sharpness(grad, samples[-1]) < 2 / 0.4 <= ssm.sharpness(
        grad, theta0 - 0.2 * obj.grad(theta0))


def test_batched_hessian_equals_the_column_by_column_one():
    obj, theta = ssm.small_objective()
    batched = ssm.dense_hessian(ssm._Gradient(obj), theta)
    looped = ssm.dense_hessian(obj.grad, theta)
    assert np.allclose(batched, looped, rtol=0, atol=1e-12)


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


@pytest.mark.slow
@pytest.mark.parametrize("name", MLP_CHECKS)
def test_full_mode_passes_on_five_held_out_runs(name):
    v = th.verify(name, quick=False)
    assert v.passed, v
    assert len(v.held_out) == 5
