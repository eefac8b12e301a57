"""Update rules: GD variants built from small transforms, composed like optax's.

A rule turns the gradient g_t into the update u_t, then θ_{t+1} = Proj(θ_t − η·u_t). Each
factory returns a :class:`Rule`; :func:`chain` applies rules in order (the output of one is
the input of the next). Pass a rule to :func:`~eosmath.run_gd` or :func:`~eosmath.sweep` with
``rule=``; ``rule=None`` is plain GD on its own compiled path. ``run_gd(..., precision=...,
rule=...)`` runs the same formulas in mpmath, and ``run_gd_log_magnitude(..., rule=...)`` takes
``clip`` and ``project`` on the coordinates it does not carry.

Transforms (state starts at 0; t counts steps from 0):

- ``clip(name, C)``: u_i ← clip(u_i, −C, C) for the named coordinates.
- ``heavy_ball(β)``: v ← βv + u; u ← v.
- ``nesterov(β)``: v ← βv + u; u ← u + βv.
- ``rmsprop(β₂, ε)``: s ← β₂s + (1 − β₂)u²; P = √s + ε; u ← u/P.
- ``adam(β₁, β₂, ε)``: m ← β₁m + (1 − β₁)u, s ← β₂s + (1 − β₂)u²; with bias correction
  m̂ = m/(1 − β₁^{t+1}), ŝ = s/(1 − β₂^{t+1}): P = √ŝ + ε; u ← m̂/P.
- ``project(w1=0, a="<= sqrt(2/eta)")``: after the step (wherever it stands in a chain) θ is
  projected onto a box: coordinate equalities and bounds whose values are expressions in η
  and the model's hyper-parameters. The start θ₀ is projected too.

Statistics follow the rule. The sharpness reported is λ_max(∇²L), or for a preconditioned rule
(rmsprop, adam) the preconditioned sharpness λ_max(P⁻¹∇²L) with the step's P. Its stability
threshold on a quadratic is c/η with ``c = rule.threshold_factor``: 2 for GD (also with clip or
project), 2 + 2β for heavy ball, (2 + 2β)/(1 + 2β) for Nesterov, (2 + 2β₁)/(1 − β₁) for Adam
(38 at β₁ = 0.9). ``eos_ratio`` = η·S/c (1 at the rule's edge).

>>> import eosmath as eos
>>> rule = eos.rules.chain(eos.rules.clip("a", 0.002), eos.rules.heavy_ball(0.5))
>>> rule.threshold_factor
3.0
>>> round(eos.rules.adam(0.9, 0.999, 1e-8).threshold_factor, 12)
38.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from eosmath.errors import InvalidInputError, ModelSyntaxError

# Operation codes of the compiled rule (eosmath.dynamics.rule_kernel).
OP_CLIP, OP_HEAVY_BALL, OP_NESTEROV, OP_RMSPROP, OP_ADAM = 1, 2, 3, 4, 5
_CODES = {"clip": OP_CLIP, "heavy_ball": OP_HEAVY_BALL, "nesterov": OP_NESTEROV,
          "rmsprop": OP_RMSPROP, "adam": OP_ADAM}
MOMENTUM = ("heavy_ball", "nesterov", "adam")
PRECONDITIONED = ("rmsprop", "adam")


@dataclass(frozen=True)
class Transform:
    """One piece of a rule: ``kind``, its numbers ``coef`` and its ``args`` (names, bounds)."""

    kind: str
    coef: tuple = ()
    args: tuple = ()

    def __str__(self) -> str:
        inner = [repr(a) for a in self.args] + [repr(c) for c in self.coef]
        return f"{self.kind}({', '.join(inner)})"


@dataclass(frozen=True)
class Rule:
    """An update rule: transforms applied in order to the gradient (see the module docstring)."""

    transforms: tuple = ()

    def __post_init__(self):
        kinds = [t.kind for t in self.transforms]
        if sum(k in MOMENTUM for k in kinds) > 1:
            raise InvalidInputError("a rule may hold at most one of heavy_ball, nesterov, adam")
        if sum(k in PRECONDITIONED for k in kinds) > 1:
            raise InvalidInputError("a rule may hold at most one of rmsprop, adam")

    def __str__(self) -> str:
        return "chain(" + ", ".join(str(t) for t in self.transforms) + ")"

    @property
    def preconditioned(self) -> bool:
        """True when the reported sharpness is λ_max(P⁻¹∇²L) (rmsprop, adam)."""
        return any(t.kind in PRECONDITIONED for t in self.transforms)

    @property
    def threshold_factor(self) -> float:
        """c in the stability threshold c/η of the rule's (preconditioned) sharpness."""
        for t in self.transforms:
            if t.kind == "heavy_ball":
                return 2.0 + 2.0 * t.coef[0]
            if t.kind == "nesterov":
                return (2.0 + 2.0 * t.coef[0]) / (1.0 + 2.0 * t.coef[0])
            if t.kind == "adam":
                return (2.0 + 2.0 * t.coef[0]) / (1.0 - t.coef[0])
        return 2.0

    def threshold(self, eta: float) -> float:
        """The stability threshold c/η of the reported sharpness at step size ``eta``."""
        return self.threshold_factor / eta

    def box_functions(self, params, hyper_names, modules="numpy") -> tuple:
        """The projection's bounds as (index, relation, f(η, *hyper)) with ``modules`` for f
        ("mpmath" evaluates them at the working precision)."""
        params, hyper_names = tuple(map(str, params)), tuple(map(str, hyper_names))
        return tuple((_index(name, params), relation,
                      _bound_function(text, hyper_names, params, modules))
                     for t in self.transforms if t.kind == "project"
                     for name, relation, text in t.args)

    def compile(self, params, hyper_names) -> CompiledRule:
        """The arrays the compiled kernels read, for a model with these names."""
        params, hyper_names = tuple(map(str, params)), tuple(map(str, hyper_names))
        steps = [t for t in self.transforms if t.kind != "project"]
        ops = np.array([_CODES[t.kind] for t in steps], dtype=np.int64)
        coef = np.zeros((max(len(steps), 1), 3))
        clipvec = np.full((max(len(steps), 1), len(params)), np.inf)
        for k, t in enumerate(steps):
            coef[k, : len(t.coef)] = t.coef
            if t.kind == "clip":
                for name in t.args[0]:
                    clipvec[k, _index(name, params)] = t.coef[0]
        bounds = self.box_functions(params, hyper_names)
        return CompiledRule(str(self), ops, coef, clipvec, bounds,
                            self.threshold_factor, self.preconditioned)


