"""Seed 004's two-layer ReLU network on orthonormal inputs (spec §3).

h(x) = Σ_j a_j relu(⟨w_j, x⟩), no biases, MSE. eosmath stores θ in the generic (PyTorch)
order ``(W row-major (m × d), a (m))`` = ``MLP([d, m, 1], "relu", bias=False)``; the seed's
per-neuron order ``(w_1; a_1; …; w_m; a_m)`` is available through :func:`to_neuron_order`.

>>> theta = np.arange(6.0)             # m = 2 neurons, d = 2: W = [[0, 1], [2, 3]], a = [4, 5]
>>> to_neuron_order(theta, m=2, d=2).tolist()
[0.0, 1.0, 4.0, 2.0, 3.0, 5.0]
"""

from __future__ import annotations

import numpy as np

from eosmath.errors import InvalidInputError
from eosmath.nn.mlp import MLP


def network(m: int, d: int) -> MLP:
    """The seed-004 network as an :class:`MLP` (generic parameter order)."""
    return MLP([d, m, 1], activation="relu", bias=False)


def neuron_permutation(m: int, d: int) -> np.ndarray:
    """Index array p with θ_neuron = θ_generic[p]."""
    p = np.empty(m * (d + 1), dtype=int)
    for j in range(m):
        p[j * (d + 1): j * (d + 1) + d] = np.arange(j * d, (j + 1) * d)
        p[j * (d + 1) + d] = m * d + j
    return p


def to_neuron_order(theta, m: int, d: int) -> np.ndarray:
    return np.asarray(theta)[neuron_permutation(m, d)]


def from_neuron_order(theta_neuron, m: int, d: int) -> np.ndarray:
    theta = np.empty_like(np.asarray(theta_neuron))
    theta[neuron_permutation(m, d)] = theta_neuron
    return theta


def split(theta, d: int):
    """(W (m × d), a (m,)) views of a generic-order θ."""
    theta = np.asarray(theta)
    if theta.ndim != 1 or theta.size % (d + 1):
        raise InvalidInputError(f"θ of length {theta.size} is not m·(d+1) for d = {d}")
    m = theta.size // (d + 1)
    return theta[: m * d].reshape(m, d), theta[m * d:]


def init_balanced(m: int, d: int, lam: float, seed: int = 0) -> np.ndarray:
    """w_j = λ g_j (g_j uniform on the sphere), a_j = λ s_j (s_j = ±1): balanced, ‖w_j‖ = |a_j|.
    Draw order: the m×d Gaussian, then the m signs."""
    if not 0 < lam:
        raise InvalidInputError(f"lam must be positive, got {lam}")
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(m, d))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    s = rng.choice((-1.0, 1.0), size=m)
    return np.concatenate([(lam * g).ravel(), lam * s])


def _data(data):
    X, Y = (data.X, data.Y) if hasattr(data, "X") else data
    return np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64).reshape(-1)


def balance(theta, d: int) -> np.ndarray:
    """B_j = ‖w_j‖² − a_j² per neuron (conserved by gradient flow)."""
    W, a = split(theta, d)
    return np.einsum("jd,jd->j", W, W) - a * a


def neuron_directions(theta, data) -> np.ndarray:
    """d_j = −(1/n) Σ_k 1{⟨w_j, x_k⟩ > 0} (h(x_k) − y_k) x_k, shape (m, d); ∇_{w_j}L = −a_j d_j
    and ∂_{a_j}L = −⟨w_j, d_j⟩."""
    X, y = _data(data)
    W, a = split(theta, X.shape[1])
    pre = X @ W.T                                   # (n, m)
    residual = np.maximum(pre, 0) @ a - y           # h(x_k) − y_k
    active = (pre > 0).astype(float)
    return -(active * residual[:, None]).T @ X / X.shape[0]


