"""Gradient flow at any precision: ``run_flow_precise`` (also ``run_flow(..., precision=...)``).

mpmath's Taylor-series integrator (``mpmath.odefun``) on θ̇ = −∇L(θ) with the model's mpmath
gradient; results carry the working precision's accuracy, so they serve as an oracle for the
float64 flow. It is slow (seconds per unit time at 30 digits for a 2-parameter model): ask for
a few times over a short span.

>>> import mpmath, eosmath as eos
>>> fl = eos.run_flow(eos.models.get("quadratic", a=4.0), ("1",), t_eval=["0.5"], precision=30)
>>> with mpmath.workdps(30):
...     bool(abs(fl.trajectory[-1][0] - mpmath.exp(-2)) < mpmath.mpf("1e-28"))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from eosmath.dynamics.precise import _mpf, start_values
from eosmath.errors import InvalidInputError


@dataclass(frozen=True)
class PreciseFlow:
    """Gradient flow at ``precision`` digits: θ(t) (tuples of mpf) at the times ``t``."""

    model_name: str
    t: tuple
    trajectory: tuple
    precision: int

    def to_numpy(self) -> np.ndarray:
        """θ at each time rounded to float64, one row per time."""
        return np.array([[float(v) for v in row] for row in self.trajectory], dtype=np.float64)


def run_flow_precise(model, theta0, t_eval, precision: int = 30, hyper=None) -> PreciseFlow:
    """θ(t) of gradient flow θ̇ = −∇L(θ), θ(0) = ``theta0``, at the times ``t_eval`` (≥ 0,
    increasing; decimal strings are taken exactly), computed at ``precision`` digits."""
    if isinstance(precision, bool) or not isinstance(precision, (int, np.integer)) or \
            precision < 1:
        raise InvalidInputError(f"precision must be a whole number of decimal digits ≥ 1, "
                                f"got {precision!r}")
    if t_eval is None:
        raise InvalidInputError("a high-precision flow needs t_eval (the times to reach): the "
                                "Taylor integrator is too slow to run until convergence")
    theta0 = start_values(model, theta0)
    f = model.lambdify("mpmath")
    with mpmath.workdps(int(precision)):
        raw = t_eval if isinstance(t_eval, (list, tuple, np.ndarray)) else [t_eval]
        times = [_mpf(t, "a time in t_eval") for t in raw]
        if not times or times[0] < 0 or any(times[i + 1] <= times[i]
                                            for i in range(len(times) - 1)):
            raise InvalidInputError("t_eval must be non-empty, ≥ 0 and strictly increasing")
        start = [_mpf(v, "θ₀") for v in theta0]
        h = None if hyper is None else tuple(_mpf(v, "a hyper-parameter") for v in hyper)
        solution = mpmath.odefun(lambda t, th: [-g for g in f.grad(th, h)], 0, start)
        path = tuple(tuple(solution(t)) for t in times)
    return PreciseFlow(model.name, tuple(times), path, int(precision))
