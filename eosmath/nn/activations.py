"""Hidden-layer activations: value and derivative, written once for every number type.

Each activation writes into caller-provided buffers (``out=``) so the float64 hot path makes
no temporaries; with the mpmath table the same code runs on object arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from eosmath.errors import EosmathError
from eosmath.nn._elementwise import Elementwise


class UnknownActivationError(EosmathError):
    """An activation name that eosmath.nn does not know."""


@dataclass(frozen=True)
class Activation:
    """``forward(z, out, ew)`` writes σ(z) (``out`` may alias ``z`` when
    ``derivative_from_output``); ``derivative(z, a, out, ew)`` writes σ'(z) given a = σ(z)
    (``out`` may alias ``z``).  ``has_kink``: σ' jumps (ReLU), so finite-difference HVPs are
    meaningless across a sign change of z.  ``derivative_from_output``: σ' is a function of
    σ alone (tanh: 1 − σ²), so the float path keeps σ(z) in z's buffer and fuses σ' into
    the backward pass."""

    name: str
    forward: Callable
    derivative: Callable
    has_kink: bool = False
    derivative_from_output: bool = False


def _sigmoid(z, out, ew: Elementwise):
    # σ(z) = (1 + tanh(z/2))/2: no overflow for any z, and one formula for every number type
    np.multiply(z, 0.5, out=out)
    ew.tanh(out, out=out)
    np.add(out, 1, out=out)
    np.multiply(out, 0.5, out=out)
    return out


def _tanh_forward(z, out, ew):
    return ew.tanh(z, out=out)


def _tanh_derivative(z, a, out, ew):
    np.multiply(a, a, out=out)
    np.subtract(1, out, out=out)
    return out


def _relu_forward(z, out, ew):
    if out.dtype == object:
        out[...] = np.where(z > 0, z, z * 0)
        return out
    return np.maximum(z, 0, out=out)


def _relu_derivative(z, a, out, ew):
    positive = z > 0  # σ'(0) = 0, the convention of seed 004
    if out.dtype == object:
        out[...] = np.where(positive, z * 0 + 1, z * 0)
        return out
    out[...] = positive
    return out


def _elu_forward(z, out, ew):
    negative_part = ew.expm1(np.minimum(z, 0))
    out[...] = np.where(z > 0, z, negative_part)
    return out


def _elu_derivative(z, a, out, ew):
    # for z ≤ 0, σ'(z) = e^z = σ(z) + 1
    out[...] = np.where(z > 0, z * 0 + 1, a + 1)
    return out


def _softplus_forward(z, out, ew):
    # log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}): never overflows
    t = ew.log1p(ew.exp(-np.abs(z)))
    np.add(np.maximum(z, z * 0), t, out=out)
    return out


def _softplus_derivative(z, a, out, ew):
    return _sigmoid(z, out, ew)


def _swish_forward(z, out, ew):
    s = _sigmoid(z, ew.empty(z.shape), ew)
    return np.multiply(z, s, out=out)


def _swish_derivative(z, a, out, ew):
    s = _sigmoid(z, ew.empty(z.shape), ew)
    # d/dz z σ(z) = σ + z σ (1 − σ) = σ + a (1 − σ)
    t = np.subtract(1, s)
    np.multiply(a, t, out=t)
    return np.add(s, t, out=out)


def _identity_forward(z, out, ew):
    out[...] = z
    return out


def _identity_derivative(z, a, out, ew):
    out[...] = z * 0 + 1 if out.dtype == object else 1
    return out


ACTIVATIONS = {
    "tanh": Activation("tanh", _tanh_forward, _tanh_derivative, derivative_from_output=True),
    "relu": Activation("relu", _relu_forward, _relu_derivative, has_kink=True),
    "elu": Activation("elu", _elu_forward, _elu_derivative),
    "softplus": Activation("softplus", _softplus_forward, _softplus_derivative),
    "swish": Activation("swish", _swish_forward, _swish_derivative),
    "identity": Activation("identity", _identity_forward, _identity_derivative),
}


def get_activation(name: str | Activation) -> Activation:
    """Look an activation up by name (tanh, relu, elu, softplus, swish, identity)."""
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[str(name).lower()]
    except KeyError:
        raise UnknownActivationError(
            f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None
