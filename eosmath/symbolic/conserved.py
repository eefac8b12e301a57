"""Polynomial first integrals of gradient flow: Q with ∇Q·∇L ≡ 0.

Ansatz Q = Σ c_α θ^α over monomials of degree 1…d. The condition ∇Q·∇L ≡ 0 is linear in the
coefficients c; it is sampled at random points with mpmath (40 digits), the null space of the
sample matrix is brought to reduced row-echelon form, its entries are recovered as small
rationals, and every candidate is then verified on the exact expression.

>>> import eosmath as eos
>>> eos.models.get("product", ell="sqrt").conserved_quantities(max_degree=2)
(x**2 - y**2,)
"""

from __future__ import annotations

import itertools
import random
import warnings
from fractions import Fraction

import mpmath
import sympy as sp

from eosmath.symbolic.domain import sample_in_domain
from eosmath.symbolic.stable import prove_equal

_DPS = 40


def _monomial_exponents(n: int, max_degree: int) -> list[tuple[int, ...]]:
    """Exponent vectors of all monomials of degree 1…max_degree, highest degree first.

    Highest-first makes the reduced echelon form a filtration by degree: a row whose pivot has
    degree d involves no monomial of degree > d.
    """
    out = []
    for degree in range(max_degree, 0, -1):
        for combo in itertools.combinations_with_replacement(range(n), degree):
            exps = [0] * n
            for i in combo:
                exps[i] += 1
            out.append(tuple(exps))
    return out


