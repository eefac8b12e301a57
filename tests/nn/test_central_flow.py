"""The central flow of a network (nn.central_flow) against independent routes: ∇³L[u, v]
against 50-digit mpmath differences of the network's own gradient, and the whole flow against
the symbolic route (eos.central_flow on the same network written as a SymPy loss)."""

import mpmath
import numpy as np
import pytest
import sympy as sp

import eosmath as eos
from eosmath import nn
from eosmath.errors import InvalidInputError
from eosmath.nn._elementwise import MPMATH
from eosmath.nn.central_flow import NetworkDerivatives

X = np.array([[-1.0], [0.2], [0.9]])
Y = np.array([[0.5], [-0.3], [0.8]])


def _tiny():
    net = nn.MLP([1, 2, 1], activation="tanh", bias=[True, False])
    return net, nn.Objective(net, (X, Y), loss="mse")


def _symbolic_model():
    """The same network as a SymPy loss: θ = (W₁ (2×1), b₁, W₂ (1×2)), L = Σ(f − y)²/(2n)."""
    p = sp.symbols("p0:6", real=True)
    f = [p[4] * sp.tanh(p[0] * x + p[2]) + p[5] * sp.tanh(p[1] * x + p[3]) for x in X[:, 0]]
    loss = sum((fk - yk) ** 2 for fk, yk in zip(f, Y[:, 0], strict=True)) / (2 * len(X))
    return eos.Model(loss, p, name="tiny_tanh_net")


def _oracle_third(obj, theta, u, v, dps=50):
    """∇³L[u, v] = ∂²/∂s∂t ∇L(θ + su + tv) by a 50-digit central difference (step 1e-15)."""
    with mpmath.workdps(dps):
        th, uu, vv = (MPMATH.asarray(np.asarray(a, dtype=np.float64)) for a in (theta, u, v))
        h = mpmath.mpf("1e-15")
        g = lambda a, b: obj.grad(th + a * h * uu + b * h * vv)  # noqa: E731
        out = (g(1, 1) - g(1, -1) - g(-1, 1) + g(-1, -1)) / (4 * h * h)
        return np.array([float(x) for x in out])


def test_third_derivative_pairs_match_the_mpmath_oracle():
    net, obj = _tiny()
    rng = np.random.default_rng(3)
    theta = rng.normal(size=net.n_params)
    u, v = np.linalg.qr(rng.normal(size=(net.n_params, 2)))[0].T
    d = NetworkDerivatives(obj)
    pairs = d.pairs(theta, np.column_stack([u, v]))
    for (a, b), got in {(0, 0): pairs[0, 0], (0, 1): pairs[0, 1], (1, 1): pairs[1, 1]}.items():
        want = _oracle_third(obj, theta, (u, v)[a], (u, v)[b])
        assert np.linalg.norm(got - want) <= 1e-7 * np.linalg.norm(want)
    assert 0 < d.worst_third_error < 1e-6          # its own estimate: small and not zero


def test_the_symbolic_network_is_the_same_function():
    net, obj = _tiny()
    m = _symbolic_model()
    f = m.lambdify("numpy")
    for seed in range(3):
        theta = np.random.default_rng(seed).normal(size=net.n_params)
        assert float(f.loss(theta, [])) == pytest.approx(float(obj.value(theta)), rel=1e-13)


def test_network_flow_follows_the_symbolic_route_through_the_edge():
    net, obj = _tiny()
    m = _symbolic_model()
    theta0 = np.array([1.5, -1.2, 0.3, -0.2, 1.8, 1.4])
    lam0 = np.linalg.eigvalsh(np.array(m.hessian().subs(dict(zip(m.params, theta0,
                                                                     strict=True))), float))
    eta = 1.9 / lam0[-1]                  # starts at ηS/2 = 0.95: sharpening reaches the edge
    symbolic = eos.central_flow(m, eta, theta0, steps=60, substeps=8, k=1)
    network = nn.central_flow(obj, eta, theta0, steps=60, substeps=8, k=1)
    assert symbolic.sigma2.max() > 0      # the flow did slide along the edge
    assert np.abs(network.theta - symbolic.theta).max() < 1e-6
    assert np.abs(network.sigma2 - symbolic.sigma2).max() < 1e-6 * symbolic.sigma2.max() + 1e-9
    assert network.diagnostics["eigensolver_converged"]


def test_bad_input():
    net, obj = _tiny()
    theta = np.zeros(net.n_params)
    with pytest.raises(InvalidInputError, match="eta"):
        nn.central_flow(obj, -1.0, theta, steps=3)
    with pytest.raises(InvalidInputError, match="exactly one"):
        nn.central_flow(obj, 0.5, theta)
    with pytest.raises(InvalidInputError, match="h must"):
        nn.central_flow(obj, 0.5, theta, steps=3, h=0.0)
