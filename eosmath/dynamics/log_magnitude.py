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

With a rule that clips or projects the other coordinates (seed 002's clipped GD, whose w₁
would otherwise underflow in long stable phases):

>>> m = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.02)
>>> run = run_gd_log_magnitude(m, 4.0, (0.67, 0.01, 1.0), 100, log_coordinates=("w1",),
...                            rule=eos.rules.clip("a", 0.002))
>>> float(run.theta[100, 0] - run.theta[99, 0]) >= -0.002 * 4.0
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from eosmath.errors import InvalidInputError


@dataclass(frozen=True)
class LogMagnitudeRun:
    """θ_t (rows; carried coordinates as s·eᵘ, which may underflow to 0 in float64),
    ``log_abs`` (steps+1, k) = log|w| and ``sign`` for the ``coordinates`` carried,
    ``sharpness`` S(θ_t) and ``eos_ratio`` η·S/2 for t = 0 … steps (the final iterate
    included, as in :class:`~eosmath.dynamics.gd.Trajectory`); ``rule``: the rule's text or
    None."""

    model_name: str
    eta: float
    coordinates: tuple
    theta: np.ndarray
    log_abs: np.ndarray
    sign: np.ndarray
    sharpness: np.ndarray
    eos_ratio: np.ndarray
    rule: str | None = None


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
                         hyper=None, rule=None) -> LogMagnitudeRun:
    """The GD map θ ← θ − η∇L(θ), with each coordinate in ``log_coordinates`` carried as
    (sign, log|w|) so that float64 cannot flush it to 0 (see the module docstring).

    The other coordinates are updated as θᵢ − η·gᵢ (one rounded product and one rounded
    difference, as the seeds' own loops; the compiled ``run_gd`` fuses them); no stopping rule
    or verdict: all ``steps`` steps are taken (after an overflow the rows are inf or NaN).
    The loop is compiled with Numba from the model's SymPy gradient on the first call for a
    model structure in a process (about a second), then reused. ``rule``: an
    :mod:`eosmath.rules` rule made of ``clip`` and ``project`` on coordinates that are not
    carried (a carried coordinate's update must stay multiplicative), applied as
    ``run_gd(..., rule=...)`` applies it: the update clipped, then θ projected onto the box
    (θ₀ too).
    """
    from eosmath.dynamics.trajectory import check_eta

    eta = check_eta(eta)
    theta0 = model.check_theta(theta0).astype(np.float64)
    names = tuple(str(c) for c in log_coordinates)
    if not names or steps < 1:
        raise InvalidInputError("give at least one coordinate to carry and steps ≥ 1")
    params = [str(p) for p in model.params]
    for n in names:
        multiplicative_rate(model, n)  # refuses a coordinate whose update is not multiplicative
    carried = [params.index(n) for n in names]
    h = (np.array([float(v) for v in model.hyper.values()]) if hyper is None
         else np.asarray(hyper, dtype=np.float64))
    clip, lo, hi = _rule_pieces(rule, params, model.hyper_names, names, eta, h)
    if lo is not None:
        theta0 = np.minimum(np.maximum(theta0, lo), hi)
    if any(theta0[k] == 0.0 for k in carried):
        raise InvalidInputError("a carried coordinate must start non-zero (log|0| = −∞)")
    grad_fn, rate_fn = _compiled_functions(model, names)
    theta = np.empty((steps + 1, model.dim))
    log_abs, sign = np.empty((steps + 1, len(names))), np.empty((steps + 1, len(names)))
    theta[0] = theta0
    log_abs[0] = np.log(np.abs(theta0[carried]))
    sign[0] = np.sign(theta0[carried])
    others = np.array([i for i in range(model.dim) if i not in carried], dtype=np.int64)
    low = np.full(model.dim, -np.inf) if lo is None else lo
    high = np.full(model.dim, np.inf) if hi is None else hi
    _loop(grad_fn, rate_fn, float(eta), np.ascontiguousarray(h, dtype=np.float64), int(steps),
          np.array(carried, dtype=np.int64), others, clip, low, high, theta, log_abs, sign)
    kernels = model.compile()
    sharp = np.empty(steps + 1)
    kernels.module.sharpness_many(np.ascontiguousarray(theta), h, sharp)
    return LogMagnitudeRun(model.name, eta, names, theta, log_abs, sign, sharp, 0.5 * eta * sharp,
                           None if rule is None else str(rule))


