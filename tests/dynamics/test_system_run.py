"""iterate / integrate / ode_period on DynamicalSystems, against independent oracles:
closed forms, the compiled GD kernel, a tight DOP853 reference and an mpmath quadrature."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

import eosmath as eos
from eosmath.errors import InvalidInputError


def _ode(alpha=1.0, beta=1.0):
    return eos.models.get("self_stabilization_reduced", alpha=alpha, beta=beta).meta["ode"]


def _h(z):
    return z - math.log(z) - 1


def test_declared_conserved_quantity_is_a_first_integral():
    ode = _ode()
    assert set(ode.conserved) == {"g"}
    assert ode.is_first_integral(ode.conserved["g"])


@pytest.mark.parametrize("alpha,beta,x0", [(1.0, 1.0, (0.5, 0.0)), (2.0, 0.5, (0.2, 0.7)),
                                           (0.5, 3.0, (1.5, -0.3))])
def test_dop853_conserves_g_over_tau_100(alpha, beta, x0):
    # spec §4: g is constant along (4); DOP853 at rtol 1e-12 keeps it to ≤ 1e-9 (issue 17)
    tr = eos.integrate(_ode(alpha, beta), x0, (0.0, 100.0), method="DOP853", rtol=1e-12,
                       atol=1e-14)
    assert tr.success and tr.t[-1] == 100.0
    g0 = _h(beta * x0[0] ** 2 / (2 * alpha)) + x0[1] ** 2 / alpha   # g by hand, not the trace
    assert tr.quantities["g"][0] == pytest.approx(g0, rel=1e-14)
    assert tr.max_drift["g"] <= 1e-9


def test_rk4_error_is_fourth_order():
    ode, x0, span = _ode(), (0.5, 0.3), (0.0, 10.0)
    ref = eos.integrate(ode, x0, span, method="DOP853", rtol=1e-13, atol=1e-15).x[-1]
    errors = [np.linalg.norm(eos.integrate(ode, x0, span, method="rk4", dt=dt).x[-1] - ref)
              for dt in (0.025, 0.0125, 0.00625, 0.003125)]
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    # global error C·dt⁴(1 + O(dt)): each halving divides it by 16(1 + O(dt)), so the observed
    # order log2(ratio) is 4 − O(dt) and its deviation from 4 shrinks as dt halves. The
    # reference's own error (~1e-14, from comparing rtol 1e-13 and 3e-14) stays ≥ 1e3 times
    # below the finest RK4 error.
    assert errors[-1] > 1e3 * 1e-14
    order = np.log2(ratios)
    assert np.all(np.abs(order - 4) < 0.1), ratios
    assert np.all(np.diff(np.abs(order - 4)) < 0), order


def test_rk4_conserved_drift_and_nfev():
    tr = eos.integrate(_ode(), (0.5, 0.0), (0.0, 20.0), method="rk4", dt=0.01)
    assert tr.nfev == 4 * 2000 and len(tr.t) == 2001 and tr.t[-1] == 20.0
    assert 0 < tr.max_drift["g"] < 1e-6


def test_integrate_matches_closed_form_oscillator_every_method():
    q, p = sp.symbols("q p")
    osc = eos.DynamicalSystem((q, p), vector_field=(p, -q), conserved={"E": q**2 + p**2})
    times = np.linspace(0, 5, 11)
    for method in ("RK45", "DOP853", "Radau", "BDF", "LSODA"):
        tr = eos.integrate(osc, (1.0, 0.0), (0.0, 5.0), method=method, t_eval=times,
                           rtol=1e-10, atol=1e-12)
        assert np.array_equal(tr.t, times)
        np.testing.assert_allclose(tr.x[:, 0], np.cos(times), atol=1e-7, err_msg=method)
        np.testing.assert_allclose(tr.x[:, 1], -np.sin(times), atol=1e-7, err_msg=method)
    tr = eos.integrate(osc, (1.0, 0.0), (0.0, 5.0), method="rk4", dt=0.001, t_eval=times)
    np.testing.assert_allclose(tr.t, times)
    np.testing.assert_allclose(tr.x[:, 0], np.cos(times), atol=1e-11)


def test_iterate_equals_the_compiled_gd_of_the_toy():
    # spec §8: GD on the toy loss with η₀ = η is map (3) in (x, √β y); β = 1 here. The toy's GD
    # runs in the compiled kernel, an implementation independent of the lambdified map.
    eta, steps = 0.05, 400
    reduced = eos.models.get("self_stabilization_reduced", eta=eta, alpha=1.0, beta=1.0)
    toy = eos.models.get("self_stabilization_toy", eta0=eta, alpha=1.0, beta=1.0)
    it = eos.iterate(reduced, (0.01, -0.5), steps)
    gd = eos.run_gd(toy, eta, (0.01, -0.5, 0.0), steps, tol=0.0, radius=np.inf, kmax=steps,
                    record=())
    assert it.success and gd.stop_step == steps and it.nfev == steps
    np.testing.assert_allclose(it.x, gd.theta[:, :2], rtol=1e-11, atol=1e-15)


def test_iterate_stops_at_a_non_finite_state():
    x = sp.Symbol("x")
    blowup = eos.DynamicalSystem((x,), map=(x**2,), conserved={"x": x})
    tr = eos.iterate(blowup, (2.0,), 50)
    assert not tr.success and "non-finite" in tr.message
    assert np.all(np.isfinite(tr.x)) and tr.x[-1, 0] == 2.0 ** 512 and len(tr.t) == 10


def _period_by_quadrature(alpha, beta, X0, Y0):
    # T = ∮ dτ = ∫_{z−}^{z+} dz / (z |Y|), z = X²/δ², |Y| = √(α(g₀ − h(z))), z± = roots of h = g₀
    with mpmath.workdps(30):
        a, b = mpmath.mpf(alpha), mpmath.mpf(beta)
        z0 = b * mpmath.mpf(X0) ** 2 / (2 * a)
        g0 = z0 - mpmath.log(z0) - 1 + mpmath.mpf(Y0) ** 2 / a
        lo = -mpmath.lambertw(-mpmath.exp(-1 - g0), 0).real
        hi = -mpmath.lambertw(-mpmath.exp(-1 - g0), -1).real

        def integrand(z):
            # tanh-sinh nodes come within 1e-30 of z±, where g₀ − h(z) rounds to either sign;
            # those nodes weigh ~1e-15 of the integral, far below the tolerance
            return 1 / (z * mpmath.sqrt(a * abs(g0 - (z - mpmath.log(z) - 1))))

        return float(mpmath.quad(integrand, [lo, 1, hi]))


@pytest.mark.parametrize("alpha,beta,x0", [(1.0, 1.0, (0.1 * math.sqrt(2), 0.0)),
                                           (2.0, 0.5, (3.0, 0.3)), (0.7, 1.3, (0.9, -0.4))])
def test_period_matches_quadrature(alpha, beta, x0):
    expected = _period_by_quadrature(alpha, beta, *x0)
    for section in ({}, {"coordinate": "X"}, {"coordinate": 1, "level": 0.0, "direction": -1}):
        p = eos.ode_period(_ode(alpha, beta), x0, t_max=4.2 * expected, **section)
        assert p.found and len(p.returns) >= 3
        assert p.error < 1e-8 and p.closure < 1e-8
        assert abs(p.period - expected) <= p.error + 1e-12, (section, p.period, expected)


def test_small_cycles_have_the_linearised_period():
    alpha = 1.5
    delta = math.sqrt(2 * alpha)
    p = eos.ode_period(_ode(alpha, 1.0), (delta * (1 + 1e-4), 0.0), t_max=20)
    assert p.period == pytest.approx(2 * math.pi / math.sqrt(2 * alpha), rel=1e-7)


def test_period_not_found_says_why():
    p = eos.ode_period(_ode(), (0.5, 0.0), t_max=3.0)
    assert not p.found and math.isnan(p.period) and "raise t_max" in p.message


def test_bad_input_is_refused():
    ode, x = _ode(), sp.Symbol("x")
    reduced = eos.models.get("self_stabilization_reduced")
    cases = [
        (lambda: eos.integrate(reduced, (0.5, 0.0), (0, 1)), "no vector field"),
        (lambda: eos.iterate(ode, (0.5, 0.0), 3), "no discrete map"),
        (lambda: eos.integrate(ode, (0.5, 0.0), (0, 1), method="euler"), "unknown method"),
        (lambda: eos.integrate(ode, (0.5, 0.0), (0, 1), dt=0.1), "only"),
        (lambda: eos.integrate(ode, (0.5, 0.0), (0, 1), method="rk4"), "needs a step"),
        (lambda: eos.integrate(ode, (0.5, 0.0), (0, 1), method="rk4", dt=0.3), "whole steps"),
        (lambda: eos.integrate(ode, (0.5,), (0, 1)), "2 entries"),
        (lambda: eos.integrate(ode, (0.5, np.nan), (0, 1)), "finite"),
        (lambda: eos.integrate(ode, (0.5, 0.0), (1, 0)), "t1 > t0"),
        (lambda: eos.integrate(ode, (0.5, 0.0), (0, 1), hyper={"gamma": 1}), "no hyper"),
        (lambda: eos.integrate(ode, (0.5, 0.0), (0, 1), t_eval=[0.5, 0.2]), "t_eval"),
        (lambda: eos.integrate(ode, (0.5, 0.0), (0, 1), method="rk4", dt=0.1,
                               t_eval=[0.25]), "grid"),
        (lambda: eos.iterate(eos.DynamicalSystem((x,), map=(sp.Symbol("r") * x,)), (1.0,), 2),
         "no value for"),
        (lambda: eos.ode_period(ode, (0.5, 0.0), 10, coordinate=2), "index"),
        (lambda: eos.ode_period(ode, (0.5, 0.0), 10, min_returns=2), "min_returns"),
        (lambda: eos.ode_period(eos.DynamicalSystem((x,), vector_field=(x,)), (0.0,), 10),
         "equilibrium"),
        (lambda: eos.ode_period(ode, (0.5, 0.0), 10, coordinate="Z"), "no coordinate"),
    ]
    for call, words in cases:
        with pytest.raises(InvalidInputError, match=words):
            call()
            pytest.fail(f"not refused: {words}")


def test_quantities_given_as_text_are_parsed_safely():
    tr = eos.integrate(_ode(), (0.5, 0.0), (0.0, 1.0), quantities={"xy": "X*Y + alpha"})
    np.testing.assert_allclose(tr.quantities["xy"], tr.x[:, 0] * tr.x[:, 1] + 1.0)
    with pytest.raises(eos.ModelSyntaxError):
        eos.integrate(_ode(), (0.5, 0.0), (0.0, 1.0), quantities={"bad": "__import__('os')"})


def test_corollary1_bounds_hold_on_sampled_starts():
    # spec §4 Corollary 1: X ≤ δ√(2 + 2g₀), |Y| ≤ √(α g₀) for all τ, with g₀ = g(X(0), Y(0))
    # computed by hand from the start (the bound does not come from the run it judges);
    # tolerance: DOP853 at rtol 1e-12 moves the state by ~1e-10 at most
    rng = np.random.default_rng(17)
    for _ in range(6):
        alpha, beta = rng.uniform(0.3, 3.0, size=2)
        delta = math.sqrt(2 * alpha / beta)
        x0 = (delta * rng.uniform(0.05, 3.0), rng.uniform(-1.5, 1.5))
        g0 = _h(x0[0] ** 2 / delta**2) + x0[1] ** 2 / alpha
        tr = eos.integrate(_ode(alpha, beta), x0, (0.0, 60.0), rtol=1e-12, atol=1e-14)
        assert tr.success
        assert np.max(tr.x[:, 0]) <= delta * math.sqrt(2 + 2 * g0) + 1e-9
        assert np.max(np.abs(tr.x[:, 1])) <= math.sqrt(alpha * g0) + 1e-9
