"""The inlined top eigenvalue against LAPACK: random, repeated, ill-conditioned, non-finite."""

import numpy as np
import pytest

from eosmath.kernels.symeig import compiled

top = compiled()["top_eigenvalue"]


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
