"""Losses over a batch of network outputs F (shape (..., n, out)) and targets Y (n, out).

Each loss returns the mean loss per parameter set and writes dL/dF (already divided by n).

* ``mse``: L = 1/(2n) Σ_k ‖f(x_k) − y_k‖² (Cohen et al.'s and seed 004's convention: squared
  error summed over outputs, halved, averaged over examples).
* ``cross_entropy``: L = −1/n Σ_k Σ_c y_kc log softmax(f(x_k))_c, Y one-hot (or probabilities).
* ``logistic``: binary, scalar output, labels ±1: L = 1/n Σ_k log(1 + exp(−y_k f(x_k))).
  Labels given as 0/1 are mapped to −1/+1 by :func:`normalise_targets`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from eosmath.errors import EosmathError, InvalidInputError
from eosmath.nn._elementwise import Elementwise


class UnknownLossError(EosmathError):
    """A loss name that eosmath.nn does not know."""


@dataclass(frozen=True)
class Loss:
    """``value_and_output_grad(F, Y, grad_out, ew) -> loss per parameter set``."""

    name: str
    value_and_output_grad: Callable


def _mse(F, Y, grad_out, ew: Elementwise):
    n = Y.shape[-2]
    np.subtract(F, Y, out=grad_out)
    if grad_out.dtype == object:
        value = (grad_out * grad_out).sum(axis=(-2, -1)) / (2 * n)
    else:
        value = np.einsum("...ij,...ij->...", grad_out, grad_out) / (2 * n)
    grad_out /= n
    return value


def _log_softmax(F, ew: Elementwise):
    shifted = F - np.max(F, axis=-1, keepdims=True)
    return shifted - ew.log(ew.exp(shifted).sum(axis=-1, keepdims=True))


def _cross_entropy(F, Y, grad_out, ew: Elementwise):
    n = Y.shape[-2]
    logp = _log_softmax(F, ew)
    value = -(Y * logp).sum(axis=(-2, -1)) / n
    np.subtract(ew.exp(logp), Y, out=grad_out)
    grad_out /= n
    return value


def _logistic(F, Y, grad_out, ew: Elementwise):
    n = Y.shape[-2]
    margin = Y * F
    # log(1 + e^{−m}) = max(−m, 0) + log1p(e^{−|m|})
    value = (np.maximum(-margin, margin * 0) + ew.log1p(ew.exp(-np.abs(margin)))).sum(
        axis=(-2, -1)) / n
    # d/dF = −y σ(−m), σ(t) = (1 + tanh(t/2))/2
    sig = (ew.tanh(-margin * 0.5) + 1) * 0.5
    np.multiply(-Y, sig, out=grad_out)
    grad_out /= n
    return value


LOSSES = {
    "mse": Loss("mse", _mse),
    "cross_entropy": Loss("cross_entropy", _cross_entropy),
    "logistic": Loss("logistic", _logistic),
}
_ALIASES = {"ce": "cross_entropy", "cross-entropy": "cross_entropy",
            "crossentropy": "cross_entropy",
            "xent": "cross_entropy", "mean_squared_error": "mse", "square": "mse"}


def get_loss(name: str | Loss) -> Loss:
    """Look a loss up by name: mse, cross_entropy (alias ce), logistic."""
    if isinstance(name, Loss):
        return name
    key = _ALIASES.get(str(name).lower(), str(name).lower())
    try:
        return LOSSES[key]
    except KeyError:
        raise UnknownLossError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}") from None


def normalise_targets(Y, loss: Loss, n_outputs: int) -> np.ndarray:
    """Targets as an (n, n_outputs) float64 array in the form the loss expects.

    Class labels (1-D integers) become one-hot rows for cross-entropy or multi-output MSE;
    logistic labels 0/1 become −1/+1.
    """
    Y = np.asarray(Y)
    if Y.ndim == 1:
        integral = Y.dtype.kind in "iub" or (Y.size and np.all(np.mod(Y, 1) == 0))
        if n_outputs > 1 and integral:
            labels = Y.astype(int)
            if labels.min() < 0 or labels.max() >= n_outputs:
                raise InvalidInputError(
                    f"class labels must lie in 0..{n_outputs - 1}, "
                    f"got {labels.min()}..{labels.max()}")
            Y = np.eye(n_outputs)[labels]
        else:
            Y = Y.reshape(-1, 1)
    if Y.ndim != 2 or Y.shape[1] != n_outputs:
        raise InvalidInputError(
            f"targets have shape {Y.shape}; the network has {n_outputs} output(s), "
            f"so expected (n, {n_outputs})")
    Y = Y.astype(np.float64)
    if not np.all(np.isfinite(Y)):
        raise InvalidInputError("targets contain NaN or inf")
    if loss.name == "logistic":
        if n_outputs != 1:
            raise InvalidInputError("logistic loss needs a scalar output (network output size 1)")
        values = set(np.unique(Y).tolist())
        if values <= {0.0, 1.0}:
            Y = 2 * Y - 1
        elif not values <= {-1.0, 1.0}:
            raise InvalidInputError(f"logistic labels must be ±1 or 0/1, got {sorted(values)[:5]}")
    return Y
