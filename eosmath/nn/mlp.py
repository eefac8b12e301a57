"""Dense networks (multi-layer perceptrons) and their flat parameter vector.

Parameter order = PyTorch's ``parameters_to_vector``: for each layer, W (shape out × in,
row-major) then b (if that layer has a bias). The hidden activation follows every layer but
the last.

>>> net = MLP([1, 100, 1], activation="tanh", bias=[True, False])   # Cohen's Chebyshev net
>>> net.n_params
300
>>> [W.shape for W, b in net.unflatten(net.init(seed=0))]
[(100, 1), (1, 100)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eosmath.errors import InvalidInputError
from eosmath.nn.activations import Activation, get_activation


@dataclass(frozen=True)
class LayerSlot:
    """Where one layer's W and b live in the flat vector."""

    n_in: int
    n_out: int
    w_start: int
    b_start: int | None  # None: no bias

    @property
    def w_stop(self) -> int:
        return self.w_start + self.n_in * self.n_out


class MLP:
    """A dense network ``sizes[0] → … → sizes[-1]``.

    ``bias``: True/False for every layer, or one bool per layer (Cohen's Chebyshev network
    has a hidden bias and no output bias: ``bias=[True, False]``).
    """

    def __init__(self, sizes, activation: str | Activation = "tanh", bias=True):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise InvalidInputError(f"sizes must list ≥ 2 positive layer widths, got {sizes}")
        n_layers = len(sizes) - 1
        biases = [bool(bias)] * n_layers if np.ndim(bias) == 0 else [bool(b) for b in bias]
        if len(biases) != n_layers:
            raise InvalidInputError(f"bias has {len(biases)} entries for {n_layers} layers")
        self.sizes = tuple(sizes)
        self.activation = get_activation(activation)
        self.bias = tuple(biases)
        slots, offset = [], 0
        for n_in, n_out, has_bias in zip(sizes[:-1], sizes[1:], biases, strict=True):
            w_start = offset
            offset += n_in * n_out
            b_start = offset if has_bias else None
            offset += n_out if has_bias else 0
            slots.append(LayerSlot(n_in, n_out, w_start, b_start))
        self.slots = tuple(slots)
        self.n_params = offset

    def __repr__(self) -> str:
        return (f"MLP({list(self.sizes)}, activation={self.activation.name!r}, "
                f"bias={list(self.bias)})")

    @property
    def n_inputs(self) -> int:
        return self.sizes[0]

    @property
    def n_outputs(self) -> int:
        return self.sizes[-1]

    def init(self, seed: int = 0, scheme: str = "xavier", dtype=np.float64,
             first_layer_gain: float | None = None) -> np.ndarray:
        """A flat parameter vector drawn with ``numpy.random.default_rng(seed)``.

        ``scheme="xavier"``: W ~ N(0, gain²·2/(n_in + n_out)) (Xavier-normal, gain 1), b = 0.
        ``scheme="chebyshev"``: Cohen et al.'s regression init, i.e. Xavier-normal with gain
        1.9 on the first layer and 1 elsewhere, biases 0 (spec §2.2). Weights are drawn layer
        by layer in parameter order; biases draw nothing. torch's random stream is not
        reproduced.
        """
        gains = {"xavier": 1.0, "chebyshev": 1.9}
        if scheme not in gains:
            raise InvalidInputError(f"unknown init scheme {scheme!r}; known: {', '.join(gains)}")
        first_gain = gains[scheme] if first_layer_gain is None else float(first_layer_gain)
        rng = np.random.default_rng(seed)
        theta = np.zeros(self.n_params, dtype=np.float64)
        for index, slot in enumerate(self.slots):
            gain = first_gain if index == 0 else 1.0
            std = gain * np.sqrt(2.0 / (slot.n_in + slot.n_out))
            theta[slot.w_start:slot.w_stop] = rng.normal(0.0, std, size=slot.n_in * slot.n_out)
        return theta.astype(dtype)

    def check_theta(self, theta) -> np.ndarray:
        """θ as an array of length ``n_params``; refuse wrong shapes and non-finite values."""
        theta = np.asarray(theta)
        if theta.ndim != 1 or theta.shape[0] != self.n_params:
            raise InvalidInputError(
                f"θ has shape {theta.shape}; {self!r} expects a flat vector of "
                f"{self.n_params} parameters")
        if theta.dtype != object and not np.all(np.isfinite(theta)):
            raise InvalidInputError("θ contains NaN or inf")
        return theta

    def unflatten(self, theta) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """[(W, b), …] per layer, W of shape (out, in); views into ``theta`` (b None if absent)."""
        theta = self.check_theta(theta)
        return [(theta[s.w_start:s.w_stop].reshape(s.n_out, s.n_in),
                 None if s.b_start is None else theta[s.b_start:s.b_start + s.n_out])
                for s in self.slots]

    def flatten(self, layers) -> np.ndarray:
        """Inverse of :meth:`unflatten`."""
        layers = list(layers)
        if len(layers) != len(self.slots):
            raise InvalidInputError(f"expected {len(self.slots)} layers, got {len(layers)}")
        dtype = np.result_type(*[np.asarray(W) for W, _ in layers])
        theta = np.empty(self.n_params, dtype=dtype)
        for (W, b), s in zip(layers, self.slots, strict=True):
            W = np.asarray(W)
            if W.shape != (s.n_out, s.n_in):
                raise InvalidInputError(f"W has shape {W.shape}, expected {(s.n_out, s.n_in)}")
            theta[s.w_start:s.w_stop] = W.ravel()
            if s.b_start is not None:
                if b is None or np.shape(b) != (s.n_out,):
                    raise InvalidInputError(f"b must have shape ({s.n_out},)")
                theta[s.b_start:s.b_start + s.n_out] = b
        return theta
