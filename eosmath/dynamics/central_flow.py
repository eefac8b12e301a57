r"""The central flow: the smooth path that GD at the edge of stability follows on average.

Cohen, Damian, Talwalkar, Kolter & Lee, "Understanding Optimization in Deep Learning with
Central Flows" (ICLR 2025, arXiv 2410.24206), model GD θ ← θ − η∇L by the differential
equation, in flow time τ = η × (GD steps),

    dθ/dτ = −∇L(θ) − ½ Σᵢⱼ Xᵢⱼ ∇³L(θ)[uᵢ, uⱼ],

where u₁…u_k are the Hessian's top eigenvectors and X ⪰ 0 (k×k; σ² when k = 1) is the
covariance of GD's oscillation along them. X is the solution of a complementarity problem:
the eigenvalues never exceed 2/η (A = 2/η·I − UᵀHU ⪰ 0), X is non-zero only in the directions
where they sit at 2/η (⟨X, A⟩ = 0). With one eigenvalue at the edge this is
σ² = max(0, −2⟨∇S, ∇L⟩/‖∇S‖²), the value that keeps dS/dτ = 0 (∇S = ∇³L[u, u], Lemma 2 of
Damian et al.). The flow predicts GD's time-averaged parameters, its time-averaged loss
L(θ) + ½⟨UᵀHU, X⟩ (= L + σ²/η for one eigenvalue at 2/η) and the oscillation's size X.

Integration here is explicit: each sub-step of length dt takes the gradient, Hessian and
∇³L at θ, and solves for the X that keeps A ⪰ 0 one sub-step ahead to first order (a small
semidefinite complementarity problem, solved as the convex program
min_{X ⪰ 0} ⟨A + dt·⟨∇³L[uᵢ,uⱼ], ∇L⟩, X⟩ + (dt/4)‖Σ Xᵢⱼ∇³L[uᵢ,uⱼ]‖² by accelerated projected
gradient). That projection also pulls back any drift above 2/η, so rounding does not
accumulate. The scheme is first order in dt: halve ``substeps``' reciprocal to check.

>>> import eosmath as eos
>>> m = eos.models.get("product", ell="logcosh")
>>> cf = central_flow(m, eta=0.25, theta0=(0.3, 3.5), steps=40)
>>> round(float(cf.eos_ratio[-1]), 6), round(float(cf.theta[-1, 1] ** 2), 6)  # y² = 2/η
(1.0, 8.0)
>>> bool(cf.sigma2[5] > 0), bool(cf.diagnostics["max_eos_ratio"] < 1.001)  # σ² while sliding
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eosmath.errors import InvalidInputError


@dataclass(frozen=True)
class CentralFlowTrajectory:
    """A central flow sampled at flow times ``t`` (τ = η × GD steps; ``steps`` = t/η).

    ``theta`` (n_t, d); ``eigenvalues`` (n_t, k) the top k Hessian eigenvalues; ``X`` (n_t, k,
    k) the oscillation covariance in their eigenbasis; ``loss`` L(θ); ``predicted_loss`` GD's
    time-averaged loss L + ½⟨UᵀHU, X⟩. ``diagnostics``: dt, sub-steps, the largest ηλ/2 met
    (≤ 1 up to the first-order scheme's drift), the complementarity solver's worst residual,
    and whether the flow came to rest.
    """

    t: np.ndarray
    theta: np.ndarray
    eigenvalues: np.ndarray
    X: np.ndarray
    loss: np.ndarray
    predicted_loss: np.ndarray
    eta: float
    diagnostics: dict = field(default_factory=dict)

    @property
    def steps(self) -> np.ndarray:
        """The sample times in GD steps."""
        return self.t / self.eta

    @property
    def sharpness(self) -> np.ndarray:
        return self.eigenvalues[:, 0]

    @property
    def eos_ratio(self) -> np.ndarray:
        """η·S/2 along the flow (1 at the edge of stability)."""
        return self.eta * self.sharpness / 2

    @property
    def sigma2(self) -> np.ndarray:
        """trace X: the oscillation's total variance (σ² when one eigenvalue is at the edge)."""
        return np.trace(self.X, axis1=1, axis2=2)

    def __repr__(self) -> str:
        return (f"CentralFlowTrajectory(eta={self.eta:g}, samples={len(self.t)}, "
                f"t_end={self.t[-1]:g}, final ηS/2={self.eos_ratio[-1]:.6g}, "
                f"final σ²={self.sigma2[-1]:.3g})")


class _Derivatives:
    """Gradient, Hessian and ∇³L of a symbolic model as NumPy functions of θ."""

    def __init__(self, model, hyper=None):
        import sympy as sp

        args = (*model.params, *model.hyper)
        values = tuple(model.hyper.values()) if hyper is None else tuple(hyper)
        if len(values) != len(model.hyper):
            raise InvalidInputError(f"expected {len(model.hyper)} hyper-parameter values, "
                                    f"got {len(values)}")
        self.hyper = values
        self.dim = model.dim
        third = model.derivative(3)
        n = model.dim
        make = lambda e: sp.lambdify(args, e, modules="numpy", cse=True)  # noqa: E731
        self._loss = make(model.stable_loss)
        self._grad = make(list(model.gradient()))
        h = model.hessian()
        self._hess = make([[h[i, j] for j in range(n)] for i in range(n)])
        self._third = make([[[third[i, j, k] for k in range(n)] for j in range(n)]
                            for i in range(n)])

    def _call(self, f, theta):
        return np.asarray(f(*theta, *self.hyper), dtype=np.float64)

    def loss(self, theta):
        return float(self._call(self._loss, theta))

    def grad(self, theta):
        return self._call(self._grad, theta).reshape(self.dim)

    def hessian(self, theta):
        return self._call(self._hess, theta).reshape(self.dim, self.dim)

    def third(self, theta):
        return self._call(self._third, theta).reshape(self.dim, self.dim, self.dim)

    def top(self, theta, k):
        lam, vec = np.linalg.eigh(self.hessian(theta))
        return lam[::-1][:k], vec[:, ::-1][:, :k]

    def pairs(self, theta, u):
        return np.einsum("abc,ai,bj->ijc", self.third(theta), u, u)


def solve_sdcp(alpha: np.ndarray, gram: np.ndarray, tol: float = 1e-12,
               max_iter: int = 5000) -> tuple[np.ndarray, float]:
    """X ⪰ 0 with Y = alpha + gram(X) ⪰ 0 and ⟨X, Y⟩ = 0 (k×k symmetric).

    ``gram`` is the (k, k, k, k) array of a positive semidefinite linear map
    gram(X)ᵢⱼ = Σₖₗ gramᵢⱼₖₗ Xₖₗ. Solved as min_{X ⪰ 0} ⟨alpha, X⟩ + ½⟨X, gram(X)⟩ by
    accelerated projected gradient (FISTA with adaptive restart). Returns (X, residual), the
    residual being max(−λ_min(Y), |⟨X, Y⟩|, 0) scaled by 1 + ‖alpha‖.

    >>> x, res = solve_sdcp(np.array([[-1.0]]), np.array([[[[2.0]]]]))
    >>> float(x[0, 0]), res < 1e-12
    (0.5, True)
    """
    k = alpha.shape[0]
    if np.linalg.eigvalsh(0.5 * (alpha + alpha.T))[0] >= 0.0:
        return np.zeros((k, k)), 0.0                       # X = 0: nothing is at the edge
    if k == 1:
        g = float(gram.reshape(()))
        if not g > 0:
            return np.zeros((1, 1)), float(-alpha[0, 0])   # no direction can lower it
        return np.array([[-alpha[0, 0] / g]]), 0.0
    apply = lambda x: np.einsum("ijkl,kl->ij", gram, x)  # noqa: E731
    scale = 1.0 + np.linalg.norm(alpha)

    def kkt_residual(x):
        slack = alpha + apply(x)
        return max(-np.linalg.eigvalsh(0.5 * (slack + slack.T))[0], abs(np.sum(x * slack)),
                   -np.linalg.eigvalsh(x)[0], 0.0) / scale

    # Closed-form candidates first (all eigenvalues at the edge: Y = 0; one direction: X = s·vvᵀ
    # along an eigenvector of alpha); each is accepted only if it meets the KKT conditions.
    for x in _sdcp_candidates(alpha, gram, apply):
        residual = kkt_residual(x)
        if residual <= tol:
            return x, float(residual)
    lipschitz = max(np.linalg.norm(gram.reshape(k * k, k * k), 2), 1e-300)
    x = np.zeros((k, k))
    y, t = x.copy(), 1.0
    residual = np.inf
    for _ in range(max_iter):
        step = y - (alpha + apply(y)) / lipschitz
        w, v = np.linalg.eigh(0.5 * (step + step.T))
        x_new = (v * np.maximum(w, 0.0)) @ v.T
        if np.sum((y - x_new) * (x_new - x)) > 0:
            t = 1.0                        # adaptive restart: linear convergence when convex
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        y = x_new + (t - 1) / t_new * (x_new - x)
        x, t = x_new, t_new
        slack = alpha + apply(x)
        residual = max(-np.linalg.eigvalsh(0.5 * (slack + slack.T))[0],
                       abs(np.sum(x * slack)), 0.0) / scale
        if residual <= tol:
            break
    return x, float(residual)


def _sdcp_candidates(alpha, gram, apply):
    k = alpha.shape[0]
    iu = np.triu_indices(k)
    basis = []
    for i, j in zip(*iu, strict=True):
        e = np.zeros((k, k))
        e[i, j] = e[j, i] = 1.0
        basis.append(e)
    matrix = np.array([[apply(b)[i, j] for b in basis] for i, j in zip(*iu, strict=True)])
    coeffs = np.linalg.lstsq(matrix, -alpha[iu], rcond=1e-12)[0]   # minimum norm if singular
    yield sum(c * b for c, b in zip(coeffs, basis, strict=True))
    _, vectors = np.linalg.eigh(0.5 * (alpha + alpha.T))
    for v in vectors.T:
        vv = np.outer(v, v)
        curvature = float(np.sum(vv * apply(vv)))
        if curvature > 0:
            yield max(-float(v @ alpha @ v) / curvature, 0.0) * vv


def flow_horizon(eta, steps, t_max, substeps, k) -> float:
    """The flow time to integrate, τ = η·steps or ``t_max``, after checking the arguments that
    every central flow (symbolic or network) takes."""
    if not eta > 0:
        raise InvalidInputError(f"eta must be > 0, got {eta}")
    if (steps is None) == (t_max is None):
        raise InvalidInputError("give exactly one of steps (GD steps) and t_max (flow time)")
    if int(substeps) < 1 or int(k) < 1:
        raise InvalidInputError("substeps and k must be ≥ 1")
    horizon = float(eta * steps if steps is not None else t_max)
    if not horizon > 0:
        raise InvalidInputError("the flow time to integrate must be > 0")
    return horizon


def central_flow(model, eta: float, theta0, steps: float | None = None, *,
                 t_max: float | None = None, substeps: int = 8, k: int = 2,
                 window: float = 0.25, record_every: int | None = None,
                 hyper=None) -> CentralFlowTrajectory:
    """Integrate the central flow of GD with step size ``eta`` from ``theta0``.

    Run for ``steps`` GD steps' worth of flow time (τ = η·steps), or until ``t_max``; each GD
    step is ``substeps`` explicit sub-steps. ``k``: how many top eigenvalues may reach the edge
    together (the matrix case when ≥ 2); an eigenvalue takes part once η·λ/2 ≥ 1 − ``window``.
    Samples are kept every ``record_every`` sub-steps (default: once per GD step).
    """
    horizon = flow_horizon(eta, steps, t_max, substeps, k)
    theta = model.check_theta(theta0).astype(np.float64)
    return integrate(_Derivatives(model, hyper), theta, eta, horizon, substeps=substeps,
                     k=min(int(k), model.dim), window=window, record_every=record_every)


def integrate(oracle, theta, eta: float, horizon: float, *, substeps: int = 8, k: int = 2,
              window: float = 0.25, record_every: int | None = None,
              scheme: str = "explicit Euler with a first-order SDCP projection"
              ) -> CentralFlowTrajectory:
    """The central flow's integrator, for any source of derivatives (``oracle``).

    ``oracle`` has ``loss(θ)``, ``grad(θ)``, ``top(θ, k)`` → (the k largest Hessian
    eigenvalues in descending order, their unit eigenvectors as columns) and
    ``pairs(θ, U)`` → the (m, m, d) array ∇³L[uᵢ, uⱼ] for the columns of U; optionally
    ``diagnostics()`` → a dict merged into the trajectory's. Arguments are checked by callers.
    """
    theta = np.array(theta, dtype=np.float64)
    dt = eta / int(substeps)
    n_sub = int(np.ceil(horizon / dt - 1e-9))
    record_every = int(record_every or substeps)
    edge = 2.0 / eta
    ts, thetas, eigs, xs, losses, predicted = [], [], [], [], [], []
    worst_residual, worst_ratio = 0.0, 0.0
    resting_from = None

    def sample(t, theta, lam, x, hq):
        loss = oracle.loss(theta)
        ts.append(t)
        thetas.append(theta.copy())
        eigs.append(lam[:k].copy())
        padded = np.zeros((k, k))
        padded[:x.shape[0], :x.shape[0]] = x
        xs.append(padded)
        losses.append(loss)
        predicted.append(loss + 0.5 * float(np.sum(hq * x)) if x.size else loss)

    for step in range(n_sub + 1):
        g = oracle.grad(theta)
        lam, vec = oracle.top(theta, k)
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(lam))):
            raise InvalidInputError(f"the central flow left the model's domain at τ = "
                                    f"{step * dt:g} (non-finite gradient or Hessian)")
        worst_ratio = max(worst_ratio, eta * lam[0] / 2)
        active = [i for i in range(k) if eta * lam[i] / 2 >= 1.0 - window]
        x = np.zeros((0, 0))
        hq = np.zeros((0, 0))
        velocity = -g
        if active:
            u = vec[:, active]
            pairs = oracle.pairs(theta, u)                         # ∇³L[uᵢ, uⱼ]
            hq = np.diag(lam[active])                              # UᵀHU for eigenvectors
            alpha = edge * np.eye(len(active)) - hq + dt * np.einsum("ijc,c->ij", pairs, g)
            gram = 0.5 * dt * np.einsum("ijc,klc->ijkl", pairs, pairs)
            x, residual = solve_sdcp(alpha, gram)
            worst_residual = max(worst_residual, residual)
            velocity = velocity - 0.5 * np.einsum("ij,ijc->c", x, pairs)
        if step % record_every == 0 or step == n_sub:
            sample(step * dt, theta, lam, x, hq)
        if step == n_sub:
            break
        speed = float(np.linalg.norm(velocity))
        if speed * (n_sub - step) * dt <= 1e-16 * (1.0 + float(np.linalg.norm(theta))):
            # What is left of the flow moves θ by less than its last bit: it is at rest, and
            # every later sample equals this one (saves the sub-steps of long runs).
            rest = [j for j in range(step + 1, n_sub + 1)
                    if j % record_every == 0 or j == n_sub]
            if rest:
                sample(rest[0] * dt, theta, lam, x, hq)
                for j in rest[1:]:
                    ts.append(j * dt)
                    for seq in (thetas, eigs, xs, losses, predicted):
                        seq.append(seq[-1])
            resting_from = step * dt
            break
        theta = theta + dt * velocity
    final_speed = float(np.linalg.norm(velocity))
    diagnostics = {"dt": dt, "substeps_per_gd_step": int(substeps), "substeps": n_sub,
                   "max_eos_ratio": float(worst_ratio), "sdcp_residual": float(worst_residual),
                   "final_speed": final_speed, "at_rest": final_speed < 1e-8,
                   "rest_from_t": resting_from, "scheme": scheme}
    if hasattr(oracle, "diagnostics"):
        diagnostics.update(oracle.diagnostics())
    return CentralFlowTrajectory(np.asarray(ts), np.asarray(thetas), np.asarray(eigs),
                                 np.asarray(xs), np.asarray(losses), np.asarray(predicted),
                                 float(eta), diagnostics)


def time_average(values, window: int = 2) -> np.ndarray:
    """Moving average of ``values`` (first axis: steps) over ``window`` consecutive steps,
    aligned to the window's centre; GD at the edge oscillates with period 2, so window = 2
    averages each oscillation out. Returns len − window + 1 rows.

    >>> time_average(np.array([1.0, 3.0, 1.0, 3.0]), 2)
    array([2., 2., 2.])
    """
    values = np.asarray(values, dtype=np.float64)
    if not 1 <= window <= len(values):
        raise InvalidInputError(f"window must be in 1..{len(values)}, got {window}")
    kernel = np.cumsum(np.concatenate([np.zeros((1, *values.shape[1:])), values]), axis=0)
    return (kernel[window:] - kernel[:-window]) / window


__all__ = ["CentralFlowTrajectory", "central_flow", "integrate", "solve_sdcp", "time_average"]
