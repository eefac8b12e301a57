r"""The central flow of a catalog model, written out as checked statements.

Cohen, Damian, Talwalkar, Kolter & Lee (ICLR 2025, arXiv 2410.24206): with one eigenvalue at
the edge, GD's time average follows dθ/dτ = −∇L − ½σ²∇S (τ = η·step), σ² the oscillation's
variance along the top eigenvector u, chosen so that S stays ≤ 2/η. Each statement below is
checked the way the other derivation statements are: SymPy identities, and Lemma 2
(∇S = ∇³L[u, u]) against 50-digit mpmath differences of the top eigenvalue at sample points.

>>> import eosmath as eos
>>> sts = central_flow_statements(eos.models.get("two_layer_minimal"))
>>> [s.key for s in sts][:2], all(c.passed for s in sts for c in s.checks)
(['central-flow-ode', 'central-flow-lemma2'], True)
"""

from __future__ import annotations

import mpmath
import sympy as sp

from eosmath.derivations.checks import Check, verify_equal, verify_zero
from eosmath.derivations.derivation import Equation, Statement, prose
from eosmath.symbolic.model import ETA

SIGMA2 = sp.Symbol("sigma^2", nonnegative=True)
SOURCE = "Cohen et al., central flows (ICLR 2025, arXiv 2410.24206)"


def _ode_statement() -> Statement:
    """The one-eigenvalue central flow and its σ², for a generic model (symbol vectors)."""
    n = 3
    g = sp.Matrix(sp.symbols("g1:4", real=True))          # ∇L
    s = sp.Matrix(sp.symbols("s1:4", real=True))          # ∇S
    sigma2 = -2 * (s.T * g)[0] / (s.T * s)[0]
    velocity = -g - SIGMA2 / 2 * s
    ds_dt = (s.T * velocity)[0]
    return Statement(
        "central-flow-ode", "The central flow (one eigenvalue at the edge)",
        prose=prose(f"{SOURCE}: in flow time τ = η × (GD steps), GD's time average follows the "
                    "central flow below; while S < 2/η it is gradient flow (σ² = 0). On the edge "
                    "S = 2/η, σ² is the value that keeps dS/dτ = ⟨∇S, dθ/dτ⟩ = 0, clipped at 0 "
                    "(then the flow leaves the edge). The predicted time-averaged loss adds the "
                    "oscillation's mean ½Sσ² = σ²/η:"),
        equations=(Equation("cf-ode", r"\frac{d\theta}{d\tau}",
                            r"-\nabla L(\theta) - \tfrac{1}{2}\sigma^{2}\,\nabla S(\theta)"),
                   Equation("cf-sigma2", r"\sigma^{2}",
                            r"\max\left(0, \frac{-2\,\langle \nabla S, \nabla L\rangle}"
                            r"{\|\nabla S\|^{2}}\right)"),
                   Equation("cf-loss", r"\bar L", r"L(\theta) + \frac{\sigma^{2}}{\eta}")),
        checks=(verify_zero(ds_dt.subs(SIGMA2, sigma2),
                            r"with this $\sigma^2$, $\langle\nabla S, d\theta/d\tau\rangle = 0$ "
                            rf"(generic $\nabla L, \nabla S \in \mathbb{{R}}^{n}$)"),
                verify_equal((ETA ** -1) * SIGMA2, sp.Rational(1, 2) * (2 / ETA) * SIGMA2,
                             r"$\tfrac12 S\sigma^2 = \sigma^2/\eta$ at $S = 2/\eta$")))