def balance_increment_predicted(theta, data, eta: float) -> np.ndarray:
    """Lemma 2.1 (eq. 2): B_{t+1} − B_t = η²(‖d_j‖² a_j² − ⟨d_j, w_j⟩²), exact for a GD step."""
    X, _ = _data(data)
    W, a = split(theta, X.shape[1])
    D = neuron_directions(theta, data)
    return eta**2 * (np.einsum("jd,jd->j", D, D) * a * a - np.einsum("jd,jd->j", D, W) ** 2)


def balance_next_predicted(theta, data, eta: float) -> np.ndarray:
    """Eq. (3) in its corrected form (the seed's print drops η²‖d‖²B; spec §3.3):
    B_{t+1} = (1 − η²‖d_j‖²) B_t + η²(‖d_j‖²‖w_j‖² − ⟨d_j, w_j⟩²)."""
    X, _ = _data(data)
    W, _a = split(theta, X.shape[1])
    D = neuron_directions(theta, data)
    dd = np.einsum("jd,jd->j", D, D)
    return ((1 - eta**2 * dd) * balance(theta, X.shape[1])
            + eta**2 * (dd * np.einsum("jd,jd->j", W, W) - np.einsum("jd,jd->j", D, W) ** 2))


def active_sets(theta0, data):
    """Assumption 2.2's S_{1,+} (s_j = +1, active on every positive example) and S_{1,−}
    (s_j = −1, active on every negative example), from the initial θ."""
    X, y = _data(data)
    W, a = split(theta0, X.shape[1])
    active = (X @ W.T) > 0                          # (n, m)
    plus = np.flatnonzero((a > 0) & np.all(active[y > 0], axis=0))
    minus = np.flatnonzero((a < 0) & np.all(active[y < 0], axis=0))
    return plus, minus


def hessian(theta, data) -> np.ndarray:
    """The a.e. Hessian of the MSE (σ'' = 0), generic parameter order (spec §3.5):
    (1/n) Σ_k [g_k g_kᵀ + r_k ∇²h_k] with ∂²h_k/∂a_j∂w_j = 1{⟨w_j,x_k⟩>0} x_k."""
    X, y = _data(data)
    n, d = X.shape
    W, a = split(theta, d)
    m = a.size
    pre = X @ W.T
    active = (pre > 0).astype(float)
    residual = np.maximum(pre, 0) @ a - y
    G = np.concatenate([((active * a)[:, :, None] * X[:, None, :]).reshape(n, m * d),
                        np.maximum(pre, 0)], axis=1)           # rows g_k
    H = G.T @ G / n
    cross = np.einsum("k,kj,kd->jd", residual, active, X) / n  # Σ_k r_k 1_{jk} x_k / n
    for j in range(m):
        H[j * d:(j + 1) * d, m * d + j] += cross[j]
        H[m * d + j, j * d:(j + 1) * d] += cross[j]
    return H


def theorem_directions(theta0, data):
    """v_± (generic order): block j = (d_±, ‖d_±‖) for j ∈ S_{1,±}, zero elsewhere."""
    X, y = _data(data)
    n, d = X.shape
    m = np.asarray(theta0).size // (d + 1)
    plus, minus = active_sets(theta0, data)
    out = []
    for members, sign in ((plus, 1), (minus, -1)):
        dvec = (y[sign * y > 0, None] * X[sign * y > 0]).sum(axis=0) / n
        v = np.zeros(m * (d + 1))
        for j in members:
            v[j * d:(j + 1) * d] = dvec
            v[m * d + j] = np.linalg.norm(dvec)
        out.append(v)
    return tuple(out)


def rayleigh_sharpness(theta, data, theta0) -> tuple[float, float]:
    """λ_± = ⟨v_±, ∇²L v_±⟩/‖v_±‖² with the exact a.e. Hessian (NaN if S_{1,±} is empty)."""
    H = hessian(theta, data)
    values = []
    for v in theorem_directions(theta0, data):
        norm2 = float(v @ v)
        values.append(float(v @ H @ v) / norm2 if norm2 > 0 else float("nan"))
    return values[0], values[1]
