"""The inlined top eigenvalue against LAPACK: random, repeated, ill-conditioned, non-finite."""

import numpy as np
import pytest

from eosmath.kernels.symeig import compiled

_COMPILED = compiled()  # one namespace: its functions compile once for the module
top = _COMPILED["top_eigenvalue"]


def _top(a):
    return top(np.ascontiguousarray(a, dtype=np.float64), np.empty((a.shape[0] + 3, a.shape[0])))


def _random_symmetric(rng, n, eigenvalues):
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (q * eigenvalues) @ q.T
    return 0.5 * (a + a.T)


def _agrees(a):
    exact = np.linalg.eigvalsh(a)[-1]
    scale = max(np.abs(np.linalg.eigvalsh(a)).max(), 1e-300)
    return abs(_top(a) - exact) / scale


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8, 12, 16])
def test_random_matrices(n):
    rng = np.random.default_rng(n)
    worst = max(_agrees(_random_symmetric(rng, n, rng.standard_normal(n) * 10 ** rng.uniform(
        -3, 3))) for _ in range(200))
    assert worst <= 1e-12, worst


@pytest.mark.parametrize("n", [3, 5, 8, 16])
def test_repeated_eigenvalues(n):
    rng = np.random.default_rng(100 + n)
    for top_multiplicity in (1, 2, n):
        values = np.concatenate([np.full(top_multiplicity, 3.0),
                                 rng.uniform(-5, 2, n - top_multiplicity)])
        assert _agrees(_random_symmetric(rng, n, values)) <= 1e-12
    assert _top(np.zeros((n, n))) == 0.0
    assert _top(np.eye(n) * -2.0) == -2.0


@pytest.mark.parametrize("n", [3, 8, 16])
def test_ill_conditioned_and_badly_scaled(n):
    rng = np.random.default_rng(200 + n)
    for exponent in (8, 12, 15):
        values = np.logspace(-exponent, 0, n) * rng.choice([-1, 1], n)
        assert _agrees(_random_symmetric(rng, n, values)) <= 1e-12
        # the top eigenvalue tiny against the rest: relative to the spectral norm
        values = -np.logspace(-exponent, 0, n)
        assert _agrees(_random_symmetric(rng, n, values)) <= 1e-12
    for scale in (1e-150, 1e150):
        a = _random_symmetric(rng, n, rng.standard_normal(n)) * scale
        assert abs(_top(a) - np.linalg.eigvalsh(a)[-1]) <= 1e-12 * np.abs(
            np.linalg.eigvalsh(a)).max()


def test_already_tridiagonal_and_diagonal():
    n = 6
    t = np.diag(np.arange(n, dtype=float)) + np.diag(np.ones(n - 1), 1) + np.diag(
        np.ones(n - 1), -1)
    assert _agrees(t) <= 1e-14
    d = np.diag([3.0, -7.0, 1.0, 3.0])
    assert _top(d) == 3.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_entries_give_nan(bad):
    a = np.eye(4)
    a[1, 2] = a[2, 1] = bad
    assert np.isnan(_top(a))


# the 3×3 closed form (top_eigenvalue_3), with the solver as its fallback
top3 = _COMPILED["top_eigenvalue_3"]


def _top3(a):
    return top3(np.ascontiguousarray(a, dtype=np.float64), np.empty((6, 3)))


def _error3(a):
    values = np.linalg.eigvalsh(a)
    return abs(_top3(a) - values[-1]) / max(np.abs(values).max(), 1e-300)


def test_closed_form_3_against_lapack():
    rng = np.random.default_rng(7)
    worst = 0.0
    for _ in range(3000):
        scale = 10 ** rng.uniform(-3, 3)
        worst = max(worst, _error3(_random_symmetric(rng, 3, rng.standard_normal(3) * scale)))
        # a top pair split by 1e-9 .. 1e-1 of the spread: either the closed form near its
        # margin or the fallback
        gap = 10 ** rng.uniform(-9, -1)
        worst = max(worst, _error3(_random_symmetric(rng, 3, [1.0, 1.0 - gap, -2.0])))
        # clustered about a large shift, and ill-conditioned
        worst = max(worst, _error3(_random_symmetric(rng, 3, 1e8 + rng.standard_normal(3))))
        values = np.logspace(-12, 0, 3) * rng.choice([-1, 1], 3)
        worst = max(worst, _error3(_random_symmetric(rng, 3, values)))
    assert worst <= 1e-12, worst


def test_closed_form_3_against_mpmath():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(8)
    for _ in range(20):
        a = _random_symmetric(rng, 3, rng.standard_normal(3))
        exact = max(mpmath.eigsy(mpmath.matrix(a.tolist()))[0])
        # the module's stated accuracy: ~1e-13·‖A‖ at worst (next to the margin)
        assert abs(_top3(a) - float(exact)) <= 1e-13 * np.linalg.norm(a, 2)