def _lemma2_sampled(model, points, dps: int = 50) -> Check:
    """∂λ_max/∂θᵢ by mpmath differences against ∇³L[u, u] at ``points`` (50 digits)."""
    args = (*model.params, *model.hyper)
    hyper = [sp.Float(v, dps) for v in model.hyper.values()]
    hess = sp.lambdify(args, model.hessian(), "mpmath")
    third = model.derivative(3)
    worst = mpmath.mpf(0)
    with mpmath.workdps(dps):
        for point in points:
            theta = [mpmath.mpf(str(p)) for p in point]

            def top(*th):
                return max(mpmath.eigsy(mpmath.matrix(hess(*th, *hyper)))[0])

            lam, vec = mpmath.eigsy(mpmath.matrix(hess(*theta, *hyper)))
            k = max(range(model.dim), key=lambda i: lam[i])
            u = [vec[i, k] for i in range(model.dim)]
            sub = dict(zip(args, [*theta, *hyper], strict=True))
            for i in range(model.dim):
                contraction = sum(mpmath.mpf(str(sp.N(third[i, j, m].subs(sub), dps + 5)))
                                  * u[j] * u[m] for j in range(model.dim)
                                  for m in range(model.dim))
                shifted = list(theta)

                def along(t, i=i, shifted=shifted):
                    shifted[i] = t
                    return top(*shifted)

                derivative = mpmath.diff(along, theta[i])
                worst = max(worst, abs(derivative - contraction) / (1 + abs(contraction)))
    ok = worst < mpmath.mpf(10) ** (-(dps // 2))
    claim = (r"$\nabla S = \nabla^3 L[u, u]$ (Lemma 2 of Damian et al.): mpmath differences of "
             rf"$\lambda_{{\max}}$ at {dps} digits at {len(points)} points agree")
    return Check(claim, "sampled" if ok else "failed", f"largest relative error {float(worst):.1e}")


def _lemma2_statement(model, points) -> Statement:
    return Statement(
        "central-flow-lemma2", "The sharpness gradient",
        prose=prose("Where the top eigenvalue S is simple, ∇S = ∇³L[u, u] with u the unit top "
                    "eigenvector (first-order eigenvalue perturbation):"),
        equations=(Equation("cf-grad-s", r"\nabla S(\theta)",
                            r"\nabla^{3} L(\theta)[u, u]"),),
        checks=(_lemma2_sampled(model, points),))


# ----------------------------------------------------------------------------- product
def _product(model) -> list[Statement]:
    x, y = model.params
    c = sp.sympify(model.meta["c"])
    on_axis = {x: 0}
    grad_s = model.contract(3, (1, 0), (1, 0)).subs(on_axis)
    y_edge = sp.sqrt(2 / (c * ETA))
    hess_axis = model.hessian().subs(on_axis)
    return [_lemma2_statement(model, [(0.3, 1.7), (-0.8, 0.5), (0.05, 2.9)]), Statement(
        "central-flow-stationary", "Where the central flow comes to rest",
        prose=prose("On the y-axis u = e_x, S = c y² and ∇S = ∇³L[e_x, e_x] points along the "
                    "axis; ∇L = 0 there, so σ² = 0 and the flow is at rest. The stationary set "
                    "is {(0, y) : c y² ≤ 2/η}; from y₀² − x₀² > 2/(cη) the flow ends on its edge"),
        equations=(Equation("cf-axis-grad-s", r"\nabla S\big|_{x=0}", grad_s.T),
                   Equation("cf-rest", r"\theta_\infty", rf"\left(0, \pm {sp.latex(y_edge)}"
                                                          r"\right)"),),
        after=prose("where ηS/2 = 1 exactly; " + (
            "GD's own limit lies below it by η²/(4β) + O(η⁴) (eosmath's derivation from the "
            "two-step map of Ahn et al.'s model; "
            "check central_flow.product_limit)." if model.meta["beta"] != 0 else
            "with β = 0 GD does not settle there (ℓ'''' = 0: no quasi-static EoS convergence).")),
        checks=(verify_zero(hess_axis - sp.diag(c * y**2, 0),
                            r"$\nabla^2 L(0, y) = \operatorname{diag}(c y^2, 0)$: $u = e_x$, "
                            r"$S = c y^2$"),
                verify_zero(model.gradient().subs(on_axis), r"$\nabla L(0, y) = 0$"),
                verify_equal(grad_s[1], 2 * c * y, r"$\partial_y S = 2cy$ on the axis"),
                verify_equal((c * y**2).subs(y, y_edge), 2 / ETA,
                             r"$S = 2/\eta$ at the rest point")))]


# ----------------------------------------------------------------------------- two-layer
def _two_layer(model) -> list[Statement]:
    a, w1, w2 = model.params
    s1, s2 = sorted(model.hyper, key=str)
    a_star = sp.sqrt(2 / ETA) / s1
    e_w1 = (0, 1, 0)
    grad_s = model.contract(3, e_w1, e_w1)
    g = model.gradient().subs(w1, 0)
    sigma2 = sp.simplify(-2 * (grad_s.T * g)[0] / (grad_s.T * grad_s)[0])
    velocity = (-g - sigma2 / 2 * grad_s).subs(a, a_star)
    l_conv = s2**2 * (a_star * w2 - 1) ** 2 / 2
    return [_lemma2_statement(model, [(0.7, 0.05, 1.1), (0.9, -0.2, 0.4), (0.6, 0.3, 1.4)]),
            Statement(
        "central-flow-edge", "The central flow on the stable set",
        prose=prose("On w₁ = 0 the top eigenvector u is the w₁ axis, with S = σ₁²a² (when it "
                    "is the top eigenvalue), so ∇S = ∇³L[u, u] = (2σ₁²a, 0, 0). Gradient flow "
                    "raises a to a* = √(2/η)/σ₁; from there the flow slides with a = a* fixed "
                    "and"),
        equations=(Equation("cf-two-layer-grad-s", r"\nabla^{3}L[e_{w_1}, e_{w_1}]", grad_s.T),
                   Equation("cf-two-layer-sigma2", r"\sigma^{2}", sigma2),
                   Equation("cf-two-layer-w2", r"\frac{dw_2}{d\tau}", velocity[2]),
                   Equation("cf-two-layer-loss", r"\frac{dL}{d\tau}",
                            -4 * s2**2 / (ETA * s1**2) * sp.Symbol("L"))),
        after=prose("so on the edge L = ½σ₂²(a*w₂ − 1)² decays like exp(−4σ₂²τ/(ησ₁²)), per "
                    "GD step exp(−4σ₂²/σ₁²) ≈ (1 − 2σ₂²/σ₁²)², the rate of Theorem 5.5; the flow "
                    "comes to rest at (a*, 0, 1/a*), in the stable set of Liu et al.'s "
                    "Section 5.2."),
        checks=(verify_zero(grad_s - sp.Matrix([2 * s1**2 * a, 0, 0]),
                            r"$\nabla^3 L[e_{w_1}, e_{w_1}] = (2\sigma_1^2 a, 0, 0)$"),
                verify_zero(velocity[0], r"$da/d\tau = 0$ at $a = a^*$ with this $\sigma^2$"),
                verify_zero(velocity[1], r"$dw_1/d\tau = 0$ on $w_1 = 0$"),
                verify_equal(sp.diff(l_conv, w2) * velocity[2],
                             -4 * s2**2 / (ETA * s1**2) * l_conv,
                             r"$dL/d\tau = -4\sigma_2^2 L/(\eta\sigma_1^2)$ on the edge"),
                verify_zero(model.gradient().subs({a: a_star, w1: 0, w2: 1 / a_star}),
                            r"$\nabla L = 0$ at $(a^*, 0, 1/a^*)$: the flow's rest point")))]


# ----------------------------------------------------------------------------- toy
def _toy(model) -> list[Statement]:
    x, y, z = model.params
    e0, al, be = (next(s for s in model.hyper if str(s) == n) for n in ("eta0", "alpha", "beta"))
    grad_s = model.contract(3, (1, 0, 0), (1, 0, 0)).subs(x, 0)
    y_edge = (2 / ETA - 2 / e0) / sp.sqrt(be)
    g = model.gradient().subs({x: 0})
    sigma2 = sp.simplify(-2 * (grad_s.T * g)[0] / (grad_s.T * grad_s)[0])
    velocity = -g - sigma2 / 2 * grad_s
    return [_lemma2_statement(model, [(0.2, -0.3, 0.5), (-0.1, 0.4, 0.0), (0.5, 0.1, 1.0)]),
            Statement(
        "central-flow-edge", "The central flow on the edge",
        prose=prose("On x = 0, u = e_x and S = 2/η₀ + √β y: gradient flow raises y until S = 2/η "
                    "(y = 0 when η = η₀), then the flow holds y there and moves along z at unit "
                    "speed, with the oscillation variance δ² = 2α/β (the orbit average ⟨X²⟩ of "
                    "Lemma 3's cycles) and predicted loss L + δ²/η:"),
        equations=(Equation("cf-toy-edge", r"y_{\mathrm{edge}}", y_edge),
                   Equation("cf-toy-sigma2", r"\sigma^{2}", sigma2),
                   Equation("cf-toy-velocity", r"\frac{d\theta}{d\tau}", velocity.T)),
        after=prose("There is no rest point: the toy's loss decreases without bound along z."),
        checks=(verify_equal((model.hessian()[0, 0]).subs({x: 0, y: y_edge}), 2 / ETA,
                             r"$\partial_x^2 L = 2/\eta$ at $y = y_{\mathrm{edge}}$"),
                verify_equal(sigma2, 2 * al / be, r"$\sigma^2 = 2\alpha/\beta = \delta^2$"),
                verify_zero(velocity - sp.Matrix([0, 0, 1]),
                            r"$d\theta/d\tau = (0, 0, 1)$ on the edge")))]


TABLE = {"product": _product, "two_layer_minimal": _two_layer, "self_stabilization_toy": _toy}
"""Catalog model name → its central-flow statements (after the generic ODE)."""


def central_flow_statements(model) -> list[Statement]:
    """The central-flow section of ``model``'s derivation (empty for models not in TABLE)."""
    if model.name not in TABLE:
        return []
    return [_ode_statement(), *TABLE[model.name](model)]


__all__ = ["TABLE", "central_flow_statements"]
