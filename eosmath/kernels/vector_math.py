"""A tanh that LLVM can vectorise, and an explicit fused multiply-add, for the generated kernels.

Numba calls libm's scalar ``tanh``, which stops the loop vectoriser: a sweep over many cells
then runs one cell at a time. ``vtanh`` is written in plain arithmetic (no calls, no branches)
so that a loop over cells compiles to SIMD code. Accuracy: within 1 ulp of the exact value
(tested against mpmath), NaN and ±inf handled like ``math.tanh``.

- |z| < 0.625: z − z³·R(z²)/Q(z²), the depth-7 truncation of Lambert's continued fraction
  tanh z = z/(1 + z²/(3 + z²/(5 + …))) rewritten as z minus a correction (rounding in the
  correction then matters little); truncation error below 4e-17 relative.
- otherwise: 1 − 2/(e + 1) with e = exp(2|z|), |z| clamped at 20 (tanh is 1 in float64 from
  19.1 on); exp by Cody–Waite reduction (ln 2 split in two) to |r| ≤ ln2/2, the [6/6] Padé
  approximant of exp(r) there (error 2e-19) and 2^k built from its bits.

``select(c, x, y)`` is ``x if c else y`` with both arms evaluated, as one LLVM ``select``:
:mod:`eosmath.kernels.branch_free` rewrites the generated kernels' cheap conditional
expressions with it (fewer basic blocks: Numba compiles them much faster).

``fma(a, b, c)`` is a·b + c rounded once (LLVM's ``llvm.fma``: IEEE arithmetic, not fast-math;
NaN and inf propagate). The kernels call it explicitly — in vtanh's polynomials, the GD update
θ − ηg, the tangent map, the sharpness — instead of letting the compiler contract: contraction
depends on how code is laid out, so the SIMD sweep lanes and the one-cell GD loop could round
differently; an explicit ``fma`` rounds the same in both.

The source is text because every generated kernel module embeds it (see codegen): the kernel
cache key then covers this code too.

>>> import math
>>> vtanh = compiled()["vtanh"]
>>> abs(vtanh(0.3) - math.tanh(0.3)) < 1e-16, vtanh(50.0), vtanh(-0.0)
(True, 1.0, -0.0)
"""

from __future__ import annotations

import math

SOURCE = '''
from numba import types as _nb_types
from numba.core import cgutils as _nb_cgutils
from numba.extending import intrinsic as _nb_intrinsic
from llvmlite import ir as _llvm_ir


@_nb_intrinsic
def _bits_to_double(typingctx, bits):
    """Reinterpret the 64 bits of an int64 as a float64 (for 2**k)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], _llvm_ir.DoubleType())
    return _nb_types.float64(_nb_types.int64), codegen


@_nb_intrinsic
def fma(typingctx, a, b, c):
    """a * b + c with a single rounding (float64)."""
    def codegen(context, builder, signature, args):
        double = _llvm_ir.DoubleType()
        values = [context.cast(builder, v, t, _nb_types.float64)
                  for v, t in zip(args, signature.args)]
        function = _nb_cgutils.get_or_insert_function(
            builder.module, _llvm_ir.FunctionType(double, [double] * 3), "llvm.fma.f64")
        return builder.call(function, values)
    return _nb_types.float64(a, b, c), codegen


@_nb_intrinsic
def select(typingctx, cond, a, b):
    """a if cond else b with both evaluated: one LLVM select, no branch (see branch_free)."""
    common = typingctx.unify_pairs(a, b)
    if common is None:
        return None
    common = getattr(common, "literal_type", common)

    def codegen(context, builder, signature, args):
        c = context.cast(builder, args[0], signature.args[0], _nb_types.boolean)
        x = context.cast(builder, args[1], signature.args[1], common)
        y = context.cast(builder, args[2], signature.args[2], common)
        return builder.select(c, x, y)
    return common(cond, a, b), codegen


@njit(inline="always", error_model="numpy")
def vtanh(z):
    a = abs(z)
    s = a * a
    num = (a * s) * fma(fma(s + 594.0, s, 45045.0), s, 675675.0)
    den = fma(fma(fma(s + 630.0, s, 51975.0), s, 945945.0), s, 2027025.0)
    # exp(w) = 2^k · (E + rO)/(E − rO): the [6/6] Padé approximant on |r| ≤ ln2/2
    w = 2.0 * a if a < 20.0 else 40.0
    k = math.floor(fma(w, 1.4426950408889634, 0.5))
    r = fma(-k, 1.90821492927058770002e-10, fma(-k, 6.93147180369123816490e-01, w))
    rr = r * r
    even = fma(fma(rr + 840.0, rr, 75600.0), rr, 665280.0)
    odd = r * fma(fma(42.0, rr, 10080.0), rr, 332640.0)
    lower = even - odd
    upper = (even + odd) * _bits_to_double((np.int64(k) + 1023) << 52)
    small = a < 0.625
    # both branches as "exact part minus a small correction", one shared division:
    # tanh = a − num/den, or 1 − 2/(e + 1) = 1 − 2·lower/(upper + lower)
    q = (num if small else 2.0 * lower) / (den if small else upper + lower)
    t = (a if small else 1.0) - q
    t = math.copysign(t, z)
    return t if z == z else z
'''


def compiled() -> dict:
    """The functions of :data:`SOURCE`, compiled in a scratch namespace (tests, doctests)."""
    import numpy as np
    from numba import njit

    namespace = {"math": math, "np": np, "njit": njit}
    exec(compile(SOURCE, "<eosmath vector_math>", "exec"), namespace)  # our own source text
    return namespace
