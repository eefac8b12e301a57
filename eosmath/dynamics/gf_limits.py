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
    return np.array([a_inf, np.zeros_like(a_inf), 1.0 / a_inf])  # (3,) or, column-wise, (3, N)


def origin_limit(theta0, hyper=None):
    """A single minimum at the origin that gradient flow reaches from everywhere."""
    return np.zeros_like(np.asarray(theta0, dtype=float))


def scalar_network_gf_limit(theta0, target: float) -> np.ndarray:
    """Closed-form GF limit of ½(∏w − y)²: sᵢ² = u + bᵢ with ∏(u + bᵢ) = y², same orthant.

    θ₀ of shape (D,), or (D, N) for N starts at once (a vectorised Newton iteration, see
    :func:`scalar_network_roots`).
    """
    from scipy.optimize import brentq  # imported here: scipy.optimize costs 0.3 s at start-up

    w = np.asarray(theta0, dtype=float)
    if w.ndim == 2:
        b = (w**2 - w[:1] ** 2).T
        return np.sign(w) * np.sqrt(scalar_network_roots(b, target)[None, :] + b.T)
    b = w**2 - w[0] ** 2
    lo = -b.min()
    f = lambda u: np.sum(np.log(u + b)) - 2 * np.log(abs(target))  # noqa: E731
    hi = lo + 1.0
    # the bracket's left end is the domain's edge, where log(u + min b) is −∞ by design
    with np.errstate(divide="ignore"):
        while f(hi) < 0:
            hi = lo + 2 * (hi - lo)
        u = brentq(f, lo + 1e-300 if f(lo + 1e-300) < 0 else lo, hi, xtol=1e-15, rtol=1e-15)
    return np.sign(w) * np.sqrt(u + b)


def scalar_network_roots(b, target: float) -> np.ndarray:
    """The root u of Σᵢ log(u + bᵢ) = 2 log|y| for each row of ``b`` (N, D), by Newton's method.

    The left side is increasing and concave in u, so Newton from a point left of the root
    climbs to it without overshooting. At the root (u + min bᵢ)^D ≤ y², so
    u + max bᵢ ≤ |y|^{2/D} + max bᵢ − min bᵢ =: M, and y² ≤ (u + min bᵢ)M^{D−1}: the start
    u₀ = −min bᵢ + y²/M^{D−1} is left of the root and inside the domain. Iterates stop when
    they no longer move (at most 200).

    >>> float(scalar_network_roots(np.zeros((1, 3)), 1.0)[0])     # (u + 0)³ = 1
    1.0
    """
    depth = b.shape[1]
    target_log = 2 * np.log(abs(target))
    spread = abs(target) ** (2 / depth) + b.max(axis=1) - b.min(axis=1)
    u = -b.min(axis=1) + target**2 / spread ** (depth - 1)
    with np.errstate(all="ignore"):
        for _ in range(200):
            gap = u[:, None] + b
            step = -(np.sum(np.log(gap), axis=1) - target_log) / np.sum(1 / gap, axis=1)
            u_next = u + np.maximum(step, 0.0)
            if np.all((u_next == u) | ~np.isfinite(u_next)):
                break
            u = u_next
    return u


def scalar_network_limit(theta0, hyper):
    """½(w₁⋯w_D − y)² with the target y from ``hyper``: see :func:`scalar_network_gf_limit`."""
    return scalar_network_gf_limit(theta0, hyper["y"])
