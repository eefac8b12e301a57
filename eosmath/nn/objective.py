"""The training objective L(θ) of a network on a data set: value, gradient, Hessian-vector
products by central differences of gradients, accuracy.

>>> from eosmath import nn
>>> data = nn.datasets.chebyshev(degree=3, n=20)
>>> net = nn.MLP([1, 100, 1], activation="tanh", bias=[True, False])
>>> obj = nn.Objective(net, data, loss="mse")
>>> theta = net.init(seed=0, scheme="chebyshev")
>>> round(float(obj.value(theta)), 5)
0.29255
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from eosmath.errors import InvalidInputError
from eosmath.nn._elementwise import elementwise_for
from eosmath.nn.autodiff import Workspace, forward, value_and_grad_batch
from eosmath.nn.losses import Loss, get_loss, normalise_targets
from eosmath.nn.mlp import MLP


def _norm(x) -> float:
    """‖x‖₂ in float64 without BLAS. A threaded BLAS call (np.linalg.norm of a long vector)
    leaves OpenBLAS's worker threads spinning for a while, and they then steal cores from
    the gradient's work units that run next: measured 1.6–2.7× slower HVPs on 2 cores."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.sum(x * x)))


class KinkWarning(RuntimeWarning):
    """A ReLU pre-activation changed sign inside a finite-difference stencil: the HVP mixes
    two linear regions and its error is O(1), not O(ε²)."""


@dataclass(frozen=True)
class HVPResult:
    """A finite-difference Hessian-vector product with its diagnostics.

    ``error_estimate`` estimates ‖value − Hv‖₂ (absolute) from the spread between stencils of
    different widths (it contains both truncation and rounding); ``eps`` is the step along v
    (the stencil points are θ ± eps·v); ``kink_warning`` is True when a kinked activation's
    pre-activation changed sign inside the stencil.
    """

    value: np.ndarray
    error_estimate: float
    eps: float
    richardson: bool
    kink_warning: bool

    @property
    def relative_error_estimate(self) -> float:
        norm = _norm(self.value)
        return self.error_estimate / norm if norm > 0 else float("inf")


def default_eps(theta, v, richardson: bool = False) -> float:
    """Step ε = u^(1/3)·max(1, ‖θ‖)/‖v‖ (u^(1/5) with Richardson), u = unit roundoff of θ's dtype.

    >>> f"{default_eps(np.zeros(3), np.ones(3) / np.sqrt(3)):.2e}"
    '4.81e-06'
    """
    dtype = np.asarray(theta).dtype
    u = float(np.finfo(dtype).eps) / 2
    power = 1 / 5 if richardson else 1 / 3
    theta_norm = _norm(theta)
    v_norm = _norm(v)
    if v_norm == 0:
        return 0.0
    return u ** power * max(1.0, theta_norm) / v_norm


