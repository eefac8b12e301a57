"""The same derived expressions as plain NumPy or mpmath functions.

>>> import numpy as np, eosmath as eos
>>> f = eos.models.get("quadratic", a=4.0).lambdify("numpy")
>>> f.grad(np.array([0.5]))
array([2.])
>>> g = eos.models.get("quadratic", a=4.0).lambdify("mpmath")
>>> g.grad(["0.5"])[0]
mpf('2.0')
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from eosmath.errors import InvalidInputError

BACKENDS = ("numpy", "mpmath")


@dataclass(frozen=True)
class ModelFunctions:
    """Loss, gradient and Hessian of one model for one backend.

    Each takes θ (length-n vector, or for NumPy an (n, …) array of points) and optionally the
    hyper-parameter values (defaults: the model's). NumPy results keep θ's float dtype;
    mpmath results are mpf at the current ``mpmath.mp.dps``.
    """

    backend: str
    dim: int
    hyper_default: tuple
    _loss: object
    _grad: object
    _hess: object

    def _args(self, theta, hyper):
        hyper = self.hyper_default if hyper is None else tuple(hyper)
        if len(hyper) != len(self.hyper_default):
            raise InvalidInputError(
                f"expected {len(self.hyper_default)} hyper-parameter values, got {len(hyper)}")
        if self.backend == "mpmath":
            theta = [mpmath.mpf(t) for t in theta]
            hyper = [mpmath.mpf(h) for h in hyper]
        else:
            theta = np.asarray(theta)
            if not np.issubdtype(theta.dtype, np.floating):
                theta = theta.astype(np.float64)
        if len(theta) != self.dim:
            raise InvalidInputError(f"θ must have {self.dim} entries, got {len(theta)}")
        return theta, (*theta, *hyper)

    def loss(self, theta, hyper=None):
        theta, args = self._args(theta, hyper)
        value = self._loss(*args)
        return value if self.backend == "mpmath" else _as_dtype(value, theta)

    def grad(self, theta, hyper=None):
        theta, args = self._args(theta, hyper)
        values = self._grad(*args)
        if self.backend == "mpmath":
            return mpmath.matrix(values)
        return np.stack([_as_dtype(v, theta) for v in values])

    def hessian(self, theta, hyper=None):
        theta, args = self._args(theta, hyper)
        upper = self._hess(*args)
        n = self.dim
        if self.backend == "mpmath":
            h = mpmath.matrix(n, n)
        else:
            shape = np.shape(theta)[1:]
            h = np.empty((n, n, *shape), dtype=theta.dtype)
        k = 0
        for i in range(n):
            for j in range(i, n):
                h[i, j] = upper[k] if self.backend == "mpmath" else _as_dtype(upper[k], theta)
                h[j, i] = h[i, j]
                k += 1
        return h


def _as_dtype(value, theta: np.ndarray) -> np.ndarray:
    # Constant entries come back as Python scalars: broadcast them to the batch shape.
    return np.broadcast_to(np.asarray(value, dtype=theta.dtype), np.shape(theta)[1:]).copy()


def lambdify_model(model, backend: str = "numpy") -> ModelFunctions:
    """Build :class:`ModelFunctions` for ``backend`` ("numpy" or "mpmath") with ``cse=True``."""
    if backend not in BACKENDS:
        raise InvalidInputError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
    args = (*model.params, *model.hyper)
    h = model.hessian()
    upper = [h[i, j] for i in range(model.dim) for j in range(i, model.dim)]
    make = lambda e: sp.lambdify(args, e, modules=backend, cse=True)  # noqa: E731
    return ModelFunctions(backend, model.dim, tuple(model.hyper.values()),
                          make(model.stable_loss), make(list(model.gradient())), make(upper))
