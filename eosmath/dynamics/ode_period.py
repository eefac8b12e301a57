"""The period of an ODE orbit from its return times to a Poincaré section: ``ode_period``.

The reduced self-stabilization ODE (4) with α = β = 1 started at X = 0.1δ, Y = 0 (spec §4:
period 5.80, against 2π/√2 ≈ 4.44 for small cycles):

>>> import eosmath as eos
>>> ode = eos.models.get("self_stabilization_reduced").meta["ode"]
>>> p = eos.ode_period(ode, (0.1 * 2**0.5, 0.0), t_max=40)
>>> round(p.period, 2), p.error < 1e-8, p.found
(5.8, True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from eosmath.dynamics.system_run import SOLVE_IVP_METHODS, _check_state, _hyper_values, _lambdify
from eosmath.errors import InvalidInputError


@dataclass(frozen=True)
class PeriodEstimate:
    """Period T = (t_n − t_1)/(n − 1) from n successive crossings ``returns`` of the section.

    ``error`` estimates |T − T_true|: the larger of the scatter of single return intervals
    about T and the change of T when the run is repeated with 100× looser tolerances.
    ``closure`` is max_k ‖x(t_k) − x(t_1)‖ (small for a periodic orbit; large for a
    quasi-periodic or chaotic one, whose T is then only a mean return time). ``found`` is False
    (and ``period`` NaN) when fewer than ``min_returns`` crossings occurred; ``message`` says why.
    """

    period: float
    error: float
    returns: np.ndarray
    closure: float
    found: bool
    message: str
    section: str
    method: str


def _section(system, f, x0, coordinate, level, direction):
    """The event function, its direction and a description."""
    if coordinate is None:
        normal = np.asarray(f(*x0), dtype=np.float64)
        if not np.linalg.norm(normal) > 0:
            raise InvalidInputError(f"{system.name}: x0 is an equilibrium; no orbit to time")
        return (lambda t, x: float(normal @ (x - x0))), 1, "hyperplane through x0 ⟂ f(x0)"
    names = [str(s) for s in system.state]
    if isinstance(coordinate, str):
        if coordinate not in names:
            raise InvalidInputError(f"{system.name} has no coordinate {coordinate!r}; "
                                    f"it has {names}")
        index = names.index(coordinate)
    else:
        index = int(coordinate)
        if not 0 <= index < system.dim:
            raise InvalidInputError(f"coordinate index must be in [0, {system.dim}), got {index}")
    if level is None:  # maxima: the coordinate's rate crosses 0 from above
        return (lambda t, x: float(f(*x)[index])), -1, f"maxima of {names[index]}"
    if direction not in (1, -1):
        raise InvalidInputError(f"direction must be +1 or −1, got {direction}")
    word = "upward" if direction == 1 else "downward"
    return (lambda t, x: float(x[index] - level)), direction, \
        f"{names[index]} = {level:g} crossed {word}"


def _crossings(rhs, event, x0, t_max, method, rtol, atol):
    sol = solve_ivp(rhs, (0.0, t_max), x0, method=method, rtol=rtol, atol=atol, events=event)
    times, states = sol.t_events[0], sol.y_events[0]
    keep = times > 1e-12 * t_max   # a start on the section is not a return
    return times[keep], states[keep], sol


def ode_period(system, x0, t_max: float, *, coordinate=None, level: float | None = None,
               direction: int = 1, min_returns: int = 3, method: str = "DOP853",
               rtol: float = 1e-12, atol: float = 1e-14,
               hyper: Mapping | None = None) -> PeriodEstimate:
    """Period of the orbit of the system's ODE through ``x0``, integrated over [0, ``t_max``].

    The section: by default the hyperplane through x0 normal to f(x0) (crossed along the flow);
    with ``coordinate`` (index or name) alone, the successive maxima of that coordinate; with
    ``coordinate`` and ``level``, the crossings of that level in ``direction`` (+1 up, −1 down).
    ``t_max`` must cover at least ``min_returns`` crossings (≥ 3 so that the scatter of two
    return intervals enters the error).
    """
    if not system.has_vector_field:
        raise InvalidInputError(f"{system.name} has no vector field")
    if method not in SOLVE_IVP_METHODS:
        raise InvalidInputError(f"method must be one of {SOLVE_IVP_METHODS}, got {method!r}")
    if not (np.isfinite(t_max) and t_max > 0):
        raise InvalidInputError(f"t_max must be finite and > 0, got {t_max}")
    if int(min_returns) < 3:
        raise InvalidInputError(f"min_returns must be ≥ 3, got {min_returns}")
    x0 = _check_state(system, x0)
    f = _lambdify(system, list(system.vector_field()), _hyper_values(system, hyper))
    event, sign, words = _section(system, f, x0, coordinate, level, direction)
    event.direction = sign

    def rhs(t, x):
        return np.asarray(f(*x), dtype=np.float64)

    with np.errstate(all="ignore"):
        times, states, sol = _crossings(rhs, event, x0, float(t_max), method, rtol, atol)
    n = len(times)
    if n < min_returns:
        why = "" if sol.success else f" (solver: {sol.message})"
        return PeriodEstimate(float("nan"), float("nan"), times, float("nan"), False,
                              f"{n} crossing(s) of the section ({words}) in [0, {t_max:g}], "
                              f"need {min_returns}: raise t_max{why}", words, method)
    period = float((times[-1] - times[0]) / (n - 1))
    scatter = float(np.max(np.abs(np.diff(times) - period)))
    with np.errstate(all="ignore"):
        loose, _, _ = _crossings(rhs, event, x0, float(t_max), method, 100 * rtol, 100 * atol)
    m = min(len(loose), n)
    retol = abs(float((loose[m - 1] - loose[0]) / (m - 1)) - period) if m >= 2 else np.inf
    closure = float(np.max(np.linalg.norm(states - states[0], axis=1)))
    return PeriodEstimate(period, max(scatter, retol), times, closure, True,
                          f"{n} returns to the section ({words})", words, method)
