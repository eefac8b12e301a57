"""Sample points inside a model's real domain, for the checks that evaluate it numerically.

A loss such as √x·y² or √(x − 10) + y² is real only on part of the plane; mpmath evaluates it
elsewhere too, to complex numbers that the checks cannot compare. Points are drawn uniformly
from a box, and only those where every function is real and finite are kept; when the box
yields too few, it grows tenfold (up to three times).

>>> import random, mpmath
>>> f = lambda x: mpmath.sqrt(x - 10)
>>> points = sample_in_domain([f], 1, 5, random.Random(0))
>>> len(points), all(p[0] >= 10 for p in points)
(5, True)
"""

from __future__ import annotations

import mpmath

WIDENINGS = 3  # boxes ±h, ±10h, ±100h, ±1000h
TRIES_PER_POINT = 20


def is_real_finite(value) -> bool:
    """True for a real finite number, or a container of them (mpmath matrices, lists)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return all(is_real_finite(v) for v in value)
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            return False
        value = value.real
    try:
        return bool(mpmath.isfinite(value))
    except (TypeError, ValueError):
        return False


def sample_in_domain(functions, dim: int, count: int, rng, half_width: float = 1.5,
                     signs=None) -> list:
    """Up to ``count`` points (lists of ``dim`` mpf) where every function is real and finite.

    ``signs`` (one per coordinate: +1 positive, −1 negative, 0 either) keeps a coordinate
    whose symbol has a known sign on that side. Fewer points are returned only if the growing
    boxes hold too few; callers then skip what they cannot check and say so.
    """
    points = []
    width = half_width
    signs = [0] * dim if signs is None else list(signs)
    for _ in range(WIDENINGS + 1):
        for _ in range(TRIES_PER_POINT * count):
            if len(points) == count:
                return points
            point = [mpmath.mpf(rng.uniform(-width, width) if sign == 0
                                else sign * rng.uniform(0.2 * width / half_width, width))
                     for sign in signs]
            try:
                ok = all(is_real_finite(f(*point)) for f in functions)
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                ok = False
            if ok:
                points.append(point)
        width *= 10.0
    return points
