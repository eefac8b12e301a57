"""GD with chosen coordinates carried as sign and log-magnitude: ``run_gd_log_magnitude``.

Where a coordinate's update is multiplicative, w ← w·(1 − η·r(θ)) with r = (∂L/∂w)/w finite at
w = 0, float64 flushes w to exactly 0 after a long stable phase (|1 − ηr| < 1 for thousands of
steps), and a later instability (|1 − ηr| > 1) can never regrow it. Carrying
u = log|w| and s = sign(w) instead, u ← u + log|1 − ηr|, loses nothing: the other coordinates
see w = s·eᵘ (which may underflow there harmlessly), w itself never reaches 0.

>>> import eosmath as eos
>>> m = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.01)
>>> run = run_gd_log_magnitude(m, 4.0, (0.1, 1e-3, 0.1), 200, log_coordinates=("w1",))
>>> run.log_abs.shape, bool(run.log_abs[-1, 0] < run.log_abs[0, 0])
((201, 1), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from eosmath.errors import InvalidInputError


@dataclass(frozen=True)
class LogMagnitudeRun:
    """θ_t (rows; carried coordinates as s·eᵘ, which may underflow to 0 in float64),
    ``log_abs`` (steps+1, k) = log|w| and ``sign`` for the ``coordinates`` carried,
    ``sharpness`` S(θ_t) and ``eos_ratio`` η·S/2 for t < steps."""

    model_name: str
    eta: float
    coordinates: tuple
    theta: np.ndarray
    log_abs: np.ndarray
    sign: np.ndarray
    sharpness: np.ndarray
    eos_ratio: np.ndarray


def multiplicative_rate(model, name: str) -> sp.Expr:
    """r(θ) with ∂L/∂w = w·r(θ) and r finite at w = 0; refused if the update of ``name`` is not
    multiplicative."""
    params = [str(p) for p in model.params]
    if name not in params:
        raise InvalidInputError(f"unknown coordinate {name!r}; the model's are {params}")
    w = model.params[params.index(name)]
    rate = sp.cancel(sp.diff(model.loss, w) / w)
    if sp.fraction(sp.together(rate))[1].has(w):
        raise InvalidInputError(f"the GD update of {name} is not multiplicative: ∂L/∂{name} is "
                                f"not {name}·r(θ) with r finite at {name} = 0")
    return rate


def run_gd_log_magnitude(model, eta: float, theta0, steps: int, log_coordinates,
                         hyper=None) -> LogMagnitudeRun:
    """The GD map θ ← θ − η∇L(θ), with each coordinate in ``log_coordinates`` carried as
    (sign, log|w|) so that float64 cannot flush it to 0 (see the module docstring).

    The other coordinates are updated as in :func:`~eosmath.dynamics.gd.run_gd` (one fused
    multiply-add); no stopping rule or verdict: all ``steps`` steps are taken.
    """
    from eosmath.dynamics.gd import check_eta

    eta = check_eta(eta)
    theta0 = model.check_theta(theta0).astype(np.float64)
    names = tuple(str(c) for c in log_coordinates)
    if not names or steps < 1:
        raise InvalidInputError("give at least one coordinate to carry and steps ≥ 1")
    params = [str(p) for p in model.params]
    rates = [multiplicative_rate(model, n) for n in names]
    carried = [params.index(n) for n in names]
    if any(theta0[k] == 0.0 for k in carried):
        raise InvalidInputError("a carried coordinate must start non-zero (log|0| = −∞)")
    hyper_syms = list(model.hyper)
    h = (np.array([float(v) for v in model.hyper.values()]) if hyper is None
         else np.asarray(hyper, dtype=np.float64))
    args = list(model.params) + hyper_syms
    grad_fn = sp.lambdify(args, list(sp.diff(model.loss, p) for p in model.params), "math")
    rate_fn = sp.lambdify(args, rates, "math")
    theta = np.empty((steps + 1, model.dim))
    log_abs, sign = np.empty((steps + 1, len(names))), np.empty((steps + 1, len(names)))
    theta[0] = theta0
    log_abs[0] = np.log(np.abs(theta0[carried]))
    sign[0] = np.sign(theta0[carried])
    others = [i for i in range(model.dim) if i not in carried]
    current = [float(v) for v in theta0]
    hv = [float(v) for v in h]
    for t in range(steps):
        g = grad_fn(*current, *hv)
        r = rate_fn(*current, *hv)
        nxt = list(current)
        for i in others:
            nxt[i] = current[i] - eta * g[i]
        for q, k in enumerate(carried):
            factor = 1.0 - eta * r[q]
            log_abs[t + 1, q] = log_abs[t, q] + np.log(abs(factor)) if factor else -np.inf
            sign[t + 1, q] = sign[t, q] * (1.0 if factor >= 0 else -1.0)
            nxt[k] = sign[t + 1, q] * float(np.exp(log_abs[t + 1, q]))
        theta[t + 1] = nxt
        current = nxt
    kernels = model.compile()
    sharp = np.empty(steps)
    kernels.module.sharpness_many(np.ascontiguousarray(theta[:-1]), h, sharp)
    return LogMagnitudeRun(model.name, eta, names, theta, log_abs, sign, sharp, 0.5 * eta * sharp)
