import numpy as np
import pytest

from eosmath import nn
from eosmath.nn import orthogonal_relu as orl

M, N = 40, 6


def setup(basis="canonical", lam=0.3, seed=0):
    data = nn.datasets.orthogonal(n=N, d=N, basis=basis)
    theta = orl.init_balanced(M, N, lam, seed=seed)
    return data, nn.Objective(orl.network(M, N), data), theta


def test_permutation_round_trip():
    theta = np.arange(M * (N + 1), dtype=float)
    assert np.array_equal(orl.from_neuron_order(orl.to_neuron_order(theta, M, N), M, N), theta)
    blocks = orl.to_neuron_order(theta, M, N).reshape(M, N + 1)
    W, a = orl.split(theta, N)
    assert np.array_equal(blocks[:, :N], W) and np.array_equal(blocks[:, N], a)


def test_autodiff_gradient_equals_neuron_form():
    data, obj, theta = setup()
    D = orl.neuron_directions(theta, data)
    W, a = orl.split(theta, N)
    expected = np.concatenate([(-a[:, None] * D).ravel(), -np.einsum("jd,jd->j", W, D)])
    assert np.allclose(obj.grad(theta), expected, rtol=1e-14, atol=1e-16)


def test_lemma_2_1_balance_step_by_step_and_corrected_eq3():
    data, obj, theta = setup()
    eta = 0.5
    total_predicted = np.zeros(M)
    B0 = orl.balance(theta, N)
    for _ in range(300):
        W, a = orl.split(theta, N)
        scale = np.einsum("jd,jd->j", W, W) + a * a
        before = orl.balance(theta, N)
        predicted = orl.balance_increment_predicted(theta, data, eta)
        next_predicted = orl.balance_next_predicted(theta, data, eta)
        dd = np.einsum("jd,jd->j", *(2 * [orl.neuron_directions(theta, data)]))
        misprinted = (1 - eta**2 * dd) * before + predicted
        theta = theta - eta * obj.grad(theta)
        after = orl.balance(theta, N)
        assert np.all(np.abs(after - before - predicted) <= 4e-16 * scale.max())
        assert np.all(np.abs(after - next_predicted) <= 4e-16 * scale.max())
        total_predicted += predicted
        # the seed's printed eq. (3) is off by η²‖d‖²B (nonzero once B ≠ 0 and d ≠ 0)
        assert np.allclose(misprinted - after, -eta**2 * dd * before, atol=4e-16 * scale.max())
    assert np.max(np.abs(orl.balance(theta, N) - B0 - total_predicted)) <= 1e-14
    assert np.max(np.abs(total_predicted)) > 1e-6  # the identity was exercised


def test_lemma_2_2_inactive_neurons_stay_inactive_bitwise():
    data, obj, theta = setup(lam=0.3, seed=2)
    X = data.X
    for _ in range(200):
        pre = X @ orl.split(theta, N)[0].T
        theta = theta - 0.5 * obj.grad(theta)
        new = X @ orl.split(theta, N)[0].T
        inactive = pre <= 0
        assert inactive.any()
        assert np.array_equal(new[inactive], pre[inactive])


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_relu_hessian_closed_form_vs_fd_and_small_init_spectrum():
    data, obj, theta = setup(lam=1e-3)
    H = orl.hessian(theta, data)
    v = np.random.default_rng(0).normal(size=theta.size)
    fd = obj.hvp_with_error(theta, v, eps=1e-6)
    assert not fd.kink_warning
    assert np.linalg.norm(fd.value - H @ v) <= 1e-7 * np.linalg.norm(H @ v)
    # spec §3.5: at small init the top eigenvalue ≈ max_j ‖d_j‖ and λ_± ≈ −‖d_±‖ (negative)
    top = nn.top_eigenpairs(obj, theta, k=2).eigenvalues[0]
    d_norm = np.linalg.norm(orl.neuron_directions(theta, data), axis=1).max()
    assert abs(top - d_norm) <= 1e-2 * d_norm
    assert abs(top - np.linalg.eigvalsh(H)[-1]) <= 1e-8
    plus, minus = orl.active_sets(theta, data)
    assert len(plus) and len(minus)
    lam_plus, lam_minus = orl.rayleigh_sharpness(theta, data, theta)
    assert lam_plus < 0 and lam_minus < 0
    assert np.isclose(lam_plus, -np.linalg.norm(data.meta["d_plus"]), rtol=2e-2)
    assert np.isclose(lam_minus, -np.linalg.norm(data.meta["d_minus"]), rtol=2e-2)
