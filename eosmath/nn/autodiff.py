"""Reverse-mode differentiation of an MLP loss for a *batch of parameter sets*.

One forward pass stores pre-activations Z_l and activations A_l; the backward pass applies
the vector-Jacobian product of each primitive (dense layer, activation, loss) in reverse
order. Parameter sets are stacked along a leading axis B, so the two gradients of a central
difference (θ + εv, θ − εv) run as one pass with batched matmuls.

The same function runs on float32, float64 and object arrays of mpmath.mpf: only the
elementwise table ``ew`` changes. On floats every intermediate lives in a preallocated
:class:`Workspace` (no temporaries on the hot path); σ'(Z) overwrites Z in place.
"""

from __future__ import annotations

import numpy as np

from eosmath.nn._elementwise import Elementwise
from eosmath.nn.losses import Loss
from eosmath.nn.mlp import MLP


class Workspace:
    """Buffers for one (network, n examples, batch size, number type)."""

    def __init__(self, net: MLP, n: int, batch: int, ew: Elementwise):
        self.batch = batch
        self.ew = ew
        self.pre = [ew.empty((batch, n, s.n_out)) for s in net.slots]
        self.act = [ew.empty((batch, n, s.n_out)) for s in net.slots[:-1]]
        self.delta = [ew.empty((batch, n, s.n_out)) for s in net.slots]
        self.thetas = ew.empty((batch, net.n_params))
        self.grads = ew.empty((batch, net.n_params))


def _weights(thetas, slot, batch):
    return thetas[:, slot.w_start:slot.w_stop].reshape(batch, slot.n_out, slot.n_in)


def forward(net: MLP, X, thetas, ws: Workspace, detect_kinks: bool = False):
    """Network outputs for each parameter set (a view into ``ws``), and whether a kinked
    activation's pre-activation changes sign between the members of consecutive pairs
    (0, 1), (2, 3), … (the ± points of a difference stencil)."""
    batch = thetas.shape[0]
    ew, act = ws.ew, net.activation
    inputs = X
    sign_change = False
    last = len(net.slots) - 1
    for index, slot in enumerate(net.slots):
        Z = ws.pre[index]
        np.matmul(inputs, _weights(thetas, slot, batch).transpose(0, 2, 1), out=Z)
        if slot.b_start is not None:
            Z += thetas[:, None, slot.b_start:slot.b_start + slot.n_out]
        if index == last:
            break
        if detect_kinks and act.has_kink and batch >= 2:
            positive = Z > 0
            sign_change = sign_change or bool(np.any(positive[0::2] != positive[1::2]))
        inputs = act.forward(Z, ws.act[index], ew)
    return ws.pre[last], sign_change


def value_and_grad_batch(net: MLP, loss: Loss, X, Y, thetas, ws: Workspace,
                         detect_kinks: bool = False):
    """(loss per parameter set (B,), gradients (B, P) as a view into ``ws``, sign_change)."""
    batch = thetas.shape[0]
    ew, act = ws.ew, net.activation
    outputs, sign_change = forward(net, X, thetas, ws, detect_kinks)
    values = loss.value_and_output_grad(outputs, Y, ws.delta[-1], ew)
    grads = ws.grads
    for index in range(len(net.slots) - 1, -1, -1):
        slot = net.slots[index]
        delta = ws.delta[index]  # dL/dZ_index
        inputs = X if index == 0 else ws.act[index - 1]
        grad_w = grads[:, slot.w_start:slot.w_stop].reshape(batch, slot.n_out, slot.n_in)
        np.matmul(delta.transpose(0, 2, 1), inputs, out=grad_w)
        if slot.b_start is not None:
            np.sum(delta, axis=1, out=grads[:, slot.b_start:slot.b_start + slot.n_out])
        if index == 0:
            break
        below = ws.delta[index - 1]
        np.matmul(delta, _weights(thetas, slot, batch), out=below)
        derivative = act.derivative(ws.pre[index - 1], ws.act[index - 1], ws.pre[index - 1], ew)
        below *= derivative
    return values, grads, sign_change
