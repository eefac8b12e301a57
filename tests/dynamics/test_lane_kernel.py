"""The SIMD lane sweep kernel against the one-cell-at-a-time kernel (gd_core): every statistic
of every cell equal bit for bit, across statuses, model shapes and check settings. The lane
kernel runs twice: as Numba's parallel ``sweep_cells`` and as the C entry point ``lane_block``
driven by threads (lane_runner), the path ``eos.sweep`` takes."""

import numba
import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.kernel_template import NSTAT, STAT
from eosmath.dynamics.lane_runner import lane_block_function, run_blocks
from eosmath.dynamics.sweep import _balanced_order


def _both(model, thetas, etas, hyper=None, steps=600, kmax=16, tol=1e-10, radius=1e6,
          parallel=True):
    kernels = model.compile()
    module = kernels.module
    n = len(etas)
    hs = np.zeros((n, 0)) if hyper is None else np.ascontiguousarray(hyper)
    thetas = np.ascontiguousarray(thetas, dtype=np.float64)
    order = _balanced_order(n, run=7)
    block = lane_block_function(kernels.key, lambda: kernels, dim=model.dim,
                                nhyper=hs.shape[1], nstats=NSTAT)

    def c_entry(*args):
        run_blocks(block, *args)

    out = []
    # parallel=False: without Numba's own parallel lane kernel (the slowest to compile; the
    # sweep runs the C entry point)
    kernels = (module.sweep_cells, c_entry) if parallel else (c_entry,)
    for kernel in (*kernels, module.sweep_cells_scalar):
        stats, final = np.full((n, NSTAT), -7.0), np.full_like(thetas, -7.0)
        kernel(thetas, np.asarray(etas, dtype=np.float64), hs, order, steps, tol,
               radius * radius, kmax, 1e-10, stats, final, numba.get_num_threads())
        out.append((stats, final))
    return out


def _assert_identical(results):
    *lanes, (ref_stats, ref_final) = results
    for lane_stats, lane_final in lanes:
        np.testing.assert_array_equal(lane_stats, ref_stats)
        np.testing.assert_array_equal(lane_final, ref_final)


def _product_grid(n_eta=40, n_x=25):
    E, X = np.meshgrid(np.linspace(1.0, 2.0, n_eta), np.linspace(0.1, 1.9, n_x), indexing="ij")
    return np.column_stack([X.ravel(), np.full(E.size, 2.0)]), E.ravel()


def test_product_grid_all_statuses_identical():
    thetas, etas = _product_grid()
    results = _both(eos.models.get("product", ell="logcosh"), thetas, etas, steps=2000)
    _assert_identical(results)
    statuses = set(results[0][0][:, STAT["status"]].astype(int))
    assert {0, 2, 3, 4} <= statuses  # converged, chaotic, diverged and undecided cells


