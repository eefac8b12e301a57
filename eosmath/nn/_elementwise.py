"""Elementwise function tables, one per number type, so one network code path runs on
float32, float64 and NumPy object arrays of ``mpmath.mpf`` (the high-precision oracle).

Every function accepts ``out=`` like a NumPy ufunc: the mpmath table is built from
``np.frompyfunc``, which returns genuine ufuncs over object arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from eosmath.errors import InvalidInputError


@dataclass(frozen=True)
class Elementwise:
    """The transcendental functions a network needs, for one number type."""

    name: str
    dtype: np.dtype
    tanh: np.ufunc
    exp: np.ufunc
    expm1: np.ufunc
    log: np.ufunc
    log1p: np.ufunc
    unit_roundoff: float

    def asarray(self, a) -> np.ndarray:
        """Convert ``a`` to this number type (mpf conversion is exact from binary floats)."""
        if self.dtype == object:
            a = np.asarray(a)
            if a.dtype == object:
                return np.frompyfunc(mpmath.mpf, 1, 1)(a).astype(object)
            return np.frompyfunc(mpmath.mpf, 1, 1)(a.astype(np.float64)).astype(object)
        return np.asarray(a, dtype=self.dtype)

    def zeros(self, shape) -> np.ndarray:
        if self.dtype == object:
            out = np.empty(shape, dtype=object)
            out.fill(mpmath.mpf(0))
            return out
        return np.zeros(shape, dtype=self.dtype)

    def empty(self, shape) -> np.ndarray:
        return self.zeros(shape) if self.dtype == object else np.empty(shape, dtype=self.dtype)


def _float_table(dtype) -> Elementwise:
    dtype = np.dtype(dtype)
    return Elementwise(dtype.name, dtype, np.tanh, np.exp, np.expm1, np.log, np.log1p,
                       float(np.finfo(dtype).eps) / 2)


def _mp_ufunc(f):
    return np.frompyfunc(lambda x: f(x), 1, 1)


MPMATH = Elementwise(
    "mpmath", np.dtype(object),
    _mp_ufunc(mpmath.tanh), _mp_ufunc(mpmath.exp), _mp_ufunc(mpmath.expm1),
    _mp_ufunc(mpmath.log), _mp_ufunc(mpmath.log1p), float("nan"),
)
FLOAT64 = _float_table(np.float64)
FLOAT32 = _float_table(np.float32)


def elementwise_for(dtype) -> Elementwise:
    """The table for ``dtype`` (float32, float64 or object = mpmath).

    >>> elementwise_for(np.float32).name
    'float32'
    """
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return FLOAT64
    if dtype == np.float32:
        return FLOAT32
    if dtype.kind == "O":
        return MPMATH
    raise InvalidInputError(
        f"unsupported dtype {dtype}: use float32, float64 or an object array of mpmath.mpf")
