"""Statements for the reduced self-stabilization dynamics (a DynamicalSystem, not a loss).

Map (eq. 3), ODE (eq. 4), fixed point (δ, 0), linearisation ±i√(2α), the conserved quantity g
of Lemma 3, its Hamiltonian form, and the Lotka–Volterra change of variables (a
reconstruction; spec/self_stabilization.md §3–4).
"""

from __future__ import annotations

import sympy as sp

from eosmath.derivations.checks import verify_all, verify_equal, verify_zero
from eosmath.derivations.derivation import Equation, Statement, prose
from eosmath.derivations.latex import text


def _by_name(symbols, name):
    return next(s for s in symbols if str(s) == name)


def reduced_system_statements(system) -> list[Statement]:
    from eosmath.models.self_stabilization import lotka_volterra_form

    x, y = system.state
    ode = system.meta["ode"]
    X, Y = ode.state
    e, a, b = (_by_name(system.hyper, n) for n in ("eta", "alpha", "beta"))
    delta = system.meta["delta"]
    h = system.meta["h"]
    g = system.meta["conserved"]
    step, field = system.map(), ode.vector_field()
    tau = r"\frac{d%s}{d\tau}"

    model = Statement(
        "model", "Model",
        prose=r"\noindent " + text(system.source) + ".\n\n" + prose(
            "Coordinates: x = u·(θ − θ*) along the top Hessian eigenvector, y = ∇S·(θ − θ*) the "
            "sharpness excess over 2/η; α the progressive-sharpening rate, β = ‖∇S‖² the "
            "self-stabilization strength."),
        equations=(Equation("delta", r"\delta", delta),))
    reduced_map = Statement(
        "map", "The reduced map (eq. 3)",
        equations=(Equation("map-x", "x_{t+1}", step[0].subs({x: sp.Symbol("x_t"),
                                                               y: sp.Symbol("y_t")})),
                   Equation("map-y", "y_{t+1}", step[1].subs({x: sp.Symbol("x_t"),
                                                              y: sp.Symbol("y_t")}))))
    euler = {X: sp.Abs(x), Y: y}
    ode_statement = Statement(
        "ode", "The ODE (eq. 4)",
        prose=prose("Since x flips sign every step, (|x_t|, y_t) ≈ (X(ηt), Y(ηt)) with time "
                    "τ = η·step (the time scaling is a reconstruction):"),
        equations=(Equation("ode-X", tau % "X", field[0]), Equation("ode-Y", tau % "Y", field[1])),
        checks=(verify_all([
            verify_equal(step[0], -(1 + e * y) * x, "sign flip"),
            verify_equal((1 + e * y) * sp.Abs(x), sp.Abs(x) + e * field[0].subs(euler), "X"),
            verify_equal(step[1], y + e * field[1].subs(euler), "Y")],
            r"$x_{t+1} = -(1 + \eta y_t)x_t$, so where $1 + \eta y > 0$ the map (eq. 3) on "
            r"$(|x|, y)$ is the explicit Euler step of size $\eta$ of (eq. 4)"),))
    jac = ode.field_jacobian().subs({X: delta, Y: 0})
    eigs = (sp.I * sp.sqrt(2 * a), -sp.I * sp.sqrt(2 * a))
    positive = [sol for sol in ode.equilibria() if sol[X].is_positive is not False]
    fixed = Statement(
        "fixed-point", "Fixed point and linearisation",
        equations=(Equation("fixed-point", r"(X^{*}, Y^{*})", r"(\delta, 0)"),
                   Equation("linearisation", r"\lambda", r"\pm i" + sp.latex(sp.sqrt(2 * a))),
                   Equation("period", r"T_{\text{small}}", 2 * sp.pi / sp.sqrt(2 * a))),
        after=prose("The small cycles around it have period T in τ (2π/(η√(2α)) GD steps)."),
        checks=(verify_zero(field.subs({X: delta, Y: 0}),
                            r"the vector field vanishes at $(\delta, 0)$"),
                verify_all([verify_equal(positive[0][X], delta, "X"),
                            verify_equal(positive[0][Y], 0, "Y")]
                           if len(positive) == 1 else
                           [verify_zero(sp.S.One, "not unique")],
                           r"it is the only equilibrium with $X > 0$"),
                verify_all([verify_zero((jac - ev * sp.eye(2)).det(), str(ev)) for ev in eigs],
                           r"$\pm i\sqrt{2\alpha}$ are the eigenvalues of the Jacobian of "
                           r"(eq. 4) there")))
    rate = (sp.Matrix([g]).jacobian([X, Y]) * field)[0]
    lemma3 = Statement(
        "conserved", "Conserved quantity (Lemma 3)",
        prose=prose("With h(z) = z − log z − 1 (≥ 0, zero only at z = 1); the written form "
                    "h(βX²/(2α)) = h(X²/δ²) is a reconstruction:"),
        equations=(Equation("conserved-g", "g(X, Y)", g),
                   Equation("conserved-proof", r"\frac{dg}{d\tau}",
                            rf"{sp.latex(sp.Add(*[sp.diff(g, v) * f for v, f in zip((X, Y), field, strict=True)], evaluate=False))} = 0")),  # noqa: E501
        checks=(verify_zero(rate, r"$\nabla g \cdot (\dot X, \dot Y)$ simplifies to $0$"),))
    ell = sp.Symbol("ell", real=True)
    big_h = Y**2 / 2 + b * sp.exp(2 * ell) / 4 - a * ell
    hamiltonian = Statement(
        "hamiltonian", "Hamiltonian form",
        prose=prose("In the coordinates (ℓ, Y) = (log X, Y) the ODE is Hamiltonian:"),
        equations=(Equation("hamiltonian", "H(\\ell, Y)", big_h),
                   Equation("hamiltonian-g", "g", 2 * big_h / a - 1 + sp.log(delta**2))),
        after=prose("(a transcription with + 1 − log δ² does not check; the signs above are the "
                    "ones that do.)"),
        checks=(verify_all([
            verify_equal(sp.diff(big_h, Y), (field[0] / X).subs(X, sp.exp(ell)),
                         "dl/dt"),
            verify_equal(-sp.diff(big_h, ell), field[1].subs(X, sp.exp(ell)), "dY/dt")],
            r"$\dot\ell = \partial H/\partial Y$ and $\dot Y = -\partial H/\partial\ell$"),
            verify_equal(g.subs(X, sp.exp(ell)), 2 * big_h / a - 1 + sp.log(delta**2),
                         r"$g = (2/\alpha) H - 1 + \log\delta^2$")))
    lv, first_integral = lotka_volterra_form()
    z, w = lv.state
    lv_field = lv.vector_field()
    # dz/ds and dw/ds from the chain rule with ds/dτ = 2Y/(w − 1), on h(w) = Y²/α, X² = zδ².
    dz_dtau = (2 * X * field[0] / delta**2)
    dw_dtau = 2 * Y * field[1] / (a * sp.diff(h(w), w))
    to_s = (w - 1) / (2 * Y)
    on_vars = {X: delta * sp.sqrt(z)}
    lotka = Statement(
        "lotka-volterra", "Lotka–Volterra form (reconstruction)",
        prose=prose("The paper says (eq. 4) becomes a Lotka–Volterra system after a change of "
                    "variables; its exact change was not recovered. One exact version "
                    "(reconstruction, eosmath's derivation): z = X²/δ², w > 0 the root of h(w) = "
                    "Y²/α with "
                    "w > 1 ⇔ Y > 0, and new time s with ds/dτ = 2Y/(w − 1). Then"),
        equations=(Equation("lv-z", r"\frac{dz}{ds}", lv_field[0]),
                   Equation("lv-w", r"\frac{dw}{ds}", lv_field[1]),
                   Equation("lv-integral", "h(z) + h(w)", first_integral)),
        after=prose("the classical predator–prey system with equilibrium (1, 1), whose first "
                    "integral h(z) + h(w) equals g."),
        checks=(verify_equal((dz_dtau * to_s).subs(on_vars), lv_field[0],
                             r"$\frac{dz}{d\tau}\frac{d\tau}{ds} = z(w - 1)$"),
                verify_equal((dw_dtau * to_s).subs(on_vars), lv_field[1],
                             r"$\frac{dw}{d\tau}\frac{d\tau}{ds} = w(1 - z)$ (implicit "
                             r"differentiation of $h(w) = Y^2/\alpha$)"),
                verify_zero((sp.Matrix([first_integral]).jacobian([z, w]) * lv_field)[0],
                            r"$h(z) + h(w)$ is a first integral of the LV system"),
                verify_equal(g.subs(X, delta * sp.sqrt(z)), h(z) + Y**2 / a,
                             r"$g = h(z) + Y^2/\alpha = h(z) + h(w)$")))
    return [model, reduced_map, ode_statement, fixed, lemma3, hamiltonian, lotka]

