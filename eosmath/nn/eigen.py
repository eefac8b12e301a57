"""Extreme Hessian eigenpairs by Lanczos or LOBPCG: the largest *algebraic* ones (the
sharpness convention) by default, the smallest (most negative) with ``which="SA"``.

Anything with ``matvec(v)``, ``size`` and ``dtype`` is an operator; an :class:`Objective`
together with θ becomes one through :class:`HessianOperator`.

>>> import numpy as np
>>> eig = top_eigenpairs(MatrixOperator(np.diag([-10.0, 5.0, 1.0, 0.5])), k=1)
>>> round(float(eig.eigenvalues[0]), 12)
5.0
>>> low = top_eigenpairs(MatrixOperator(np.diag([-10.0, 5.0, 1.0, 0.5])), k=2, which="SA")
>>> low.eigenvalues.round(12).tolist()          # ascending: most negative first
[-10.0, 0.5]
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh, lobpcg

from eosmath.errors import InvalidInputError


@runtime_checkable
class Operator(Protocol):
    """A symmetric linear map R^size → R^size."""

    size: int
    dtype: np.dtype

    def matvec(self, v: np.ndarray) -> np.ndarray: ...


class MatrixOperator:
    """An explicit symmetric matrix as an :class:`Operator` (tests, small problems)."""

    def __init__(self, matrix):
        matrix = np.asarray(matrix)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise InvalidInputError(f"need a square matrix, got shape {matrix.shape}")
        self.matrix = matrix
        self.size = matrix.shape[0]
        self.dtype = matrix.dtype

    def matvec(self, v):
        return self.matrix @ v


class HessianOperator:
    """v ↦ ∇²L(θ)v of an :class:`~eosmath.nn.Objective` by finite differences."""

    def __init__(self, objective, theta, eps: float | None = None, richardson: bool = False):
        self.objective = objective
        self.theta = objective.net.check_theta(theta)
        self.size = self.theta.shape[0]
        self.dtype = self.theta.dtype
        self.eps = eps
        self.richardson = richardson

    def matvec(self, v):
        return self.objective.hvp(self.theta, v, eps=self.eps, richardson=self.richardson)


class NegativeLargestMagnitudeWarning(RuntimeWarning):
    """which='LM' returned a negative eigenvalue: it is not the sharpness."""


WHICH = ("LA", "SA", "LM")


@dataclass(frozen=True)
class EigenResult:
    """Eigenvalues (descending for ``which`` LA and LM; ascending, most negative first, for
    SA), eigenvectors as columns, residual norms ‖Hq − λq‖ computed with the same operator,
    the number of operator applications (including the residual check), a converged flag,
    the method used and which end of the spectrum was asked for."""

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    residual_norms: np.ndarray
    matvecs: int
    converged: bool
    method: str
    which: str = "LA"

    @property
    def sharpness(self) -> float:
        """λ_max; only a which="LA" (or "LM") result holds it."""
        if self.which == "SA":
            raise InvalidInputError("this result holds the smallest eigenvalues (which='SA'); "
                                    "the sharpness needs which='LA'")
        return float(self.eigenvalues[0])


def as_operator(obj_or_operator, theta=None, eps=None, richardson=False):
    """An Objective (with θ) or anything with ``matvec``/``size``/``dtype``."""
    if hasattr(obj_or_operator, "hvp"):
        if theta is None:
            raise InvalidInputError("top_eigenpairs(objective, theta): θ is required")
        return HessianOperator(obj_or_operator, theta, eps=eps, richardson=richardson)
    if isinstance(obj_or_operator, np.ndarray):
        return MatrixOperator(obj_or_operator)
    if isinstance(obj_or_operator, Operator):
        return obj_or_operator
    raise InvalidInputError(
        f"expected an Objective or an operator with matvec/size/dtype, got {type(obj_or_operator)}")


def top_eigenpairs(obj_or_operator, theta=None, k: int = 5, method: str = "lanczos",
                   v0=None, tol: float = 1e-10, which: str = "LA", maxiter: int | None = None,
                   eps: float | None = None, richardson: bool = False,
                   seed: int = 0) -> EigenResult:
    """The k extreme eigenpairs of a symmetric operator (the Hessian at θ).

    ``which="LA"`` (default): the k largest algebraic eigenvalues, descending (the sharpness
    first). ``which="SA"``: the k smallest algebraic, ascending (the most negative first).
    ``which="LM"`` (largest magnitude, only for Lanczos) is allowed for comparison with other
    codes and warns when it returns a negative eigenvalue.
    ``method="lanczos"``: scipy ``eigsh`` on a LinearOperator; ``v0`` a start vector (or a
    block whose first column is used). ``method="lobpcg"``: scipy ``lobpcg``; ``v0`` a
    (size, k) warm-start block (e.g. the previous eigenvectors).
    """
    op = as_operator(obj_or_operator, theta, eps=eps, richardson=richardson)
    size = int(op.size)
    dtype = np.dtype(op.dtype) if np.dtype(op.dtype) != object else np.dtype(np.float64)
    if not 1 <= k < size:
        raise InvalidInputError(f"k must satisfy 1 ≤ k < {size}, got {k}")
    if which not in WHICH:
        raise InvalidInputError(f"which must be one of {WHICH}, got {which!r}")
    count = [0]

    def matvec(v):
        count[0] += 1
        return np.asarray(op.matvec(np.asarray(v, dtype=dtype).ravel()), dtype=dtype)

    linear = LinearOperator((size, size), matvec=matvec, dtype=dtype)
    rng = np.random.default_rng(seed)
    if method == "lanczos":
        start = None if v0 is None else np.asarray(v0, dtype=dtype).reshape(size, -1)[:, 0]
        if start is None:
            start = rng.normal(size=size).astype(dtype)
        try:
            values, vectors = eigsh(linear, k=k, which=which, v0=start, tol=tol, maxiter=maxiter)
            converged = True
        except ArpackNoConvergence as failure:
            values, vectors = failure.eigenvalues, failure.eigenvectors
            converged = False
            if len(values) == 0:
                values, vectors = np.full(k, np.nan), np.full((size, k), np.nan)
    elif method == "lobpcg":
        if which == "LM":
            raise InvalidInputError("lobpcg computes algebraic extremes only: which='LA' or 'SA'")
        block = rng.normal(size=(size, k))
        if v0 is not None:
            given = np.asarray(v0, dtype=np.float64).reshape(size, -1)[:, :k]
            block[:, : given.shape[1]] = given
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # non-convergence is reported below
            values, vectors = lobpcg(linear, block.astype(dtype), largest=which == "LA",
                                     tol=tol, maxiter=maxiter or 200)
        converged = None
    else:
        raise InvalidInputError(f"method must be 'lanczos' or 'lobpcg', got {method!r}")
    order = np.argsort(values) if which == "SA" else np.argsort(values)[::-1]
    values, vectors = np.asarray(values)[order], np.asarray(vectors)[:, order]
    residuals = np.array([np.linalg.norm(matvec(vectors[:, j]) - values[j] * vectors[:, j])
                          for j in range(vectors.shape[1])])
    if converged is None:
        # lobpcg's own flag is not exposed; a residual r bounds the eigenvalue error by
        # r²/gap, so residuals ≤ √tol·max(1, |λ₁|) mean eigenvalues accurate to ~tol
        scale = max(1.0, float(np.max(np.abs(values)))) if len(values) else 1.0
        converged = bool(np.all(residuals <= np.sqrt(tol) * scale))
    if which == "LM" and np.any(values < 0):
        warnings.warn(
            f"eigsh(which='LM') returned negative eigenvalue(s) {values[values < 0]}: the largest "
            "magnitude is not the sharpness; use which='LA'", NegativeLargestMagnitudeWarning,
            stacklevel=2)
    return EigenResult(values, vectors, residuals, count[0], bool(converged), method, which)
