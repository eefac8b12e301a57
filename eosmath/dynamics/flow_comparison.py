r"""GD's time average against the central flow and against gradient flow, step by step.

The central flow (:func:`eosmath.dynamics.central_flow.central_flow`) predicts where GD is *on
average*; gradient flow is the prediction it replaces. :func:`compare_with_flows` averages GD's
iterates (and losses) over ``window`` consecutive steps, averages both flows over the same
steps (flow time τ = η × step), and returns the two parameter-space distances and the loss
pair side by side. GD's iterates come from the caller; the flows are integrated here, from
GD's first iterate, so no prediction is taken from the run it is compared with.

>>> import eosmath as eos
>>> from eosmath.dynamics.central_flow import central_flow
>>> from eosmath.theory._iterate import trajectory
>>> m = eos.models.get("product", ell="logcosh")
>>> gd = trajectory(m, (1.0, 5.0), 0.1, 400)
>>> c = compare_with_flows(m, 0.1, gd, central_flow(m, 0.1, (1.0, 5.0), steps=400))
>>> bool(c.to_central[-1] < 0.1 * c.to_gradient_flow[-1])  # GD ends beside the central flow
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from eosmath.dynamics.central_flow import _Derivatives, time_average
from eosmath.errors import InvalidInputError


@dataclass(frozen=True)
class FlowComparison:
    """Window averages along GD: ``steps`` (window centres, in GD steps), ``gd_theta`` GD's
    average, ``central`` and ``gradient_flow`` the flows' averages over the same steps,
    ``to_central`` / ``to_gradient_flow`` the Euclidean distances of GD's average to each,
    ``gd_loss`` GD's average loss and ``predicted_loss`` the central flow's average
    L + ½⟨UᵀHU, X⟩."""

    steps: np.ndarray
    gd_theta: np.ndarray
    central: np.ndarray
    gradient_flow: np.ndarray
    to_central: np.ndarray
    to_gradient_flow: np.ndarray
    gd_loss: np.ndarray
    predicted_loss: np.ndarray
    window: int


def gradient_flow_path(model, theta0, times, hyper=None, rtol: float = 1e-11,
                       atol: float = 1e-13) -> np.ndarray:
    """Gradient flow θ̇ = −∇L from ``theta0`` sampled at ``times`` (DOP853; rows of θ)."""
    d = _Derivatives(model, hyper)
    times = np.asarray(times, dtype=np.float64)
    sol = solve_ivp(lambda _t, th: -d.grad(th), (0.0, float(times[-1])),
                    model.check_theta(theta0).astype(np.float64), method="DOP853",
                    t_eval=times, rtol=rtol, atol=atol)
    if not sol.success:
        raise InvalidInputError(f"gradient flow integration failed: {sol.message}")
    return sol.y.T


def compare_with_flows(model, eta: float, gd_thetas, flow, window: int = 2,
                       hyper=None) -> FlowComparison:
    """Compare GD's iterates ``gd_thetas`` (rows θ_0 … θ_T, step ``eta``) with the central
    ``flow`` (sampled once per GD step from θ_0, at least T + 1 samples) and gradient flow."""
    gd = np.asarray(gd_thetas, dtype=np.float64)
    n = len(gd)
    if flow.eta <= 0 or len(flow.t) < n:
        raise InvalidInputError(f"the central flow has {len(flow.t)} samples; GD has {n} "
                                f"iterates (sample the flow once per GD step, as long as GD)")
    if not np.allclose(flow.t[:n], eta * np.arange(n), rtol=1e-9, atol=1e-12):
        raise InvalidInputError("the central flow must be sampled once per GD step of "
                                f"eta = {eta:g} (record_every = substeps)")
    if not np.allclose(flow.theta[0], gd[0]):
        raise InvalidInputError("the central flow and GD start from different points")
    d = _Derivatives(model, hyper)
    gf = gradient_flow_path(model, gd[0], eta * np.arange(n), hyper)
    gd_loss = np.array([d.loss(t) for t in gd])
    avg = lambda v: time_average(v, window)  # noqa: E731
    gd_avg, cf_avg, gf_avg = avg(gd), avg(flow.theta[:n]), avg(gf)
    return FlowComparison(steps=np.arange(len(gd_avg)) + 0.5 * (window - 1),
                          gd_theta=gd_avg, central=cf_avg, gradient_flow=gf_avg,
                          to_central=np.linalg.norm(gd_avg - cf_avg, axis=1),
                          to_gradient_flow=np.linalg.norm(gd_avg - gf_avg, axis=1),
                          gd_loss=avg(gd_loss), predicted_loss=avg(flow.predicted_loss[:n]),
                          window=int(window))


__all__ = ["FlowComparison", "compare_with_flows", "gradient_flow_path"]
