"""The statements every loss model gets: loss, derivatives, GD map, fixed points, invariants.

Each function takes a :class:`~eosmath.symbolic.model.Model` and returns a checked
:class:`~eosmath.derivations.derivation.Statement`. Model-specific theory lives in
:mod:`eosmath.derivations.theory_facts`.
"""

from __future__ import annotations

import random

import mpmath
import sympy as sp

from eosmath.derivations.checks import Check, time_limit, verify_all, verify_equal, verify_zero
from eosmath.derivations.derivation import Equation, Statement, prose
from eosmath.derivations.latex import (
    LINE_WIDTH,
    break_lines,
    join_lines,
    symbol,
    text,
    to_latex,
    visible_width,
)
from eosmath.symbolic.domain import sample_in_domain
from eosmath.symbolic.model import ETA
from eosmath.symbolic.stable import unstabilize

SOLVE_SECONDS = 60
"""Longest ``solve`` / conserved-quantity search may run before the statement is skipped."""

LAMBDA = sp.Symbol("lambda")


def _name(p: sp.Symbol) -> str:
    return str(p).replace("_", "")


def partial(p, q=None) -> str:
    """∂L/∂p (or ∂²L/∂p∂q) in LaTeX."""
    if q is None:
        return rf"\frac{{\partial L}}{{\partial {symbol(p)}}}"
    if p == q:
        return rf"\frac{{\partial^{{2}} L}}{{\partial {symbol(p)}^{{2}}}}"
    return rf"\frac{{\partial^{{2}} L}}{{\partial {symbol(p)}\,\partial {symbol(q)}}}"


def theta(model) -> str:
    return r"\left(" + ", ".join(symbol(p) for p in model.params) + r"\right)"


def _hyper_table(model) -> str:
    if not model.hyper:
        return prose("The model has no hyper-parameters.")
    rows = []
    for s, value in sorted(model.hyper.items(), key=lambda kv: str(kv[0])):
        doc = text(model.hyper_doc.get(str(s), ""))
        rows.append(rf"${symbol(s)}$ & ${to_latex(sp.Float(value, 15))}$ & {doc} \\")
    return ("\\noindent Hyper-parameters (they stay symbolic below; defaults shown):\n\n"
            "\\begin{tabular}{lll}\n" + "\n".join(rows) + "\n\\end{tabular}")


def _source_lines(model) -> str:
    parts = []
    if model.description:
        parts.append(r"\noindent " + text(model.description) + ".")
    if model.source:
        parts.append(r"\noindent Source: " + text(model.source) + ".")
    return "\n\n".join(parts)


def model_statement(model) -> Statement:
    reconstruction = "reconstruction" in (model.source + model.description).lower()
    note = ("\n\n\\noindent This model is a \\emph{reconstruction} (the paper's own formula was "
            "not recovered; see the source)." if reconstruction else "")
    return Statement(
        "model", "Model",
        prose=_source_lines(model) + note + "\n\n" + _hyper_table(model),
        equations=(Equation("parameters", r"\theta", theta(model)),),
        after=r"\noindent Gradient descent with step size $\eta > 0$ iterates "
              r"$\theta_{t+1} = F_\eta(\theta_t) = \theta_t - \eta \nabla L(\theta_t)$.")


def loss_statement(model) -> Statement:
    equations = [Equation("loss", r"L(\theta)", model.loss)]
    checks = []
    if model.stable_loss != model.loss:
        equations.append(Equation("loss-stable", r"L(\theta)", model.stable_loss))
        checks.append(verify_equal(model.stable_loss, model.loss,
                                   r"the numerically stable form equals the loss as written"))
    return Statement("loss", "Loss", prose=prose(
        "The loss as the source writes it" + (", then in the overflow-free form every "
                                              "derivative below is taken from:"
                                              if checks else ":")),
        equations=tuple(equations), checks=tuple(checks))


def gradient_statement(model) -> Statement:
    raw = unstabilize(model.loss)
    grad = model.gradient()
    equations = tuple(Equation(f"gradient-{_name(p)}", partial(p), grad[i])
                      for i, p in enumerate(model.params))
    check = verify_all([verify_equal(grad[i], sp.diff(raw, p), f"d/d{p}")
                        for i, p in enumerate(model.params)],
                       r"each entry equals SymPy's derivative of the loss as written")
    return Statement("gradient", "Gradient", equations=equations, checks=(check,))


