"""Gradient-descent trajectories with a verdict: ``run_gd``.

>>> import eosmath as eos
>>> m = eos.models.get("quadratic", a=4.0)
>>> tr = eos.run_gd(m, eta=0.1, theta0=(1.0,), steps=1000)
>>> tr.status.name, tr.stop_step      # first t with |∇L| = 4·0.6^t < 1e-10
('CONVERGED', 48)
>>> eos.run_gd(m, eta=0.6, theta0=(1.0,), steps=1000).status.name   # η > 2/a
'DIVERGED'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from eosmath.dynamics import kernel_template  # noqa: F401  (registers the GD loop)
from eosmath.dynamics.kernel_template import STAT
from eosmath.dynamics.status import Status
from eosmath.dynamics.stopping import check_stopping, no_early_stop
from eosmath.dynamics.trajectory import (  # noqa: F401  (Trajectory: re-exported)
    RECORDABLE,
    Trajectory,
    check_eta,
    run_with_progress,
    through_final,
)
from eosmath.errors import InvalidInputError


class UnderflowWarning(RuntimeWarning):
    """float64 flushed a coordinate (or tangent component) to exactly 0 where GD's
    linearisation would grow it: the run can no longer show that instability."""


def _warn_underflow(model, eta, theta, stats, h) -> None:
    import warnings

    step, index = int(stats[STAT["underflow_step"]]), int(stats[STAT["underflow_index"]])
    name = str(model.params[index % model.dim])
    hess = model.compile().module.hessian(np.ascontiguousarray(theta[min(step, len(theta) - 1)]),
                                          h)
    multiplier = abs(1.0 - eta * hess[index % model.dim, index % model.dim])
    if index < model.dim:
        zeroed = np.flatnonzero(theta[:, index] == 0.0)
        since = f" at step {int(zeroed[0])}" if len(zeroed) else ""
        what = f"{name} underflowed to exactly 0{since}"
        hint = (f"; eos.run_gd_log_magnitude(..., log_coordinates=('{name}',))"
                f" carries log|{name}| instead")
    else:
        what, hint = f"the tangent vector's {name} component underflowed to exactly 0", ""
    warnings.warn(f"{what}, and by step {step} its multiplier |1 − η∂²L/∂{name}²| = "
                  f"{multiplier:.4g} > 1 would grow it: the instability cannot show in this "
                  f"run (nor in its Lyapunov exponent){hint}", UnderflowWarning, stacklevel=3)


def run_gd(model, eta: float, theta0, steps: int, record=("loss", "sharpness", "eos_ratio"),
           tol: float = 1e-10, radius: float = 1e6, hyper=None, reducer: Callable | None = None,
           kmax: int = 16, ptol: float = 1e-10, quiet: bool = False,
           precision: int | None = None, rule=None, stop: bool = True) -> Trajectory:
    """Run GD θ ← θ − η∇L(θ) for at most ``steps`` steps with the compiled kernels.

    Stops when ‖∇L‖ < ``tol`` (checked before the update: CONVERGED), when the iterate is
    non-finite or ‖θ‖ > ``radius`` (DIVERGED), or when θ_t returns to within ``ptol``·(1+‖θ‖)
    of θ_{t−k} for some 2 ≤ k ≤ ``kmax`` while consecutive iterates stay more than 1e-6·(1+‖θ‖)
    apart (PERIOD, k recorded). Without a verdict the run ends
    CHAOTIC if its Lyapunov exponent λ is positive and θ stays bounded, DIVERGED if ‖θ‖ grew at
    a rate ≥ λ/2 over the run's second half, else MAX_STEPS. A run that ends at a point where
    L is undefined (NaN), or where ∇L is non-finite but L finite, is INVALID (the model's
    domain), not DIVERGED. ``tol=0`` never stops on the gradient. ``reducer(step, theta)``, if
    given, is evaluated on every iterate (like diffrax's ``SaveAt(fn=...)``). Runs of
    200 000 steps or more show a progress bar on stderr unless ``quiet``.

    The default stop rules cut runs short: a run that converges (‖∇L‖ < 1e-10) or settles on
    a period-k orbit ends there, with ``stop_step`` < ``steps``. ``stop=False`` turns both
    off (``tol`` and ``kmax`` are then ignored) and takes exactly ``steps`` steps unless the run
    diverges: ‖θ‖ > ``radius`` still ends it, and so does a gradient or iterate that is not
    finite (‖∇L‖² or ‖θ‖² overflowing), which no step can continue from; add
    ``radius=np.inf`` to end only there. The verdict is
    then CHAOTIC, DIVERGED, INVALID or MAX_STEPS, never CONVERGED or PERIOD.

    >>> import eosmath as eos
    >>> m = eos.models.get("quadratic", a=4.0)
    >>> tr = eos.run_gd(m, eta=0.1, theta0=(1.0,), steps=100, stop=False)
    >>> tr.status.name, tr.stop_step, len(tr.theta), len(tr.loss)
    ('MAX_STEPS', 100, 101, 101)

    ``precision=digits`` runs GD in mpmath at that many decimal digits instead and returns a
    :class:`~eosmath.dynamics.precise.PreciseTrajectory` (same tol/radius rules, no period
    detection, no reducer; ``rule`` too); see :func:`~eosmath.dynamics.precise.run_gd_precise`.

    ``rule``: an update rule of :mod:`eosmath.rules` (clip, project, momentum, Adam, ...) run
    by its own compiled loop (:mod:`eosmath.dynamics.rule_kernel`): ``sharpness`` is then the
    rule's (preconditioned) sharpness, ``eos_ratio`` = η·S/c with c/η the rule's threshold
    (``stats["threshold_factor"]`` = c), CONVERGED means a step shorter than η·tol, and
    ``lyapunov`` is NaN (no CHAOTIC verdict).
    """
    if precision is not None:  # high-precision path (eosmath.dynamics.precise)
        from eosmath.dynamics.precise import run_gd_precise

        if reducer is not None:
            raise InvalidInputError("reducer is not available with precision=; use the float path")
        return run_gd_precise(model, eta, theta0, steps, precision=precision, record=record,
                              tol=tol if stop else 0.0, radius=radius, hyper=hyper, rule=rule)
    eta = check_eta(eta)
    theta0 = model.check_theta(theta0).astype(np.float64)
    tol, radius = check_stopping(tol, radius, float(np.linalg.norm(theta0)))
    unknown = set(record) - set(RECORDABLE)
    if unknown:
        raise InvalidInputError(f"cannot record {sorted(unknown)}; choose from {RECORDABLE}")
    if steps < 0 or kmax < 2:
        raise InvalidInputError("steps must be ≥ 0 and kmax ≥ 2")
    if not stop:
        tol, kmax = no_early_stop()
    if rule is not None:  # update rules (eosmath.dynamics.rule_gd); plain GD stays below
        from eosmath.dynamics.rule_gd import run_gd_rule

        return run_gd_rule(model, eta, theta0, steps, rule, record, tol, radius, hyper, reducer,
                           kmax, ptol, quiet)
    kernels = model.compile()
    h = kernels.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    thetas = np.empty((steps + 1, model.dim))
    losses, sharps = np.empty(max(steps, 1)), np.empty(max(steps, 1))
    stats, final = np.empty(len(STAT) + kernels.module.NREDUCE), np.empty(model.dim)
    args = (theta0, eta, h, steps, tol, radius * radius, kmax, ptol, True, thetas, losses,
            sharps, stats, final)
    run_with_progress(kernels.module.gd_core, args, steps, quiet)
    end = int(stats[STAT["stop_step"]])
    lyap = (stats[STAT["lyapunov_sum"]] / stats[STAT["lyapunov_steps"]]
            if stats[STAT["lyapunov_steps"]] else float("nan"))
    theta = thetas[: end + 1].copy()
    keep = through_final(losses, sharps, end, stats)
    keep["eos_ratio"] = 0.5 * eta * keep["sharpness"]
    reduced = None if reducer is None else np.array([reducer(t, th) for t, th in enumerate(theta)])
    if stats[STAT["underflow_step"]] >= 0:
        _warn_underflow(model, eta, theta, stats, h)
    return Trajectory(model.name, eta, theta, Status(int(stats[STAT["status"]])), end,
                      int(stats[STAT["period"]]), float(lyap),
                      **{k: (keep[k] if k in record else None) for k in RECORDABLE},
                      reduced=reduced, stats={n: float(stats[i]) for n, i in STAT.items()})
