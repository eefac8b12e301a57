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


@pytest.mark.parametrize("method", ["lanczos", "lobpcg"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_smallest_eigenpairs_match_eigh_on_random_symmetric(method, seed):
    rng = np.random.default_rng(seed)
    n = 40 + 10 * seed
    B = rng.normal(size=(n, n))
    A = (B + B.T) / 2
    exact = np.linalg.eigvalsh(A)[:3]                     # ascending
    eig = nn.top_eigenpairs(A, k=3, which="SA", method=method, tol=1e-10, seed=seed)
    assert eig.which == "SA" and eig.converged
    scale = np.max(np.abs(np.linalg.eigvalsh(A)))
    np.testing.assert_allclose(eig.eigenvalues, exact, rtol=0, atol=1e-8 * scale)
    assert np.all(np.diff(eig.eigenvalues) >= 0)         # most negative first
    for j in range(3):
        q = eig.eigenvectors[:, j]
        assert np.linalg.norm(A @ q - exact[j] * q) <= 1e-4 * scale
    with pytest.raises(ValueError, match="which='LA'"):
        _ = eig.sharpness


def test_smallest_eigenvalues_of_a_network_hessian_match_eigh_of_the_mpmath_hessian():
    # the dense Hessian comes from the 50-digit mpmath HVP oracle (one column per unit vector);
    # top_eigenpairs runs on the float64 finite-difference HVP, whose relative error is ≤ 1e-7
    # (tests/nn/test_hvp.py), so eigenvalues agree to 1e-7·‖H‖·√n at worst
    rng = np.random.default_rng(3)
    net = nn.MLP([2, 4, 1], activation="tanh")
    obj = nn.Objective(net, (rng.normal(size=(6, 2)), rng.normal(size=(6, 1))))
    theta = net.init(seed=3)
    n = net.n_params
    H = np.array([nn.oracle_hvp(obj, theta, np.eye(n)[i], dps=50) for i in range(n)])
    exact = np.linalg.eigvalsh((H + H.T) / 2)
    assert exact[0] < 0                                  # the test needs negative curvature
    bound = 1e-7 * np.max(np.abs(exact)) * np.sqrt(n)
    for method in ("lanczos", "lobpcg"):
        low = nn.top_eigenpairs(obj, theta, k=3, which="SA", method=method, tol=1e-10)
        np.testing.assert_allclose(low.eigenvalues, exact[:3], rtol=0, atol=bound)
        high = nn.top_eigenpairs(obj, theta, k=2, which="LA", method=method, tol=1e-10)
        np.testing.assert_allclose(high.eigenvalues, exact[::-1][:2], rtol=0, atol=bound)


def test_bad_which_is_refused():
    A = np.diag([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="which must be one of"):
        nn.top_eigenpairs(A, k=1, which="BE")
    with pytest.raises(ValueError, match="algebraic extremes"):
        nn.top_eigenpairs(A, k=1, which="LM", method="lobpcg")
