"""One GD run as the kernels return it: :class:`Trajectory`, its recorded statistics, and
running a kernel with a progress bar. Shared by plain GD (:mod:`eosmath.dynamics.gd`) and GD
with an update rule (:mod:`eosmath.dynamics.rule_gd`).

>>> import numpy as np
>>> from eosmath.dynamics.status import Status
>>> tr = Trajectory("quadratic", 0.1, np.zeros((3, 1)), Status.CONVERGED, 2, 0, -0.5)
>>> tr.status.name, tr.stop_step, tr.loss is None
('CONVERGED', 2, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eosmath.dynamics.stat_layout import STAT
from eosmath.dynamics.status import Status
from eosmath.errors import InvalidInputError
from eosmath.progress import Progress

RECORDABLE = ("loss", "sharpness", "eos_ratio")


@dataclass(frozen=True)
class Trajectory:
    """One GD run: iterates, the statistics asked for, and what happened (``status``).

    Arrays stop at ``stop_step``: ``theta`` has stop_step + 1 rows θ_0 … θ_stop, and so do the
    recorded statistics (``loss[t]`` = L(θ_t), the last entry at the final iterate; NaN there
    when θ_stop is not finite); ``period`` is k for a period-k verdict, else 0.
    ``lyapunov`` is the largest Lyapunov exponent estimated from the tangent map I − η∇²L.
    ``stats["underflow_step"]`` (−1 if never) is the first check step at which a coordinate
    that started non-zero (``stats["underflow_index"]`` = i) or a tangent component (DIM + i)
    is exactly 0 while its multiplier |1 − η∂²L/∂θᵢ²| > 1 (an :class:`UnderflowWarning` says so).
    """

    model_name: str
    eta: float
    theta: np.ndarray
    status: Status
    stop_step: int
    period: int
    lyapunov: float
    loss: np.ndarray | None = None
    sharpness: np.ndarray | None = None
    eos_ratio: np.ndarray | None = None
    reduced: np.ndarray | None = None
    stats: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        # a summary: the arrays can hold millions of steps
        recorded = [n for n in ("loss", "sharpness", "eos_ratio", "reduced")
                    if getattr(self, n) is not None]
        final = np.array2string(self.theta[-1], precision=6, separator=", ")
        period = f", period={self.period}" if self.period else ""
        return (f"Trajectory(model={self.model_name!r}, eta={self.eta:g}, "
                f"status={self.status.name.lower()}{period}, stop_step={self.stop_step}, "
                f"final_theta={final}, lyapunov={self.lyapunov:.4g}, "
                f"recorded={recorded})")


def check_eta(eta) -> float:
    eta = float(eta)
    if not np.isfinite(eta) or eta <= 0:
        raise InvalidInputError(f"the step size η must be a finite number > 0, got {eta}")
    return eta


def through_final(losses, sharps, end: int, stats) -> dict:
    """The recorded loss and sharpness at θ_0 … θ_{end−1}, then at the final iterate θ_end
    (the kernel's ``final_loss``/``final_sharpness``: NaN where θ_end is not finite)."""
    return {"loss": np.append(losses[:end], stats[STAT["final_loss"]]),
            "sharpness": np.append(sharps[:end], stats[STAT["final_sharpness"]])}


PROGRESS_FROM_STEPS = 200_000  # shorter runs take well under a second: no bar


def run_with_progress(kernel, args, steps: int, quiet: bool) -> None:
    """Run the GD kernel; for long runs, in a thread while this one draws a progress bar.

    The kernel releases the GIL and writes its step count to ``progress[0]`` every 4096 steps.
    """
    progress = np.zeros(1, dtype=np.int64)
    if quiet or steps < PROGRESS_FROM_STEPS:
        kernel(*args, progress)
        return
    import threading

    failure = []

    def target():
        try:
            kernel(*args, progress)
        except BaseException as exc:  # surfaced in the calling thread below
            failure.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    with Progress(steps, "GD steps") as bar:
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
            bar.update(int(progress[0]) - bar.done)
    if failure:
        raise failure[0]