def test_closed_form_3_edge_cases():
    assert _top3(np.zeros((3, 3))) == 0.0                   # p = 0: the fallback
    assert _top3(np.eye(3) * -2.0) == -2.0
    assert _top3(np.diag([3.0, -7.0, 1.0])) == pytest.approx(3.0, abs=1e-15)
    rng = np.random.default_rng(9)
    q = _random_symmetric(rng, 3, [2.0, 2.0, -1.0])          # an exact double top eigenvalue
    assert abs(_top3(q) - 2.0) <= 1e-14
    for scale in (1e-150, 1e150):                           # outside the closed form's range
        a = _random_symmetric(rng, 3, rng.standard_normal(3)) * scale
        assert _error3(a) <= 1e-12
    for bad in (np.nan, np.inf, -np.inf):
        a = np.eye(3)
        a[0, 2] = a[2, 0] = bad
        assert np.isnan(_top3(a))


def test_closed_form_3_falls_back_only_near_a_double_top_eigenvalue():
    # the guard, evaluated on its own: 1 + r against CLOSED_FORM_3_MARGIN
    from eosmath.kernels import vector_math
    from eosmath.kernels.symeig import CLOSED_FORM_3_MARGIN, closed_form_3_lines

    namespace = dict(vector_math.compiled())
    body = ([f"_A{i}_{j} = a[{i}, {j}]" for i in range(3) for j in range(i, 3)]
            + closed_form_3_lines("_A{i}_{j}", "top", "fallback")
            + ["return top, fallback, _t3r"])
    exec("import math\ndef guard(a):\n" + "\n".join("    " + line for line in body), namespace)
    from numba import njit

    guard = njit(error_model="numpy")(namespace["guard"])
    rng = np.random.default_rng(10)
    # eigenvalues 1, 1 − gap, −2: 1 + r ≈ 0.39·gap², the margin at gap ≈ 5e-3
    for gap in (1e-1, 1e-2):
        top, fallback, r = guard(_random_symmetric(rng, 3, [1.0, 1.0 - gap, -2.0]))
        assert not fallback and 1 + r >= CLOSED_FORM_3_MARGIN
    for gap in (1e-3, 1e-6, 0.0):
        top, fallback, r = guard(_random_symmetric(rng, 3, [1.0, 1.0 - gap, -2.0]))
        assert fallback


def _invariants_and_paired():
    """(guard(a) -> (top, fallback, q, p, r) of the closed form, paired(a, q, p, r))."""
    from numba import njit

    from eosmath.kernels.symeig import closed_form_3_lines

    namespace = dict(_COMPILED)
    body = ([f"_A{i}_{j} = a[{i}, {j}]" for i in range(3) for j in range(i, 3)]
            + closed_form_3_lines("_A{i}_{j}", "top", "fallback")
            + ["return top, fallback, _t3q, _t3p, _t3r"])
    exec("import math\ndef guard(a):\n" + "\n".join("    " + line for line in body), namespace)
    return njit(error_model="numpy")(namespace["guard"]), namespace["top_eigenvalue_3_paired"]


def test_closed_form_3_near_a_double_top_eigenvalue_against_mpmath():
    # where the closed form's root is ill-conditioned, top_eigenvalue_3 takes the paired form
    # (no bisection): a few ulps of ‖A‖ from the 30-digit eigenvalue, gaps down to exact
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 30
    from eosmath.kernels.symeig import CLOSED_FORM_3_MARGIN

    guard, paired = _invariants_and_paired()
    rng = np.random.default_rng(11)
    for k in range(120):
        gap = 0.0 if k % 12 == 0 else 10 ** rng.uniform(-16, -2.5)
        scale, shift = 10 ** rng.uniform(-6, 6), rng.choice([0.0, 1.0, -30.0, 1e3])
        a = _random_symmetric(rng, 3, (np.array([1.0, 1.0 - gap, -2.0]) + shift) * scale)
        _, fallback, q, p, r = guard(a)
        assert fallback and 1.0 + r < CLOSED_FORM_3_MARGIN
        exact = float(max(mpmath.eigsy(mpmath.matrix(a.tolist()))[0]))
        got = _top3(a)
        assert got == paired(a, q, p, r, np.empty((6, 3)))          # the path taken
        # the module's stated error, a few ulps of |q| + p ≤ 2‖A‖: 4e-15 is 18 ulps of ‖A‖
        # (a pilot on other seeds and ranges measured 1.2e-15; this seed was not piloted)
        assert abs(got - exact) <= 4e-15 * np.linalg.norm(a, 2), (gap, scale, shift)
