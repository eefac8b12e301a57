"""Validation of the stopping settings shared by ``run_gd`` and ``sweep``.

>>> check_stopping(1e-10, 1e6, start_norm=2.0)
(1e-10, 1000000.0)
>>> check_stopping(-1, 1e6)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
eosmath.errors.InvalidInputError: tol must be a finite number ≥ 0 (0 never stops on the ...
"""

from __future__ import annotations

import math

from eosmath.errors import InvalidInputError


def check_stopping(tol, radius, start_norm: float | None = None) -> tuple[float, float]:
    """``(tol, radius)`` as floats, refused unless 0 ≤ tol < ∞ and the divergence radius is
    a positive number (∞ allowed) beyond ``start_norm``, the largest ‖θ₀‖ of the run(s)."""
    tol, radius = float(tol), float(radius)
    if not (math.isfinite(tol) and tol >= 0):
        raise InvalidInputError(
            f"tol must be a finite number ≥ 0 (0 never stops on the gradient), got {tol}")
    if not radius > 0:  # also refuses NaN
        raise InvalidInputError(f"the divergence radius must be > 0, got {radius}")
    if start_norm is not None and not start_norm < radius:
        raise InvalidInputError(
            f"the divergence radius {radius:g} must exceed the start's norm ‖θ₀‖ = "
            f"{start_norm:g}: every run would be marked diverged")
    return tol, radius


def no_early_stop() -> tuple[float, int]:
    """``(tol, kmax)`` for ``stop=False``: they switch off every kernel's CONVERGED and PERIOD
    stops (‖∇L‖² < 0 never holds, and with kmax = 1 the search over 2 ≤ k ≤ kmax is empty),
    leaving divergence (‖θ‖ > radius, a non-finite gradient or iterate) as the only early end.

    >>> no_early_stop()
    (0.0, 1)
    """
    return 0.0, 1
