"""Reverse-mode differentiation of an MLP loss for a *batch of parameter sets*.

One forward pass stores pre-activations Z_l and activations A_l; the backward pass applies
the vector-Jacobian product of each primitive (dense layer, activation, loss) in reverse
order. Parameter sets are stacked so that the gradients of a difference stencil
(θ + εv, θ − εv) come from one call.

Two layouts of the same mathematics:

* float32/float64 (the hot path): every buffer is feature-major, ``(B, width, n)``, so each
  product is one BLAS call W·Aᵀ, Wᵀ·Δᵀ or Δᵀ·A on contiguous operands in the layouts
  OpenBLAS runs fastest (measured with its SkylakeX kernels: 10–15 % faster than
  examples-major), with no transposed copies. The tanh activation overwrites its
  pre-activation (σ' = 1 − σ² needs only σ), and the backward elementwise work (σ' times the
  incoming delta, plus the bias gradient) is one compiled pass (:mod:`eosmath.nn._fused`).
  Nothing is allocated per call except partial gradients on the first split call.
  Work units: the B parameter sets are independent chains, and when they are fewer than the
  cores each is split along the examples (the partial gradients are summed). With two or
  more cores, ``threadpoolctl`` installed and at least ``MIN_PARALLEL_MACS`` multiply-adds
  per chain, the units run on a thread pool with BLAS single-threaded inside each: no BLAS
  barriers, and the elementwise work runs in parallel too.
* object arrays of mpmath.mpf (the oracle): ``(B, n, width)`` buffers and the
  :class:`~eosmath.nn._elementwise.Elementwise` table, no compiled code.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from eosmath.nn import _fused
from eosmath.nn._elementwise import Elementwise
from eosmath.nn.losses import Loss
from eosmath.nn.mlp import MLP


class Workspace:
    """Buffers for one (network, n examples, batch size, number type)."""

    def __init__(self, net: MLP, n: int, batch: int, ew: Elementwise):
        self.batch = batch
        self.ew = ew
        self.thetas = ew.empty((batch, net.n_params))
        self.grads = ew.empty((batch, net.n_params))
        self.compiled = ew.dtype != object
        hidden = net.slots[:-1]
        last = net.slots[-1]
        if not self.compiled:
            self.pre = [ew.empty((batch, n, s.n_out)) for s in net.slots]
            self.act = [ew.empty((batch, n, s.n_out)) for s in hidden]
            self.delta = [ew.empty((batch, n, s.n_out)) for s in net.slots]
            return
        self.pre = [ew.empty((batch, s.n_out, n)) for s in hidden]
        # tanh: σ(Z) overwrites Z; other activations keep Z for σ'(Z)
        in_place = net.activation.derivative_from_output
        self.act = self.pre if in_place else [ew.empty((batch, s.n_out, n)) for s in hidden]
        self.delta = [ew.empty((batch, s.n_out, n)) for s in hidden]
        self.out = ew.empty((batch, last.n_out, n))
        self.delta_out = ew.empty((batch, last.n_out, n))
        self._widest = max((s.n_out for s in hidden), default=1)
        self.rowsum = ew.empty((batch, self._widest))
        self._parts = None
        self.XT = None  # Xᵀ (n_inputs, n), made on first use
        self._X = None

    def partial_gradients(self, units: int) -> np.ndarray:
        """One gradient buffer per work unit (units > batch: the examples are split)."""
        if self._parts is None or self._parts.shape[0] != units:
            self._parts = self.ew.empty((units, self.grads.shape[1]))
            self.rowsum = self.ew.empty((units, self._widest))
        return self._parts

    def inputs_transposed(self, X) -> np.ndarray:
        if self._X is not X:
            self.XT = np.ascontiguousarray(X.T)
            self._X = X
        return self.XT


def _weights(thetas, slot, batch):
    return thetas[:, slot.w_start:slot.w_stop].reshape(batch, slot.n_out, slot.n_in)


# -- work units: parameter sets, split along the examples when sets are fewer than cores -----
MIN_PARALLEL_MACS = 2_000_000  # below this a chain is cheaper than a thread hand-off
MIN_BLOCK_EXAMPLES = 256
_TOOLS: dict = {}


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _parallel_tools():
    """(thread pool, threadpoolctl controller), or None without threadpoolctl. Keyed by
    process id: a forked child does not inherit the parent's pool threads."""
    pid = os.getpid()
    if pid not in _TOOLS:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _TOOLS[pid] = None
        else:
            _TOOLS[pid] = (ThreadPoolExecutor(max_workers=_cores(),
                                              thread_name_prefix="eosmath-nn"),
                           ThreadpoolController())
    return _TOOLS[pid]


