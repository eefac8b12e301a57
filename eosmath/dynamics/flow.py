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

from eosmath.errors import EosmathError, InvalidInputError


class FlowNotConvergedError(EosmathError):
    """Gradient flow did not reach its limit within the time allowed (no number is returned)."""


@dataclass(frozen=True)
class FlowResult:
    """The gradient-flow limit: θ∞, the time reached, L, S and ‖∇L‖ there, solver diagnostics.

    ``distance`` is the estimated distance ‖θ − θ∞‖ to the limit (see :func:`distance_to_limit`);
    ``converged`` means it fell below the requested ``tol``. With ``t_eval``, the times reached
    (``t``) and θ at each of them (``trajectory``, a row per time).
    """

    theta: np.ndarray
    time: float
    loss: float
    sharpness: float
    grad_norm: float
    converged: bool
    nfev: int
    method: str
    distance: float = float("nan")
    t: np.ndarray | None = None
    trajectory: np.ndarray | None = None


FLAT_FRACTION = 1e-8  # curvatures below 1e-8·max|λ| count as flat directions of a minimum set


def distance_to_limit(g, hess) -> float:
    """Newton estimate ‖H⁺g‖ of the distance from θ to the nearby critical point.

    With H = Σ λᵢvᵢvᵢᵀ, it is √Σ (vᵢ·g / λᵢ)²: the gradient norm over the curvature, direction by
    direction, so an ill-conditioned minimum (slowest curvature μ) is not declared reached while
    ‖∇L‖ is small but ‖∇L‖/μ is not. Exact for a quadratic, first-order accurate at a
    non-degenerate minimum; at a degenerate one Newton falls short (x⁴: x/3 for a distance x).
    Curvatures below FLAT_FRACTION·max|λ| (the flat directions of a set of minima) count as
    FLAT_FRACTION·max|λ|: there the estimate errs on the long side and the flow runs longer.

    >>> round(distance_to_limit(np.array([1e-10, 1e-10]), np.diag([1.0, 1e-3])), 12)
    1e-07
    """
    lam, vecs = np.linalg.eigh(np.asarray(hess, dtype=np.float64))
    scale = float(np.max(np.abs(lam), initial=0.0))
    if not np.isfinite(scale) or not np.all(np.isfinite(g)):
        return float("inf")
    if scale == 0.0:
        return 0.0 if not np.any(g) else float("inf")
    curvature = np.maximum(np.abs(lam), FLAT_FRACTION * scale)
    return float(np.linalg.norm((vecs.T @ g) / curvature))


def run_flow(model, theta0, t_max: float = 1e4, tol: float = 1e-10, rtol: float = 1e-12,
             atol: float = 1e-14, method: str = "auto", hyper=None,
             t_eval=None, precision: int | None = None) -> FlowResult:
    """Integrate gradient flow until the estimated distance to its limit is below ``tol``.

    The stopping rule (a terminal event) is :func:`distance_to_limit`, ‖∇²L⁺∇L‖ — not ‖∇L‖,
    which on an ill-conditioned model (slowest curvature μ) leaves the limit off by ~‖∇L‖/μ.
    The run also ends at ``t_max`` with ``converged=False``. ``method="auto"`` uses LSODA with
    the exact Jacobian −∇²L (it switches to a stiff method near sharp minima); any
    ``solve_ivp`` method name works.
    ``t_eval``: increasing times in [0, ``t_max``] at which to return θ; the flow then runs to
    the last of them (the stopping event does not stop it).
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
    if not (np.isfinite(tol) and tol > 0):
        raise InvalidInputError(f"tol must be a finite number > 0, got {tol}")
    if t_eval is not None:
        t_eval = np.asarray(t_eval, dtype=np.float64).ravel()
        if not (t_eval.size and np.all(np.diff(t_eval) > 0) and t_eval[0] >= 0
                and 0 < t_eval[-1] <= t_max):
            raise InvalidInputError(f"t_eval must increase strictly within [0, {t_max}] and end "
                                    "after 0")
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)

    def grad_at(th):
        return k.module.grad(np.ascontiguousarray(th), h)

    def hessian_at(th):
        return k.module.hessian(np.ascontiguousarray(th), h)

    def field(t, th):
        return -grad_at(th)

    def jacobian(t, th):
        return -hessian_at(th)

    def near_limit(t, th):
        # finite for the root finder: the log of the distance over tol
        d = distance_to_limit(grad_at(th), hessian_at(th))
        return float(np.clip(np.log(d / tol) if d > 0 else -700.0, -700.0, 700.0))

    near_limit.terminal = True
    name = "LSODA" if method == "auto" else method
    extra = {"jac": jacobian} if name in ("LSODA", "Radau", "BDF") else {}
    end = t_max if t_eval is None else float(t_eval[-1])
    sol = solve_ivp(field, (0.0, end), theta0, method=name, rtol=rtol, atol=atol,
                    events=near_limit if t_eval is None else None, t_eval=t_eval, **extra)
    theta = sol.y[:, -1] if sol.y.shape[1] else theta0
    g = grad_at(theta)
    distance = distance_to_limit(g, hessian_at(theta))
    reached = float(sol.t[-1]) if len(sol.t) else 0.0
    trace = {} if t_eval is None else {"t": sol.t, "trajectory": sol.y.T.copy()}
    return FlowResult(theta, reached, float(k.module.loss(theta, h)),
                      float(k.module.sharpness(theta, h)), float(np.linalg.norm(g)),
                      bool(distance <= tol * 1.0001), int(sol.nfev), name, distance, **trace)


GFS_T_MAX = 1e9  # LSODA's steps grow near the limit: a long horizon costs little when it is reached


def gfs_sharpness(model, theta, hyper=None, tol: float = 1e-10) -> float:
    """Sharpness of the gradient-flow solution started at θ (closed form when the model has
    ``gf_limit``, else by integrating the flow with :func:`run_flow` up to t = GFS_T_MAX
    until the estimated distance to the limit is below ``tol``).

    Raises :class:`FlowNotConvergedError` when the flow does not get there: a sharpness at a
    point still on its way is not the limit's.
    """
    theta = model.check_theta(theta).astype(np.float64)
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    if model.gf_limit is not None:
        limit = np.asarray(model.gf_limit(theta, dict(zip(model.hyper_names, h, strict=True))),
                           dtype=np.float64)
        return float(k.module.sharpness(limit, h))
    flow = run_flow(model, theta, t_max=GFS_T_MAX, tol=tol, hyper=hyper)
    if not flow.converged:
        raise FlowNotConvergedError(
            f"gradient flow from θ = {theta.tolist()} did not reach its limit by t = "
            f"{flow.time:g} (estimated distance {flow.distance:.3g} > tol {tol:g}); its "
            "sharpness there is not the limit's")
    return flow.sharpness


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
