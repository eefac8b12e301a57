"""Compiled elementwise passes of the backward sweep (float32 and float64 only).

Arrays are feature-major, (width, n examples). Each pass reads and writes every element
once, fusing what NumPy would do in three or four ufunc calls with temporaries: the
activation's derivative, the product with the incoming delta, and the row sums that are the
bias gradient. No fast-math: NaN and inf propagate as in NumPy. ``one`` is 1 in the arrays'
type, so float32 work stays in float32 as NumPy's would (a float64 literal would promote
it: GD trajectories in float32 then change, and chaotic ones visibly).
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def times_tanh_derivative(delta, a, rowsum, one):
    """delta ⊙= 1 − a² (a = tanh z) in place; rowsum[j] = Σ_i delta[j, i] afterwards."""
    m, n = delta.shape
    for j in range(m):
        total = one - one
        for i in range(n):
            d = delta[j, i] * (one - a[j, i] * a[j, i])
            delta[j, i] = d
            total += d
        rowsum[j] = total


@njit(cache=True, nogil=True, error_model="numpy")
def outer_times_tanh_derivative(w, r, a, delta, rowsum, one):
    """delta[j, i] = w[j]·r[i]·(1 − a[j, i]²), the delta below a one-output layer;
    rowsum[j] = Σ_i delta[j, i]."""
    m, n = delta.shape
    for j in range(m):
        wj = w[j]
        total = one - one
        for i in range(n):
            d = wj * r[i] * (one - a[j, i] * a[j, i])
            delta[j, i] = d
            total += d
        rowsum[j] = total


@njit(cache=True, nogil=True, error_model="numpy")
def times(delta, derivative, rowsum, one):
    """delta ⊙= derivative in place; rowsum[j] = Σ_i delta[j, i] afterwards."""
    m, n = delta.shape
    for j in range(m):
        total = one - one
        for i in range(n):
            d = delta[j, i] * derivative[j, i]
            delta[j, i] = d
            total += d
        rowsum[j] = total


@njit(cache=True, nogil=True, error_model="numpy")
def sign_changes(z_plus, z_minus):
    """Whether z > 0 differs between the two arrays anywhere."""
    m, n = z_plus.shape
    for j in range(m):
        for i in range(n):
            if (z_plus[j, i] > 0) != (z_minus[j, i] > 0):
                return True
    return False