def hessian_statement(model) -> Statement:
    raw = unstabilize(model.loss)
    h = model.hessian()
    equations, checks = [], []
    for i, p in enumerate(model.params):
        for j in range(i, model.dim):
            q = model.params[j]
            equations.append(Equation(f"hessian-{_name(p)}-{_name(q)}", partial(p, q), h[i, j]))
            checks.append(verify_equal(h[i, j], sp.diff(raw, p, q), f"d2/d{p}d{q}"))
    after = (prose("The Hessian is symmetric; only the entries on and above the diagonal are "
                   "listed.") if model.dim > 1 else "")
    return Statement("hessian", "Hessian", equations=tuple(equations), after=after,
                     checks=(verify_all(checks, r"each entry equals SymPy's second derivative "
                                                r"of the loss as written"),))


def _random_points(model, count, seed=0) -> list[dict]:
    """Up to ``count`` random points (with the default hyper-parameters) where the Hessian is
    real and finite: a model with a restricted domain (√x, log x) is sampled inside it."""
    rng = random.Random(seed)
    values = {s: sp.Float(v, 30) for s, v in model.hyper.items()}
    h = sp.lambdify(list(model.hyper) + list(model.params), model.hessian(), modules="mpmath")
    with mpmath.workdps(30):
        raw = sample_in_domain([lambda *p: h(*values.values(), *p)], model.dim, count, rng)
    return [{**values, **{p: sp.Float(str(v), 30) for p, v in zip(model.params, point,
                                                                 strict=True)}}
            for point in raw]


def _outside_domain(claim: str, found: int, count: int) -> Check:
    return Check(claim, "skipped", f"the Hessian is real at only {found} of {count} sample "
                                   "points (the model's domain is restricted); not checked")


def _mp(value):
    return mpmath.mpf(str(sp.N(value, 30)))


def _sharpness_matches_numerically(model, s) -> Check:
    h = model.hessian()
    points = _random_points(model, 6)
    if len(points) < 6:
        return _outside_domain(r"$S$ is the \emph{largest} eigenvalue", len(points), 6)
    with mpmath.workdps(30):
        for point in points:
            expected = max(mpmath.eigsy(mpmath.matrix(
                [[_mp(v) for v in row] for row in h.subs(point).tolist()]))[0])
            got = _mp(unstabilize(s).subs(point))
            if abs(got - expected) > mpmath.mpf(10) ** -20 * (1 + abs(expected)):
                return Check(r"$S$ is the \emph{largest} eigenvalue", "failed",
                             f"{got} vs {expected} at {point}")
    return Check(r"$S$ equals the largest eigenvalue from an mpmath eigen-solver at 6 random "
                 r"points (30 digits, default hyper-parameters)", "sampled")


def characteristic_polynomial(matrix: sp.Matrix) -> sp.Expr:
    """det(M − λI) as a polynomial in λ (coefficients collected)."""
    return sp.collect(sp.expand((matrix - LAMBDA * sp.eye(matrix.rows)).det(method="berkowitz")),
                      LAMBDA)


def sharpness_statement(model) -> Statement:
    s = model.sharpness()
    h = model.hessian()
    if s is None:
        p = characteristic_polynomial(h)
        check = _charpoly_matches_numerically(model, p)
        return Statement(
            "sharpness", "Sharpness",
            prose=prose("SymPy gives no closed form for the largest eigenvalue of the Hessian; "
                        "the sharpness S(θ) is the largest root λ of the characteristic "
                        "polynomial"),
            equations=(Equation("charpoly", r"\det\left(\nabla^{2} L - \lambda I\right)", p),),
            checks=(check,))
    text_before = prose("Closed form of the largest algebraic eigenvalue of ∇²L:")
    too_wide = max(visible_width(line) for line in break_lines(s)) > 1.1 * LINE_WIDTH
    if too_wide and model.dim == 2:
        a, b, c = (sp.Symbol(f"L_{{{symbol(x)}{symbol(y)}}}") for x, y in
                   ((model.params[0],) * 2, model.params, (model.params[1],) * 2))
        compact = (a + c) / 2 + sp.sqrt(((a - c) / 2) ** 2 + b**2)
        text_before += " " + prose("in terms of the Hessian entries L_ab = ∂²L/∂a∂b above "
                                   "(written out, it is too wide for the page):")
        equations = (Equation("sharpness", r"S(\theta)", compact),)
    else:
        equations = (Equation("sharpness", r"S(\theta)", s),)
    root = verify_zero((h - s * sp.eye(model.dim)).det(method="berkowitz"),
                       r"$\det(\nabla^2 L - S\,I) = 0$: $S$ is an eigenvalue of the Hessian")
    return Statement("sharpness", "Sharpness (largest Hessian eigenvalue)",
                     prose=text_before, equations=equations,
                     checks=(root, _sharpness_matches_numerically(model, s)))


