"""Quadratics: f(x) = a·x²/2, and f(θ) = ½ θᵀAθ with A symmetric positive-definite.

Source: seed 003 (blog) and the slides of seed 000; spec/simple_maps.md §1. GD is linear:
x ↦ (1 − ηa)x, converging monotonically for ηa < 1, oscillating for 1 < ηa < 2, diverging for
ηa > 2; in n-D the same holds per eigenvalue of A.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from eosmath.dynamics.gf_limits import origin_limit
from eosmath.errors import InvalidInputError
from eosmath.models.registry import register
from eosmath.references import cite
from eosmath.symbolic.model import Model

SOURCE = cite("blog2025", "the quadratic")


@register("quadratic", "a/2·x² (1-D), or ½θᵀAθ for a positive-definite matrix A", SOURCE)
def quadratic(a: float = 1.0, matrix=None) -> Model:
    """The quadratic a·x²/2 (hyper-parameter a > 0), or ½θᵀAθ when ``matrix`` is given.

    With ``matrix`` the entries A_ij (i ≤ j) become hyper-parameters ``a_i_j``.
    """
    if matrix is None:
        if not a > 0:
            raise InvalidInputError(f"the quadratic needs a > 0, got a = {a}")
        x, a_sym = sp.Symbol("x", real=True), sp.Symbol("a", real=True)
        return Model(a_sym * x**2 / 2, (x,), {a_sym: float(a)}, name="quadratic", source=SOURCE,
                     description="f(x) = a x²/2", hyper_doc={"a": "curvature (> 0)"},
                     gf_limit=origin_limit)
    A = np.asarray(matrix, dtype=float)
    n = A.shape[0]
    if A.shape != (n, n) or not np.allclose(A, A.T):
        raise InvalidInputError(f"matrix must be square and symmetric, got shape {A.shape}")
    if np.linalg.eigvalsh(A).min() <= 0:
        raise InvalidInputError("matrix must be positive-definite")
    theta = sp.symbols(f"x1:{n + 1}", real=True)
    hyper, loss = {}, sp.S.Zero
    for i in range(n):
        for j in range(i, n):
            s = sp.Symbol(f"a_{i + 1}_{j + 1}", real=True)
            hyper[s] = float(A[i, j])
            loss += (s / 2 if i == j else s) * theta[i] * theta[j]
    return Model(loss, theta, hyper, name="quadratic", source=SOURCE,
                 description="f(θ) = ½ θᵀAθ", hyper_doc={"a_i_j": "entries of A (i ≤ j)"},
                 gf_limit=origin_limit)
