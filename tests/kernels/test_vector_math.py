"""vtanh against mpmath at 30 digits: within 1 ulp everywhere, special values like math.tanh,
and compiled to SIMD code in a loop (the reason it exists)."""

import math

import mpmath as mp
import numpy as np
import pytest
from numba import njit

from eosmath.kernels.vector_math import compiled

vtanh = compiled()["vtanh"]


@njit(error_model="numpy")
def _tanh_all(z, out):
    for i in range(z.size):
        out[i] = vtanh(z[i])


def _values(z):
    out = np.empty_like(z)
    _tanh_all(z, out)
    return out


def test_within_one_ulp_of_mpmath():
    rng = np.random.default_rng(7)
    z = np.concatenate([
        np.linspace(-21, 21, 4001),                       # both branches and the clamp at 20
        np.nextafter(0.625, [-1.0, 2.0]), [0.625, 19.999, 20.0, 20.001],
        np.geomspace(1e-300, 0.7, 1500), -np.geomspace(1e-12, 0.7, 300),
        rng.uniform(-3, 3, 2000),
    ])
    got = _values(z)
    with mp.workdps(30):
        exact = np.array([float(mp.tanh(mp.mpf(float(v)))) for v in z])
    ulps = np.abs(got - exact) / np.spacing(np.abs(exact))
    assert ulps.max() <= 1.0, z[np.argmax(ulps)]


def test_special_values_match_math_tanh():
    z = np.array([0.0, -0.0, np.inf, -np.inf, 5e-324, -1e-310, 1e300, -1e300])
    got = _values(z)
    want = np.array([math.tanh(v) for v in z])
    np.testing.assert_array_equal(got, want)
    assert np.signbit(got[1]) and np.isnan(_values(np.array([np.nan]))[0])


def _cpu_has_avx2() -> bool:
    try:
        with open("/proc/cpuinfo") as fh:
            return " avx2" in fh.read()
    except OSError:
        return False


@pytest.mark.skipif(not _cpu_has_avx2(), reason="no AVX2 on this CPU")
def test_the_loop_is_vectorised():
    import re

    _values(np.zeros(4))
    asm = _tanh_all.inspect_asm(_tanh_all.signatures[0])
    wide = re.findall(r"\bv(?:mul|add|div)pd\s+%[yz]mm", asm)
    assert len(wide) >= 10, "vtanh did not compile to packed SIMD arithmetic"


def test_fma_rounds_once():
    """fma(a, b, c) is a·b + c rounded once: against exact rational arithmetic, where the
    two-rounding a*b + c differs."""
    from fractions import Fraction

    fma = compiled()["fma"]
    call = njit(lambda a, b, c: fma(a, b, c))
    rng = np.random.default_rng(3)
    cases = [(0.1, 10.0, -1.0), (1.0 + 2.0**-30, 1.0 - 2.0**-30, -1.0)]
    cases += [tuple(v) for v in rng.uniform(-2.0, 2.0, (200, 3))]
    differs = 0
    for a, b, c in cases:
        exact = float(Fraction(a) * Fraction(b) + Fraction(c))  # correctly rounded
        assert call(a, b, c) == exact, (a, b, c)
        differs += a * b + c != exact
    assert differs > 0, "no case where fused and unfused results differ: the test shows nothing"
    assert math.isnan(call(math.inf, 0.0, 1.0)) and call(1e308, 10.0, -math.inf) == -math.inf
