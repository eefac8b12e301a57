r"""The central flow of a network: the same integrator as the symbolic models'
(:func:`eosmath.dynamics.central_flow.integrate`), with derivatives a network can afford.

- top eigenpairs of the Hessian by Lanczos on finite-difference HVPs (warm-started from the
  previous sub-step's top eigenvector);
- ∇³L[u, u] = d²/dt² ∇L(θ + tu) at t = 0 as a central second difference of gradients, with
  one Richardson step: D(h) = (∇L(θ+hu) − 2∇L(θ) + ∇L(θ−hu))/h², ∇³L[u, u] ≈ (4D(h/2) −
  D(h))/3, error O(h⁴) + rounding O(u_mach‖∇L‖/h²); the spread |D(h/2) − D(h)|/3 is kept
  as an error estimate. Off-diagonal pairs by polarisation: ∇³L[u, v] = (∇³L[u+v, u+v] −
  ∇³L[u−v, u−v])/4.

>>> from eosmath import nn
>>> data = nn.datasets.chebyshev(degree=3, n=20)
>>> net = nn.MLP([1, 8, 1], activation="tanh", bias=[True, False])
>>> obj = nn.Objective(net, data, loss="mse")
>>> cf = central_flow(obj, 0.5, net.init(seed=0, scheme="chebyshev"), steps=3, substeps=2)
>>> cf.theta.shape, bool(cf.diagnostics["third_relative_error"] < 1e-6)
((4, 24), True)
"""

from __future__ import annotations

import numpy as np

from eosmath.dynamics.central_flow import CentralFlowTrajectory, flow_horizon, integrate
from eosmath.errors import InvalidInputError
from eosmath.nn.eigen import top_eigenpairs

THIRD_STEP = float(np.finfo(np.float64).eps) ** (1 / 6)
"""Default h of the Richardson second difference (balances O(h⁴) against O(u/h²))."""


class NetworkDerivatives:
    """Loss, gradient, top Hessian eigenpairs and ∇³L contractions of an Objective."""

    def __init__(self, objective, h: float = THIRD_STEP, lanczos_tol: float = 1e-10,
                 seed: int = 0):
        self.objective = objective
        self.h = float(h)
        self.lanczos_tol = lanczos_tol
        self.seed = seed
        self._v0 = None
        self.matvecs = 0
        self.gradients = 0
        self.eigensolver_converged = True
        self.worst_residual = 0.0
        self.worst_third_error = 0.0

    def loss(self, theta) -> float:
        return float(self.objective.value(theta))

    def grad(self, theta) -> np.ndarray:
        self.gradients += 1
        return np.asarray(self.objective.grad(theta), dtype=np.float64)

    def top(self, theta, k):
        k_solve = min(k + 1, self.objective.n_params - 1)   # one more: a gap for Lanczos
        r = top_eigenpairs(self.objective, theta, k=k_solve, method="lanczos", v0=self._v0,
                           tol=self.lanczos_tol, seed=self.seed)
        self._v0 = r.eigenvectors[:, 0]
        self.matvecs += r.matvecs
        self.eigensolver_converged &= bool(r.converged)
        scale = max(abs(float(r.eigenvalues[0])), 1e-300)
        self.worst_residual = max(self.worst_residual, float(np.max(r.residual_norms)) / scale)
        return r.eigenvalues[:k], r.eigenvectors[:, :k]

    def third(self, theta, v) -> np.ndarray:
        """∇³L(θ)[v, v] by a Richardson-extrapolated second difference of gradients."""
        h = self.h / max(float(np.linalg.norm(v)), 1e-300)
        g0 = self.grad(theta)

        def second(step):
            return (self.grad(theta + step * v) - 2 * g0 + self.grad(theta - step * v)) / step**2

        coarse, fine = second(h), second(h / 2)
        value = (4 * fine - coarse) / 3
        spread = float(np.linalg.norm(fine - coarse)) / 3
        norm = float(np.linalg.norm(value))
        self.worst_third_error = max(self.worst_third_error,
                                     spread / norm if norm > 0 else spread)
        return value

    def pairs(self, theta, u) -> np.ndarray:
        m = u.shape[1]
        out = np.empty((m, m, u.shape[0]))
        for i in range(m):
            out[i, i] = self.third(theta, u[:, i])
            for j in range(i):
                out[i, j] = out[j, i] = 0.25 * (self.third(theta, u[:, i] + u[:, j])
                                                - self.third(theta, u[:, i] - u[:, j]))
        return out

    def diagnostics(self) -> dict:
        return {"hvp_matvecs": self.matvecs, "gradients": self.gradients,
                "eigensolver_converged": self.eigensolver_converged,
                "eigen_relative_residual": self.worst_residual,
                "third_relative_error": self.worst_third_error, "third_step": self.h}


def central_flow(objective, eta: float, theta0, steps: float | None = None, *,
                 t_max: float | None = None, substeps: int = 4, k: int = 2,
                 window: float = 0.25, record_every: int | None = None,
                 h: float = THIRD_STEP, lanczos_tol: float = 1e-10,
                 seed: int = 0) -> CentralFlowTrajectory:
    """The central flow of full-batch GD with step ``eta`` on ``objective`` from ``theta0``.

    Arguments as :func:`eosmath.central_flow` (``steps`` GD steps' worth of flow time or
    ``t_max``, ``substeps`` explicit sub-steps per GD step, ``k`` eigenvalues that may share
    the edge); ``h``: the second-difference step of ∇³L (per unit direction). Diagnostics add
    the HVP count, the eigensolver's convergence and worst relative residual, and the largest
    relative error estimate of ∇³L.
    """
    horizon = flow_horizon(eta, steps, t_max, substeps, k)
    if not h > 0:
        raise InvalidInputError(f"h must be > 0, got {h}")
    theta = np.asarray(objective.net.check_theta(theta0), dtype=np.float64)
    k = min(int(k), objective.n_params - 2)
    oracle = NetworkDerivatives(objective, h=h, lanczos_tol=lanczos_tol, seed=seed)
    return integrate(oracle, theta, eta, horizon, substeps=substeps, k=k, window=window,
                     record_every=record_every,
                     scheme="explicit Euler with a first-order SDCP projection; Lanczos on "
                            "finite-difference HVPs; ∇³L by Richardson second differences")


__all__ = ["NetworkDerivatives", "central_flow"]
