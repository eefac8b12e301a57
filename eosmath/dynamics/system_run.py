"""Running a :class:`~eosmath.symbolic.system.DynamicalSystem`: ``iterate`` (maps) and
``integrate`` (ODEs), both returning a :class:`SystemTrace` with the drift of the system's
conserved quantities.

The reduced self-stabilization ODE (4) keeps its conserved g under DOP853:

>>> import eosmath as eos
>>> ode = eos.models.get("self_stabilization_reduced").meta["ode"]
>>> tr = eos.integrate(ode, (0.5, 0.0), (0.0, 100.0), rtol=1e-12, atol=1e-14)
>>> tr.success, tr.max_drift["g"] < 1e-9
(True, True)

and the map (3) (η = 0.01) does not: explicit Euler spirals outward.

>>> m = eos.models.get("self_stabilization_reduced")
>>> g = m.meta["conserved"].subs(dict(zip(ode.state, m.state)))   # g in the map's (x, y)
>>> it = eos.iterate(m, (0.5, 0.0), 1000, quantities={"g": g})
>>> round(float(it.quantities["g"][0]), 3), round(float(it.drift["g"][-1]), 3)
(1.204, 0.25)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from eosmath.errors import InvalidInputError

SOLVE_IVP_METHODS = ("RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA")
METHODS = (*SOLVE_IVP_METHODS, "rk4")
_IMPLICIT = ("Radau", "BDF", "LSODA")


@dataclass(frozen=True)
class SystemTrace:
    """A run of a map or an ODE: times ``t`` (step indices for a map), states ``x`` (one row per
    time), each tracked quantity Q along the run (``quantities[name][k] = Q(x_k)``) and its
    drift Q(x_k) − Q(x_0) (``drift``), plus diagnostics: ``nfev`` (evaluations of the map or
    field), ``success`` and ``message`` (why a run stopped early: a solver failure or a
    non-finite state, after which the arrays stop at the last finite state)."""

    system_name: str
    kind: str
    method: str
    t: np.ndarray
    x: np.ndarray
    quantities: dict = field(default_factory=dict)
    drift: dict = field(default_factory=dict)
    nfev: int = 0
    success: bool = True
    message: str = ""

    @property
    def max_drift(self) -> dict:
        """max_k |Q(x_k) − Q(x_0)| for each tracked quantity."""
        return {k: float(np.max(np.abs(v))) if len(v) else 0.0 for k, v in self.drift.items()}


def _hyper_values(system, hyper) -> dict:
    values = dict(system.hyper)
    if hyper:
        by_name = {str(s): s for s in values}
        for name, value in dict(hyper).items():
            key = by_name.get(str(name))
            if key is None:
                raise InvalidInputError(f"{system.name} has no hyper-parameter {name!r}; "
                                        f"it has {sorted(by_name)}")
            values[key] = value
    return {s: float(v) for s, v in values.items()}


def _lambdify(system, exprs, hyper: dict):
    """exprs → f(*state) returning a float array; refuses symbols with no value."""
    free = set().union(*(sp.sympify(e).free_symbols for e in exprs)) if exprs else set()
    missing = free - set(system.state) - set(hyper)
    if missing:
        raise InvalidInputError(f"{system.name}: no value for {sorted(map(str, missing))}; "
                                "pass hyper={name: value}")
    fn = sp.lambdify((*system.state, *hyper), list(exprs), modules="numpy", cse=True)
    values = tuple(hyper.values())
    return lambda *state: fn(*state, *values)


def _quantities(system, quantities) -> dict:
    """The system's declared conserved quantities plus the ones asked for (expr or text)."""
    from eosmath.symbolic.parsing import parse_expression

    out = dict(system.conserved)
    names = {str(s): s for s in (*system.state, *system.hyper)}
    for name, expr in dict(quantities or {}).items():
        out[str(name)] = parse_expression(expr, names) if isinstance(expr, str) else \
            sp.sympify(expr)
    return out


def _track(system, x: np.ndarray, quantities: dict, hyper: dict):
    values, drift = {}, {}
    if not quantities:
        return values, drift
    fn = _lambdify(system, list(quantities.values()), hyper)
    with np.errstate(all="ignore"):
        evaluated = fn(*x.T) if len(x) else [np.empty(0)] * len(quantities)
    for name, v in zip(quantities, evaluated, strict=True):
        v = np.broadcast_to(np.asarray(v, dtype=np.float64), (len(x),)).copy()
        values[name] = v
        drift[name] = v - v[0] if len(v) else v
    return values, drift


