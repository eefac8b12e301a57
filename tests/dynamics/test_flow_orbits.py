"""Gradient flow and periodic orbits against closed forms and the spec's mpmath values."""

import math

import numpy as np
import pytest

import eosmath as eos
from eosmath.errors import InvalidInputError


def test_flow_on_product_reaches_the_closed_form_limit_and_conserves_balance():
    m = eos.models.get("product", ell="logcosh")
    gf = eos.run_flow(m, (0.8, 1.9))
    assert gf.converged
    np.testing.assert_allclose(gf.theta, m.gf_limit((0.8, 1.9), {}), atol=1e-7)
    assert gf.theta[0] ** 2 - gf.theta[1] ** 2 == pytest.approx(0.8**2 - 1.9**2, abs=1e-9)
    assert gf.sharpness == pytest.approx(1.9**2 - 0.8**2, rel=1e-7)


def test_flow_on_two_layer_minimal_matches_the_balance_formula():
    m = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.5)
    theta0 = (0.6, 0.3, 0.4)
    gf = eos.run_flow(m, theta0, tol=1e-11)
    np.testing.assert_allclose(gf.theta, m.gf_limit(theta0, {}), atol=1e-7)


SOFT_AMPLITUDES = [(1.05, 0.224313003623096), (1.5, 0.731103766671223),
                   (2.0, 1.071400502008837), (2.5, 1.360475564531098)]


@pytest.mark.parametrize("eta, amplitude", SOFT_AMPLITUDES)
def test_soft_quadratic_symmetric_cycle(eta, amplitude):
    orbits = eos.periodic_orbits(eos.models.get("soft_quadratic"), eta, period=2,
                                 guesses=[[0.7], [-0.7]])
    assert len(orbits) == 1
    (orbit,) = orbits
    x = abs(orbit.points[0, 0])
    assert x == pytest.approx(amplitude, abs=1e-10)
    assert orbit.points[1, 0] == pytest.approx(-orbit.points[0, 0], abs=1e-10)
    f_prime = x * (x * x + 2) / (1 + x * x) ** 1.5
    assert f_prime / x == pytest.approx(2 / eta, rel=1e-12)
    assert orbit.stable == (eta < 3 * math.sqrt(3) / 2)


def test_symmetric_cycle_loses_stability_at_three_root_three_over_two():
    m = eos.models.get("soft_quadratic")
    star = 3 * math.sqrt(3) / 2
    below = eos.periodic_orbits(m, star - 0.01, guesses=[[1.4]])[0]
    above = eos.periodic_orbits(m, star + 0.01, guesses=[[1.45]])
    assert below.stable
    symmetric = [o for o in above if abs(o.points[0, 0] + o.points[1, 0]) < 1e-9]
    assert symmetric and not symmetric[0].stable


def test_asymmetric_cycle_at_eta_three():
    m = eos.models.get("soft_quadratic")
    orbits = eos.periodic_orbits(m, 3.0, period=2, guesses=[[-2.16], [2.16]])
    points = sorted(tuple(sorted(o.points[:, 0])) for o in orbits)
    assert (-2.15926315077026, 1.04372880744177) == pytest.approx(points[0], abs=1e-10)
    asym = [o for o in orbits if o.points[:, 0].min() < -2][0]
    assert abs(asym.multipliers[0].real) == pytest.approx(0.6264, abs=1e-4)


def test_period_doubling_point_of_the_quadratic():
    assert eos.period_doubling_point(eos.models.get("quadratic", a=4.0)) == pytest.approx(0.5)


def test_orbit_diagram_of_the_soft_quadratic():
    m = eos.models.get("soft_quadratic")
    etas = np.array([0.5, 0.9, 1.2, 1.8, 2.4])
    diagram = eos.orbit_diagram(m, etas, theta0=(0.7,), keep=16, transient=20000)
    assert diagram.period.tolist() == [1, 1, 2, 2, 2]
    fig = eos.plot.orbit_diagram_plot(diagram)
    assert fig.axes[0].get_xlabel() == r"step size $\eta$"          # as in every η axis


def test_bad_input():
    m = eos.models.get("soft_quadratic")
    with pytest.raises(InvalidInputError):
        eos.periodic_orbits(m, eta=-1.0)
    with pytest.raises(InvalidInputError):
        eos.orbit_diagram(m, np.array([]), theta0=(0.5,))
    with pytest.raises(InvalidInputError):
        eos.run_flow(m, (np.nan,))


def test_gfs_sharpness_closed_form_agrees_with_integrated_flow():
    m = eos.models.get("product", ell="logcosh")
    assert eos.gfs_sharpness(m, (0.8, 1.9)) == pytest.approx(1.9**2 - 0.8**2, rel=1e-12)
    user = eos.Model.from_string("log(cosh(x*y))", params="x y")   # no closed form attached
    assert user.gf_limit is None
    assert eos.gfs_sharpness(user, (0.8, 1.9)) == pytest.approx(1.9**2 - 0.8**2, rel=1e-7)


def test_gd_gf_distance_small_steps_track_the_flow_large_steps_depart():
    m = eos.models.get("product", ell="logcosh")
    small = eos.run_gd(m, 0.01, (0.5, 1.5), steps=300, tol=0)
    d_small = eos.gd_gf_distance(m, small.theta, 0.01)
    assert d_small[0] == 0.0 and d_small.max() < 1e-2
    big = eos.run_gd(m, 0.5, (0.5, 2.5), steps=60, tol=0)          # y0² − x0² = 6 > 2/η = 4
    assert eos.gd_gf_distance(m, big.theta, 0.5)[-1] > 10 * d_small.max()
    with pytest.raises(InvalidInputError):
        eos.gd_gf_distance(m, np.zeros((3, 3)), 0.1)


def test_orbit_period_needs_every_kept_point_to_return():
    from eosmath.dynamics.orbits import _period

    rng = np.random.default_rng(0)
    tail = rng.uniform(-1, 1, (64, 2))
    tail[-1] = tail[-4]                      # one chance return after 3 steps: not an orbit
    assert _period(tail, 1e-9) == 0
    cycle = np.tile(rng.uniform(-1, 1, (5, 2)), (13, 1))[:64]   # a genuine 5-cycle
    assert _period(cycle, 1e-9) == 5
