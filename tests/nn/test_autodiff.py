import itertools

import mpmath as mp
import numpy as np
import pytest

from eosmath import nn
from eosmath.nn._elementwise import MPMATH
from tests.nn import oracle

ACTIVATIONS = ["tanh", "relu", "elu", "softplus", "swish", "identity"]
LOSSES = ["mse", "cross_entropy", "logistic"]


def small_problem(loss, seed=0):
    rng = np.random.default_rng(seed)
    n_out = 1 if loss == "logistic" else 2
    sizes = [3, 4, n_out]
    X = rng.normal(size=(5, 3))
    if loss == "mse":
        Y = rng.normal(size=(5, n_out))
    elif loss == "cross_entropy":
        Y = np.eye(n_out)[rng.integers(0, n_out, size=5)]
    else:
        Y = rng.choice([-1.0, 1.0], size=(5, 1))
    net = nn.MLP(sizes, activation="tanh", bias=True)
    theta = net.init(seed=seed) + 0.1 * rng.normal(size=net.n_params)
    return sizes, X, Y, theta


@pytest.mark.parametrize("act,loss", list(itertools.product(ACTIVATIONS, LOSSES)))
def test_gradient_matches_independent_mpmath_oracle(act, loss):
    sizes, X, Y, theta = small_problem(loss)
    net = nn.MLP(sizes, activation=act, bias=[True, False])
    theta = theta[: net.n_params]
    obj = nn.Objective(net, (X, Y), loss=loss)
    value, grad = obj.value_and_grad(theta)
    ref_grad = oracle.gradient(theta, sizes, act, net.bias, X, Y, loss)
    ref_value = oracle.value(theta, sizes, act, net.bias, X, Y, loss)
    assert abs(float(value) - ref_value) <= 1e-14 * max(1.0, abs(ref_value))
    assert np.linalg.norm(grad - ref_grad) <= 1e-12 * np.linalg.norm(ref_grad)


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_mpmath_path_gradient_agrees_to_many_digits(act):
    sizes, X, Y, theta = small_problem("mse", seed=1)
    net = nn.MLP(sizes, activation=act)
    obj = nn.Objective(net, (X, Y))
    ref = oracle.gradient(theta, sizes, act, net.bias, X, Y, "mse", dps=60, h="1e-25")
    with mp.workdps(50):
        grad = obj.grad(MPMATH.asarray(theta))
    assert grad.dtype == object
    assert np.max(np.abs(grad.astype(float) - ref)) <= 1e-15 * np.max(np.abs(ref))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", LOSSES)
def test_dtype_is_preserved(dtype, loss):
    sizes, X, Y, theta = small_problem(loss)
    net = nn.MLP(sizes, activation="swish")
    obj = nn.Objective(net, (X, Y), loss=loss)
    theta = theta.astype(dtype)
    value, grad = obj.value_and_grad(theta)
    assert np.asarray(value).dtype == dtype and grad.dtype == dtype
    assert obj.hvp(theta, np.ones_like(theta)).dtype == dtype
    ref = obj.grad(theta.astype(np.float64))
    tol = 1e-4 if dtype == np.float32 else 1e-13
    assert np.linalg.norm(grad - ref) <= tol * np.linalg.norm(ref)


def test_unflatten_uses_pytorch_order():
    net = nn.MLP([2, 3, 1], activation="tanh")
    theta = np.arange(net.n_params, dtype=float)
    (W1, b1), (W2, b2) = net.unflatten(theta)
    assert W1.tolist() == [[0, 1], [2, 3], [4, 5]] and b1.tolist() == [6, 7, 8]
    assert W2.tolist() == [[9, 10, 11]] and b2.tolist() == [12]
    assert np.array_equal(net.flatten(net.unflatten(theta)), theta)


def test_chebyshev_network_matches_spec_numbers():
    net = nn.MLP([1, 100, 1], activation="tanh", bias=[True, False])
    obj = nn.Objective(net, nn.datasets.chebyshev(3, 20))
    theta = net.init(seed=0, scheme="chebyshev")
    assert net.n_params == 300
    assert abs(float(obj.value(theta)) - 0.29255) < 5e-6  # spec §2.2, measured