def _check_state(system, x0) -> np.ndarray:
    x0 = np.asarray(x0, dtype=np.float64).ravel()
    if x0.shape != (system.dim,):
        raise InvalidInputError(f"{system.name}: x0 must have {system.dim} entries "
                                f"{tuple(map(str, system.state))}, got {x0.size}")
    if not np.all(np.isfinite(x0)):
        raise InvalidInputError(f"{system.name}: x0 must be finite, got {x0}")
    return x0


def iterate(system, x0, steps: int, hyper: Mapping | None = None,
            quantities: Mapping | None = None) -> SystemTrace:
    """Iterate the system's map: x_0 = ``x0``, x_{k+1} = F(x_k), k < ``steps``.

    ``hyper`` overrides hyper-parameter values by name; ``quantities`` (name → SymPy expression
    or text in the state and hyper-parameter names) are tracked with the system's declared
    conserved ones. A non-finite state ends the run (``success`` False, arrays up to the last
    finite state).

    >>> import sympy as sp, eosmath as eos
    >>> x = sp.Symbol("x")
    >>> logistic = eos.DynamicalSystem((x,), map=(3.2 * x * (1 - x),))
    >>> eos.iterate(logistic, (0.3,), 400).x[-2:, 0].round(6)     # the 2-cycle
    array([0.513045, 0.799455])
    """
    if not system.has_map:
        raise InvalidInputError(f"{system.name} has no discrete map to iterate"
                                + (" (its ODE is meta['ode']: use integrate)"
                                   if "ode" in system.meta else ""))
    steps = int(steps)
    if steps < 0:
        raise InvalidInputError(f"steps must be ≥ 0, got {steps}")
    x0 = _check_state(system, x0)
    h = _hyper_values(system, hyper)
    step = _lambdify(system, list(system.map()), h)
    xs = np.empty((steps + 1, system.dim))
    xs[0] = x0
    done, message = steps, ""
    with np.errstate(all="ignore"):
        for k in range(steps):
            nxt = np.asarray(step(*xs[k]), dtype=np.float64)
            if not np.all(np.isfinite(nxt)):
                done, message = k, f"non-finite state at step {k + 1}: stopped at step {k}"
                break
            xs[k + 1] = nxt
    xs = xs[: done + 1]
    values, drift = _track(system, xs, _quantities(system, quantities), h)
    return SystemTrace(system.name, "map", "map", np.arange(done + 1, dtype=np.float64), xs,
                       values, drift, nfev=done + (1 if message else 0),
                       success=not message, message=message or "completed")


