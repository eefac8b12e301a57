"""Independent mpmath reference: a scalar, loop-based network and loss written from the
definitions (not from eosmath's code), differentiated by central differences at high
precision."""

from __future__ import annotations

import mpmath as mp
import numpy as np


def activation(name, z):
    if name == "tanh":
        return mp.tanh(z)
    if name == "relu":
        return z if z > 0 else mp.mpf(0)
    if name == "elu":
        return z if z > 0 else mp.exp(z) - 1
    if name == "softplus":
        return mp.log(1 + mp.exp(z))
    if name == "swish":
        return z / (1 + mp.exp(-z))
    if name == "identity":
        return z
    raise KeyError(name)


def network(theta, sizes, act, biases, x):
    """f(x) with PyTorch parameter order (W row-major, then b, per layer)."""
    offset = 0
    values = [mp.mpf(v) for v in x]
    n_layers = len(sizes) - 1
    for layer in range(n_layers):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        W = theta[offset:offset + n_in * n_out]
        offset += n_in * n_out
        if biases[layer]:
            b = theta[offset:offset + n_out]
            offset += n_out
        else:
            b = [mp.mpf(0)] * n_out
        z = [mp.fsum(W[o * n_in + i] * values[i] for i in range(n_in)) + b[o] for o in range(n_out)]
        values = z if layer == n_layers - 1 else [activation(act, zz) for zz in z]
    return values


def loss(theta, sizes, act, biases, X, Y, kind):
    n = len(X)
    total = mp.mpf(0)
    for x, y in zip(X, Y, strict=True):
        f = network(theta, sizes, act, biases, x)
        y = [mp.mpf(v) for v in y]
        if kind == "mse":
            total += mp.fsum((fi - yi) ** 2 for fi, yi in zip(f, y, strict=True)) / 2
        elif kind == "cross_entropy":
            log_norm = mp.log(mp.fsum(mp.exp(fi) for fi in f))
            total += -mp.fsum(yi * (fi - log_norm) for fi, yi in zip(f, y, strict=True))
        elif kind == "logistic":
            total += mp.log(1 + mp.exp(-y[0] * f[0]))
    return total / n


def gradient(theta, sizes, act, biases, X, Y, kind, dps=50, h="1e-20"):
    """Central differences of the loss at ``dps`` digits (truncation ~h², rounding ~10^-dps/h)."""
    with mp.workdps(dps):
        base = [mp.mpf(float(t)) for t in theta]
        h = mp.mpf(h)
        out = []
        for i in range(len(base)):
            plus, minus = list(base), list(base)
            plus[i] += h
            minus[i] -= h
            out.append((loss(plus, sizes, act, biases, X, Y, kind)
                        - loss(minus, sizes, act, biases, X, Y, kind)) / (2 * h))
        return np.array([float(g) for g in out])


def value(theta, sizes, act, biases, X, Y, kind, dps=50):
    with mp.workdps(dps):
        return float(loss([mp.mpf(float(t)) for t in theta], sizes, act, biases, X, Y, kind))
