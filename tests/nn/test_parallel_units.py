"""The float path's work units: stencil chains on a thread pool and a single gradient split
along the examples give the gradient of the independent mpmath oracle, and the same numbers
as the sequential path up to summation order."""

import warnings

import numpy as np
import pytest

from eosmath import nn
from eosmath.nn import autodiff
from tests.nn import oracle

pytest.importorskip("threadpoolctl")


@pytest.fixture
def force_parallel(monkeypatch):
    """Make every problem big enough for the pool, on at least two (possibly virtual) cores."""
    monkeypatch.setattr(autodiff, "MIN_PARALLEL_MACS", 0)
    monkeypatch.setattr(autodiff, "MIN_BLOCK_EXAMPLES", 2)
    monkeypatch.setattr(autodiff, "_cores", lambda: 3)


def problem(act="tanh", loss="mse", n=9, seed=0, sizes=(3, 5, 4, 2)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    Y = rng.normal(size=(n, sizes[-1])) if loss == "mse" else \
        np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    net = nn.MLP(list(sizes), activation=act, bias=[True, False, True])
    theta = net.init(seed=seed) + 0.1 * rng.normal(size=net.n_params)
    return net, X, Y, theta, rng.normal(size=net.n_params)


@pytest.mark.parametrize("act", ["tanh", "softplus"])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_split_gradient_matches_mpmath_oracle(force_parallel, act, loss):
    net, X, Y, theta, _ = problem(act, loss)
    obj = nn.Objective(net, (X, Y), loss=loss)
    units, parallel = autodiff._plan(net, X.shape[0], 1, True)
    assert parallel and len(units) == 3  # one parameter set split into three example blocks
    value, grad = obj.value_and_grad(theta)
    ref = oracle.gradient(theta, net.sizes, act, net.bias, X, Y, loss)
    ref_value = oracle.value(theta, net.sizes, act, net.bias, X, Y, loss)
    # tolerance: float64 rounding of a few hundred operations (the oracle's own error ~1e-30)
    assert np.linalg.norm(grad - ref) <= 1e-12 * np.linalg.norm(ref)
    assert abs(float(value) - ref_value) <= 1e-14 * max(1.0, abs(ref_value))
    assert abs(float(obj.value(theta)) - ref_value) <= 1e-14 * max(1.0, abs(ref_value))


def test_parallel_and_sequential_paths_agree(force_parallel, monkeypatch):
    net, X, Y, theta, v = problem(n=40)
    obj = nn.Objective(net, (X, Y))
    grad_par, hvp_par = obj.grad(theta), obj.hvp(theta, v)
    outputs_par = obj.outputs(theta)
    monkeypatch.setattr(autodiff, "_cores", lambda: 1)
    assert not autodiff._plan(net, 40, 2, True)[1]
    grad_seq, hvp_seq = obj.grad(theta), obj.hvp(theta, v)
    # same operations, example blocks summed in another order: rounding-level differences,
    # amplified by 1/ε ≈ 1/u^(1/3) in the HVP
    assert np.linalg.norm(grad_par - grad_seq) <= 1e-14 * np.linalg.norm(grad_seq)
    assert np.linalg.norm(hvp_par - hvp_seq) <= 1e-9 * np.linalg.norm(hvp_seq)
    assert np.array_equal(outputs_par, obj.outputs(theta))


def test_parallel_hvp_error_stays_below_its_bound(force_parallel):
    net, X, Y, theta, v = problem(n=12)
    obj = nn.Objective(net, (X, Y))
    report = nn.check_hvp(obj, theta, v, dps=40)
    assert report.within_bound and report.relative_error <= 1e-7


def test_float32_split_keeps_dtype(force_parallel):
    net, X, Y, theta, v = problem(n=30)
    obj = nn.Objective(net, (X, Y))
    value, grad = obj.value_and_grad(theta.astype(np.float32))
    assert grad.dtype == np.float32 and np.asarray(value).dtype == np.float32
    assert obj.hvp(theta.astype(np.float32), v.astype(np.float32)).dtype == np.float32
    ref = obj.grad(theta)
    assert np.linalg.norm(grad - ref) <= 1e-5 * np.linalg.norm(ref)  # float32 rounding


def test_kinks_are_still_detected_when_the_pool_is_on(force_parallel):
    net = nn.MLP([1, 2, 1], activation="relu", bias=True)
    obj = nn.Objective(net, (np.array([[1.0], [2.0], [3.0]]), np.array([0.5, 0.1, 0.2])))
    theta = net.flatten([(np.array([[1.0], [1.0]]), np.array([-1 + 1e-3, 0.5])),
                         (np.array([[1.0, 1.0]]), np.array([0.0]))])
    v = np.zeros(net.n_params)
    v[2] = -1.0
    with pytest.warns(nn.KinkWarning):
        assert obj.hvp_with_error(theta, v, eps=1e-2).kink_warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not obj.hvp_with_error(theta, v, eps=1e-5).kink_warning


def test_small_problems_stay_sequential():
    net, X, Y, _, _ = problem()
    assert not autodiff._plan(net, X.shape[0], 2, True)[1]
