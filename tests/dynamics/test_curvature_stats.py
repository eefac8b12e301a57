"""The inertia tests behind the sharpness statistics (eosmath.dynamics.curvature_stats) against
LAPACK's eigenvalues, and the statistics of a run against its recorded exact sharpness."""

import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.curvature_stats import above_lines
from eosmath.kernels import vector_math

_COMPILED = {}


def _above(h, x):
    """The generated test, compiled as the kernels compile it (fma is a Numba intrinsic)."""
    n = h.shape[0]
    if n not in _COMPILED:
        from numba import njit

        loads = [f"_H{i}_{j} = h[{i}, {j}]" for i in range(n) for j in range(i, n)]
        body = loads + above_lines(n, "x", "res", "_H{i}_{j}") + ["return res"]
        namespace = dict(vector_math.compiled())
        exec("def above(h, x):\n" + "\n".join("    " + line for line in body), namespace)
        _COMPILED[n] = njit(error_model="numpy")(namespace["above"])
    return bool(_COMPILED[n](np.ascontiguousarray(h), float(x)))


def _matrices(n, rng):
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    yield "random", (lambda a: (a + a.T) / 2)(rng.normal(size=(n, n)))
    top = rng.normal()
    yield "repeated top", q @ np.diag([top, top, *rng.normal(size=n - 2) - 3]) @ q.T
    yield "ill-conditioned", q @ np.diag(np.logspace(-12, 0, n) * rng.choice([-1, 1], n)) @ q.T


@pytest.mark.parametrize("n", [3, 4, 5, 8, 12])
def test_inertia_test_agrees_with_lapack(n):
    rng = np.random.default_rng(n)
    for _ in range(20):
        for kind, h in _matrices(n, rng):
            top = np.linalg.eigvalsh(h)[-1]
            scale = np.linalg.norm(h, 2)
            # beyond the test's backward error (a few ulps of ‖H‖) the side is certain
            for offset in (1e-10, 1e-3, 0.5, 10.0):
                assert _above(h, top - offset * scale), (kind, offset)
                assert not _above(h, top + offset * scale), (kind, offset)
            assert _above(h, -np.inf)                 # a running max not yet set


def test_non_finite_entry_counts_nowhere():
    h = np.eye(3)
    h[2, 2] = np.nan
    assert not _above(h, 2.0)   # no pivot ≤ 0 before the NaN: undecided, counts as below


@pytest.mark.parametrize("model,eta,start", [
    (eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.5), 2.0, [0.8, 0.3, 0.5]),
    (eos.models.get("scalar_network", depth=4), 0.3, [0.2, 0.5, 1.5, 1.9]),
    (eos.models.get("scalar_network", depth=4), 0.45, [0.9, 0.3, 1.6, 2.0]),
])
def test_statistics_match_the_recorded_exact_sharpness(model, eta, start):
    tr = eos.run_gd(model, eta, start, steps=600, quiet=True)
    s = np.asarray(tr.sharpness)[: tr.stop_step]     # exact S at θ_0 … θ_{stop−1}
    assert np.isfinite(s).all() and len(s) > 50
    ratio = 0.5 * eta * s
    assert tr.stats["max_sharpness"] == pytest.approx(s.max(), rel=1e-14)
    near = lambda r, x: np.abs(r - x) < 1e-12          # noqa: E731  (rounding may decide)
    band = (ratio >= 0.95) & (ratio <= 1.05)
    sure = ~(near(ratio, 0.95) | near(ratio, 1.05))
    assert band.sum() > 10                              # the run does reach the edge
    assert abs(tr.stats["eos_steps"] - band.sum()) <= np.count_nonzero(~sure)
    crossings = np.flatnonzero(ratio > 1.0)
    assert crossings.size and tr.stats["first_unstable_step"] == crossings[0]
