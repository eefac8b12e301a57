"""Sweeps of models with 3 to 12 parameters equal run_gd cell by cell, every statistic bit for
bit: the SIMD lane kernel up to LANE_MAX_DIM = 8, the scalar kernel beyond (both decide the
sharpness statistics by the inertia tests of eosmath.dynamics.curvature_stats and solve with
the inlined eigensolver of eosmath.kernels.symeig); the kernel's sharpness agrees with
LAPACK."""

import numpy as np
import pytest
import sympy as sp

import eosmath as eos


def random_quartic(n: int, seed: int) -> eos.Model:
    """½ θᵀAθ (A positive definite) + cubic and quartic terms along random directions: convex
    near the origin, EoS oscillation, periods and divergence further out. Coefficients are
    rationals so that the model (and its kernel) is the same on every machine."""
    rng = np.random.default_rng(seed)
    xs = sp.symbols(f"x0:{n}", real=True)
    th = sp.Matrix(xs)

    def rational_matrix(rows):
        return sp.Matrix(rows, n, [sp.Rational(int(v), 8) for v in rng.integers(-8, 9,
                                                                                  rows * n)])

    q = rational_matrix(n)
    a = q.T * q + sp.eye(n)
    r = rational_matrix(2)
    loss = (th.T * a * th)[0] / 2 + (r[0, :] * th)[0] ** 3 / 3 + (r[1, :] * th)[0] ** 4 / 4
    return eos.Model(loss, xs, name=f"quartic{n}")


def _trajectory_stats(tr):
    s = tr.stats
    steps = s["lyapunov_steps"]
    return {"status": int(tr.status), "stop_step": tr.stop_step, "period": tr.period,
            "final_loss": s["final_loss"], "final_sharpness": s["final_sharpness"],
            "max_sharpness": s["max_sharpness"],
            "first_unstable_step": int(s["first_unstable_step"]),
            "eos_fraction": s["eos_steps"] / steps if steps > 0 else 0.0,
            "lyapunov": s["lyapunov_sum"] / steps if steps > 0 else np.nan,
            "underflow_step": int(s["underflow_step"])}


def _assert_sweep_equals_run_gd(model, etas, axis, values, fixed, steps, kmax=16):
    ds = eos.sweep(model, eta=etas, **{axis: values}, **fixed, steps=steps, quiet=True,
                   kmax=kmax)
    names = [str(p) for p in model.params]
    statuses = set()
    for i, eta in enumerate(etas):
        for j, v in enumerate(values):
            start = [v if p == axis else fixed[p] for p in names]
            tr = eos.run_gd(model, float(eta), start, steps=steps, kmax=kmax)
            cell = ds.isel(eta=i, **{axis: j})
            for name, expected in _trajectory_stats(tr).items():
                np.testing.assert_array_equal(cell[name].values, expected, err_msg=name)
            np.testing.assert_array_equal([float(cell[f"final_{p}"]) for p in names],
                                          tr.theta[-1])
            statuses.add(int(tr.status))
    return statuses


# compile time: 20–60 s for a 5- or 8-parameter lane kernel on 2 cores, so d = 5 and 8 (here
# and the depth-8 network below) run in the slow suite, which CI runs after the default one;
# so does d = 3 here (~18 s), which the default suite covers with two_layer_minimal
# (test_lanes_refilled_many_times_equal_run_gd) and the √(x − 10) model below
@pytest.mark.parametrize("n", [pytest.param(3, marks=pytest.mark.slow),
                               pytest.param(5, marks=pytest.mark.slow),
                               pytest.param(8, marks=pytest.mark.slow),
                               pytest.param(12, marks=pytest.mark.slow)])
def test_random_quartic_sweep_equals_run_gd(n):
    model = random_quartic(n, seed=n)
    fixed = {f"x{i}": 0.1 for i in range(1, n)}
    top = float(np.linalg.eigvalsh(np.array(model.hessian().subs(
        {p: 0 for p in model.params}), dtype=float))[-1])
    etas = np.linspace(0.5, 2.6, 8) / top  # from stable to beyond the edge at the origin
    statuses = _assert_sweep_equals_run_gd(model, etas, "x0", np.linspace(-0.5, 0.5, 5),
                                           fixed, steps=400)
    assert len(statuses) >= 3, statuses  # a grid with one verdict would test little


