"""Linear subspaces that every GD map F_η(θ) = θ − η∇L(θ) maps into themselves.

A subspace V = {θ : Cθ = 0} is invariant for all η iff C∇L(θ) = 0 for every θ ∈ V. The
candidates are the hyperplanes θ_i = 0 and θ_i = ±θ_j and their pairwise intersections.

>>> import eosmath as eos
>>> [str(s) for s in eos.models.get("product", ell="logcosh").invariant_subspaces()]
['x = 0', 'y = 0', 'x - y = 0', 'x + y = 0']
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from eosmath.symbolic.stable import prove_equal


@dataclass(frozen=True)
class Subspace:
    """A linear subspace {θ : c·θ = 0 for each c in ``equations``} that the GD map preserves."""

    equations: tuple
    dimension: int

    def __str__(self) -> str:
        return ", ".join(f"{sp.sstr(e)} = 0" for e in self.equations)


def _candidate_hyperplanes(params) -> list[sp.Expr]:
    planes = list(params)
    for a, b in itertools.combinations(params, 2):
        planes += [a - b, a + b]
    return planes


def _is_invariant(equations, params, grad) -> bool:
    solution = sp.solve(list(equations), list(params), dict=True)
    if len(solution) != 1:
        return False
    sub = solution[0]
    for eq in equations:
        coeffs = [sp.diff(eq, p) for p in params]
        component = sum(c * g for c, g in zip(coeffs, grad, strict=True)).subs(sub)
        if component.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            return False  # the plane meets the edge of the model's domain: ∇L undefined there
        try:
            prove_equal(component, sp.S.Zero, symbols=sorted(component.free_symbols, key=str))
        except AssertionError:
            return False
    return True


def _canonical(equations, params) -> tuple:
    """The constraint set in reduced row-echelon form (equal subspaces give equal tuples)."""
    rows = sp.Matrix([[sp.diff(e, p) for p in params] for e in equations]).rref()[0]
    return tuple(sp.expand(sum(c * p for c, p in zip(rows.row(i), params, strict=True)))
                 for i in range(rows.rows) if any(rows.row(i)))


def invariant_subspaces(model) -> tuple[Subspace, ...]:
    """Invariant hyperplanes, then codimension-2 intersections not implied by two of them."""
    params = model.params
    grad = list(model.gradient())
    n = len(params)
    if n < 2:
        return ()
    planes = _candidate_hyperplanes(params)
    invariant_planes = [p for p in planes if _is_invariant([p], params, grad)]
    found = [Subspace(_canonical([p], params), n - 1) for p in invariant_planes]
    seen = {s.equations for s in found}
    if n >= 3:
        for a, b in itertools.combinations(planes, 2):
            if a in invariant_planes and b in invariant_planes:
                continue  # implied: the intersection of two invariant sets is invariant
            key = _canonical([a, b], params)
            if len(key) < 2 or key in seen:
                continue
            seen.add(key)
            if _is_invariant(list(key), params, grad):
                found.append(Subspace(key, n - 2))
    return tuple(found)
