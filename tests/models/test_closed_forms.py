"""Closed forms from the spec, and the conserved quantity along an accurate gradient flow."""

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

import eosmath as eos
from eosmath.errors import InvalidInputError, UnknownModelError

X, Y = sp.symbols("x y", real=True)


def test_quadratic_hessian_and_sharpness():
    m = eos.models.get("quadratic", a=4.0)
    a = sp.Symbol("a", real=True)
    assert m.hessian() == sp.Matrix([[a]])
    assert m.compile().sharpness(np.array([0.3])) == 4.0
    m2 = eos.models.get("quadratic", matrix=[[3.0, 0.5], [0.5, 1.0]])
    h = m2.lambdify("numpy").hessian(np.array([0.1, 0.2]))
    np.testing.assert_array_equal(h, [[3.0, 0.5], [0.5, 1.0]])


def test_product_gradient_and_sharpness_on_the_axes():
    m = eos.models.get("product", ell="logcosh")
    assert sp.simplify(m.gradient() - sp.tanh(X * Y) * sp.Matrix([Y, X])) == sp.zeros(2, 1)
    k = m.compile()
    for y in (0.5, 2.0, 7.0):
        assert k.sharpness(np.array([0.0, y])) == pytest.approx(y * y, rel=1e-15)
    # ℓ''(0) = c scales the sharpness on the axis: logistic_even has c = 1/4
    k4 = eos.models.get("product", ell="logistic_even").compile()
    assert k4.sharpness(np.array([0.0, 2.0])) == pytest.approx(1.0, rel=1e-15)


def test_soft_quadratic_curvature_at_zero_and_fixed_point_stability():
    m = eos.models.get("soft_quadratic")
    x = m.params[0]
    assert m.hessian()[0, 0].subs(x, 0) == 2
    (fp,) = m.fixed_points()
    assert fp.point == {x: 0} and fp.sharpness == 2
    assert fp.stability_condition.subs(eos.ETA, sp.Rational(99, 100)) == sp.true
    assert fp.stability_condition.subs(eos.ETA, sp.Rational(101, 100)) == sp.false


def test_product_conserved_quantity_along_accurate_gradient_flow():
    m = eos.models.get("product", ell="logcosh")
    (q,) = m.conserved_quantities(max_degree=4)
    assert sp.expand(q - (X**2 - Y**2)) == 0 or sp.expand(q + (X**2 - Y**2)) == 0
    k = m.compile()
    sol = solve_ivp(lambda t, th: -k.grad(th), (0.0, 30.0), [0.8, 1.9], method="DOP853",
                    rtol=1e-12, atol=1e-14, dense_output=True)
    q_fn = sp.lambdify((X, Y), q)
    q0 = q_fn(0.8, 1.9)
    for t in np.linspace(0, 30, 61):
        assert abs(q_fn(*sol.sol(t)) - q0) <= 1e-9
    # and the flow went somewhere: x decayed towards the y-axis
    assert abs(sol.y[0, -1]) < 1e-3


def test_two_layer_balance_and_scalar_network_balances():
    a, w1, w2 = sp.symbols("a w1 w2", real=True)
    (q,) = eos.models.get("two_layer_minimal").conserved_quantities(max_degree=2)
    assert sp.expand(q - (a**2 - w1**2 - w2**2)) == 0 or sp.expand(q + (a**2 - w1**2 - w2**2)) == 0
    found = eos.models.get("scalar_network", depth=3).conserved_quantities(max_degree=2)
    assert len(found) == 2  # w_i² − w_j² span a 2-D space for D = 3


def test_no_spurious_conserved_quantity_for_the_quadratic():
    assert eos.models.get("quadratic").conserved_quantities(max_degree=4) == ()


def test_invariant_lines_of_the_product_model():
    lines = {str(s) for s in eos.models.get("product", ell="sqrt").invariant_subspaces()}
    assert lines == {"x = 0", "y = 0", "x - y = 0", "x + y = 0"}
    toy = {str(s) for s in eos.models.get("self_stabilization_toy").invariant_subspaces()}
    assert "x = 0" in toy and "z = 0" not in toy


def test_third_derivative_contraction_is_lemma_two_gradient_of_sharpness():
    # Toy: on x = 0, u = e_x and ∇S = ∇³L[u, u] = (0, √β, 0) (spec/self_stabilization.md §8).
    m = eos.models.get("self_stabilization_toy", beta=4.0)
    x = m.params[0]
    grad_s = m.contract(3, [1, 0, 0], [1, 0, 0]).subs(m.hyper).subs(x, 0)
    assert [float(v) for v in grad_s] == [0.0, 2.0, 0.0]


def test_reduced_self_stabilization_ode_facts():
    system = eos.models.get("self_stabilization_reduced")
    ode = system.meta["ode"]
    assert ode.is_first_integral(system.meta["conserved"])
    X_, Y_ = ode.state
    field = ode.vector_field().subs(system.meta["fixed_point"])
    assert field == sp.zeros(2, 1)


def test_bad_input_errors():
    with pytest.raises(UnknownModelError, match="did you mean"):
        eos.models.get("prodcut")
    with pytest.raises(UnknownModelError, match="no option"):
        eos.models.get("quadratic", b=2.0)
    with pytest.raises(UnknownModelError, match="ell"):
        eos.models.get("product", ell="cosh")
    with pytest.raises(InvalidInputError, match="a > 0"):
        eos.models.get("quadratic", a=-1.0)
    k = eos.models.get("product").compile()
    with pytest.raises(InvalidInputError, match="shape"):
        k.grad(np.array([1.0, 2.0, 3.0]))
    m = eos.models.get("product")
    with pytest.raises(InvalidInputError, match="finite"):
        m.check_theta([np.nan, 1.0])
    with pytest.raises(InvalidInputError, match="2 entries"):
        m.check_theta([1.0])
    with pytest.raises(UnknownModelError):
        m.with_hyper(a=1.0)
