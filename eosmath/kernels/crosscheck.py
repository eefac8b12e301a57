"""Compare a model's three backends against each other at random points.

>>> import eosmath as eos
>>> r = cross_check_backends(eos.models.get("product"), points=4)
>>> r.passed, r.worst < 1e-12
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np


@dataclass(frozen=True)
class BackendAgreement:
    """Largest relative differences of Numba and NumPy against mpmath (``dps`` digits)."""

    model_name: str
    points: int
    dps: int
    numba_vs_mpmath: dict
    numpy_vs_mpmath: dict
    tolerance: float
    note: str = ""

    @property
    def worst(self) -> float:
        return max(*self.numba_vs_mpmath.values(), *self.numpy_vs_mpmath.values())

    @property
    def passed(self) -> bool:
        """Agreement within tolerance at one point at least (none: nothing was compared)."""
        return self.points > 0 and self.worst <= self.tolerance


def _rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-300)
    return float(np.max(np.abs(a - b), initial=0.0)) / max(scale, 1.0)


def cross_check_backends(model, points: int = 16, dps: int = 50, seed: int = 0,
                         scale: float = 1.5, tolerance: float = 1e-12) -> BackendAgreement:
    """Max relative difference per object (loss, grad, hessian) over uniform random points
    (inside the model's real domain: √x, log x are sampled where they are real)."""
    import random

    from eosmath.symbolic.domain import sample_in_domain

    kernels, numpy_fns, mp_fns = model.compile(), model.lambdify("numpy"), model.lambdify("mpmath")
    with mpmath.workdps(dps):
        found = sample_in_domain([lambda *p: mp_fns.loss(list(p)), lambda *p: mp_fns.grad(list(p)),
                                  lambda *p: mp_fns.hessian(list(p))], model.dim, points,
                                 random.Random(seed), half_width=scale)
    thetas = np.array([[float(v) for v in p] for p in found]).reshape(len(found), model.dim)
    note = ("" if len(found) == points else f"the model is real at only {len(found)} of "
            f"{points} sample points (restricted domain); only those were compared")
    worst_numba = {"loss": 0.0, "grad": 0.0, "hessian": 0.0}
    worst_numpy = dict(worst_numba)
    for theta in thetas:
        with mpmath.workdps(dps):
            ref = {"loss": float(mp_fns.loss(theta)),
                   "grad": [float(v) for v in mp_fns.grad(theta)],
                   "hessian": np.array(mp_fns.hessian(theta).tolist(), dtype=float)}
        for name in ("loss", "grad", "hessian"):
            for worst, backend in ((worst_numba, kernels), (worst_numpy, numpy_fns)):
                worst[name] = max(worst[name], _rel(getattr(backend, name)(theta), ref[name]))
    return BackendAgreement(model.name, len(found), dps, worst_numba, worst_numpy, tolerance,
                            note)