def _charpoly_matches_numerically(model, p) -> Check:
    h = model.hessian()
    points = _random_points(model, 4)
    if len(points) < 4:
        return _outside_domain("the roots of the characteristic polynomial are the Hessian "
                               "eigenvalues", len(points), 4)
    with mpmath.workdps(30):
        for point in points:
            expected = sorted(mpmath.eigsy(mpmath.matrix(
                [[_mp(v) for v in row] for row in h.subs(point).tolist()]))[0])
            coeffs = sp.Poly(p.subs(point), LAMBDA).all_coeffs()
            roots = sorted(mpmath.re(r) for r in mpmath.polyroots(
                [_mp(c) for c in coeffs], maxsteps=200, extraprec=60))
            if any(abs(r - e) > mpmath.mpf(10) ** -15 * (1 + abs(e))
                   for r, e in zip(roots, expected, strict=True)):
                return Check("the roots of the characteristic polynomial are the Hessian "
                             "eigenvalues", "failed", f"at {point}")
    return Check(r"its roots equal the eigenvalues from an mpmath eigen-solver at 4 random "
                 r"points (default hyper-parameters)", "sampled")


def gd_map_statement(model) -> Statement:
    raw = unstabilize(model.loss)
    f = model.gd_map()
    equations = [Equation(f"gd-map-{_name(p)}", rf"F_\eta(\theta)_{{{symbol(p)}}}", f[i])
                 for i, p in enumerate(model.params)]
    checks = [verify_equal(f[i], p - ETA * sp.diff(raw, p), f"component {p}")
              for i, p in enumerate(model.params)]
    jac_check = verify_zero(sp.Matrix(f).jacobian(model.params) - model.jacobian(),
                            r"the Jacobian of $F_\eta$ equals $I - \eta\nabla^2 L$ entry by entry")
    if model.dim == 1:
        equations.append(Equation("jacobian", r"F_\eta'(\theta)", model.jacobian()[0, 0]))
    else:
        equations.append(Equation("jacobian", r"DF_\eta(\theta)",
                                  r"I - \eta\, \nabla^{2} L(\theta)"))
    return Statement(
        "gd-map", "Gradient-descent map and its Jacobian", equations=tuple(equations),
        after=(r"\noindent At a critical point the eigenvalues of $DF_\eta$ are $1 - \eta\lambda$ "
               r"for the Hessian eigenvalues $\lambda$: GD is linearly stable iff "
               r"$0 < \eta\lambda < 2$ for every $\lambda \neq 0$, and an eigenvalue of "
               r"$DF_\eta$ crosses $-1$ (a flip, the onset of period-2 oscillation) at "
               r"$\eta\lambda = 2$."),
        checks=(verify_all(checks, r"$F_\eta = \theta - \eta\,\partial L/\partial\theta$ "
                                   r"recomputed from the loss as written"), jac_check))


def _sorted_points(points):
    return sorted(points, key=lambda fp: sp.default_sort_key(
        tuple(sorted((str(k), v) for k, v in fp.point.items()))))


def _point_latex(model, point: dict) -> str:
    coords = ", ".join(to_latex(point.get(p, p)) for p in model.params)
    free = [p for p in model.params if p not in point]
    tail = (r",\quad " + ", ".join(symbol(p) for p in free) + r" \in \mathbb{R}") if free else ""
    return rf"\left({coords}\right){tail}"


