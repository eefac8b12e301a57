"""The central flow against independent oracles: KKT conditions, the one-eigenvalue formula
σ² = −2⟨∇S, ∇L⟩/‖∇S‖² with ∇S = ∇³L[u, u] from SymPy, gradient flow's closed form below the
edge, first-order convergence in dt, and two eigenvalues at the edge together."""

import numpy as np
import pytest
import sympy as sp

import eosmath as eos
from eosmath.dynamics.central_flow import central_flow, solve_sdcp, time_average
from eosmath.errors import InvalidInputError


@pytest.mark.parametrize("k", [1, 2, 3])
def test_sdcp_solution_satisfies_the_complementarity_conditions(k):
    rng = np.random.default_rng(k)
    for _ in range(20):
        a = rng.standard_normal((k, k))
        alpha = a + a.T
        t = rng.standard_normal((k, k, 5))
        t = 0.5 * (t + t.transpose(1, 0, 2))
        gram = np.einsum("ijc,klc->ijkl", t, t) + 1e-3 * np.einsum(
            "ik,jl->ijkl", np.eye(k), np.eye(k))
        x, residual = solve_sdcp(alpha, gram)
        y = alpha + np.einsum("ijkl,kl->ij", gram, x)
        assert np.linalg.eigvalsh(x)[0] >= -1e-12
        assert np.linalg.eigvalsh(0.5 * (y + y.T))[0] >= -1e-8 * (1 + np.abs(alpha).max())
        assert abs(np.sum(x * y)) <= 1e-8 * (1 + np.abs(alpha).max() ** 2)
        assert residual <= 1e-8


def _sigma2_formula(m, theta):
    """−2⟨∇S, ∇L⟩/‖∇S‖² with ∇S = ∇³L[u, u] contracted by SymPy (independent of the flow)."""
    point = dict(zip(m.params, theta, strict=True))
    h = np.array(m.hessian().subs(point).evalf(), dtype=float)
    u = [float(c) for c in np.linalg.eigh(h)[1][:, -1]]
    grad_s = np.array(m.contract(3, u, u).subs(point).evalf(), dtype=float).ravel()
    grad_l = np.array(m.gradient().subs(point).evalf(), dtype=float).ravel()
    return -2 * grad_s @ grad_l / (grad_s @ grad_s)


def test_one_eigenvalue_at_the_edge_converges_to_the_closed_form_sigma2():
    m = eos.models.get("product", ell="logcosh")
    errors = []
    for substeps in (16, 32, 64):
        cf = central_flow(m, 0.25, (0.3, 3.5), steps=30, substeps=substeps)
        on_edge = np.flatnonzero((cf.sigma2 > 1e-6) & (np.abs(cf.eos_ratio - 1) < 1e-4))
        assert len(on_edge) > 8
        j = 6                                              # GD step 6: on the edge
        assert j in on_edge
        errors.append(abs(cf.sigma2[j] / _sigma2_formula(m, cf.theta[j]) - 1))
    assert errors[-1] < 0.02
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all(np.abs(ratios - 2) < 0.3), (errors, ratios)   # first order in dt


def test_below_the_edge_it_is_gradient_flow_to_first_order_in_dt():
    m = eos.models.get("quadratic", a=2.0)
    eta = 0.5                                         # ηa/2 = 0.5: never near the edge
    errors = []
    for substeps in (4, 8, 16):
        cf = central_flow(m, eta, (1.0,), steps=10, substeps=substeps)
        exact = np.exp(-2.0 * cf.t)
        assert np.all(cf.sigma2 == 0)
        errors.append(np.abs(cf.theta[:, 0] - exact).max())
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all(np.abs(ratios - 2) < 0.2), ratios        # explicit Euler: first order


def test_flow_never_exceeds_the_edge_and_ends_there_on_the_product_model():
    m = eos.models.get("product", ell="logcosh")
    for eta in (0.1, 0.25):
        cf = central_flow(m, eta, (0.1, 5.0) if eta == 0.1 else (0.3, 3.5), steps=int(40 / eta))
        assert cf.diagnostics["max_eos_ratio"] <= 1 + 0.05      # start may sit just below
        assert abs(cf.eos_ratio[-1] - 1) < 1e-9
        assert cf.theta[-1][1] ** 2 == pytest.approx(2 / eta, rel=1e-9)


def test_two_eigenvalues_reach_the_edge_together():
    x1, y1, x2, y2 = sp.symbols("x1 y1 x2 y2", real=True)
    m = eos.Model(sp.log(sp.cosh(x1 * y1)) + sp.log(sp.cosh(x2 * y2)), (x1, y1, x2, y2),
                  name="two_products")
    eta = 0.25
    cf = central_flow(m, eta, (0.3, 3.5, 0.2, 3.2), steps=200, k=2)
    assert np.allclose(cf.eigenvalues[-1], 2 / eta, rtol=1e-9)
    assert cf.diagnostics["sdcp_residual"] <= 1e-8
    both = np.all(np.linalg.eigvalsh(cf.X[1:40])[:, :] >= -1e-12)
    assert both
    active = (np.diagonal(cf.X, axis1=1, axis2=2) > 1e-8).sum(axis=1)
    assert active.max() == 2                               # the matrix case was exercised


def test_bad_input():
    m = eos.models.get("quadratic", a=2.0)
    with pytest.raises(InvalidInputError, match="eta"):
        central_flow(m, 0.0, (1.0,), steps=10)
    with pytest.raises(InvalidInputError, match="exactly one"):
        central_flow(m, 0.5, (1.0,))
    with pytest.raises(InvalidInputError, match="window"):
        time_average(np.ones(3), 5)