def _rule_pieces(rule, params, hyper_names, carried, eta, h):
    """Per-coordinate clip bounds (∞: none) and the projection box (None: none) of ``rule``,
    refused unless it only clips and projects coordinates that are not carried."""
    clip = np.full(len(params), np.inf)
    if rule is None:
        return clip, None, None
    from eosmath.dynamics.update_rules import check_rule

    rule = check_rule(rule)
    for tr in rule.transforms:
        if tr.kind not in ("clip", "project"):
            raise InvalidInputError(f"{tr.kind}() keeps a state across steps; with carried "
                                    "coordinates a rule may only clip and project")
        named = tr.args[0] if tr.kind == "clip" else [a[0] for a in tr.args]
        if set(named) & set(carried):
            raise InvalidInputError(f"{tr.kind}() names a carried coordinate "
                                    f"({', '.join(sorted(set(named) & set(carried)))}), whose "
                                    "update must stay multiplicative")
    compiled = rule.compile(params, hyper_names)
    clip = compiled.clipvec.min(axis=0) if len(compiled.ops) else clip
    if not compiled.projects:
        return clip, None, None
    lo, hi = compiled.box([eta], np.asarray(h, dtype=np.float64)[None, :])
    return clip, lo[0], hi[0]


_FUNCTIONS: dict = {}


def _compiled_functions(model, names: tuple):
    """Numba functions g(θ, h) → ∇L and r(θ, h) → the carried coordinates' rates, built from
    the model's SymPy expressions once per (structure, carried names) in this process."""
    from numba import njit

    key = (model.structure_hash(), names)
    if key not in _FUNCTIONS:
        args = list(model.params) + list(model.hyper)
        grads = tuple(sp.diff(model.loss, p) for p in model.params)
        rates = tuple(multiplicative_rate(model, n) for n in names)
        unpack = ", ".join([f"th[{i}]" for i in range(model.dim)]
                           + [f"h[{k}]" for k in range(len(model.hyper))])
        made = []
        for exprs in (grads, rates):
            inner = njit(sp.lambdify(args, exprs, "math"))
            scope = {"inner": inner}
            # a fixed-arity wrapper: Numba cannot splat an array into arguments
            exec(f"def outer(th, h):\n    return inner({unpack})", scope)  # noqa: S102
            made.append(njit(scope["outer"]))
        _FUNCTIONS[key] = tuple(made)
    return _FUNCTIONS[key]


def _numba_loop():
    from numba import njit

    @njit(error_model="numpy")
    def loop(grad, rate, eta, h, steps, carried, others, clip, lo, hi, theta, log_abs, sign):
        for t in range(steps):
            g = grad(theta[t], h)
            r = rate(theta[t], h)
            for i in others:
                c = clip[i]
                step = min(max(g[i], -c), c)
                theta[t + 1, i] = min(max(theta[t, i] - eta * step, lo[i]), hi[i])
            for q in range(carried.shape[0]):
                factor = 1.0 - eta * r[q]
                log_abs[t + 1, q] = log_abs[t, q] + math.log(abs(factor))
                sign[t + 1, q] = sign[t, q] * (1.0 if factor >= 0 else -1.0)
                theta[t + 1, carried[q]] = sign[t + 1, q] * math.exp(log_abs[t + 1, q])

    return loop


class _LazyLoop:
    """The Numba loop, compiled on first use (importing this module stays cheap)."""

    fn = None

    def __call__(self, *args):
        if _LazyLoop.fn is None:
            _LazyLoop.fn = _numba_loop()
        return _LazyLoop.fn(*args)


_loop = _LazyLoop()
