import warnings

import mpmath as mp
import numpy as np
import pytest

from eosmath import nn


def small_objective(act="tanh", loss="mse", seed=0):
    rng = np.random.default_rng(seed)
    net = nn.MLP([3, 6, 5, 2], activation=act)
    X = rng.normal(size=(7, 3))
    Y = rng.normal(size=(7, 2)) if loss == "mse" else np.eye(2)[rng.integers(0, 2, 7)]
    return nn.Objective(net, (X, Y), loss=loss), net.init(seed=seed), rng.normal(size=net.n_params)


@pytest.mark.parametrize("act", ["tanh", "softplus", "swish"])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("richardson", [False, True])
def test_fd_hvp_error_is_below_its_estimate_and_1e7(act, loss, richardson):
    obj, theta, v = small_objective(act, loss)
    report = nn.check_hvp(obj, theta, v, dps=50, richardson=richardson)
    assert report.within_bound, (report.relative_error, report.relative_error_estimate)
    assert report.relative_error <= 1e-7
    assert report.relative_error_estimate <= 1e-6  # the estimate is informative, not vacuous


def test_fd_hvp_float32_estimate_holds():
    obj, theta, v = small_objective("tanh")
    report = nn.check_hvp(obj, theta.astype(np.float32), v.astype(np.float32), dps=30)
    assert report.fd.dtype == np.float64 and report.within_bound
    assert report.relative_error <= 1e-3


def test_oracle_is_self_consistent():
    obj, theta, v = small_objective("tanh")
    a = nn.oracle_hvp(obj, theta, v, dps=50, eps="1e-20")
    b = nn.oracle_hvp(obj, theta, v, dps=60, eps="1e-24")
    assert np.max(np.abs(a - b)) <= 1e-15 * np.max(np.abs(a))


def chebyshev_hessian(theta, X, y):
    """Closed form of spec §2.2 for f(x) = Σ v_i tanh(w_i x + b_i), order (w, b, v)."""
    h = theta.size // 3
    w, b, v = theta[:h], theta[h:2 * h], theta[2 * h:]
    H = np.zeros((3 * h, 3 * h))
    idx_w, idx_b, idx_v = np.arange(h), h + np.arange(h), 2 * h + np.arange(h)
    for x, target in zip(X[:, 0], y[:, 0], strict=True):
        t = np.tanh(w * x + b)
        t1 = 1 - t * t
        t2 = -2 * t * t1
        r = v @ t - target
        grad = np.concatenate([v * t1 * x, v * t1, t])
        H += np.outer(grad, grad)
        H[idx_w, idx_w] += r * v * t2 * x * x
        H[idx_w, idx_b] += r * v * t2 * x
        H[idx_b, idx_w] += r * v * t2 * x
        H[idx_b, idx_b] += r * v * t2
        H[idx_v, idx_w] += r * t1 * x
        H[idx_w, idx_v] += r * t1 * x
        H[idx_v, idx_b] += r * t1
        H[idx_b, idx_v] += r * t1
    return H / len(X)


def test_chebyshev_net_against_closed_form_hessian():
    data = nn.datasets.chebyshev(3, 20)
    net = nn.MLP([1, 100, 1], activation="tanh", bias=[True, False])
    obj = nn.Objective(net, data)
    theta = net.init(seed=0, scheme="chebyshev")
    H = chebyshev_hessian(theta, data.X, data.Y)
    rng = np.random.default_rng(3)
    for _ in range(3):
        v = rng.normal(size=300)
        exact = H @ v
        assert np.linalg.norm(obj.hvp(theta, v) - exact) <= 1e-9 * np.linalg.norm(exact)
    top = np.linalg.eigvalsh(H)[::-1][:3]
    eig = nn.top_eigenpairs(obj, theta, k=3)
    assert eig.converged
    assert np.allclose(eig.eigenvalues, top, rtol=1e-8, atol=0)
    assert abs(top[0] - 2.9450) < 5e-5  # spec §2.2: init sharpness 2.9450


def test_tiny_net_exact_mpmath_hessian_top_eigenvalue():
    rng = np.random.default_rng(5)
    net = nn.MLP([2, 3, 1], activation="softplus")
    obj = nn.Objective(net, (rng.normal(size=(4, 2)), rng.normal(size=4)))
    theta = net.init(seed=1) + 0.3 * rng.normal(size=net.n_params)
    P = net.n_params
    with mp.workdps(50):
        columns = [nn.oracle_hvp(obj, theta, np.eye(P)[i], dps=50) for i in range(P)]
        H = mp.matrix([[mp.mpf(float(c)) for c in col] for col in columns])
        H = (H + H.T) / 2
        top = float(max(mp.eigsy(H)[0]))
    eig = nn.top_eigenpairs(obj, theta, k=2, tol=1e-12)
    assert abs(eig.eigenvalues[0] - top) <= 1e-8 * max(1.0, abs(top))
    lob = nn.top_eigenpairs(obj, theta, k=2, method="lobpcg", tol=1e-12)
    assert abs(lob.eigenvalues[0] - top) <= 1e-8 * max(1.0, abs(top))


def test_kink_warning_when_relu_preactivation_straddles():
    net = nn.MLP([1, 2, 1], activation="relu", bias=True)
    obj = nn.Objective(net, (np.array([[1.0]]), np.array([0.5])))
    # hidden unit 0: z = w x + b = 1e-3 > 0, v moves b by −1 per unit ε
    theta = net.flatten([(np.array([[1.0], [1.0]]), np.array([-1 + 1e-3, 0.5])),
                         (np.array([[1.0, 1.0]]), np.array([0.0]))])
    v = np.zeros(net.n_params)
    v[2] = -1.0
    with pytest.warns(nn.KinkWarning):
        result = obj.hvp_with_error(theta, v, eps=1e-2)
    assert result.kink_warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = obj.hvp_with_error(theta, v, eps=1e-5)
    assert not result.kink_warning


def test_default_eps_follows_the_dtype():
    theta = np.zeros(4)
    v = np.array([1.0, 0, 0, 0])
    assert np.isclose(nn.default_eps(theta, v), (2.0**-53) ** (1 / 3))
    assert np.isclose(nn.default_eps(theta.astype(np.float32), v), (2.0**-24) ** (1 / 3))
    assert np.isclose(nn.default_eps(10 * np.ones(4), 2 * v), (2.0**-53) ** (1 / 3) * 20 / 2)
