"""The Model: one SymPy definition of a loss from which everything else is derived.

>>> import eosmath as eos
>>> m = eos.Model.from_string("log(cosh(x*y))", params="x y")
>>> m.gradient().T
Matrix([[y*tanh(x*y), x*tanh(x*y)]])
>>> m.gd_map().T
Matrix([[-eta*y*tanh(x*y) + x, -eta*x*tanh(x*y) + y]])
>>> m.conserved_quantities()
(x**2 - y**2,)
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from eosmath.errors import InvalidInputError, ModelSyntaxError, UnknownModelError
from eosmath.symbolic.invariant import Subspace, invariant_subspaces
from eosmath.symbolic.model_file import read_model_file
from eosmath.symbolic.parsing import parse_expression, parse_names
from eosmath.symbolic.stable import prove_equal, stabilize, unstabilize

ETA = sp.Symbol("eta", positive=True)
"""The step size η of gradient descent, as it appears in :meth:`Model.gd_map`."""


def _symbol(name: str) -> sp.Symbol:
    # One convention for every symbol a model creates, so that models built from text and from
    # the catalog compare equal.
    return sp.Symbol(name, real=True)


@dataclass(frozen=True)
class FixedPoint:
    """A set of critical points of L (a point, or a manifold where some parameters stay free).

    ``point`` maps solved parameters to expressions; parameters not in it are free.
    ``hessian_eigenvalues`` are evaluated on the set; GD with step η is linearly stable there
    iff 0 ≤ η·λ < 2 for every eigenvalue λ (a zero eigenvalue along the set is neutral).
    """

    point: dict
    hessian_eigenvalues: tuple | None
    sharpness: sp.Expr | None

    @property
    def is_saddle(self) -> bool:
        """True when some Hessian eigenvalue is provably negative: then I − η∇²L has an
        eigenvalue 1 − ηλ > 1 for every η > 0 and no step size makes GD stable here."""
        return any(sp.sympify(e).is_negative for e in self.hessian_eigenvalues or ())

    @property
    def stability_condition(self):
        """η·S < 2, the condition for GD to be linearly stable on this set (S its sharpness);
        ``sympy.false`` at a saddle, where no η is stable; None without a closed-form S.

        >>> import eosmath as eos
        >>> [str(fp.stability_condition) for fp in
        ...  eos.Model.from_string("x**2 - y**2", "x y").fixed_points()]
        ['False']
        """
        if self.is_saddle:
            return sp.false
        if self.sharpness is None:
            return None
        return sp.Lt(ETA * self.sharpness, 2)

    def describe_stability(self) -> str:
        """The stability condition in words, e.g. ``"η·(2) < 2"`` or, at a saddle,
        ``"unstable for every η (saddle)"``."""
        if self.is_saddle:
            return "unstable for every η (saddle)"
        if self.sharpness is None:
            return "no closed-form sharpness"
        return f"η·({sp.sstr(self.sharpness)}) < 2"


@dataclass(frozen=True)
class RewriteProof:
    """How each derived expression was shown equal to SymPy's plain derivative of the loss."""

    entries: tuple = field(default_factory=tuple)  # (label, "symbolic" | "numeric")

    @property
    def all_symbolic(self) -> bool:
        return all(kind == "symbolic" for _, kind in self.entries)