def _plan(net: MLP, n: int, batch: int, parallel_ok: bool):
    """Work units (parameter set b, examples lo:hi) and whether they run on the pool."""
    cores = _cores()
    macs = n * sum(s.n_in * s.n_out for s in net.slots)
    if (not parallel_ok or cores < 2 or macs < MIN_PARALLEL_MACS
            or _parallel_tools() is None):
        return [(b, 0, n) for b in range(batch)], False
    blocks = max(1, min(cores // batch, n // MIN_BLOCK_EXAMPLES))
    edges = [n * k // blocks for k in range(blocks + 1)]
    return [(b, edges[k], edges[k + 1]) for b in range(batch) for k in range(blocks)], True


def _run(fn, units, parallel: bool) -> list:
    if not parallel:
        return [fn(*unit) for unit in units]
    pool, controller = _parallel_tools()
    with controller.limit(limits=1, user_api="blas"):
        return list(pool.map(lambda unit: fn(*unit), units))


def forward(net: MLP, X, thetas, ws: Workspace, detect_kinks: bool = False):
    """Network outputs for each parameter set, shape (B, n, n_out) (a view into ``ws``), and
    whether a kinked activation's pre-activation changes sign between the members of
    consecutive pairs (0, 1), (2, 3), … (the ± points of a difference stencil)."""
    if ws.compiled:
        return _forward_compiled(net, X, thetas, ws, detect_kinks)
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


def _forward_compiled(net: MLP, X, thetas, ws: Workspace, detect_kinks: bool):
    kinks = detect_kinks and net.activation.has_kink and thetas.shape[0] >= 2
    XT = ws.inputs_transposed(X)
    units, parallel = _plan(net, X.shape[0], thetas.shape[0], not kinks)
    _run(lambda b, lo, hi: _unit_forward(net, XT, thetas[b], ws, b, lo, hi), units, parallel)
    return ws.out.transpose(0, 2, 1), kinks and _pre_activations_straddle(net, ws)


def _unit_forward(net: MLP, XT, theta, ws: Workspace, b: int, lo: int, hi: int) -> None:
    inputs = XT[:, lo:hi]
    last = len(net.slots) - 1
    for index, slot in enumerate(net.slots):
        W = theta[slot.w_start:slot.w_stop].reshape(slot.n_out, slot.n_in)
        Z = (ws.out[b] if index == last else ws.pre[index][b])[:, lo:hi]
        np.matmul(W, inputs, out=Z)
        if slot.b_start is not None:
            Z += theta[slot.b_start:slot.b_start + slot.n_out, None]
        if index == last:
            return
        inputs = net.activation.forward(Z, ws.act[index][b][:, lo:hi], ws.ew)


def _pre_activations_straddle(net: MLP, ws: Workspace) -> bool:
    for Z in ws.pre:
        for b in range(0, ws.batch - 1, 2):
            if _fused.sign_changes(Z[b], Z[b + 1]):
                return True
    return False


def value_and_grad_batch(net: MLP, loss: Loss, X, Y, thetas, ws: Workspace,
                         detect_kinks: bool = False):
    """(loss per parameter set (B,), gradients (B, P) as a view into ``ws``, sign_change)."""
    if ws.compiled:
        return _value_and_grad_compiled(net, loss, X, Y, thetas, ws, detect_kinks)
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


def _value_and_grad_compiled(net: MLP, loss: Loss, X, Y, thetas, ws: Workspace,
                             detect_kinks: bool):
    batch, n = thetas.shape[0], X.shape[0]
    kinks = detect_kinks and net.activation.has_kink and batch >= 2
    XT = ws.inputs_transposed(X)
    units, parallel = _plan(net, n, batch, not kinks)
    split = len(units) > batch
    parts = ws.partial_gradients(len(units)) if split else None
    outputs = ws.out.transpose(0, 2, 1)
    output_grads = ws.delta_out.transpose(0, 2, 1)

    def forward_unit(b, lo, hi):
        _unit_forward(net, XT, thetas[b], ws, b, lo, hi)

    def backward_unit(b, lo, hi):
        # a loss is a mean over examples: a block's share of it is (hi − lo)/n of its own mean
        grad_out = output_grads[b:b + 1, lo:hi]
        value = loss.value_and_output_grad(outputs[b:b + 1, lo:hi], Y[lo:hi], grad_out,
                                           ws.ew)[0]
        if split:
            share = (hi - lo) / n
            grad_out *= share
            value = value * share
        unit = units.index((b, lo, hi))
        grad = parts[unit] if split else ws.grads[b]
        _unit_backward(net, XT, thetas[b], ws, b, lo, hi, grad, ws.rowsum[unit])
        return value

    def whole_unit(b, lo, hi):
        forward_unit(b, lo, hi)
        return backward_unit(b, lo, hi)

    sign_change = False
    if kinks:  # the sign test needs every chain's pre-activations before σ' overwrites them
        _run(forward_unit, units, False)
        sign_change = _pre_activations_straddle(net, ws)
        values = _run(backward_unit, units, False)
    else:
        values = _run(whole_unit, units, parallel)
    if not split:
        return np.array(values, dtype=ws.ew.dtype), ws.grads, sign_change
    totals = np.zeros(batch, dtype=ws.ew.dtype)
    for b in range(batch):
        mine = [k for k, unit in enumerate(units) if unit[0] == b]
        np.copyto(ws.grads[b], parts[mine[0]])
        for k in mine[1:]:
            ws.grads[b] += parts[k]
        totals[b] = sum(values[k] for k in mine)
    return totals, ws.grads, sign_change


def _unit_backward(net: MLP, XT, theta, ws: Workspace, b: int, lo: int, hi: int, grad,
                   rowsum) -> None:
    act = net.activation
    last = len(net.slots) - 1
    for index in range(last, -1, -1):
        slot = net.slots[index]
        W = theta[slot.w_start:slot.w_stop].reshape(slot.n_out, slot.n_in)
        delta = (ws.delta_out[b] if index == last else ws.delta[index][b])[:, lo:hi]  # (dL/dZ)ᵀ
        inputs = (XT if index == 0 else ws.act[index - 1][b])[:, lo:hi]
        np.matmul(delta, inputs.T, out=grad[slot.w_start:slot.w_stop].reshape(W.shape))
        if index == last and slot.b_start is not None:
            np.sum(delta, axis=1, out=grad[slot.b_start:slot.b_start + slot.n_out])
        if index == 0:
            return
        # the delta below, (Wᵀ·delta) ⊙ σ'(Z_below), and that layer's bias gradient
        below = net.slots[index - 1]
        delta_below = ws.delta[index - 1][b][:, lo:hi]
        A = ws.act[index - 1][b][:, lo:hi]
        sums = rowsum[:below.n_out]
        one = A.dtype.type(1)
        if act.derivative_from_output and slot.n_out == 1:
            _fused.outer_times_tanh_derivative(W[0], delta[0], A, delta_below, sums, one)
        else:
            np.matmul(W.T, delta, out=delta_below)
            if act.derivative_from_output:
                _fused.times_tanh_derivative(delta_below, A, sums, one)
            else:
                Z = ws.pre[index - 1][b][:, lo:hi]
                _fused.times(delta_below, act.derivative(Z, A, Z, ws.ew), sums, one)
        if below.b_start is not None:
            grad[below.b_start:below.b_start + below.n_out] = sums