class Objective:
    """L(θ) of ``net`` on ``data`` (a :class:`~eosmath.nn.datasets.Dataset` or a tuple (X, Y)).

    The number type follows θ: float32 θ gives float32 values and gradients, float64 gives
    float64, an object array of mpmath.mpf evaluates in mpmath at the current ``mp.dps``.
    """

    def __init__(self, net: MLP, data, loss: str | Loss = "mse"):
        if not isinstance(net, MLP):
            raise InvalidInputError(f"net must be an eosmath.nn.MLP, got {type(net).__name__}")
        X, Y = (data.X, data.Y) if hasattr(data, "X") else data
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1 and net.n_inputs == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] != net.n_inputs:
            raise InvalidInputError(
                f"inputs X have shape {X.shape}; {net!r} expects (n, {net.n_inputs})")
        if not np.all(np.isfinite(X)):
            raise InvalidInputError("inputs X contain NaN or inf")
        self.net = net
        self.loss = get_loss(loss)
        Y = normalise_targets(Y, self.loss, net.n_outputs)
        if Y.shape[0] != X.shape[0]:
            raise InvalidInputError(f"X has {X.shape[0]} examples but Y has {Y.shape[0]}")
        self.X, self.Y = X, Y
        self.name = getattr(data, "name", "arrays")
        self._cast = {}
        self._workspaces = {}

    @property
    def n_examples(self) -> int:
        return self.X.shape[0]

    @property
    def n_params(self) -> int:
        return self.net.n_params

    def __repr__(self) -> str:
        return (f"Objective({self.net!r}, data={self.name!r}, n={self.n_examples}, "
                f"loss={self.loss.name!r})")

    # -- evaluation -------------------------------------------------------------------------
    def _prepare(self, theta):
        theta = self.net.check_theta(theta)
        if theta.dtype.kind in "iub":
            theta = theta.astype(np.float64)
        return theta, elementwise_for(theta.dtype)

    def _data(self, ew):
        key = ew.name
        if key not in self._cast or ew.dtype == object:
            self._cast[key] = (ew.asarray(self.X), ew.asarray(self.Y))
        return self._cast[key]

    def _workspace(self, ew, batch):
        if ew.dtype == object:  # object buffers are cheap to rebuild and precision may change
            return Workspace(self.net, self.n_examples, batch, ew)
        key = (ew.name, batch)
        if key not in self._workspaces:
            self._workspaces[key] = Workspace(self.net, self.n_examples, batch, ew)
        return self._workspaces[key]

    def _batch(self, thetas, ew, detect_kinks=False):
        X, Y = self._data(ew)
        ws = self._workspace(ew, thetas.shape[0])
        if thetas is not ws.thetas:
            ws.thetas[...] = thetas
        return value_and_grad_batch(self.net, self.loss, X, Y, ws.thetas, ws, detect_kinks)

    def value_and_grad(self, theta):
        """(L(θ), ∇L(θ)) in θ's number type."""
        theta, ew = self._prepare(theta)
        values, grads, _ = self._batch(theta[None, :], ew)
        return values[0], grads[0].copy()

    def value(self, theta):
        """L(θ) (mse = 1/(2n)·Σ‖f − y‖²)."""
        theta, ew = self._prepare(theta)
        X, Y = self._data(ew)
        ws = self._workspace(ew, 1)
        ws.thetas[0] = theta
        outputs, _ = forward(self.net, X, ws.thetas, ws)
        residual = ew.empty(outputs.shape)
        return self.loss.value_and_output_grad(outputs, Y, residual, ew)[0]

    def grad(self, theta):
        """∇L(θ) as a flat vector in θ's number type."""
        return self.value_and_grad(theta)[1]

    def outputs(self, theta):
        """Network outputs f(x_k), shape (n, n_outputs)."""
        theta, ew = self._prepare(theta)
        X, _ = self._data(ew)
        ws = self._workspace(ew, 1)
        ws.thetas[0] = theta
        return forward(self.net, X, ws.thetas, ws)[0][0].copy()

    def accuracy(self, theta) -> float | None:
        """Fraction classified correctly, or None when the task is regression.

        Several outputs: argmax f == argmax y (Cohen's rule for one-hot MSE and cross-entropy).
        One output: sign f == sign y, meaningful when the targets are ±1 (logistic always).
        """
        Y = self.Y
        if Y.shape[1] == 1 and not np.all(np.isin(Y, (-1.0, 1.0))):
            return None
        F = np.asarray(self.outputs(theta), dtype=np.float64)
        if Y.shape[1] > 1:
            return float(np.mean(np.argmax(F, axis=1) == np.argmax(Y, axis=1)))
        return float(np.mean(np.sign(F[:, 0]) == Y[:, 0]))

    # -- Hessian-vector products ------------------------------------------------------------
    def _differences(self, theta, v, steps, ew):
        """Central differences D(ε) for each ε in ``steps`` from one batched gradient pass."""
        batch = 2 * len(steps)
        ws = self._workspace(ew, batch)
        for j, eps in enumerate(steps):
            shift = v * ws.ew.asarray(eps)[()] if ew.dtype == object else v * ew.dtype.type(eps)
            np.add(theta, shift, out=ws.thetas[2 * j])
            np.subtract(theta, shift, out=ws.thetas[2 * j + 1])
        _, grads, kinks = self._batch(ws.thetas, ew, detect_kinks=True)
        diffs = [(grads[2 * j] - grads[2 * j + 1]) / (2 * eps) if ew.dtype == object
                 else (grads[2 * j] - grads[2 * j + 1]) * ew.dtype.type(0.5 / eps)
                 for j, eps in enumerate(steps)]
        return diffs, kinks

    def _check_direction(self, theta, v):
        v = np.asarray(v)
        if v.shape != theta.shape:
            raise InvalidInputError(f"v has shape {v.shape}; θ has shape {theta.shape}")
        if v.dtype != object and not np.all(np.isfinite(v)):
            raise InvalidInputError("v contains NaN or inf")
        return v.astype(theta.dtype) if v.dtype != theta.dtype else v

    def hvp(self, theta, v, eps: float | None = None, richardson: bool = False):
        """∇²L(θ)·v by a central difference of gradients (one batched gradient pass).

        Default step: :func:`default_eps`. ``richardson=True`` returns (4D(ε/2) − D(ε))/3,
        removing the ε² term. Warns :class:`KinkWarning` when a ReLU pre-activation changes
        sign inside the stencil.
        """
        theta, ew = self._prepare(theta)
        v = self._check_direction(theta, v)
        if eps is None:
            eps = default_eps(theta, v, richardson) if ew.dtype != object else 1e-20
        if eps == 0:
            return ew.zeros(theta.shape)
        steps = (eps, eps / 2) if richardson else (eps,)
        diffs, kinks = self._differences(theta, v, steps, ew)
        self._warn_kinks(kinks, eps)
        if richardson:
            return (4 * diffs[1] - diffs[0]) / 3
        return diffs[0]

    def hvp_with_error(self, theta, v, eps: float | None = None,
                       richardson: bool = False) -> HVPResult:
        """:meth:`hvp` plus an error estimate from a stencil twice as wide.

        Plain: D(ε) with estimate 2‖D(2ε) − D(ε)‖ (the spread is ≈ 3× the ε² truncation
        plus the rounding noise of both). Richardson: R(ε) with estimate 2‖R(2ε) − R(ε)‖.
        Costs one batched
        gradient pass with 4 (plain) or 6 (Richardson) parameter sets.
        """
        theta, ew = self._prepare(theta)
        v = self._check_direction(theta, v)
        if eps is None:
            eps = default_eps(theta, v, richardson) if ew.dtype != object else 1e-20
        if eps == 0:
            return HVPResult(ew.zeros(theta.shape), 0.0, 0.0, richardson, False)
        steps = (2 * eps, eps, eps / 2) if richardson else (2 * eps, eps)
        diffs, kinks = self._differences(theta, v, steps, ew)
        self._warn_kinks(kinks, eps)
        if richardson:
            wide = (4 * diffs[1] - diffs[0]) / 3
            value = (4 * diffs[2] - diffs[1]) / 3
        else:
            wide, value = diffs
        spread = np.asarray(wide - value, dtype=np.float64)
        u = ew.unit_roundoff if ew.dtype != object else 0.0
        # factor 2: when rounding dominates, the spread is only ~1.1x the noise of `value`
        estimate = 2 * _norm(spread) + 4 * u * _norm(value)
        return HVPResult(value, estimate, float(eps), richardson, bool(kinks))

    def _warn_kinks(self, kinks: bool, eps: float) -> None:
        if kinks:
            warnings.warn(
                f"a {self.net.activation.name} pre-activation changes sign between θ − εv and "
                f"θ + εv (ε = {eps:.3g}): the finite-difference HVP mixes two linear regions; "
                "use a smaller eps", KinkWarning, stacklevel=3)