def test_small_kmax_and_a_partial_last_window_equal_run_gd():
    # the max-sharpness candidates of a 16-step window are resolved from the lane kernel's
    # history ring, which must hold the window even when kmax + 1 < 16; 203 steps end the
    # runs out of steps part-way through a window
    model = random_quartic(3, seed=3)
    top = float(np.linalg.eigvalsh(np.array(model.hessian().subs(
        {p: 0 for p in model.params}), dtype=float))[-1])
    statuses = _assert_sweep_equals_run_gd(model, np.linspace(0.5, 2.6, 6) / top, "x0",
                                           np.linspace(-0.5, 0.5, 4), {"x1": 0.1, "x2": 0.1},
                                           steps=203, kmax=3)
    assert len(statuses) >= 2, statuses


@pytest.mark.slow
def test_depth_eight_scalar_network_sweep_equals_run_gd():
    model = eos.models.get("scalar_network", depth=8)
    names = [str(p) for p in model.params]
    fixed = {p: 1.0 + 0.05 * k for k, p in enumerate(names[1:])}
    statuses = _assert_sweep_equals_run_gd(model, np.linspace(0.05, 0.4, 6), names[0],
                                           np.linspace(0.5, 1.5, 4), fixed, steps=300)
    assert len(statuses) >= 2, statuses


def test_non_finite_hessian_gives_nan_sharpness_and_the_same_status():
    # √(x − 10): outside the domain the Hessian is NaN; cells leaving it end INVALID
    model = eos.Model.from_string("(sqrt(x - 10) - 1)**2 + y**2 + z**2 + y*z/4", "x y z")
    k = model.compile()
    assert np.isnan(k.module.sharpness(np.array([9.0, 0.1, 0.2]), np.zeros(0)))
    statuses = _assert_sweep_equals_run_gd(model, np.linspace(0.05, 8.0, 10), "x",
                                           np.linspace(10.3, 12.0, 5), {"y": 0.1, "z": -0.2},
                                           steps=300)
    assert 5 in statuses


@pytest.mark.parametrize("model", [random_quartic(5, seed=1), random_quartic(8, seed=2),
                                   eos.models.get("scalar_network", depth=8)],
                         ids=["quartic5", "quartic8", "scalar_network8"])
def test_kernel_sharpness_agrees_with_lapack(model):
    k = model.compile().module
    rng = np.random.default_rng(0)
    h = np.asarray(model.hyper_values, dtype=float)
    points = rng.normal(scale=1.0, size=(200, model.dim))
    many = np.empty(len(points))
    k.sharpness_many(points, h, many)
    for point, from_many in zip(points, many, strict=True):
        hess = k.hessian(point, h)
        # eigvalsh's own backward error is ~1e-16‖H‖: agreement within 1e-12 of the norm
        expected = np.linalg.eigvalsh(hess)[-1]
        bound = 1e-12 * max(np.linalg.norm(hess, 2), np.finfo(float).tiny)
        assert abs(k.sharpness(point, h) - expected) <= bound
        assert from_many == k.sharpness(point, h)


def test_lanes_refilled_many_times_equal_run_gd():
    # 600 cells through 64 lanes: every lane is refilled and the lanes are packed at the end
    # (a grid of ≤ 64 cells would test only the first fill)
    model = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.5)
    statuses = _assert_sweep_equals_run_gd(model, np.linspace(0.5, 6.0, 30), "a",
                                           np.linspace(0.1, 2.0, 20), {"w1": 0.3, "w2": 0.5},
                                           steps=300)
    assert len(statuses) >= 2, statuses
    # its ∂²L/∂w₁∂w₂ ≡ 0 is read as a literal in the lane kernel, not from a lane array: the
    # cells above are those of that kernel
    from eosmath.kernels.codegen import generate_source

    lane = generate_source(model, "x").split("def lane_block(")[1].split("def lane_block_l1(")[0]
    assert "A1_2[j]" not in lane and "A0_1[j]" in lane