def fixed_points_statement(model) -> Statement:
    title = "Fixed points of GD (critical points of L) and their stability"
    try:
        with time_limit(SOLVE_SECONDS):
            points = model.fixed_points()
    except TimeoutError:
        points = None
    if points is None:
        return Statement("fixed-points", title, prose=prose(
            "Not found in closed form: SymPy could not solve ∇L = 0 (or gave up after "
            f"{SOLVE_SECONDS} s)."), checks=(Check(r"fixed points", "skipped",
                                                    "no closed-form solution"),))
    if not points:
        return Statement("fixed-points", title, prose=prose(
            "SymPy finds no real solution of ∇L = 0: GD has no fixed point."),
            checks=(Check("no real critical point", "skipped",
                          "absence of solutions is SymPy's answer, not a proof"),))
    grad, h = model.gradient(), model.hessian()
    equations, checks, notes = [], [], []
    for k, fp in enumerate(_sorted_points(points), start=1):
        tag = f"fixed-point-{k}"
        equations.append(Equation(tag, rf"\theta^{{*}}_{{{k}}}", _point_latex(model, fp.point)))
        checks.append(verify_zero(grad.subs(fp.point),
                                  rf"$\nabla L(\theta^*_{{{k}}}) = 0$: the point is fixed"))
        if fp.hessian_eigenvalues is None:
            equations.append(Equation(f"{tag}-charpoly",
                                      rf"\det\left(\nabla^{{2}} L(\theta^*_{{{k}}}) - "
                                      rf"\lambda I\right)",
                                      characteristic_polynomial(h.subs(fp.point))))
            notes.append(prose(f"At point {k} SymPy cannot diagonalise the Hessian; its "
                               "eigenvalues are the roots of the characteristic polynomial."))
            continue
        eigs = sorted(fp.hessian_eigenvalues, key=sp.default_sort_key)
        members = join_lines([to_latex(e) for e in eigs])
        members = [r"\{" + members[0]] + members[1:]
        members[-1] += r"\}"
        equations.append(Equation(f"{tag}-eigenvalues",
                                  rf"\lambda\left(\nabla^{{2}} L(\theta^*_{{{k}}})\right)",
                                  tuple(members), relation=r"\in"))
        charpoly = (h.subs(fp.point) - LAMBDA * sp.eye(model.dim)).det(method="berkowitz")
        checks.append(verify_all(
            [verify_zero(charpoly.subs(LAMBDA, e), f"eig {e}") for e in eigs],
            rf"each listed $\lambda$ is a root of $\det(\nabla^2 L(\theta^*_{{{k}}}) - "
            rf"\lambda I)$"))
        if fp.is_saddle:
            notes.append(prose(f"Point {k} is a saddle (a Hessian eigenvalue is negative): GD "
                               "is unstable there for every η."))
        elif fp.sharpness is not None:
            equations.append(Equation(f"{tag}-stability", rf"\eta\, S(\theta^*_{{{k}}})",
                                      r"\eta\, " + to_latex(fp.sharpness) + " < 2",
                                      relation=r"\;:\;"))
    after = "\n\n".join(notes + [prose(
        "Each stability line is the condition for GD to be linearly stable at that point "
        "(with every Hessian eigenvalue non-negative); at η·S = 2 the Jacobian eigenvalue "
        "1 − ηS passes −1 and GD oscillates (flip). Zero eigenvalues along a set of fixed "
        "points are neutral.")])
    return Statement("fixed-points", title, prose=prose(
        "Solutions of ∇L = 0 (parameters not listed stay free), with the Hessian spectrum there."),
        equations=tuple(equations), after=after, checks=tuple(checks))


def conservation_proof(model, q) -> tuple[sp.Expr, sp.Expr]:
    """(∇Q·∇L written term by term, unevaluated; the same sum evaluated)."""
    terms = [sp.diff(q, p) * g for p, g in zip(model.params, model.gradient(), strict=True)]
    terms = [t for t in terms if t != 0]
    return sp.Add(*terms, evaluate=False), sp.Add(*terms)


def _equals_zero(expr) -> tuple[str, ...]:
    lines = break_lines(expr) if expr != 0 else []
    return tuple(lines[:-1]) + (lines[-1] + " = 0",) if lines else ("0",)


