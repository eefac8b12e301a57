"""Full-batch gradient descent with sharpness tracking and a gradient-flow baseline.

>>> from eosmath import nn
>>> net = nn.MLP([1, 20, 1], activation="tanh", bias=[True, False])
>>> obj = nn.Objective(net, nn.datasets.chebyshev(degree=3))
>>> run = nn.train_gd(obj, net.init(seed=0, scheme="chebyshev"), eta=0.1, steps=50,
...                   sharpness_every=25, top_k=2, quiet=True)
>>> run.status, run.loss.shape, run.eigenvalues.shape
('completed', (51,), (3, 2))
>>> rec = nn.train_gd(obj, net.init(seed=0, scheme="chebyshev"), eta=0.1, steps=50,
...                   sharpness_every=50, record_every=20, quiet=True)
>>> rec.snapshot_steps.tolist(), rec.snapshots.shape          # θ at steps 0, 20, 40 and 50
([0, 20, 40, 50], (4, 60))
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eosmath.errors import InvalidInputError
from eosmath.nn.eigen import as_operator, top_eigenpairs
from eosmath.progress import Progress
from eosmath.provenance import provenance

STATUSES = ("completed", "diverged", "goal_reached")
SPILL_BYTES = 256 * 2**20  # snapshots larger than this go to a .npy memmap on disk


@dataclass(frozen=True)
class TrainResult:
    """One GD run. ``loss``/``accuracy``/``gd_gf_distance`` are indexed by step 0..steps_done
    (the value at the θ reached after that many steps; accuracy NaN for regression);
    ``eta[t]`` is the step size used from step t to t+1; sharpness was measured at
    ``eig_steps`` with top-k values ``eigenvalues`` (descending), their residual norms and
    converged flags. ``status``: completed, diverged (non-finite loss or gradient; arrays stop
    at the last finite step) or goal_reached. With ``record_every``: θ at ``snapshot_steps``
    as the rows of ``snapshots`` (an array, or a read-only memmap of the .npy file
    ``snapshot_path`` when spilled to disk; rows of that file past the last snapshot of a run
    that stopped early are NaN)."""

    loss: np.ndarray
    accuracy: np.ndarray
    eta: np.ndarray
    eig_steps: np.ndarray
    eigenvalues: np.ndarray
    eig_residuals: np.ndarray
    eig_converged: np.ndarray
    gd_gf_distance: np.ndarray | None
    gf_sharpness: np.ndarray | None
    status: str
    steps_done: int
    theta: np.ndarray
    attrs: dict = field(default_factory=dict)
    snapshot_steps: np.ndarray | None = None
    snapshots: np.ndarray | None = None
    snapshot_path: str | None = None

    @property
    def sharpness(self) -> np.ndarray:
        return self.eigenvalues[:, 0]

    @property
    def eos_ratio(self) -> np.ndarray:
        """η·S/2 at the measured steps (1 at the edge of stability)."""
        eta = np.append(self.eta, self.eta[-1] if len(self.eta) else np.nan)
        return eta[self.eig_steps] * self.sharpness / 2

    def to_xarray(self):
        import xarray as xr

        variables = {
            "loss": ("step", self.loss), "accuracy": ("step", self.accuracy),
            "eta": ("update", self.eta),
            "eigenvalues": (("eig_step", "k"), self.eigenvalues),
            "eig_residuals": (("eig_step", "k"), self.eig_residuals),
            "eig_converged": ("eig_step", self.eig_converged.astype(np.int8)),
            "theta_final": ("param", np.asarray(self.theta, dtype=np.float64)),
        }
        if self.gd_gf_distance is not None:
            variables["gd_gf_distance"] = ("step", self.gd_gf_distance)
            variables["gf_sharpness"] = ("eig_step", self.gf_sharpness)
        coords = {"step": np.arange(len(self.loss)), "eig_step": self.eig_steps}
        extra = {}
        if self.snapshots is not None and self.snapshot_path is None:
            variables["snapshots"] = (("snapshot_step", "param"), np.asarray(self.snapshots))
            coords["snapshot_step"] = self.snapshot_steps
        elif self.snapshot_path is not None:
            extra["snapshot_path"] = self.snapshot_path
        attrs = {k: (v if isinstance(v, (int, float, str)) else str(v))
                 for k, v in {**self.attrs, **extra, "status": self.status,
                              "steps_done": self.steps_done}.items()}
        return xr.Dataset(variables, coords=coords, attrs=attrs)

    def save(self, path) -> Path:
        """NetCDF (.nc, scipy backend) or NumPy .npz, with provenance attrs."""
        path = Path(path)
        if path.suffix not in (".nc", ".npz"):
            raise InvalidInputError(f"cannot save to {path}: use a .nc (NetCDF) or .npz file")
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".npz":
            ds = self.to_xarray()
            np.savez(path, **{k: ds[k].values for k in ds.data_vars},
                     eig_steps=self.eig_steps, attrs=np.array(repr(ds.attrs)))
        else:
            self.to_xarray().to_netcdf(path, engine="scipy")
        return path


def _rk4_flow(obj, theta, duration, sharpness, alpha, max_step):
    """Advance θ̇ = −∇L(θ) by ``duration`` with classical RK4, step min(α/S, max_step)."""
    h_max = min(alpha / sharpness, max_step) if sharpness > 0 else max_step
    elapsed = 0.0
    while elapsed < duration * (1 - 1e-12):
        h = min(h_max, duration - elapsed)
        k1 = -obj.grad(theta)
        k2 = -obj.grad(theta + 0.5 * h * k1)
        k3 = -obj.grad(theta + 0.5 * h * k2)
        k4 = -obj.grad(theta + h * k3)
        theta = theta + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4)
        elapsed += h
    return theta


class _Snapshots:
    """θ every k steps, in memory or, above ``spill_bytes``, in a .npy memmap in ``folder``."""

    def __init__(self, every, steps, theta, folder, spill_bytes):
        self.every, self.steps, self.count, self.path = every, steps, 0, None
        rows = steps // every + 2          # multiples of k, plus the last step
        shape = (rows, theta.shape[0])
        if rows * theta.shape[0] * theta.dtype.itemsize > spill_bytes:
            folder = Path(folder) if folder is not None else \
                Path(tempfile.mkdtemp(prefix="eosmath-snapshots-"))
            folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix="theta-", suffix=".npy", dir=folder)
            os.close(handle)
            self.path = name
            self.data = np.lib.format.open_memmap(name, mode="w+", dtype=theta.dtype, shape=shape)
        else:
            self.data = np.empty(shape, dtype=theta.dtype)
        self.steps_taken = np.empty(rows, dtype=np.int64)

    def offer(self, t, theta, last):
        if t % self.every == 0 or last:
            self.data[self.count] = theta
            self.steps_taken[self.count] = t
            self.count += 1

    def result(self):
        if self.path is None:
            return self.steps_taken[: self.count].copy(), self.data[: self.count].copy(), None
        self.data[self.count:] = np.nan
        self.data.flush()
        del self.data
        stored = np.load(self.path, mmap_mode="r")
        return self.steps_taken[: self.count].copy(), stored[: self.count], self.path


def train_gd(obj, theta, eta: float, steps: int, sharpness_every: int = 20, top_k: int = 3,
             flow_baseline: bool = False, lr_schedule=None, loss_goal: float | None = None,
             acc_goal: float | None = None, quiet: bool = False, method: str = "lanczos",
             eig_tol: float = 1e-8, flow_alpha: float = 1.0, flow_max_step: float = 999.0,
             seed: int = 0, record_every: int | None = None, snapshot_dir=None,
             spill_bytes: int = SPILL_BYTES, rule=None) -> TrainResult:
    """Full-batch GD θ ← θ − η_t ∇L(θ), η_t = η·lr_schedule(t).

    Every ``sharpness_every`` steps (and at the last step) the top-``top_k`` Hessian
    eigenvalues are computed (``method`` lanczos or lobpcg, warm-started from the previous
    eigenvectors). ``flow_baseline=True`` also integrates gradient flow from the same start
    with RK4 (step min(α/S, max_step), S refreshed at the sharpness steps; Cohen's α = 1,
    max_step = 999), in lock-step to time Σ η_t, and records ‖θ_GD − θ_GF‖. Stops early with
    status ``goal_reached`` when loss ≤ loss_goal or accuracy ≥ acc_goal; non-finite loss or
    gradient gives status ``diverged`` (never an exception).

    ``record_every=k`` keeps θ at every k-th step and at the last step of a run that completes
    or reaches its goal (``snapshots``; a diverged run keeps its finite multiples of k); when
    they would take more than ``spill_bytes`` they are written to a .npy memmap in
    ``snapshot_dir`` (default: a new temporary folder, which the caller owns and deletes).

    ``rule``: an update rule of :mod:`eosmath.rules` (heavy_ball, nesterov, rmsprop, adam;
    NumPy, :class:`~eosmath.dynamics.update_rules.NumpyRule`): θ ← θ − η_t·u_t. For rmsprop
    and adam the eigenvalues are those of P⁻¹∇²L with the step's preconditioner P;
    ``attrs["threshold_factor"]`` = c of the rule's threshold c/η.
    """
    theta = obj.net.check_theta(theta).copy()
    if theta.dtype.kind in "iub":
        theta = theta.astype(np.float64)
    for ok, constraint, value in ((eta > 0 and np.isfinite(eta), "eta > 0 (finite)", eta),
                                  (steps >= 0, "steps ≥ 0", steps),
                                  (sharpness_every >= 1, "sharpness_every ≥ 1", sharpness_every),
                                  (top_k >= 1, "top_k ≥ 1", top_k)):
        if not ok:
            raise InvalidInputError(f"train_gd needs {constraint}, got {value}")
    if record_every is not None and (isinstance(record_every, bool) or int(record_every) < 1
                                     or int(record_every) != record_every):
        raise InvalidInputError(f"record_every must be a whole number ≥ 1, got {record_every!r}")
    runner = None
    if rule is not None:
        from eosmath.dynamics.update_rules import NumpyRule, PreconditionedOperator

        runner = NumpyRule(rule, theta.size, theta.dtype)
    snaps = None if record_every is None else \
        _Snapshots(int(record_every), int(steps), theta, snapshot_dir, spill_bytes)
    schedule = lr_schedule or (lambda step: 1.0)
    losses, accuracies, etas, distances = [], [], [], []
    eig_steps, eig_values, eig_res, eig_conv, gf_sharp = [], [], [], [], []
    status = "completed"
    start = theta.copy()
    theta_gf, gf_vectors, gf_s = (start.copy(), None, None)
    vectors = None

    def measure(point, warm):
        target = obj
        if runner is not None and runner.rule.preconditioned:
            target = PreconditionedOperator(as_operator(obj, point), runner.pre)
        return top_eigenpairs(target, point, k=top_k, method=method, v0=warm, tol=eig_tol,
                              seed=seed)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
            Progress(steps, label="train_gd", quiet=quiet) as bar:
        for t in range(steps + 1):
            value, grad = obj.value_and_grad(theta)
            if not (np.isfinite(value) and np.all(np.isfinite(grad))):
                status = "diverged"
                break
            losses.append(float(value))
            direction = grad if runner is None else runner.update(grad, t)  # P_t for measure
            acc = obj.accuracy(theta)
            accuracies.append(np.nan if acc is None else acc)
            if flow_baseline:
                distances.append(float(np.linalg.norm((theta - theta_gf).astype(np.float64))))
            goal = (loss_goal is not None and value <= loss_goal) or \
                (acc_goal is not None and acc is not None and acc >= acc_goal)
            if snaps is not None:
                snaps.offer(t, theta, goal or t == steps)
            if t % sharpness_every == 0 or t == steps or goal:
                eig = measure(theta, vectors)
                vectors = eig.eigenvectors
                eig_steps.append(t)
                eig_values.append(eig.eigenvalues)
                eig_res.append(eig.residual_norms)
                eig_conv.append(eig.converged)
                if flow_baseline:
                    flow_eig = top_eigenpairs(obj, theta_gf, k=1, method="lanczos", v0=gf_vectors,
                                              tol=eig_tol, seed=seed)
                    gf_vectors, gf_s = flow_eig.eigenvectors, flow_eig.sharpness
                    gf_sharp.append(gf_s)
            if goal:
                status = "goal_reached"
                break
            if t == steps:
                break
            step_size = eta * schedule(t)
            etas.append(step_size)
            theta = theta - theta.dtype.type(step_size) * direction
            if flow_baseline:
                theta_gf = _rk4_flow(obj, theta_gf, step_size, gf_s, flow_alpha, flow_max_step)
            bar.update()
    steps_done = len(losses) - 1
    etas = etas[:max(steps_done, 0)]
    info = provenance(dtype=str(theta.dtype), eta=float(eta), steps=int(steps),
                      sharpness_every=int(sharpness_every), top_k=int(top_k), method=method,
                      eig_tol=float(eig_tol), flow_baseline=bool(flow_baseline),
                      objective=repr(obj), seed=int(seed))
    if runner is not None:
        info.update(rule=str(runner.rule), threshold_factor=runner.rule.threshold_factor)
    return TrainResult(
        loss=np.array(losses), accuracy=np.array(accuracies, dtype=float), eta=np.array(etas),
        eig_steps=np.array(eig_steps, dtype=int),
        eigenvalues=np.array(eig_values).reshape(len(eig_steps), top_k),
        eig_residuals=np.array(eig_res).reshape(len(eig_steps), top_k),
        eig_converged=np.array(eig_conv, dtype=bool),
        gd_gf_distance=np.array(distances) if flow_baseline else None,
        gf_sharpness=np.array(gf_sharp) if flow_baseline else None,
        status=status, steps_done=steps_done, theta=theta, attrs=info,
        **({} if snaps is None else dict(zip(("snapshot_steps", "snapshots", "snapshot_path"),
                                            snaps.result(), strict=True))))