def _rref(rows: list[list], tol) -> list[list]:
    """Reduced row-echelon form (mpmath entries, partial pivoting)."""
    rows = [list(r) for r in rows]
    if not rows:
        return rows
    ncols = len(rows[0])
    pivot_row = 0
    for col in range(ncols):
        if pivot_row >= len(rows):
            break
        best = max(range(pivot_row, len(rows)), key=lambda r: abs(rows[r][col]))
        if abs(rows[best][col]) < tol:
            continue
        rows[pivot_row], rows[best] = rows[best], rows[pivot_row]
        p = rows[pivot_row][col]
        rows[pivot_row] = [v / p for v in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and abs(rows[r][col]) > 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    return rows[:pivot_row]


def _as_rational(value, max_denominator: int = 1000) -> sp.Rational | None:
    frac = Fraction(str(mpmath.nstr(value, 30))).limit_denominator(max_denominator)
    if abs(value - mpmath.mpf(frac.numerator) / frac.denominator) > mpmath.mpf(10) ** (-20):
        return None
    return sp.Rational(frac.numerator, frac.denominator)


def polynomial_first_integrals(model, max_degree: int = 4, seed: int = 0) -> tuple[sp.Expr, ...]:
    """A basis (in reduced echelon form) of the polynomial conserved quantities of GF.

    The search is pure-Python mpmath (seconds for eight parameters), so its result is kept on
    disk beside the kernels, keyed by the gradient, the degree, the seed and this module's text:
    a second process reads it back instead of searching again.
    """
    import hashlib
    import inspect
    import sys

    from eosmath.kernels.cache import cache_dir, write_atomic

    grad = [g.subs(model.hyper) for g in model.gradient()]
    this = inspect.getsource(sys.modules[__name__])
    key = hashlib.sha256(repr((sp.srepr(grad), [sp.srepr(p) for p in model.params],
                               max_degree, seed, this)).encode()).hexdigest()[:20]
    path = cache_dir() / "conserved" / f"{key}.txt"
    names = {str(p): p for p in model.params}
    if path.exists():
        return tuple(sp.sympify(line, locals=names) for line in path.read_text().splitlines()
                     if line.strip())
    found = _search(model, grad, max_degree, seed)
    if found is None:  # not searched (warned): nothing to keep
        return ()
    write_atomic(path, "".join(f"{sp.srepr(q)}\n" for q in found).encode())
    return found


def _search(model, grad, max_degree: int, seed: int) -> tuple[sp.Expr, ...] | None:
    params = model.params
    n = len(params)
    grad_fn = sp.lambdify(params, grad, modules="mpmath")
    exponents = _monomial_exponents(n, max_degree)
    rng = random.Random(seed)
    samples = 2 * len(exponents) + 10
    with mpmath.workdps(_DPS):
        # points where ∇L is real: a restricted domain (√x, log x) is sampled inside it
        points = sample_in_domain([lambda *p: grad_fn(*p)], n, samples, rng)
        if len(points) < samples:
            warnings.warn(f"conserved quantities of {model.name} not searched: ∇L is real at "
                          f"only {len(points)} of the {samples} sample points needed",
                          stacklevel=4)
            return None
        rows = []
        for point in points:
            g = grad_fn(*point)
            row = []
            for exps in exponents:
                # ∇(θ^α)·∇L = Σ_i α_i θ^(α − e_i) ∂_i L
                total = mpmath.mpf(0)
                for i, a in enumerate(exps):
                    if a:
                        term = a * g[i]
                        for j, b in enumerate(exps):
                            term *= point[j] ** (b - (1 if j == i else 0))
                        total += term
                row.append(total)
            rows.append(row)
        matrix = mpmath.matrix(rows)
        _, s, v = mpmath.svd_r(matrix)
        tol = mpmath.mpf(10) ** (-_DPS // 2) * max(max(abs(x) for x in s), 1)
        rank = sum(1 for x in s if abs(x) > tol)
        null = [[v[r, c] for c in range(v.cols)] for r in range(rank, v.rows)]
        basis = _rref(null, mpmath.mpf(10) ** (-_DPS // 2))
    monomials = [sp.Mul(*[p ** e for p, e in zip(params, exps, strict=True)])
                 for exps in exponents]
    candidates = []
    for row in basis:
        coeffs = [_as_rational(c) for c in row]
        if any(c is None for c in coeffs):
            continue
        q = sp.expand(sum(c * m for c, m in zip(coeffs, monomials, strict=True)))
        if q != 0 and _verify(q, params, grad):
            candidates.append(q)
    candidates.sort(key=lambda q: (sp.Poly(q, *params).total_degree(), sp.default_sort_key(q)))
    return _independent(candidates, params, max_degree)


def _independent(candidates, params, max_degree) -> tuple[sp.Expr, ...]:
    """Drop candidates that are polynomials in the lower-degree integrals already kept.

    (x² − y²)² is conserved whenever x² − y² is; only the generator is reported.
    """
    kept: list[sp.Expr] = []
    spanned: list[sp.Expr] = []
    for q in candidates:
        products = _products(kept, params, max_degree)
        basis = spanned + products
        if not _in_span(q, basis, params):
            kept.append(q)
            spanned.append(q)
    return tuple(kept)


def _products(generators, params, max_degree) -> list[sp.Expr]:
    out = []
    for r in range(2, max_degree + 1):
        for combo in itertools.combinations_with_replacement(generators, r):
            p = sp.expand(sp.Mul(*combo))
            if sp.Poly(p, *params).total_degree() <= max_degree:
                out.append(p)
    return out


def _in_span(q, basis, params) -> bool:
    if not basis:
        return False
    polys = [sp.Poly(b, *params) for b in basis] + [sp.Poly(q, *params)]
    monoms = sorted({m for p in polys for m in p.monoms()})
    matrix = sp.Matrix([[p.coeff_monomial(m) for m in monoms] for p in polys])
    return matrix.rank() == matrix[:-1, :].rank()


def _verify(q: sp.Expr, params, grad) -> bool:
    derivative = sum(sp.diff(q, p) * g for p, g in zip(params, grad, strict=True))
    try:
        prove_equal(derivative, sp.S.Zero, symbols=params)
        return True
    except AssertionError:
        return False
