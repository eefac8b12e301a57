"""Per-model facts of the seed papers, each written as a statement and checked symbolically.

A catalog model's name selects its facts (:data:`FACTS`); user models get none. The formulas
and their status are those of ``spec/`` (e.g. spec/minimalist_product.md A.5–A.7).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from eosmath.derivations.checks import Check, verify_all, verify_equal, verify_zero
from eosmath.derivations.derivation import Equation, Statement, prose
from eosmath.derivations.latex import to_latex
from eosmath.symbolic.model import ETA
from eosmath.symbolic.stable import unstabilize

LAMBDA = sp.Symbol("lambda")


def _charpoly(matrix):
    return (matrix - LAMBDA * sp.eye(matrix.rows)).det(method="berkowitz")


def _spectrum_check(matrix, eigenvalues, claim) -> Check:
    p = _charpoly(matrix)
    return verify_all([verify_zero(p.subs(LAMBDA, e), str(e)) for e in eigenvalues], claim)


def _gf_limit_sampled(model, theta0, expected, claim) -> Check:
    got = np.asarray(model.gf_limit(np.asarray(theta0, dtype=float),
                                    {str(k): v for k, v in model.hyper.items()}))
    ok = np.allclose(got, np.asarray(expected, dtype=float), rtol=1e-12, atol=1e-12)
    return Check(claim, "sampled" if ok else "failed", "" if ok else f"{got} vs {expected}")


# ----------------------------------------------------------------------------- product
def product_facts(model) -> list[Statement]:
    x, y = model.params
    s = sp.Symbol("s", real=True)
    x0, y0 = sp.symbols("x_0 y_0", real=True)
    ell = unstabilize(model.loss).subs({x: s, y: 1})
    c, d4, beta = (sp.sympify(model.meta[k]) for k in ("c", "d4", "beta"))
    series = sp.series(ell, s, 0, 6).removeO()
    constants = Statement(
        "ell-constants", "The loss profile: second and fourth derivatives at 0",
        prose=prose("L(x, y) = ℓ(xy), so ℓ(s) = L(s, 1). The theory uses c = ℓ''(0), "
                    "ℓ''''(0) and β = −ℓ''''(0)/(6c) (the cubic coefficient of ℓ'(s)/s = "
                    "c − cβs² + …):"),
        equations=(Equation("ell", r"\ell(s)", ell),
                   Equation("ell-c", r"c = \ell''(0)", c),
                   Equation("ell-d4", r"\ell''''(0)", d4),
                   Equation("ell-beta", r"\beta", beta)),
        checks=(verify_all([verify_equal(series.coeff(s, 2) * 2, c, "c"),
                            verify_equal(series.coeff(s, 4) * 24, d4, "d4"),
                            verify_equal(-d4 / (6 * c), beta, "beta")],
                           r"$c$ and $\ell''''(0)$ equal $2!$ and $4!$ times the Taylor "
                           r"coefficients of $\ell$ at $0$, and $\beta = -\ell''''(0)/(6c)$"),))
    # GD identity x+² − y+² = (1 − η²ℓ'(xy)²)(x² − y²)
    f = model.gd_map()
    ell_prime = sp.diff(ell, s).subs(s, x * y)
    gd_identity = Statement(
        "gd-balance", "Balance under GD",
        prose=prose("Gradient descent does not conserve x² − y² but shrinks it by an exact "
                    "factor each step:"),
        equations=(Equation("gd-balance", r"x_{+}^{2} - y_{+}^{2}",
                            (1 - ETA**2 * ell_prime**2) * (x**2 - y**2)),),
        checks=(verify_equal(f[0] ** 2 - f[1] ** 2, (1 - ETA**2 * ell_prime**2) * (x**2 - y**2),
                             r"$(F_\eta)_x^2 - (F_\eta)_y^2$ equals the right-hand side"),))
    y_inf = sp.sqrt(y0**2 - x0**2)
    h_limit = model.hessian().subs({x: 0, y: y_inf})
    limit = Statement(
        "gf-limit", "Gradient-flow limit and its sharpness",
        prose=prose("For |y₀| > |x₀| gradient flow converges to a point of the y-axis; since "
                    "x² − y² is conserved, that point and its sharpness are"),
        equations=(Equation("gf-limit", r"\theta_\infty",
                            rf"\left(0, \pm {to_latex(y_inf)}\right)"),
                   Equation("gf-limit-sharpness", r"S(\theta_\infty)", c * (y0**2 - x0**2))),
        after=prose("(sign of y₀). The claim that GF does converge there is "
                    "Ahn et al.'s (arXiv:2212.07469); what is checked is that the limit is a fixed "
                    "point with the same x² − y² and the stated sharpness."),
        checks=(verify_zero(model.gradient().subs({x: 0, y: y_inf}),
                            r"$\nabla L(\theta_\infty) = 0$"),
                verify_equal((x**2 - y**2).subs({x: 0, y: y_inf}), x0**2 - y0**2,
                             r"$x^2 - y^2$ at $\theta_\infty$ equals $x_0^2 - y_0^2$"),
                verify_zero(h_limit - sp.diag(c * (y0**2 - x0**2), 0),
                            r"$\nabla^2 L(\theta_\infty) = \operatorname{diag}(c(y_0^2 - x_0^2), "
                            r"0)$"),
                _gf_limit_sampled(model, (0.3, 1.2), (0.0, np.sqrt(1.2**2 - 0.3**2)),
                                  r"the model's numerical \texttt{gf\_limit} agrees at "
                                  r"$(x_0, y_0) = (0.3, 1.2)$")))
    eos = Statement(
        "eos-limit", "Edge-of-stability limit (for reference)",
        prose=prose("When y₀² − x₀² > 2/(cη), GD instead settles where the sharpness is just "
                    "below 2/η:"),
        equations=(Equation("eos-limit", r"y_\infty^{2}",
                            2 / (c * ETA) - c * ETA / (2 * beta)),),
        after=prose("(+ O(η³); eosmath's derivation from the two-step map, "
                    "checked numerically there, not here)."),
        checks=(Check("EoS limit", "skipped", "asymptotic statement about GD trajectories; "
                                              "checked by the dynamics tests"),))
    return [constants, gd_identity, limit, eos]


# ----------------------------------------------------------------------------- two-layer
def two_layer_facts(model) -> list[Statement]:
    a, w1, w2 = model.params
    s1, s2 = sorted(model.hyper, key=str)
    q = sp.Symbol("Q", real=True)
    h_q = (q + sp.sqrt(q**2 + 4)) / 2
    a_inf = sp.Symbol("a_infty", positive=True)
    limit_point = {a: a_inf, w1: 0, w2: 1 / a_inf}
    eigs = (s1**2 * a_inf**2, s2**2 * (a_inf**2 + a_inf**-2), sp.S.Zero)
    return [Statement(
        "gf-limit", "Gradient-flow limit and its sharpness",
        prose=prose("Gradient flow conserves Q = a² − w₁² − w₂² and, from a > 0, converges to "
                    "w₁ = 0, a w₂ = 1 (Liu et al., NeurIPS 2025, arXiv:2503.02809, Section 5.1). "
                    "Then a∞² − a∞⁻² = Q:"),
        equations=(Equation("gf-limit", r"a_\infty^{2}", h_q),
                   Equation("gf-limit-point", r"\theta_\infty",
                            r"\left(a_\infty, 0, a_\infty^{-1}\right)"),
                   Equation("gf-limit-sharpness", r"S(\theta_\infty)",
                            sp.Max(eigs[0], eigs[1]))),
        checks=(verify_zero(model.gradient().subs(limit_point),
                            r"$\nabla L(\theta_\infty) = 0$"),
                verify_equal(h_q - 1 / h_q, q, r"$a_\infty^2 - a_\infty^{-2} = Q$ for "
                                               r"$a_\infty^2 = (Q + \sqrt{Q^2+4})/2$"),
                _spectrum_check(model.hessian().subs(limit_point), eigs,
                                r"the Hessian at $\theta_\infty$ has eigenvalues "
                                r"$\sigma_1^2 a_\infty^2$, $\sigma_2^2(a_\infty^2 + "
                                r"a_\infty^{-2})$ and $0$"),
                _gf_limit_sampled(model, (1.5, 0.4, 0.2),
                                  _two_layer_expected((1.5, 0.4, 0.2)),
                                  r"the model's numerical \texttt{gf\_limit} agrees at "
                                  r"$(1.5, 0.4, 0.2)$")))]


def _two_layer_expected(theta0):
    a, w1, w2 = theta0
    q = a * a - w1 * w1 - w2 * w2
    a_inf = np.sqrt((q + np.sqrt(q * q + 4)) / 2)
    return (a_inf, 0.0, 1 / a_inf)


# ----------------------------------------------------------------------------- 1-D maps
def quadratic_facts(model) -> list[Statement]:
    if model.dim != 1:
        return []
    x = model.params[0]
    a = next(iter(model.hyper))
    return [Statement(
        "regimes", "Regimes of GD on the quadratic",
        prose=prose("GD is linear, x_{t+1} = (1 − ηa) x_t: monotone convergence for ηa < 1, "
                    "oscillating convergence for 1 < ηa < 2, every point 2-periodic at ηa = 2, "
                    "divergence for ηa > 2."),
        equations=(Equation("gd-linear", r"F_\eta(x)", (1 - ETA * a) * x),),
        checks=(verify_equal(model.gd_map()[0], (1 - ETA * a) * x,
                             r"$F_\eta(x) = (1 - \eta a)x$"),
                verify_equal(model.two_step_map()[0].subs(ETA, 2 / a), x,
                             r"$F_\eta \circ F_\eta = \mathrm{id}$ at $\eta a = 2$")))]


def soft_quadratic_facts(model) -> list[Statement]:
    x = model.params[0]
    s = sp.Symbol("s", positive=True)
    f = unstabilize(model.loss)
    series = sp.series(f, x, 0, 6).removeO()
    c2, c3, c4 = (sp.diff(model.hessian()[0, 0], x, k).subs(x, 0) for k in (0, 1, 2))
    eta_cycle = 2 * (1 + s) ** sp.Rational(3, 2) / (s + 2)
    curvature = 2 * (2 - s) / ((s + 1) * (s + 2))
    xs = sp.sqrt(s)
    return [Statement(
        "flip", "Flip at the minimum and the symmetric 2-cycle",
        prose=prose("With c_k = f^(k)(0), the orbit born at η = 2/c₂ is a stable 2-cycle iff "
                    "3c₃² − c₂c₄ > 0 (supercritical flip; Chen & Bruna, ICML 2023, "
                    "arXiv:2206.04172). With s = x², "
                    "the symmetric 2-cycle ±x and the curvature η f''(x) on it are"),
        equations=(Equation("flip-c2", "c_{2}", c2), Equation("flip-c4", "c_{4}", c4),
                   Equation("flip-coefficient", r"3c_{3}^{2} - c_{2}c_{4}", 3 * c3**2 - c2 * c4),
                   Equation("two-cycle-eta-s", r"\eta", eta_cycle),
                   Equation("two-cycle-curvature", r"\eta f''(x)", curvature)),
        after=prose("so the symmetric cycle exists for every η > 1 and is stable while "
                    "0 < η f''(x) < 2, i.e. for 1 < η < 3√3/2 (s < 2)."),
        checks=(verify_all([verify_equal(series.coeff(x, 2) * 2, c2, "c2"),
                            verify_equal(series.coeff(x, 3) * 6, c3, "c3"),
                            verify_equal(series.coeff(x, 4) * 24, c4, "c4")],
                           r"$c_2, c_3, c_4$ equal the Taylor coefficients of $f$ times $k!$"),
                verify_equal((2 * x / model.gradient()[0]).subs(x, xs), eta_cycle,
                             r"$2x/f'(x) = 2(1+s)^{3/2}/(s+2)$"),
                verify_equal((eta_cycle * model.hessian()[0, 0]).subs(x, xs), curvature,
                             r"$\eta f''(x)$ on the cycle equals $2(2-s)/((s+1)(s+2))$")))]


# ----------------------------------------------------------------------------- Zhu et al.
def zhu_facts(model) -> list[Statement]:
    x, y = model.params
    on_min = {y: 1 / x}
    eoc = ETA
    return [Statement(
        "minimum-manifold", "Sharpness on the minimum manifold",
        prose=prose("On xy = 1 the Hessian has eigenvalues 2(x² + y²) and 0; the minimum "
                    "with sharpness exactly 2/η (the η-EoS minimum) therefore satisfies"),
        equations=(Equation("min-sharpness", r"S\big|_{xy=1}", 2 * (x**2 + y**2)),
                   Equation("eos-minimum", r"\left(x^{2} - y^{2}\right)^{2}", eoc**-2 - 4)),
        checks=(_spectrum_check(model.hessian().subs(on_min),
                                (2 * (x**2 + 1 / x**2), sp.S.Zero),
                                r"the Hessian on $y = 1/x$ has eigenvalues $2(x^2+y^2)$ and 0"),
                verify_equal((x**2 - y**2) ** 2, (x**2 + y**2) ** 2 - 4 * (x * y) ** 2,
                             r"$(x^2 - y^2)^2 = (x^2 + y^2)^2 - 4x^2y^2$, which is "
                             r"$\eta^{-2} - 4$ when $2(x^2+y^2) = 2/\eta$ and $xy = 1$")))]


# ----------------------------------------------------------------------------- Kreisler et al.
def scalar_network_facts(model) -> list[Statement]:
    w = model.params
    target = next(iter(model.hyper))
    prod = sp.Mul(*w)
    grad_pi = sp.Matrix([sp.diff(prod, p) for p in w])
    at_min = {target: prod}
    h_min = model.hessian().subs(at_min)
    top = sum(sp.Mul(*[q**2 for q in w if q != p]) for p in w)
    return [Statement(
        "minimum-sharpness", "Sharpness at a minimum",
        prose=prose("At a minimum (∏w = y) the Hessian is ∇π∇πᵀ with π = ∏w, a rank-one "
                    "matrix, so the sharpness of a minimum (and of the GF limit s) is"),
        equations=(Equation("min-sharpness", r"S\big|_{\prod w = y}", top),),
        checks=(verify_zero(h_min - grad_pi * grad_pi.T,
                            r"$\nabla^2 L = \nabla\pi\nabla\pi^{T}$ where $\pi = y$"),
                verify_zero(h_min * grad_pi - top * grad_pi,
                            r"$\nabla\pi$ is an eigenvector with eigenvalue "
                            r"$\|\nabla\pi\|^2$")))]


# ----------------------------------------------------------------------------- self-stab. toy
def toy_facts(model) -> list[Statement]:
    x, y, z = model.params
    e, a, b, c4 = (next(s for s in model.hyper if str(s) == n)
                   for n in ("eta0", "alpha", "beta", "c4"))
    u = (1, 0, 0)
    grad_s = model.contract(3, u, u)
    on_line = {x: 0, y: 0}
    f = model.gd_map().subs(ETA, e)
    big_y = sp.sqrt(b) * y
    return [Statement(
        "self-stabilization", "Self-stabilization quantities (reconstruction of Appendix B)",
        prose=prose("On the line x = y = 0 the top Hessian eigenvector is u = e_x, and by "
                    "Lemma 2 ∇S = ∇³L[u, u]. This toy is a reconstruction of Damian et al.'s "
                    "Appendix B (its formula was not recovered):"),
        equations=(Equation("grad-sharpness", r"\nabla^{3} L[u, u]", grad_s.T),
                   Equation("alpha", r"-\nabla L \cdot \nabla S\big|_{x=y=0}",
                            -(model.gradient().T * grad_s)[0].subs(on_line)),
                   Equation("beta", r"\|\nabla S\|^{2}\big|_{x=y=0}",
                            (grad_s.T * grad_s)[0].subs(on_line))),
        checks=(verify_zero(grad_s - sp.Matrix([sp.diff(model.hessian()[0, 0], p)
                                                for p in model.params]),
                            r"$\nabla^3 L[e_x, e_x] = \nabla (\partial^2 L/\partial x^2)$"),
                verify_equal(-(model.gradient().T * grad_s)[0].subs(on_line), a,
                             r"the progressive-sharpening rate is $\alpha$"),
                verify_equal((grad_s.T * grad_s)[0].subs(on_line), b,
                             r"the self-stabilization strength is $\beta$"))),
        Statement(
            "reduced-map", "GD on the toy is the reduced map (eq. 3)",
            prose=prose("With step η = η₀, c₄ = 0 and Y = √β y, GD is exactly eq. (3):"),
            equations=(Equation("toy-x", r"x_{+}", -(1 + e * sp.Symbol("Y")) * x),
                       Equation("toy-Y", r"Y_{+}",
                                sp.Symbol("Y") + e * (a - b * x**2 / 2))),
            checks=(verify_equal(f[0].subs(c4, 0), -(1 + e * big_y) * x,
                                 r"$(F_{\eta_0})_x = -(1 + \eta_0 Y)x$"),
                    verify_equal(sp.sqrt(b) * f[1], big_y + e * (a - b * x**2 / 2),
                                 r"$\sqrt\beta\,(F_{\eta_0})_y = Y + \eta_0(\alpha - "
                                 r"\beta x^2/2)$"),
                    verify_equal(f[2], z + e, r"$(F_{\eta_0})_z = z + \eta_0$")))]


FACTS = {
    "product": product_facts,
    "two_layer_minimal": two_layer_facts,
    "quadratic": quadratic_facts,
    "soft_quadratic": soft_quadratic_facts,
    "zhu_slice": zhu_facts,
    "scalar_network": scalar_network_facts,
    "self_stabilization_toy": toy_facts,
}
"""Catalog model name → function returning its theory statements."""
