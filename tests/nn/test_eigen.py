import numpy as np
import pytest

from eosmath import nn


def test_largest_algebraic_not_magnitude():
    op = nn.MatrixOperator(np.diag([-10.0, 5.0, 1.0, 0.5, 0.1]))
    assert np.isclose(nn.top_eigenpairs(op, k=1).eigenvalues[0], 5.0)
    with pytest.warns(nn.NegativeLargestMagnitudeWarning):
        lm = nn.top_eigenpairs(op, k=1, which="LM")
    assert np.isclose(lm.eigenvalues[0], -10.0)


@pytest.mark.parametrize("method", ["lanczos", "lobpcg"])
def test_explicit_matrix_eigenpairs_and_diagnostics(method):
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(60, 60)))
    spectrum = np.concatenate([[9.0, 7.0, 4.0], rng.uniform(-3, 2, size=57)])
    A = (Q * spectrum) @ Q.T
    eig = nn.top_eigenpairs(A, k=3, method=method, tol=1e-10)
    assert eig.method == method and eig.converged and eig.matvecs > 0
    assert np.allclose(eig.eigenvalues, [9.0, 7.0, 4.0], rtol=1e-8)
    assert np.all(eig.residual_norms < 1e-4)
    for j in range(3):
        q = eig.eigenvectors[:, j]
        assert np.isclose(np.linalg.norm(A @ q - eig.eigenvalues[j] * q), eig.residual_norms[j])


def test_warm_start_reduces_work():
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.normal(size=(200, 200)))
    A = (Q * np.linspace(-1, 3, 200)) @ Q.T
    cold = nn.top_eigenpairs(A, k=2, method="lobpcg", tol=1e-8)
    warm = nn.top_eigenpairs(A, k=2, method="lobpcg", tol=1e-8, v0=cold.eigenvectors)
    assert warm.matvecs < cold.matvecs
    assert np.allclose(warm.eigenvalues, cold.eigenvalues, rtol=1e-7)


def test_operator_protocol_and_bad_k():
    class Diag:
        size, dtype = 5, np.dtype(np.float64)

        def matvec(self, v):
            return np.arange(5.0) * v

    assert np.isclose(nn.top_eigenpairs(Diag(), k=1).eigenvalues[0], 4.0)
    with pytest.raises(nn.EosmathError if hasattr(nn, "EosmathError") else ValueError):
        nn.top_eigenpairs(Diag(), k=5)
