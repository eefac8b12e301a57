"""Periodic orbits of the GD map and orbit (bifurcation) diagrams along η.

>>> import eosmath as eos
>>> (orbit,) = eos.periodic_orbits(eos.models.get("soft_quadratic"), eta=1.5, period=2)
>>> round(abs(float(orbit.points[0, 0])), 12), orbit.stable
(0.731103766671, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eosmath.dynamics.trajectory import check_eta
from eosmath.errors import InvalidInputError


@dataclass(frozen=True)
class PeriodicOrbit:
    """A period-k orbit θ_0 → … → θ_{k−1} → θ_0 of F(θ) = θ − η∇L(θ).

    ``multipliers``: eigenvalues of DF(θ_{k−1})⋯DF(θ_0), DF = I − η∇²L; the orbit is linearly
    stable iff all have modulus < 1. ``residual`` = ‖F^k(θ_0) − θ_0‖.
    """

    eta: float
    period: int
    points: np.ndarray
    multipliers: np.ndarray
    stable: bool
    residual: float


def _iterate(k, h, theta, eta, count):
    path = [theta]
    for _ in range(count):
        path.append(k.module.gd_step(path[-1], eta, h))
    return np.array(path)


def _newton(k, h, theta, eta, period, tol, iterations=60):
    n = len(theta)
    for _ in range(iterations):
        path = _iterate(k, h, theta, eta, period)
        jac = np.eye(n)
        for p in path[:-1]:
            jac = (np.eye(n) - eta * k.module.hessian(p, h)) @ jac
        residual = path[-1] - theta
        if not np.all(np.isfinite(residual)):
            return None, None
        if np.linalg.norm(residual) < tol:
            return theta, jac
        try:
            theta = theta - np.linalg.solve(jac - np.eye(n), residual)
        except np.linalg.LinAlgError:
            return None, None
    return None, None


def periodic_orbits(model, eta: float, period: int = 2, guesses=None, hyper=None,
                    tol: float = 1e-12, transient: int = 2000) -> tuple[PeriodicOrbit, ...]:
    """Period-``period`` orbits by Newton's method on F^k(θ) − θ with the exact Jacobian.

    Starting guesses: ``guesses`` if given, else the tails of GD runs from a small grid of
    starts. Fixed points of F are excluded for k ≥ 2; cyclic shifts count as one orbit.
    """
    eta = check_eta(eta)
    if period < 1:
        raise InvalidInputError("period must be ≥ 1")
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    if guesses is None:
        rng = np.random.default_rng(0)
        starts = rng.uniform(-2, 2, size=(12, model.dim))
        guesses = []
        for s in starts:
            tail = _iterate(k, h, s, eta, transient)[-1]
            if np.all(np.isfinite(tail)):
                guesses.append(tail)
            guesses.append(s)
    found: list[PeriodicOrbit] = []
    for guess in guesses:
        theta, jac = _newton(k, h, np.asarray(guess, dtype=np.float64), eta, period, tol)
        if theta is None:
            continue
        points = _iterate(k, h, theta, eta, period - 1)
        if period >= 2 and np.linalg.norm(points[1] - points[0]) < 1e-8 * (1 + np.abs(theta).max()):
            continue  # a fixed point of F
        minimal = all(np.linalg.norm(points[j] - points[0]) > 1e-8 for j in range(1, period))
        if not minimal:
            continue
        if any(_same_orbit(points, o.points) for o in found):
            continue
        mult = np.linalg.eigvals(jac)
        residual = float(np.linalg.norm(_iterate(k, h, theta, eta, period)[-1] - theta))
        found.append(PeriodicOrbit(eta, period, points, mult, bool(np.all(np.abs(mult) < 1)),
                                   residual))
    return tuple(found)


def _same_orbit(a, b, tol=1e-7) -> bool:
    return any(np.allclose(np.roll(a, s, axis=0), b, atol=tol) for s in range(len(a)))


@dataclass(frozen=True)
class OrbitDiagram:
    model_name: str
    eta: np.ndarray
    iterates: np.ndarray       # (len(eta), keep): coordinate ``coordinate`` on the attractor
    period: np.ndarray         # detected period per η (0: none up to min(64, keep//2))
    coordinate: int


def orbit_diagram(model, eta, theta0, keep: int = 64, transient: int = 2000,
                  coordinate: int = 0, hyper=None, continue_state: bool = True,
                  tol: float = 1e-9) -> OrbitDiagram:
    """The last ``keep`` iterates of one coordinate for each η, after ``transient`` steps.

    With ``continue_state`` each η starts from the previous η's final state, nudged by a
    relative 1e-7 (following one attractor branch, as a bifurcation diagram does).
    """
    etas = np.asarray(eta, dtype=np.float64)
    if etas.ndim != 1 or etas.size == 0 or np.any(etas <= 0) or not np.all(np.isfinite(etas)):
        raise InvalidInputError("eta must be a non-empty 1-D grid of finite values > 0")
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    start = model.check_theta(theta0).astype(np.float64)
    kept = np.full((etas.size, keep), np.nan)
    periods = np.zeros(etas.size, dtype=int)
    state = start
    for i, e in enumerate(etas):
        path = _iterate(k, h, state if continue_state else start, e, transient + keep)
        tail = path[-keep:]
        kept[i] = tail[:, coordinate]
        periods[i] = _period(tail, tol)
        state = path[-1] if np.all(np.isfinite(path[-1])) else start
        # A fixed point reached exactly (e.g. 0 after underflow) would be followed forever,
        # even past its flip; a tiny kick lets the branch leave once it is unstable.
        state = state + 1e-7 * (1.0 + np.abs(state))
    return OrbitDiagram(model.name, etas, kept, periods, coordinate)


def _period(tail, tol) -> int:
    """Smallest p ≤ 64 such that every kept point returns within tol after p steps.

    All lags are checked, not only the last point's: a slow quasi-periodic orbit can come
    close to one earlier point by chance, but not to p earlier points in a row.
    """
    scale = 1 + np.abs(tail).max()
    for p in range(1, min(64, len(tail) // 2) + 1):
        gaps = np.linalg.norm(tail[p:] - tail[:-p], axis=-1) if tail.ndim > 1 else np.abs(
            tail[p:] - tail[:-p])
        if np.all(gaps <= tol * scale):
            return p
    return 0


def period_doubling_point(model, fixed_point=None, hyper=None) -> float:
    """η* = 2/S at a minimum: where the fixed point's multiplier 1 − η·S reaches −1."""
    k = model.compile()
    h = k.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    point = np.zeros(model.dim) if fixed_point is None else model.check_theta(fixed_point)
    s = float(k.module.sharpness(np.asarray(point, dtype=np.float64), h))
    if not s > 0:
        raise InvalidInputError(f"sharpness {s} at the fixed point: no flip for any η > 0")
    return 2.0 / s
