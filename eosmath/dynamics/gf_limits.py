"""Closed-form gradient-flow limits of catalog models, in NumPy only.

They live outside the model modules (which build SymPy expressions) so that a warm sweep can
import them by name without SymPy (see :mod:`eosmath.dynamics.sweep_model`). Each takes
``(theta0, hyper)`` with ``hyper`` a dict; θ₀ may be given column-wise, (dim, N).

>>> product_limit((0.3, 1.2)).round(6).tolist()       # y∞ = √(1.2² − 0.3²) = √1.35
[0.0, 1.161895]
"""

from __future__ import annotations

import numpy as np


def product_limit(theta0, hyper=None):
    """ℓ(xy): (0, ±√(y₀² − x₀²)) if |y₀| ≥ |x₀|, else (±√(x₀² − y₀²), 0)."""
    x0, y0 = np.asarray(theta0, dtype=float)
    gap = np.sqrt(np.abs(y0**2 - x0**2))
    on_y = np.abs(y0) >= np.abs(x0)
    return np.array([np.where(on_y, 0.0, np.sign(x0) * gap),
                     np.where(on_y, np.sign(y0) * gap, 0.0)])


def gfs_a_squared(q: float) -> float:
    """a∞² = h(Q) = (Q + √(Q² + 4))/2, the GF limit of a² given the balance Q = a² − w₁² − w₂²."""
    return (q + np.sqrt(q * q + 4.0)) / 2.0


def two_layer_minimal_limit(theta0, hyper=None):
    """a(w₁x₁ + w₂x₂): (a∞, 0, 1/a∞) with a∞² = h(a₀² − w₁₀² − w₂₀²)."""
    a, w1, w2 = np.asarray(theta0, dtype=float)
    a_inf = np.sign(a) * np.sqrt(gfs_a_squared(a * a - w1 * w1 - w2 * w2))
    return np.array([a_inf, 0.0, 1.0 / a_inf])


def origin_limit(theta0, hyper=None):
    """A single minimum at the origin that gradient flow reaches from everywhere."""
    return np.zeros(np.shape(theta0)[0] if np.ndim(theta0) else 1)
