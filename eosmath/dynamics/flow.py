"""Gradient flow θ̇ = −∇L(θ) integrated to its limit: ``run_flow``.

>>> import eosmath as eos
>>> gf = eos.run_flow(eos.models.get("product"), theta0=(0.8, 1.9))
>>> gf.converged, round(float(gf.theta[1] ** 2), 8), round(1.9**2 - 0.8**2, 8)
(True, 2.97, 2.97)
>>> quadratic = eos.models.get("quadratic", a=4.0)
>>> path = eos.run_flow(quadratic, theta0=(1.0,), t_eval=[0.0, 0.5, 1.0])
>>> path.trajectory[:, 0].round(9).tolist()          # e^{−4t}
[1.0, 0.135335283, 0.018315639]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from eosmath.errors import InvalidInputError


@dataclass(frozen=True)
class FlowResult:
    """The gradient-flow limit: θ∞, the time reached, L, S and ‖∇L‖ there, solver diagnostics;
    with ``t_eval``, the times reached (``t``) and θ at each of them (``trajectory``, a row per
    time)."""

    theta: np.ndarray
    time: float
    loss: float
    sharpness: float
    grad_norm: float
    converged: bool
    nfev: int
    method: str
    t: np.ndarray | None = None
    trajectory: np.ndarray | None = None


def run_flow(model, theta0, t_max: float = 1e4, tol: float = 1e-10, rtol: float = 1e-12,
             atol: float = 1e-14, method: str = "auto", hyper=None,
             t_eval=None, precision: int | None = None) -> FlowResult:
    """Integrate gradient flow until ‖∇L‖ < ``tol`` (an event) or ``t_max``.

    ``method="auto"`` uses LSODA with the exact Jacobian −∇²L (it switches to a stiff method
    when the flow becomes stiff near sharp minima); any ``solve_ivp`` method name works.
    ``t_eval``: increasing times in [0, ``t_max``] at which to return θ; the flow then runs to
    the last of them (the gradient-norm event does not stop it).
    ``precision=digits`` (needs ``t_eval``) integrates in mpmath instead and returns a
    :class:`~eosmath.dynamics.precise_flow.PreciseFlow`; see
    :func:`~eosmath.dynamics.precise_flow.run_flow_precise`.
    """
    if precision is not None:  # high-precision path (eosmath.dynamics.precise_flow)
        from eosmath.dynamics.precise_flow import run_flow_precise

        return run_flow_precise(model, theta0, t_eval, precision=precision, hyper=hyper)
    theta0 = model.check_theta(theta0).astype(np.float64)
    if not t_max > 0:
        raise InvalidInputError(f"t_max must be > 0, got {t_max}")
    if t_eval is not None:
        t_eval = np.asarray(t_eval, dtype=np.float64).ravel()
        if not (t_eval.size and np.all(np.diff(t_eval) > 0) and t_eval[0] >= 0
                and 0 < t_eval[-1] <= t_max):
            raise InvalidInputError(f"t_eval must increase strictly within [0, {t_max}] and end "
                                    "after 0")
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)

    def field(t, th):
        return -k.module.grad(np.ascontiguousarray(th), h)

    def jacobian(t, th):
        return -k.module.hessian(np.ascontiguousarray(th), h)

    def small_gradient(t, th):
        return float(np.linalg.norm(k.module.grad(np.ascontiguousarray(th), h))) - tol

    small_gradient.terminal = True
    name = "LSODA" if method == "auto" else method
    extra = {"jac": jacobian} if name in ("LSODA", "Radau", "BDF") else {}
    end = t_max if t_eval is None else float(t_eval[-1])
    sol = solve_ivp(field, (0.0, end), theta0, method=name, rtol=rtol, atol=atol,
                    events=small_gradient if t_eval is None else None, t_eval=t_eval, **extra)
    theta = sol.y[:, -1] if sol.y.shape[1] else theta0
    gnorm = float(np.linalg.norm(k.module.grad(theta, h)))
    reached = float(sol.t[-1]) if len(sol.t) else 0.0
    return FlowResult(theta, reached, float(k.module.loss(theta, h)),
                      float(k.module.sharpness(theta, h)), gnorm, gnorm <= tol * 1.0001,
                      int(sol.nfev), name, *(() if t_eval is None else (sol.t, sol.y.T.copy())))


def gfs_sharpness(model, theta, hyper=None) -> float:
    """Sharpness of the gradient-flow solution started at θ (closed form when the model has
    ``gf_limit``, else by integrating the flow with :func:`run_flow`)."""
    theta = model.check_theta(theta).astype(np.float64)
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    if model.gf_limit is not None:
        limit = np.asarray(model.gf_limit(theta, dict(zip(model.hyper_names, h, strict=True))),
                           dtype=np.float64)
        return float(k.module.sharpness(limit, h))
    return run_flow(model, theta, hyper=hyper).sharpness


def gd_gf_distance(model, thetas, eta: float, hyper=None, rtol: float = 1e-10,
                   atol: float = 1e-12) -> np.ndarray:
    """‖θ_GD(t) − θ_GF(ηt)‖ along a GD path ``thetas`` (rows θ_0, θ_1, …), with the flow
    started at θ_0 and integrated (LSODA, exact Jacobian) to the same continuous times."""
    thetas = np.asarray(thetas, dtype=np.float64)
    if thetas.ndim != 2 or thetas.shape[1] != model.dim or len(thetas) < 1:
        raise InvalidInputError(f"thetas must have shape (T, {model.dim}), got {thetas.shape}")
    if not eta > 0:
        raise InvalidInputError(f"η must be > 0, got {eta}")
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    times = eta * np.arange(len(thetas))
    if len(thetas) == 1:
        return np.zeros(1)
    sol = solve_ivp(lambda t, th: -k.module.grad(np.ascontiguousarray(th), h),
                    (0.0, times[-1]), thetas[0], method="LSODA", t_eval=times, rtol=rtol,
                    atol=atol, jac=lambda t, th: -k.module.hessian(np.ascontiguousarray(th), h))
    return np.linalg.norm(thetas - sol.y.T, axis=1)