def conserved_quantity_statement(model, q, index: int = 1) -> Statement:
    """The claim "Q is conserved by gradient flow", with its one-line proof, checked."""
    q = sp.sympify(q)
    written, total = conservation_proof(model, q)
    tag = f"conserved-{index}"
    return Statement(
        tag, f"Conserved quantity {index} of gradient flow",
        prose=prose("Along gradient flow θ̇ = −∇L, dQ/dt = −∇Q·∇L, so Q is conserved iff "
                    "∇Q·∇L ≡ 0:"),
        equations=(Equation(tag, rf"Q_{{{index}}}(\theta)", q),
                   Equation(f"{tag}-proof", rf"\nabla Q_{{{index}}} \cdot \nabla L",
                            _equals_zero(written))),
        checks=(verify_zero(total, rf"$\nabla Q_{{{index}}}\cdot\nabla L$ simplifies to $0$"),))


def conserved_statements(model, max_degree: int = 4) -> list[Statement]:
    try:
        with time_limit(SOLVE_SECONDS):
            found = model.conserved_quantities(max_degree)
    except TimeoutError:
        found = None
    if not found:
        why = ("the search did not finish" if found is None else
               f"no polynomial Q of degree ≤ {max_degree} with ∇Q·∇L ≡ 0 at the default "
               "hyper-parameters")
        return [Statement("conserved", "Conserved quantities of gradient flow",
                          prose=prose(f"None found: {why}."),
                          checks=(Check("absence of polynomial conserved quantities", "skipped",
                                        "a finite search, not a proof"),))]
    return [conserved_quantity_statement(model, q, k) for k, q in enumerate(found, start=1)]


def invariant_subspaces_statement(model) -> Statement | None:
    if model.dim < 2:
        return None
    subspaces = model.invariant_subspaces()
    if not subspaces:
        return Statement("invariant", "Invariant subspaces", prose=prose(
            "No coordinate or diagonal subspace (θ_i = 0, θ_i = ±θ_j, or two of them) is "
            "invariant under GD."), checks=(Check("absence of invariant subspaces", "skipped",
                                                  "only these candidates were tried"),))
    grad = model.gradient()
    equations, checks = [], []
    for k, sub in enumerate(subspaces, start=1):
        conditions = r",\quad ".join(f"{to_latex(e)} = 0" for e in sub.equations)
        equations.append(Equation(f"invariant-{k}", rf"V_{{{k}}}", rf"\left\{{\theta : "
                                  rf"{conditions}\right\}}"))
        on_v = sp.solve(list(sub.equations), list(model.params), dict=True)[0]
        residual = [sum(sp.diff(e, p) * g for p, g in zip(model.params, grad, strict=True))
                    .subs(on_v) for e in sub.equations]
        checks.append(verify_zero(sp.Matrix(residual), f"V{k}"))
    return Statement(
        "invariant", "Invariant subspaces", prose=prose(
            "V = {θ : Cθ = 0} is mapped into itself by every F_η iff C∇L(θ) = 0 on V, since "
            "CF_η(θ) = Cθ − ηC∇L(θ). Subspaces found:"),
        equations=tuple(equations),
        checks=(verify_all(checks, r"$C\nabla L = 0$ on each $V_k$, so GD and gradient flow "
                                   r"started in $V_k$ stay in it for every $\eta$"),))


def symmetric_two_cycle_statement(model) -> Statement | None:
    """1-D models: the two-step map and the symmetric 2-cycle {x, −x}, F(x) = −x."""
    if model.dim != 1:
        return None
    x = model.params[0]
    g = model.gradient()[0]
    eta_cycle = sp.simplify(2 * x / g)
    two_step = model.two_step_map()[0]
    equations = []
    if visible_width(to_latex(two_step)) <= 2 * LINE_WIDTH:
        equations.append(Equation("two-step-map", rf"F_\eta\left(F_\eta({symbol(x)})\right)",
                                  two_step))
    equations.append(Equation("two-cycle-eta", r"\eta", eta_cycle))
    substituted = (x - ETA * g).subs(ETA, eta_cycle) + x
    return Statement(
        "two-cycle", "Two-step map and the symmetric 2-cycle",
        prose=prose("Period-2 orbits of GD are fixed points of F_η∘F_η that are not fixed points "
                    "of F_η. The symmetric 2-cycle {x, −x} satisfies F_η(x) = −x, i.e. "
                    "η L'(x) = 2x: it exists at the step size"),
        equations=tuple(equations),
        checks=(verify_zero(substituted, r"$F_\eta(x) = -x$ at this $\eta$"),))
