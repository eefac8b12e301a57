"""Compiled (Numba) kernels of a model, with input checks in front of them.

>>> import numpy as np, eosmath as eos
>>> k = eos.models.get("product", ell="logcosh").compile()
>>> float(k.sharpness(np.array([0.0, 2.0])))     # sharpness on the y-axis is ℓ''(0)·y² = 4
4.0
>>> k.gd_step(np.array([0.5, 2.0]), eta=0.1).round(6)
array([0.347681, 1.96192 ])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eosmath.errors import InvalidInputError
from eosmath.kernels.codegen import generate_source, templates_hash


@dataclass(frozen=True)
class CompiledModel:
    """Numba kernels of one model. ``module`` exposes the raw ``@njit`` functions.

    Raw kernels take (θ, h) with ``h`` the hyper-parameter values; the methods here check θ
    and fill in ``h`` from the model (override with ``hyper=``). float32 θ gives float32
    results; everything else is computed in float64.
    """

    model_name: str
    key: str
    dim: int
    hyper_default: np.ndarray
    module: object

    def _prepare(self, theta, hyper):
        theta = np.asarray(theta)
        if theta.dtype not in (np.float32, np.float64):
            theta = theta.astype(np.float64)
        if theta.shape != (self.dim,):
            raise InvalidInputError(
                f"θ for {self.model_name!r} must have shape ({self.dim},), got {theta.shape}")
        h = self.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
        if h.shape != self.hyper_default.shape:
            raise InvalidInputError(
                f"expected {self.hyper_default.size} hyper-parameter values, got {h.size}")
        return np.ascontiguousarray(theta), h

    def loss(self, theta, hyper=None):
        theta, h = self._prepare(theta, hyper)
        return theta.dtype.type(self.module.loss(theta, h))

    def grad(self, theta, hyper=None) -> np.ndarray:
        return self.module.grad(*self._prepare(theta, hyper))

    def hessian(self, theta, hyper=None) -> np.ndarray:
        return self.module.hessian(*self._prepare(theta, hyper))

    def sharpness(self, theta, hyper=None):
        theta, h = self._prepare(theta, hyper)
        return theta.dtype.type(self.module.sharpness(theta, h))

    def gd_step(self, theta, eta: float, hyper=None) -> np.ndarray:
        theta, h = self._prepare(theta, hyper)
        return self.module.gd_step(theta, theta.dtype.type(eta), h)

    def grad_many(self, points, hyper=None) -> np.ndarray:
        """Gradients at an (N, dim) array of points, in parallel."""
        points = np.ascontiguousarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != self.dim:
            raise InvalidInputError(f"points must have shape (N, {self.dim}), got {points.shape}")
        _, h = self._prepare(points[0] if len(points) else np.zeros(self.dim), hyper)
        out = np.empty_like(points)
        self.module.grad_many(points, h, out)
        return out


def kernel_key(model, reducers=()) -> str:
    """Cache key of the kernel module of ``model`` with user ``reducers`` ((op, expression))."""
    import hashlib

    # every template must be registered before the key is taken, whatever was imported so far
    import eosmath.dynamics.kernel_template  # noqa: F401
    import eosmath.dynamics.rule_kernel  # noqa: F401

    key = f"{model.structure_hash()}_{templates_hash()}"
    if reducers:
        text = repr([(op, str(e)) for op, e in reducers])
        key += "_r" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return key


def compile_model(model, cache: bool = True, reducers=()) -> CompiledModel:
    """Generate (or reuse) the kernel module of ``model`` and load it.

    The source is derived from SymPy only when the cached file is missing, so a warm start
    skips both symbolic differentiation and Numba compilation. ``cache=False`` regenerates the
    file (Numba then recompiles on first call). ``reducers`` (``(op, expression)`` pairs) adds
    user statistics to the GD loop: another module, with its own key.
    """
    from eosmath.kernels import cache as disk

    key = kernel_key(model, reducers)
    path = disk.module_path(key)
    if not cache or not path.exists():
        from eosmath.progress import notice_if_slow

        with notice_if_slow(f"compiling the kernels of model '{model.name}' (derivatives, "
                            "code generation; once, cached afterwards) ..."):
            # No code is generated from a rewrite not proven equal to the plain derivative.
            proof = model.rewrite_proof()
            source = generate_source(model, key, reducers)
        kinds = ", ".join(f"{label}: {kind}" for label, kind in proof.entries)
        disk.write_module(key, source + f"\n# rewrite proof: {kinds}\n")
    module = disk.load_module(key)
    return CompiledModel(model.name, key, model.dim, model.hyper_values, module)
