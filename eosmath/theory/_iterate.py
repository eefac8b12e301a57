"""Small GD loops over the compiled kernels, plus an mpmath GD for high-precision rechecks.

Kept deliberately small so it can be swapped for ``eosmath.dynamics`` later.
"""

from __future__ import annotations

import mpmath
import numpy as np
from numba import njit


@njit
def _trajectory(step, theta0, eta, h, steps, out):
    out[0] = theta0
    for t in range(steps):
        step(out[t], eta, h, out[t + 1])
        if not np.all(np.isfinite(out[t + 1])):
            return t + 1
    return steps


def trajectory(model, theta0, eta: float, steps: int, hyper=None) -> np.ndarray:
    """GD iterates θ_0 … θ_steps (rows); stops early (and truncates) at the first non-finite."""
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    out = np.empty((steps + 1, model.dim))
    last = _trajectory(k.module.gd_step_into, np.asarray(theta0, dtype=np.float64), float(eta),
                       h, int(steps), out)
    return out[: last + 1]


def sharpness_along(model, thetas: np.ndarray, hyper=None) -> np.ndarray:
    """Sharpness λ_max(∇²L) at each row of ``thetas``."""
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    return np.array([k.module.sharpness(np.ascontiguousarray(t), h) for t in thetas])


def losses_along(model, thetas: np.ndarray, hyper=None) -> np.ndarray:
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    out = np.empty(len(thetas))
    k.module.loss_many(np.ascontiguousarray(thetas), h, out)
    return out


def mp_trajectory(model, theta0, eta, steps: int, dps: int = 50, bound=None) -> list:
    """GD at ``dps`` digits with the model's mpmath functions; iterates as lists of mpf.

    With ``bound``, stops after the first iterate with an entry larger than it in magnitude.
    """
    f = model.lambdify("mpmath")
    with mpmath.workdps(dps):
        eta = mpmath.mpf(eta)
        theta = [mpmath.mpf(t) for t in theta0]
        out = [theta]
        for _ in range(steps):
            g = f.grad(theta)
            theta = [theta[i] - eta * g[i] for i in range(len(theta))]
            out.append(theta)
            if bound is not None and max(abs(t) for t in theta) > bound:
                break
    return out