def integrate(system, x0, t_span, method: str = "DOP853", dt: float | None = None,
              rtol: float = 1e-10, atol: float = 1e-12, t_eval=None,
              hyper: Mapping | None = None, quantities: Mapping | None = None,
              max_step: float = np.inf) -> SystemTrace:
    """Integrate the system's ODE ẋ = f(x) from ``x0`` over ``t_span = (t0, t1)``.

    ``method``: a SciPy ``solve_ivp`` method (adaptive, error control by ``rtol``/``atol``;
    Radau, BDF and LSODA get the exact Jacobian) or ``"rk4"``, classical fixed-step RK4 with
    step ``dt`` (``t1 − t0`` must be a whole number of steps; global error O(dt⁴)). ``t_eval``:
    times at which to report the state (for rk4 they must lie on the step grid); default:
    every step the solver took. ``hyper`` and ``quantities`` as in :func:`iterate`.

    >>> import sympy as sp, eosmath as eos
    >>> q, p = sp.symbols("q p")
    >>> osc = eos.DynamicalSystem((q, p), vector_field=(p, -q), conserved={"E": q**2 + p**2})
    >>> tr = eos.integrate(osc, (1.0, 0.0), (0.0, 6.0), method="rk4", dt=0.01)
    >>> round(float(tr.x[-1, 0]), 8) == round(float(sp.cos(6)), 8), tr.nfev
    (True, 2400)
    """
    if not system.has_vector_field:
        raise InvalidInputError(f"{system.name} has no vector field to integrate"
                                + (" (its ODE is meta['ode'])" if "ode" in system.meta else ""))
    if method not in METHODS:
        raise InvalidInputError(f"unknown method {method!r}; choose one of {METHODS}")
    try:
        t0, t1 = (float(v) for v in t_span)
    except (TypeError, ValueError):
        raise InvalidInputError(f"t_span must be (t0, t1), got {t_span!r}") from None
    if not (np.isfinite(t0) and np.isfinite(t1) and t1 > t0):
        raise InvalidInputError(f"t_span must be finite with t1 > t0, got {(t0, t1)}")
    if not (rtol > 0 and atol > 0):
        raise InvalidInputError(f"rtol and atol must be > 0, got {rtol}, {atol}")
    x0 = _check_state(system, x0)
    h = _hyper_values(system, hyper)
    f = _lambdify(system, list(system.vector_field()), h)
    if t_eval is not None:
        t_eval = np.asarray(t_eval, dtype=np.float64).ravel()
        if np.any(np.diff(t_eval) <= 0) or t_eval.size == 0 or t_eval[0] < t0 or \
                t_eval[-1] > t1:
            raise InvalidInputError(f"t_eval must increase strictly within {(t0, t1)}")
    if method == "rk4":
        t, xs, nfev, message = _rk4(f, x0, t0, t1, dt, t_eval)
        success = not message
    else:
        if dt is not None:
            raise InvalidInputError(f"dt is for method='rk4' only; {method} chooses its own "
                                    "steps (bound them with max_step)")

        def rhs(t, x):
            return np.asarray(f(*x), dtype=np.float64)

        extra = {}
        if method in _IMPLICIT:
            jac = _lambdify(system, [system.field_jacobian()], h)
            extra["jac"] = lambda t, x: np.asarray(jac(*x)[0], dtype=np.float64)
        with np.errstate(all="ignore"):
            sol = solve_ivp(rhs, (t0, t1), x0, method=method, rtol=rtol, atol=atol,
                            t_eval=t_eval, max_step=max_step, **extra)
        t, xs, nfev, success = sol.t, sol.y.T.copy(), int(sol.nfev), bool(sol.success)
        finite = np.all(np.isfinite(xs), axis=1)
        message = "completed" if success else str(sol.message)
        if not np.all(finite):
            last = int(np.argmin(finite))
            t, xs, success = t[:last], xs[:last], False
            message = f"non-finite state at t = {sol.t[last]:g}; stopped before it"
    values, drift = _track(system, xs, _quantities(system, quantities), h)
    return SystemTrace(system.name, "ode", method, np.asarray(t, dtype=np.float64), xs, values,
                       drift, nfev=nfev, success=success, message=message or "completed")


def _rk4(f, x0, t0, t1, dt, t_eval):
    if dt is None or not (np.isfinite(dt) and dt > 0):
        raise InvalidInputError(f"method='rk4' needs a step dt > 0, got {dt}")
    n = int(round((t1 - t0) / dt))
    if n < 1 or abs(n * dt - (t1 - t0)) > 1e-9 * (t1 - t0):
        raise InvalidInputError(f"dt = {dt} does not divide t1 − t0 = {t1 - t0} into whole steps")
    keep = None
    if t_eval is not None:
        keep = np.rint((t_eval - t0) / dt).astype(np.int64)
        if np.any(np.abs(keep * dt - (t_eval - t0)) > 1e-9 * max(dt, abs(t1 - t0) * 1e-6)):
            raise InvalidInputError(f"with method='rk4', t_eval must lie on the grid t0 + k·{dt}")

    def rhs(x):
        return np.asarray(f(*x), dtype=np.float64)

    xs = np.empty((n + 1, len(x0)))
    xs[0] = x0
    x, done, message = x0.copy(), n, ""
    with np.errstate(all="ignore"):
        for k in range(n):
            k1 = rhs(x)
            k2 = rhs(x + 0.5 * dt * k1)
            k3 = rhs(x + 0.5 * dt * k2)
            k4 = rhs(x + dt * k3)
            x = x + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
            if not np.all(np.isfinite(x)):
                done, message = k, f"non-finite state at t = {t0 + (k + 1) * dt:g}; stopped"
                break
            xs[k + 1] = x
    t = t0 + dt * np.arange(done + 1)
    t[-1] = t1 if done == n else t[-1]
    xs = xs[: done + 1]
    if keep is not None:
        reached = keep <= done
        t, xs = t_eval[reached], xs[keep[reached]]
    return t, xs, 4 * (done + (1 if message else 0)), message