class Model:
    """A loss L(θ) with parameters θ and named hyper-parameters with default values.

    Parameters
    ----------
    loss : the SymPy expression of L, in the paper's own form (it is kept for display).
    params : the parameter symbols θ, in order.
    hyper : hyper-parameter symbol (or name) → numerical value. Hyper-parameters stay symbolic
        in derivations and become runtime arguments of the compiled kernels.
    name, source, description, hyper_doc : documentation carried into reports.
    gf_limit : optional callable ``(theta0, hyper) -> theta_inf`` (``hyper`` a dict name → value)
        giving the closed-form limit of gradient flow, when the theory knows it.
    meta : facts the theory uses (e.g. ℓ''(0) and β of a product loss).

    Derived objects are computed from a numerically stable rewrite of ``loss``
    (see :mod:`eosmath.symbolic.stable`), and cached.
    """

    def __init__(self, loss, params, hyper: Mapping | None = None, *, name: str = "model",
                 source: str = "", description: str = "", hyper_doc: Mapping | None = None,
                 gf_limit: Callable | None = None, meta: Mapping | None = None):
        self.params: tuple[sp.Symbol, ...] = tuple(params)
        if not self.params:
            raise ModelSyntaxError("a model needs at least one parameter")
        hyper = dict(hyper or {})
        self.hyper: dict[sp.Symbol, float] = {
            (_symbol(k) if isinstance(k, str) else k): v for k, v in hyper.items()}
        self.loss: sp.Expr = sp.sympify(loss)
        self.name = name
        self.source = source
        self.description = description
        self.hyper_doc = dict(hyper_doc or {})
        self.gf_limit = gf_limit
        self.meta = dict(meta or {})
        known = set(self.params) | set(self.hyper)
        unknown = self.loss.free_symbols - known
        if unknown:
            raise ModelSyntaxError(
                f"loss uses symbols that are neither parameters nor hyper-parameters: "
                f"{sorted(map(str, unknown))}")
        self.stable_loss: sp.Expr = stabilize(self.loss)

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_string(cls, text: str, params, hyper: Mapping | None = None, **meta) -> Model:
        """Parse ``text`` safely (see :mod:`eosmath.symbolic.parsing`) into a model.

        >>> Model.from_string("a/2*x**2", params="x", hyper={"a": 4.0}).hessian()
        Matrix([[a]])
        """
        names = parse_names(params)
        hyper = dict(hyper or {})
        for h in hyper:
            parse_names([h])
        overlap = set(names) & set(hyper)
        if overlap:
            raise ModelSyntaxError(f"names are both parameters and hyper-parameters: {overlap}")
        symbols = {n: _symbol(n) for n in (*names, *hyper)}
        loss = parse_expression(text, symbols)
        values = {symbols[h]: float(v) for h, v in hyper.items()}
        meta.setdefault("name", "user_model")
        meta.setdefault("source", f"user text: {text}")
        return cls(loss, tuple(symbols[n] for n in names), values, **meta)

    @classmethod
    def from_file(cls, path) -> Model:
        """Load a user model from a TOML file (see :mod:`eosmath.symbolic.model_file`)."""
        return cls.from_string(**read_model_file(path))

    def with_hyper(self, **values) -> Model:
        """The same model with some hyper-parameter values replaced."""
        names = {str(s): s for s in self.hyper}
        new = dict(self.hyper)
        for k, v in values.items():
            if k not in names:
                raise UnknownModelError(
                    f"model {self.name!r} has no hyper-parameter {k!r}; it has {sorted(names)}")
            new[names[k]] = float(v)
        return Model(self.loss, self.params, new, name=self.name, source=self.source,
                     description=self.description, hyper_doc=self.hyper_doc,
                     gf_limit=self.gf_limit, meta=self.meta)

    # ----------------------------------------------------------------- identity
    @property
    def dim(self) -> int:
        return len(self.params)

    @property
    def hyper_names(self) -> tuple[str, ...]:
        return tuple(str(s) for s in self.hyper)

    @property
    def hyper_values(self) -> np.ndarray:
        """Hyper-parameter values in declaration order (the kernels' second argument)."""
        return np.array(list(self.hyper.values()), dtype=np.float64)

    def structure_hash(self) -> str:
        """Hash of the loss and the names of parameters and hyper-parameters (not their values).

        Compiled kernels take hyper-parameter values at run time, so they are keyed by this.
        """
        text = "|".join([sp.srepr(self.stable_loss), ",".join(map(str, self.params)),
                         ",".join(self.hyper_names)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def fingerprint(self) -> str:
        """Hash of the structure *and* the hyper-parameter values (for provenance)."""
        text = self.structure_hash() + repr(sorted((str(k), v) for k, v in self.hyper.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v:g}" for k, v in self.hyper.items())
        return (f"Model({self.name!r}, L = {sp.sstr(self.loss)}, "
                f"params = {self.params}{', ' + hyper if hyper else ''})")

    # ----------------------------------------------------------------- derivatives
    @functools.cache
    def gradient(self) -> sp.Matrix:
        """∇L as a column matrix, in stable form (e.g. tanh, not sinh/cosh)."""
        return sp.Matrix([stabilize(sp.diff(self.stable_loss, p)) for p in self.params])

    @functools.cache
    def hessian(self) -> sp.Matrix:
        """∇²L, symmetric, in stable form."""
        g = self.gradient()
        n = self.dim
        h = sp.zeros(n, n)
        for i in range(n):
            for j in range(i, n):
                h[i, j] = h[j, i] = stabilize(sp.diff(g[i], self.params[j]))
        return h

    @functools.cache
    def derivative(self, order: int):
        """∇^k L: gradient (k=1), Hessian (k=2), or a symmetric SymPy Array for k ≥ 3.

        Use :meth:`contract` for ∇^k L[v, …] contractions.
        """
        if order < 1:
            raise InvalidInputError("derivative order must be ≥ 1")
        if order == 1:
            return self.gradient()
        if order == 2:
            return self.hessian()
        lower = self.derivative(order - 1)
        lower = sp.Array(lower.tolist()) if isinstance(lower, sp.MatrixBase) else lower
        return sp.derive_by_array(lower, self.params).applyfunc(stabilize)

    def contract(self, order: int, *vectors) -> sp.Expr | sp.Matrix:
        """∇^k L[v₁, …, v_m]: contract the last m slots of ∇^k L with the given vectors.

        With m = k − 1 vectors the result is a vector (e.g. ∇³L[u, u], Lemma 2 of Damian et al.);
        with m = k a scalar.
        """
        if len(vectors) > order:
            raise InvalidInputError("more vectors than tensor slots")
        tensor = self.derivative(order)
        tensor = sp.Array(tensor.tolist()) if isinstance(tensor, sp.MatrixBase) else tensor
        if order == 1:
            tensor = sp.Array([tensor[i, 0] for i in range(self.dim)])
        result = tensor
        for v in reversed(vectors):
            v = list(v)
            if len(v) != self.dim:
                raise InvalidInputError(f"vector of length {len(v)} for a {self.dim}-D model")
            result = sp.tensorcontraction(sp.tensorproduct(result, sp.Array(v)),
                                          (result.rank() - 1, result.rank()))
        if isinstance(result, sp.NDimArray) and result.rank() == 1:
            return sp.Matrix(list(result))
        if isinstance(result, sp.NDimArray) and result.rank() == 0:
            return result[()]
        return result

    def gd_map(self) -> sp.Matrix:
        """F_η(θ) = θ − η∇L(θ), with η the symbol ``eta``."""
        return sp.Matrix(self.params) - ETA * self.gradient()

    def jacobian(self) -> sp.Matrix:
        """DF_η = I − η∇²L, the tangent map of GD."""
        return sp.eye(self.dim) - ETA * self.hessian()

    def two_step_map(self) -> sp.Matrix:
        """F_η∘F_η: its fixed points that are not fixed points of F_η are GD's period-2 orbits."""
        first = self.gd_map()
        return first.subs(dict(zip(self.params, first, strict=True)), simultaneous=True)

    def gradient_flow(self) -> sp.Matrix:
        """The vector field θ̇ = −∇L of gradient flow."""
        return -self.gradient()

    # ----------------------------------------------------------------- spectral facts
    @functools.cache
    def sharpness(self) -> sp.Expr | None:
        """Closed-form largest *algebraic* eigenvalue of ∇²L where SymPy can give one, else None.

        Exact for 1-D and 2-D models and for Hessians that split into blocks of size ≤ 2 (their
        maximum); for a constant Hessian, its numerical largest eigenvalue.
        """
        h = self.hessian()
        blocks = _diagonal_blocks(h)
        tops = []
        for block in blocks:
            sub = h.extract(block, block)
            if len(block) == 1:
                tops.append(sub[0, 0])
            elif len(block) == 2:
                a, b, c = sub[0, 0], sub[0, 1], sub[1, 1]
                tops.append((a + c) / 2 + sp.sqrt(((a - c) / 2) ** 2 + b ** 2))
            elif not sub.free_symbols - set(self.hyper):
                vals = sub.subs(self.hyper).evalf()
                tops.append(sp.Float(max(np.linalg.eigvalsh(np.array(vals, dtype=float)))))
            else:
                return None
        return tops[0] if len(tops) == 1 else sp.Max(*tops)

    @functools.cache
    def fixed_points(self) -> tuple[FixedPoint, ...] | None:
        """Critical points of L (fixed points of every GD map), with their stability data.

        Returns None when SymPy cannot solve ∇L = 0.
        """
        try:
            solutions = sp.solve(list(self.gradient()), self.params, dict=True)
        except (NotImplementedError, ValueError):
            return None
        points, seen = [], set()
        for sol in solutions:
            key = tuple(sorted((str(k), sp.srepr(v)) for k, v in sol.items()))
            if key in seen:
                continue
            seen.add(key)
            if any(not v.is_real and v.is_real is not None for v in sol.values()):
                continue
            h = self.hessian().subs(sol)
            try:
                eig = tuple(sp.simplify(e) for e, mult in h.eigenvals().items()
                            for _ in range(mult))
                top = _max_or_none(eig)
            except Exception:  # eigenvals of a symbolic 3×3 may not exist in closed form
                eig, top = None, None
            points.append(FixedPoint(dict(sol), eig, top))
        return tuple(points)

    @functools.cache
    def conserved_quantities(self, max_degree: int = 4):
        """Polynomial first integrals Q of gradient flow (∇Q·∇L ≡ 0) up to ``max_degree``.

        Each returned Q has been verified: ∇Q·∇L simplifies to 0 (or, where SymPy cannot
        decide, vanishes to 50 digits at random points).
        """
        from eosmath.symbolic.conserved import polynomial_first_integrals

        return polynomial_first_integrals(self, max_degree)

    def invariant_subspaces(self) -> tuple[Subspace, ...]:
        """Coordinate and diagonal subspaces mapped into themselves by every GD map F_η."""
        return invariant_subspaces(self)

    # ----------------------------------------------------------------- proofs
    @functools.cache
    def rewrite_proof(self) -> RewriteProof:
        """Prove every stable gradient/Hessian entry equal to SymPy's plain derivative."""
        raw = unstabilize(self.loss)
        entries = []
        for i, p in enumerate(self.params):
            kind = prove_equal(self.gradient()[i], sp.diff(raw, p))
            entries.append((f"dL/d{p}", kind))
        h = self.hessian()
        for i, p in enumerate(self.params):
            for j in range(i, self.dim):
                q = self.params[j]
                kind = prove_equal(h[i, j], sp.diff(raw, p, q))
                entries.append((f"d2L/d{p}d{q}", kind))
        return RewriteProof(tuple(entries))

    # ----------------------------------------------------------------- numerics
    def check_theta(self, theta) -> np.ndarray:
        """θ as a float array of the right length and finite, or a clear error."""
        arr = np.asarray(theta, dtype=np.result_type(np.asarray(theta).dtype, np.float32))
        if arr.shape != (self.dim,):
            raise InvalidInputError(
                f"θ for model {self.name!r} must have {self.dim} entries "
                f"{tuple(map(str, self.params))}, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise InvalidInputError(f"θ must be finite, got {arr}")
        return arr

    def lambdify(self, backend: str = "numpy"):
        """Loss, gradient and Hessian as plain functions of (θ, hyper) for a backend.

        ``backend`` is "numpy" (float32/float64 arrays) or "mpmath" (any precision).
        See :mod:`eosmath.kernels.backends`.
        """
        from eosmath.kernels.backends import lambdify_model

        return lambdify_model(self, backend)

    def compile(self, cache: bool = True, reducers=()):
        """Numba kernels for loss, gradient, Hessian, sharpness and the GD step.

        Cached on disk by :meth:`structure_hash`: a second process loads them without
        recompiling. See :mod:`eosmath.kernels`.
        """
        from eosmath.kernels.compiled import compile_model

        return compile_model(self, cache=cache, reducers=tuple(reducers))


def _diagonal_blocks(h: sp.Matrix) -> list[list[int]]:
    """Index sets of the connected components of the Hessian's sparsity graph."""
    n = h.shape[0]
    seen, blocks = set(), []
    for start in range(n):
        if start in seen:
            continue
        stack, block = [start], []
        seen.add(start)
        while stack:
            i = stack.pop()
            block.append(i)
            for j in range(n):
                if j not in seen and h[i, j] != 0:
                    seen.add(j)
                    stack.append(j)
        blocks.append(sorted(block))
    return blocks


def _max_or_none(values):
    if not values:
        return None
    try:
        return sp.Max(*values)
    except (TypeError, ValueError):
        return None
