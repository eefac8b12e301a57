"""Gradient flow stops on the distance to its limit, and gfs_sharpness never returns the
sharpness of a flow still on its way (issue 15 §2)."""

import math

import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.flow import FlowNotConvergedError, distance_to_limit

MU = 8e-4  # the slowest curvature of the ill-conditioned model


def _rotated_quadratic():
    """½(θ − c)ᵀA(θ − c), A with eigenvalues 1 and MU along axes rotated by 30°."""
    c, s = math.cos(math.pi / 6), math.sin(math.pi / 6)
    r = np.array([[c, -s], [s, c]])
    a = r @ np.diag([1.0, MU]) @ r.T
    centre = np.array([0.3, -0.2])
    a00, a01, a11 = (repr(float(v)) for v in (a[0, 0], a[0, 1], a[1, 1]))
    loss = (f"({a00}*(x - 0.3)**2 + 2*{a01}*(x - 0.3)*(y + 0.2) + {a11}*(y + 0.2)**2)/2")
    return eos.Model.from_string(loss, "x y"), centre, r


def test_ill_conditioned_flow_stops_within_tol_of_the_exact_limit():
    m, centre, r = _rotated_quadratic()
    theta0 = np.array([1.0, 1.0])
    gf = eos.run_flow(m, theta0, t_max=1e6, tol=1e-10)
    assert gf.converged
    # the exact limit is the centre; a gradient-norm rule (‖∇L‖ < 1e-10) would stop ~1e-10/MU
    # = 1.25e-7 away from it
    assert np.linalg.norm(gf.theta - centre) < 2e-10
    assert gf.grad_norm < 1e-12


def test_unconverged_flow_says_so_and_its_distance_matches_the_closed_form():
    m, centre, r = _rotated_quadratic()
    theta0 = np.array([1.0, 1.0])
    gf = eos.run_flow(m, theta0)  # t_max = 1e4 < log(1e10)/MU ≈ 2.9e4
    assert not gf.converged and gf.time == 1e4
    # θ(t) − c = R diag(e^{−t}, e^{−μt}) Rᵀ (θ₀ − c): the slow part remains
    slow = (r.T @ (theta0 - centre))[1] * math.exp(-MU * gf.time)
    assert gf.distance == pytest.approx(abs(slow), rel=1e-6)
    assert np.linalg.norm(gf.theta - centre) == pytest.approx(abs(slow), rel=1e-6)


@pytest.mark.parametrize("eps, rel", [(1e-6, None), (1e-10, 1e-6)])
def test_distance_estimate_near_a_set_of_minima(eps, rel):
    # L = ½(xy)² near its minimum set {x = 0}: from (ε, 2) the flow ends at (0, √(4 − ε²)),
    # about ε away. The estimate never understates it, and where convergence is decided
    # (ε ≈ tol) the flat direction's O(ε²) gradient component no longer matters
    g = np.array([eps * 4.0, eps**2 * 2.0])
    hess = np.array([[4.0, 4 * eps], [4 * eps, eps**2]])
    d = distance_to_limit(g, hess)
    assert d >= eps
    if rel is not None:
        assert d == pytest.approx(eps, rel=rel)


TWO_LAYER = "sigma1**2*a**2*w1**2/2 + sigma2**2*(a*w2 - 1)**2/2"


@pytest.mark.parametrize("theta0", [(1.0, 0.5, 0.5), (1.2, 0.3, 0.2), (0.67, 0.01, 1.0)])
def test_gfs_sharpness_of_a_user_copy_of_two_layer_minimal_is_the_limit_or_nothing(theta0):
    # a user's copy has no closed form: the flow is integrated. With σ₂ = 0.02 its slow rate
    # ~σ₂²(a² + w₂²) leaves run_flow's default t_max = 1e4 short of the limit (the old
    # gfs_sharpness returned that point's sharpness, off in the 4th digit)
    copy = eos.Model.from_string(TWO_LAYER, "a w1 w2", hyper={"sigma1": 1.0, "sigma2": 0.02})
    catalog = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.02)
    assert not eos.run_flow(copy, theta0).converged
    exact = eos.gfs_sharpness(catalog, theta0)  # closed form a∞² = h(Q)
    q = theta0[0] ** 2 - theta0[1] ** 2 - theta0[2] ** 2
    assert exact == pytest.approx((q + math.sqrt(q * q + 4)) / 2, rel=1e-14)
    # a distance 1e-10 to the limit moves S = a² by ≲ 2|a|·1e-10
    assert eos.gfs_sharpness(copy, theta0) == pytest.approx(exact, abs=1e-9)


def test_gfs_sharpness_refuses_a_flow_that_does_not_arrive():
    # L = x⁴: gradient flow reaches 0 only as t^(−1/2), never within 1e-10 by t = 1e9
    m = eos.Model.from_string("x**4 + (y - 1)**2", "x y")
    with pytest.raises(FlowNotConvergedError, match="did not reach its limit"):
        eos.gfs_sharpness(m, (0.5, 0.0))
