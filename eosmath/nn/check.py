"""Measure a finite-difference HVP against the mpmath oracle (spec §6.4).

>>> from eosmath import nn
>>> import numpy as np
>>> net = nn.MLP([2, 3, 1], activation="tanh")
>>> obj = nn.Objective(net, (np.eye(2), np.ones(2)))
>>> theta = net.init(seed=0); v = np.ones(net.n_params)
>>> report = nn.check_hvp(obj, theta, v, dps=30)
>>> report.within_bound and report.relative_error < 1e-8
True
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from eosmath.nn._elementwise import MPMATH
from eosmath.nn.objective import Objective


@dataclass(frozen=True)
class HVPCheck:
    """FD HVP vs the mpmath oracle.

    ``relative_error`` = ‖fd − oracle‖/‖oracle‖ (measured); ``relative_error_estimate`` = the
    FD result's own estimate divided by ‖oracle‖ (predicted); ``within_bound`` says the
    measured error does not exceed the prediction.
    """

    fd: np.ndarray
    oracle: np.ndarray
    relative_error: float
    relative_error_estimate: float
    within_bound: bool
    eps: float
    richardson: bool
    dps: int
    kink_warning: bool


def oracle_hvp(obj: Objective, theta, v, dps: int = 50, eps: str = "1e-20") -> np.ndarray:
    """∇²L(θ)·v from a central difference of the mpmath gradient at ``dps`` digits with step
    ``eps``/‖v‖ (truncation ~1e-40, rounding ~10^(20−dps)), rounded to float64."""
    with mpmath.workdps(dps):
        theta_mp = MPMATH.asarray(np.asarray(theta, dtype=np.float64))
        v_mp = MPMATH.asarray(np.asarray(v, dtype=np.float64))
        v_norm = mpmath.sqrt(mpmath.fsum(x * x for x in v_mp))
        step = mpmath.mpf(eps) / v_norm
        shift = v_mp * step
        plus, minus = obj.grad(theta_mp + shift), obj.grad(theta_mp - shift)
        return np.array([float(x) for x in (plus - minus) / (2 * step)])


def check_hvp(obj: Objective, theta, v, dps: int = 50, eps: float | None = None,
              richardson: bool = False) -> HVPCheck:
    """Run :meth:`Objective.hvp_with_error` in θ's dtype and compare with :func:`oracle_hvp`."""
    result = obj.hvp_with_error(theta, v, eps=eps, richardson=richardson)
    oracle = oracle_hvp(obj, theta, v, dps=dps)
    fd = np.asarray(result.value, dtype=np.float64)
    scale = float(np.linalg.norm(oracle))
    if scale == 0:
        scale = 1.0
    error = float(np.linalg.norm(fd - oracle)) / scale
    estimate = result.error_estimate / scale
    return HVPCheck(fd, oracle, error, estimate, error <= estimate, result.eps, richardson, dps,
                    result.kink_warning)