@pytest.mark.parametrize("steps, kmax", [(0, 16), (1, 16), (37, 16), (600, 20), (600, 2)])
def test_step_budgets_and_kmax_beyond_the_unrolled_check(steps, kmax):
    thetas, etas = _product_grid(12, 9)
    _assert_identical(_both(eos.models.get("product", ell="logcosh"), thetas, etas,
                            steps=steps, kmax=kmax))


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_one_dimensional_model_identical():
    m = eos.models.get("soft_quadratic")
    etas = np.linspace(0.2, 4.0, 300)
    thetas = np.tile([[1.5]], (300, 1))
    results = _both(m, thetas, etas, steps=800)
    _assert_identical(results)
    assert 1 in set(results[0][0][:, STAT["status"]].astype(int))  # the period-2 regime η > 1


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_per_cell_hyper_parameters_identical():
    m = eos.Model.from_string("a*log(cosh(x*y)) + b*x**2/2", "x y", hyper={"a": 1.0, "b": 0.1})
    thetas, etas = _product_grid(10, 10)
    rng = np.random.default_rng(3)
    hyper = np.column_stack([rng.uniform(0.5, 2.0, len(etas)), rng.uniform(0.0, 0.3, len(etas))])
    _assert_identical(_both(m, thetas, etas, hyper=hyper))


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_quartic_slice_identical():
    # 2-D quartic: converged, periodic, diverged and undecided cells
    m = eos.models.get("zhu_slice")
    E, X = np.meshgrid(np.linspace(0.05, 0.6, 30), np.linspace(0.3, 1.6, 30), indexing="ij")
    thetas = np.column_stack([X.ravel(), 1.0 / X.ravel() + 0.1])
    results = _both(m, thetas, E.ravel(), steps=3000, radius=1e3)
    _assert_identical(results)
    assert {0, 1, 3, 4} <= set(results[0][0][:, STAT["status"]].astype(int))


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_growing_and_invalid_cells_identical():
    # geometric growth inside the radius (DIVERGED by the growth rule), bounded chaos, and
    # cells that leave the domain of √(x − 10) (INVALID): the end-of-run rules agree too
    m = eos.models.get("quadratic", a=3.0)
    etas = np.linspace(0.55, 0.75, 41)
    for steps in (37, 100, 300):
        results = _both(m, np.ones((41, 1)), etas, hyper=np.full((41, len(m.hyper_names)), 3.0),
                        steps=steps)
        _assert_identical(results)
        assert 3 in set(results[0][0][:, STAT["status"]].astype(int))
    d = eos.Model.from_string("(sqrt(x - 10) - 1)**2 + y**2", "x y")
    E, X = np.meshgrid(np.linspace(0.05, 8.0, 12), np.linspace(10.3, 12.0, 9), indexing="ij")
    thetas = np.column_stack([X.ravel(), np.zeros(E.size)])
    results = _both(d, thetas, E.ravel(), steps=300)
    _assert_identical(results)
    assert {0, 5} <= set(results[0][0][:, STAT["status"]].astype(int))


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_underflow_statistics_identical():
    # x ← x(1 − ηy²) while y creeps towards 2: x is flushed to 0 during the stable phase and
    # ηy² later exceeds 2; both kernels record the same check step and index
    m = eos.Model.from_string("x**2*y**2/2 + (y - 2)**2/20000", "x y")
    E, X = np.meshgrid(np.linspace(0.75, 0.95, 5), np.array([1e-3, 1e-200, 0.0]), indexing="ij")
    thetas = np.column_stack([X.ravel(), np.full(E.size, 0.5)])
    results = _both(m, thetas, E.ravel(), steps=20000)
    _assert_identical(results)
    steps = results[0][0][:, STAT["underflow_step"]]
    index = results[0][0][:, STAT["underflow_index"]]
    started_at_zero = thetas[:, 0] == 0.0
    assert np.all(steps[~started_at_zero] > 0) and np.all(index[~started_at_zero] == 0)
    # a start on the subspace x = 0 is chosen, but the tangent's x component still decays to
    # 0 relative to its y component, so the Lyapunov exponent misses the instability too
    assert np.all(steps[started_at_zero] > 0) and np.all(index[started_at_zero] == 2)


@pytest.mark.slow  # compile-heavy (~20 s per model on 2 cores); the slow suite and CI run it
@pytest.mark.parametrize("text", ["a*(x**2 + y**2 + z**2)/2",
                                  "cosh(x) + y**2/2 + z**2/2 + x*y*z/10"],
                         ids=["isotropic", "overflowing"])
def test_three_parameter_end_points_identical(text):
    # 3 parameters: the lanes take the final loss and sharpness of the cells a check finishes
    # in one vectorised pass. a·I has p = 0, so the closed form falls back at every step and
    # at every end point; cosh overflows (non-finite loss and gradient at finite θ) for the
    # large steps. 300 cells: lanes refilled, checks finishing anywhere from 0 to 64 cells.
    m = eos.Model.from_string(text, "x y z", hyper={"a": 3.0} if "a*" in text else None)
    E, X = np.meshgrid(np.linspace(0.1, 4.0, 20), np.linspace(0.5, 3.0, 15), indexing="ij")
    thetas = np.column_stack([X.ravel(), 0.5 * X.ravel(), np.full(E.size, -0.7)])
    hyper = np.full((E.size, 1), 3.0) if m.hyper_names else None
    results = _both(m, thetas, E.ravel(), hyper=hyper, steps=400, parallel=False)
    _assert_identical(results)
    assert len(set(results[0][0][:, STAT["status"]].astype(int))) >= 2
    assert np.isfinite(results[0][0][:, STAT["final_sharpness"]]).any()
