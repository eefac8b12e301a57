"""Gradient descent at any precision with the model's mpmath functions: ``run_gd_precise``
(also reached as ``run_gd(..., precision=digits)``).

Used as an oracle for the float64 kernels and for identities that rounding would hide, e.g.
x_t² − y_t² = (x₀² − y₀²)·∏_{s<t}(1 − η²ℓ'(x_s y_s)²) for f = ℓ(xy) (spec/minimalist_product.md):

>>> import mpmath, eosmath as eos
>>> m = eos.models.get("product", ell="logcosh")
>>> tr = eos.run_gd(m, eta="0.5", theta0=("0.5", "2.5"), steps=40, precision=50)
>>> x, y = tr.theta[-1]
>>> with mpmath.workdps(50):
...     prod = mpmath.fprod(1 - tr.eta**2 * mpmath.tanh(a * b)**2 for a, b in tr.theta[:-1])
...     gap = (x**2 - y**2) - (mpmath.mpf("0.5")**2 - mpmath.mpf("2.5")**2) * prod
>>> tr.status.name, abs(gap) < mpmath.mpf("1e-45")
('MAX_STEPS', True)
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from eosmath.dynamics.status import Status
from eosmath.errors import InvalidInputError

RECORDABLE = ("loss", "sharpness", "eos_ratio")


@dataclass(frozen=True)
class PreciseTrajectory:
    """One GD run at ``precision`` decimal digits; every number is an mpmath ``mpf``.

    ``theta`` holds θ_0 … θ_stop (tuples of mpf), and so do the recorded statistics, as in
    :class:`~eosmath.dynamics.gd.Trajectory`. ``status``: CONVERGED,
    DIVERGED or MAX_STEPS (no period or chaos detection at high precision). Compute with the
    values inside ``mpmath.workdps(precision)``: outside it mpmath rounds to its current
    precision.
    """

    model_name: str
    eta: mpmath.mpf
    theta: tuple
    precision: int
    status: Status
    stop_step: int
    loss: tuple | None = None
    sharpness: tuple | None = None
    eos_ratio: tuple | None = None

    def to_numpy(self) -> np.ndarray:
        """θ_0 … θ_stop rounded to float64, one row per step."""
        return np.array([[float(v) for v in row] for row in self.theta], dtype=np.float64)


def start_values(model, theta0) -> list:
    """θ₀ as a list, its length checked against the model (entries stay exact: strings, ints
    and mpf are converted at the working precision later, not rounded to float64 here)."""
    theta0 = list(theta0)
    if len(theta0) != model.dim:
        raise InvalidInputError(f"θ for model {model.name!r} must have {model.dim} entries "
                                f"{tuple(map(str, model.params))}, got {len(theta0)}")
    return theta0


def _mpf(value, what: str):
    try:
        out = mpmath.mpf(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what} must be a real number (or its decimal text), "
                                f"got {value!r}") from None
    if not mpmath.isfinite(out):
        raise InvalidInputError(f"{what} must be finite, got {value!r}")
    return out


def run_gd_precise(model, eta, theta0, steps: int, precision: int = 50,
                   record=("loss", "sharpness", "eos_ratio"), tol: float = 1e-10,
                   radius: float = 1e6, hyper=None, rule=None) -> PreciseTrajectory:
    """GD θ ← θ − η∇L(θ) at ``precision`` decimal digits, for at most ``steps`` steps.

    Same stop rules as :func:`~eosmath.run_gd` except period detection: CONVERGED when
    ‖∇L‖ < ``tol`` (checked before the update), DIVERGED when ‖θ‖ > ``radius`` (mpmath numbers
    do not overflow), else MAX_STEPS; ``tol=0`` and ``radius=inf`` run exactly ``steps`` steps.
    ``eta``, ``theta0`` and ``hyper`` may be decimal strings ("0.1"), taken exactly at this
    precision; floats enter as their exact binary values. The sharpness is the largest
    eigenvalue of the mpmath Hessian (``mpmath.eigsy``).

    ``rule``: an :mod:`eosmath.rules` rule with the formulas of the compiled loop
    (:mod:`eosmath.dynamics.rule_kernel`) in mpmath, projection bounds evaluated at this
    precision; as there, the sharpness is the rule's (λ_max(P⁻¹∇²L) for rmsprop and adam),
    ``eos_ratio`` = η·S/c with c/η the rule's threshold, and CONVERGED means a step shorter
    than η·tol.
    """
    if isinstance(precision, bool) or not isinstance(precision, (int, np.integer)) or \
            precision < 1:
        raise InvalidInputError(f"precision must be a whole number of decimal digits ≥ 1, "
                                f"got {precision!r}")
    unknown = set(record) - set(RECORDABLE)
    if unknown:
        raise InvalidInputError(f"cannot record {sorted(unknown)}; choose from {RECORDABLE}")
    steps = int(steps)
    if steps < 0:
        raise InvalidInputError(f"steps must be ≥ 0, got {steps}")
    theta0 = start_values(model, theta0)
    f = model.lambdify("mpmath")
    with mpmath.workdps(int(precision)):
        eta = _mpf(eta, "the step size η")
        if eta <= 0:
            raise InvalidInputError(f"the step size η must be > 0, got {eta}")
        theta = tuple(_mpf(v, "θ₀") for v in theta0)
        h = None if hyper is None else tuple(_mpf(v, "a hyper-parameter") for v in hyper)
        tol2, radius2 = mpmath.mpf(tol) ** 2, mpmath.mpf(radius) ** 2
        steer = None if rule is None else PreciseRule(rule, model, eta, h or f.hyper_default)
        if steer is not None:
            theta = steer.project(theta)
        thetas, losses, sharps = [theta], [], []
        status, stop = Status.MAX_STEPS, steps

        def measure(point):
            if "loss" in record:
                losses.append(f.loss(point, h))
            if "sharpness" in record or "eos_ratio" in record:
                hess = f.hessian(point, h)
                if steer is not None:
                    hess = steer.precondition(hess)
                sharps.append(max(mpmath.eigsy(hess, eigvals_only=True)))

        for t in range(steps):
            g = f.grad(theta, h)
            if steer is None:
                if mpmath.fsum(gi**2 for gi in g) < tol2:
                    status, stop = Status.CONVERGED, t
                    break
                new = tuple(theta[i] - eta * g[i] for i in range(model.dim))
            else:
                if not all(mpmath.isfinite(gi) for gi in g):
                    status, stop = Status.DIVERGED, t
                    break
                u = steer.update([g[i] for i in range(model.dim)], t)
                new = steer.project(tuple(theta[i] - eta * u[i] for i in range(model.dim)))
                moved = mpmath.fsum((a - b) ** 2 for a, b in zip(new, theta, strict=True))
                if moved < eta**2 * tol2:
                    status, stop = Status.CONVERGED, t
                    break
            measure(theta)
            theta = new
            thetas.append(theta)
            if not mpmath.fsum(v**2 for v in theta) <= radius2:
                status, stop = Status.DIVERGED, t + 1
                break
        measure(theta)  # the final iterate θ_stop, as run_gd records it
        factor = 2 if steer is None else mpmath.mpf(steer.threshold_factor)
        ratios = tuple(eta * s / factor for s in sharps)
    return PreciseTrajectory(
        model.name, eta, tuple(thetas), int(precision), status, stop,
        loss=tuple(losses) if "loss" in record else None,
        sharpness=tuple(sharps) if "sharpness" in record else None,
        eos_ratio=ratios if "eos_ratio" in record else None)


class PreciseRule:
    """An update rule at the working precision: the compiled loop's formulas in mpmath.

    Transforms act on the update u (a list of mpf) in order, with state m, s and the
    preconditioner P; ``project`` clamps θ to the box, bounds evaluated in mpmath.
    """

    def __init__(self, rule, model, eta, hyper):
        from eosmath.dynamics.update_rules import check_rule

        rule = check_rule(rule)
        params = [str(p) for p in model.params]
        self.transforms = [t for t in rule.transforms if t.kind != "project"]
        self.clips = {id(t): [(params.index(n), mpmath.mpf(t.coef[0])) for n in t.args[0]]
                      for t in self.transforms if t.kind == "clip"}
        for t in self.transforms:  # raises the compiled rule's errors (unknown names)
            if t.kind == "clip":
                rule.compile(params, model.hyper_names)
                break
        n = model.dim
        self.lo, self.hi = [-mpmath.inf] * n, [mpmath.inf] * n
        values = [mpmath.mpf(v) for v in hyper]
        for i, relation, fn in rule.box_functions(params, model.hyper_names, "mpmath"):
            value = mpmath.mpf(fn(eta, *values))
            if not mpmath.isfinite(value):
                raise InvalidInputError(f"a bound of the projection is not finite: {rule}")
            if relation in ("==", "<="):
                self.hi[i] = min(self.hi[i], value)
            if relation in ("==", ">="):
                self.lo[i] = max(self.lo[i], value)
        if any(a > b for a, b in zip(self.lo, self.hi, strict=True)):
            raise InvalidInputError(f"the projection's set is empty: {rule}")
        self.projects = any(t.kind == "project" for t in rule.transforms)
        self.threshold_factor = rule.threshold_factor
        self.preconditioned = rule.preconditioned
        zero = mpmath.mpf(0)
        self.mom, self.sec, self.pre = [zero] * n, [zero] * n, [mpmath.mpf(1)] * n

    def project(self, theta) -> tuple:
        if not self.projects:
            return tuple(theta)
        return tuple(min(max(x, a), b) for x, a, b in zip(theta, self.lo, self.hi, strict=True))

    def update(self, u: list, t: int) -> list:
        """The update for gradient ``u`` at step t (0-based); advances the state."""
        n = len(u)
        for tr in self.transforms:
            if tr.kind == "clip":
                for i, c in self.clips[id(tr)]:
                    u[i] = min(max(u[i], -c), c)
            elif tr.kind in ("heavy_ball", "nesterov"):
                beta = mpmath.mpf(tr.coef[0])
                self.mom = [beta * self.mom[i] + u[i] for i in range(n)]
                u = (list(self.mom) if tr.kind == "heavy_ball"
                     else [u[i] + beta * self.mom[i] for i in range(n)])
            elif tr.kind == "rmsprop":
                beta2, eps = (mpmath.mpf(c) for c in tr.coef)
                self.sec = [beta2 * self.sec[i] + (1 - beta2) * u[i] ** 2 for i in range(n)]
                self.pre = [mpmath.sqrt(v) + eps for v in self.sec]
                u = [u[i] / self.pre[i] for i in range(n)]
            else:  # adam
                beta1, beta2, eps = (mpmath.mpf(c) for c in tr.coef)
                bc1, bc2 = 1 - beta1 ** (t + 1), 1 - beta2 ** (t + 1)
                self.mom = [beta1 * self.mom[i] + (1 - beta1) * u[i] for i in range(n)]
                self.sec = [beta2 * self.sec[i] + (1 - beta2) * u[i] ** 2 for i in range(n)]
                self.pre = [mpmath.sqrt(v / bc2) + eps for v in self.sec]
                u = [(self.mom[i] / bc1) / self.pre[i] for i in range(n)]
        return u

    def precondition(self, hess):
        """P^{-1/2} H P^{-1/2} for a preconditioned rule (its spectrum is P⁻¹H's), else H."""
        if not self.preconditioned:
            return hess
        n = hess.rows
        out = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                out[i, j] = hess[i, j] / mpmath.sqrt(self.pre[i] * self.pre[j])
        return out