@dataclass(frozen=True)
class CompiledRule:
    """A rule resolved against a model: operation codes, coefficients, per-coordinate clip
    bounds and the box of the projection (``bounds``: index, relation, f(η, hyper))."""

    text: str
    ops: np.ndarray
    coef: np.ndarray
    clipvec: np.ndarray
    bounds: tuple
    threshold_factor: float
    preconditioned: bool

    @property
    def projects(self) -> bool:
        return bool(self.bounds)

    def box(self, etas, hyper) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the box, one row per cell (η and hyper values per row)."""
        etas = np.atleast_1d(np.asarray(etas, dtype=np.float64))
        hyper = np.asarray(hyper, dtype=np.float64).reshape(len(etas), -1)
        lo = np.full((len(etas), self.clipvec.shape[1]), -np.inf)
        hi = np.full_like(lo, np.inf)
        for i, relation, fn in self.bounds:
            with np.errstate(all="ignore"):
                value = np.broadcast_to(np.asarray(fn(etas, *hyper.T), dtype=np.float64),
                                        etas.shape)
            if not np.all(np.isfinite(value)):
                raise InvalidInputError(f"a bound of the projection is not finite: {self.text}")
            if relation in ("==", "<="):
                hi[:, i] = np.minimum(hi[:, i], value)
            if relation in ("==", ">="):
                lo[:, i] = np.maximum(lo[:, i], value)
        if np.any(lo > hi):
            raise InvalidInputError(f"the projection's set is empty: {self.text}")
        return lo, hi


def _index(name: str, params) -> int:
    if name not in params:
        raise InvalidInputError(f"the rule names {name!r}, not a parameter of the model "
                                f"(parameters: {', '.join(params)})")
    return params.index(name)


def _bound_function(text: str, hyper_names, params, modules="numpy"):
    """f(η, *hyper) for a bound written in η and the hyper-parameters (parsed safely)."""
    import sympy as sp

    from eosmath.symbolic.parsing import parse_expression

    symbols = {n: sp.Symbol(n, real=True) for n in ("eta", *hyper_names)}
    try:
        expr = parse_expression(text, symbols)
    except ModelSyntaxError as err:
        if any(p in text for p in params):
            raise InvalidInputError(f"projection bound {text!r}: a bound may use η and the "
                                    "hyper-parameters only (the set is a box)") from None
        raise InvalidInputError(f"projection bound {text!r}: {err}") from None
    return sp.lambdify([symbols["eta"], *(symbols[n] for n in hyper_names)], expr, modules)


def _positive(name: str, value) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise InvalidInputError(f"{name} must be a finite number > 0, got {value}")
    return value


def _beta(name: str, value) -> float:
    value = float(value)
    if not (0.0 <= value < 1.0):
        raise InvalidInputError(f"{name} must lie in [0, 1), got {value}")
    return value


def chain(*rules: Rule) -> Rule:
    """Apply ``rules`` in order: each transforms the update the previous one produced.

    >>> str(chain(clip("a", 1.0), heavy_ball(0.9)))
    "chain(clip(('a',), 1.0), heavy_ball(0.9))"
    """
    parts = []
    for r in rules:
        if not isinstance(r, Rule):
            raise InvalidInputError(f"chain() takes rules (eos.rules.clip, ...), got {r!r}")
        parts.extend(r.transforms)
    return Rule(tuple(parts))


def clip(names, C: float) -> Rule:
    """Clip the update of the named coordinates (one name or several) to [−C, C].

    >>> clip("a", 0.002).threshold_factor
    2.0
    """
    names = (names,) if isinstance(names, str) else tuple(names)
    if not names:
        raise InvalidInputError("clip() needs at least one coordinate name")
    return Rule((Transform("clip", (_positive("the clip C", C),), (names,)),))


def heavy_ball(beta: float) -> Rule:
    """Polyak momentum: v ← βv + u, u ← v. Threshold (2 + 2β)/η.

    >>> heavy_ball(0.9).threshold_factor
    3.8
    """
    return Rule((Transform("heavy_ball", (_beta("β", beta),)),))


def nesterov(beta: float) -> Rule:
    """Nesterov momentum: v ← βv + u, u ← u + βv. Threshold (2 + 2β)/((1 + 2β)η).

    >>> nesterov(0.5).threshold_factor
    1.5
    """
    return Rule((Transform("nesterov", (_beta("β", beta),)),))


def rmsprop(beta2: float = 0.99, eps: float = 1e-8) -> Rule:
    """RMSProp: s ← β₂s + (1 − β₂)u², u ← u/(√s + ε); reports λ_max(P⁻¹∇²L), threshold 2/η.

    >>> rmsprop(0.99, 1e-8).preconditioned
    True
    """
    return Rule((Transform("rmsprop", (_beta("β₂", beta2), _positive("ε", eps))),))


def adam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Rule:
    """Adam with bias correction; reports λ_max(P⁻¹∇²L), threshold (2 + 2β₁)/((1 − β₁)η).

    >>> round(adam().threshold(1e-3), 6)
    38000.0
    """
    return Rule((Transform("adam", (_beta("β₁", beta1), _beta("β₂", beta2),
                                    _positive("ε", eps))),))


def project(**constraints) -> Rule:
    """Projection after every step onto a box of coordinate equalities and bounds.

    Each keyword names a parameter; its value is a number or text (an equality), text
    ``"<= expr"``, ``">= expr"`` or ``"== expr"``, or a pair ``(lo, hi)``; ``expr`` may use
    ``eta`` and the model's hyper-parameters (parsed safely).

    >>> r = project(w1=0, a="<= sqrt(2/eta)")
    >>> lo, hi = r.compile(("a", "w1", "w2"), ()).box([4.0], [[]])
    >>> hi.tolist(), float(lo[0, 1])
    ([[0.7071067811865476, 0.0, inf]], 0.0)
    """
    if not constraints:
        raise InvalidInputError("project() needs at least one constraint, e.g. w1=0")
    parts = []
    for name, value in constraints.items():
        if isinstance(value, tuple | list):
            if len(value) != 2:
                raise InvalidInputError(f"project({name}=...): a pair (lo, hi) expected")
            parts += [(name, ">=", _text(value[0])), (name, "<=", _text(value[1]))]
            continue
        text = _text(value).strip()
        for relation in ("<=", ">=", "=="):
            if text.startswith(relation):
                parts.append((name, relation, text[2:].strip()))
                break
        else:
            if text.startswith(("<", ">")):
                raise InvalidInputError(f"project({name}={value!r}): use <= or >= (closed sets)")
            parts.append((name, "==", text.lstrip("=").strip()))
    return Rule((Transform("project", (), tuple(parts)),))


def _text(value) -> str:
    if isinstance(value, str):
        return value
    value = float(value)
    if not math.isfinite(value):
        raise InvalidInputError(f"a projection bound must be finite, got {value}")
    return repr(value)


def check_rule(rule) -> Rule:
    """``rule`` itself if it is a :class:`Rule`; a clear error otherwise."""
    if not isinstance(rule, Rule):
        raise InvalidInputError(f"rule= takes an eos.rules rule (clip, project, heavy_ball, ...), "
                                f"got {type(rule).__name__}")
    return rule


__all__ = ["CompiledRule", "NumpyRule", "PreconditionedOperator", "Rule", "Transform", "adam",
           "chain", "clip", "heavy_ball", "nesterov", "project", "rmsprop"]


class NumpyRule:
    """The rule in NumPy for a flat parameter vector without names (networks).

    The same formulas as the compiled loop, in plain NumPy arithmetic (no fma). Only the
    transforms that need no parameter names: heavy_ball, nesterov, rmsprop, adam.

    >>> r = NumpyRule(heavy_ball(0.5), size=1)
    >>> [float(r.update(np.array([1.0]), t)[0]) for t in range(3)]
    [1.0, 1.5, 1.75]
    """

    def __init__(self, rule: Rule, size: int, dtype=np.float64):
        rule = check_rule(rule)
        named = [t.kind for t in rule.transforms if t.kind in ("clip", "project")]
        if named:
            raise InvalidInputError(f"{named[0]}() names a model's parameters; a network's rule "
                                    "may use heavy_ball, nesterov, rmsprop and adam")
        self.rule = rule
        self.mom = np.zeros(size, dtype=dtype)
        self.sec = np.zeros(size, dtype=dtype)
        self.pre = np.ones(size, dtype=dtype)

    def update(self, g: np.ndarray, t: int) -> np.ndarray:
        """The update u_t for gradient g at step t (0-based); advances the state."""
        u = g
        for tr in self.rule.transforms:
            if tr.kind == "heavy_ball":
                self.mom = tr.coef[0] * self.mom + u
                u = self.mom
            elif tr.kind == "nesterov":
                self.mom = tr.coef[0] * self.mom + u
                u = u + tr.coef[0] * self.mom
            elif tr.kind == "rmsprop":
                beta2, eps = tr.coef
                self.sec = beta2 * self.sec + (1.0 - beta2) * (u * u)
                self.pre = np.sqrt(self.sec) + eps
                u = u / self.pre
            elif tr.kind == "adam":
                beta1, beta2, eps = tr.coef
                self.mom = beta1 * self.mom + (1.0 - beta1) * u
                self.sec = beta2 * self.sec + (1.0 - beta2) * (u * u)
                self.pre = np.sqrt(self.sec / (1.0 - beta2 ** (t + 1))) + eps
                u = (self.mom / (1.0 - beta1 ** (t + 1))) / self.pre
        return u


class PreconditionedOperator:
    """P^{-1/2} A P^{-1/2} for a symmetric operator A and a positive diagonal P: its spectrum
    is that of P⁻¹A (the operator protocol of :mod:`eosmath.nn.eigen`)."""

    def __init__(self, operator, pre):
        self.operator, self.scale = operator, 1.0 / np.sqrt(np.asarray(pre))
        self.size, self.dtype = operator.size, operator.dtype

    def matvec(self, v):
        return self.scale * self.operator.matvec(self.scale * v)
