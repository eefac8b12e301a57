"""Update rules (eos.rules) through run_gd and sweep.

Oracles: the theory module's former private clipped GD / PGD of seed 002 (written out here),
a 50-digit loop, the plain GD kernel (an empty rule), closed-form stability thresholds of
momentum on a quadratic (roots of the characteristic polynomial), an independent NumPy loop
for Adam, the mpmath path for every rule, and the rule's own sweep vs run_gd cell by cell.
"""

import math

import mpmath
import numpy as np
import pytest

import eosmath as eos
from eosmath.errors import EosmathError
from eosmath.theory import minimalist_two_layer as mtl

SEED002 = {"eta": 4.0, "theta0": (0.67, 0.01, 1.0), "C": 0.002}


@pytest.fixture(scope="module")
def mtl_model():
    return eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.02)


def _seed002_reference(steps, eta=4.0, s1sq=1.0, s2sq=0.02**2, C=0.002,
                       theta0=(0.67, 0.01, 1.0)):
    """The theory module's former private clipped GD (w1 carried as sign and log|w1|),
    written out in plain Python: the result the public lines must reproduce exactly."""
    a, w1, w2 = theta0
    rows, logw1, sign = [(a, w1, w2)], [math.log(abs(w1))], 1.0 if w1 >= 0 else -1.0
    lw = logw1[0]
    for _ in range(steps):
        ga = s1sq * a * math.exp(2.0 * lw) + s2sq * w2 * (a * w2 - 1.0)
        ga = min(max(ga, -C), C)
        factor = 1.0 - eta * s1sq * a * a
        a, w2 = a - eta * ga, w2 - eta * s2sq * a * (a * w2 - 1.0)
        lw += math.log(abs(factor))
        sign *= 1.0 if factor >= 0 else -1.0
        rows.append((a, sign * math.exp(lw), w2))
        logw1.append(lw)
    return np.array(rows), np.array(logw1)


def _seed002_pgd_reference(steps, eta=4.0, s2sq=0.02**2, a0=0.67, w20=1.0):
    """The theory module's former private PGD onto {w1 = 0, a ≤ a*}, in plain Python."""
    a_star = math.sqrt(2 / eta)
    a, w2 = [a0], [w20]
    for t in range(steps):
        r = a[t] * w2[t] - 1
        a.append(min(a[t] - eta * s2sq * w2[t] * r, a_star))
        w2.append(w2[t] - eta * s2sq * a[t] * r)
    return np.array(a), np.array(w2), a_star


def test_seed002_clipped_gd_and_pgd_in_public_lines_are_what_the_checks_use(mtl_model):
    # the public lines (README) ...
    m = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.02)
    clipped = eos.run_gd_log_magnitude(m, 4.0, (0.67, 0.01, 1.0), 10000, log_coordinates=("w1",),
                                       rule=eos.rules.clip("a", 0.002))
    pgd = eos.run_gd(m, 4.0, (0.67, 0.01, 1.0), 2000, stop=False,
                     rule=eos.rules.project(w1=0, a="<= sqrt(2/eta)/sigma1"))
    # ... are exactly the runs the two_layer_minimal checks judge ...
    used = mtl._run(mtl.CANONICAL)
    assert np.array_equal(clipped.theta, used.thetas)
    assert np.array_equal(clipped.log_abs[:, 0], used.log_abs_w1)
    used_pgd, a_star = mtl.pgd(1.0, 0.02, 4.0, (0.67, 0.01, 1.0), 2000)
    assert np.array_equal(pgd.theta, used_pgd.theta) and pgd.status.name == "MAX_STEPS"
    # ... and exactly the theory module's former private loops
    rows, logw1 = _seed002_reference(10000)
    assert np.array_equal(clipped.theta, rows) and np.array_equal(clipped.log_abs[:, 0], logw1)
    a, w2, star = _seed002_pgd_reference(2000)
    assert np.array_equal(pgd.theta[:, 0], a) and np.array_equal(pgd.theta[:, 2], w2)
    assert np.all(pgd.theta[:, 1] == 0.0)  # θ₀ is projected too
    assert a_star == star == pgd.theta[:, 0].max()


def test_seed002_runs_at_50_digits_in_public_lines(mtl_model):
    # an independent oracle: the clipped map written out in mpmath
    with mpmath.workdps(50):
        s2sq, eta, C = mpmath.mpf(0.02) ** 2, mpmath.mpf(4), mpmath.mpf(0.002)
        a, w1, w2 = (mpmath.mpf(v) for v in (0.67, 0.01, 1.0))
        oracle = [(a, w1, w2)]
        for _ in range(300):
            ga = min(max(a * w1**2 + s2sq * w2 * (a * w2 - 1), -C), C)
            a, w1, w2 = a - eta * ga, (1 - eta * a**2) * w1, w2 - eta * s2sq * a * (a * w2 - 1)
            oracle.append((a, w1, w2))
    tr = eos.run_gd(mtl_model, 4.0, (0.67, 0.01, 1.0), 300, precision=50, stop=False,
                    rule=eos.rules.clip("a", 0.002), record=())
    with mpmath.workdps(50):
        gap = max(abs(x - y) for r, q in zip(tr.theta, oracle, strict=True)
                  for x, y in zip(r, q, strict=True))
    assert gap < mpmath.mpf("1e-45")
    assert mtl.mp_clipped_gd(1.0, 0.02, 4.0, (0.67, 0.01, 1.0), 0.002, 300) == list(tr.theta)
    # PGD at 50 digits: a is clamped to a* evaluated at that precision
    pgd, _ = mtl.pgd(1.0, 0.02, 4.0, (0.67, 0.01, 1.0), 300, precision=50)
    with mpmath.workdps(50):
        a_star = mpmath.sqrt(mpmath.mpf(2) / 4)
        assert max(row[0] for row in pgd.theta) - a_star < mpmath.mpf("1e-48")


def test_seed002_canonical_numbers_with_run_gd_and_the_clip(mtl_model):
    tr = eos.run_gd(mtl_model, 4.0, (0.67, 0.01, 1.0), 10000, rule=eos.rules.clip("a", 0.002))
    # The compiled loop: same map, other floating-point order (fma; SymPy's expression order),
    # and w1 itself iterated: rounding grown by the dynamics (1e-9: calibrated, measured
    # 1.1e-12 against the log-magnitude run).
    log_run = mtl._run(mtl.CANONICAL)
    assert tr.status.name == "MAX_STEPS" and tr.theta.shape == log_run.thetas.shape
    assert np.max(np.abs(tr.theta - log_run.thetas)) < 1e-9
    # the spec's canonical-run numbers (spec/minimalist_two_layer.md §3, §8; measured there)
    assert tr.stats["first_unstable_step"] == 78
    assert abs(tr.eos_ratio.max() - 1.11760) < 5e-6
    up = np.sum((tr.eos_ratio[1:] > 1) & (tr.eos_ratio[:-1] <= 1))
    assert up == 15
    a, w1, w2 = tr.theta[:-1].T
    grad_a = a * w1**2 + 0.02**2 * w2 * (a * w2 - 1)
    assert int(np.sum(np.abs(grad_a) > 0.002)) == 23  # "the clip is active on 23 steps"


def test_empty_rule_is_plain_gd_bit_for_bit():
    m = eos.models.get("product", ell="logcosh")
    for eta, start in [(0.3, (2.0, 0.5)), (2.0, (3.0, 0.2)), (5.0, (3.0, 0.2))]:
        plain = eos.run_gd(m, eta, start, 3000)
        ruled = eos.run_gd(m, eta, start, 3000, rule=eos.rules.chain())
        assert plain.status.name in ("CONVERGED", "PERIOD", "DIVERGED")
        assert (ruled.status, ruled.stop_step, ruled.period) == (
            plain.status, plain.stop_step, plain.period)
        assert np.array_equal(ruled.theta, plain.theta)
        assert np.array_equal(ruled.sharpness, plain.sharpness)
        assert np.array_equal(ruled.loss, plain.loss)
        assert np.isnan(ruled.lyapunov)


@pytest.mark.parametrize("rule", [eos.rules.clip("x", 0.5), eos.rules.heavy_ball(0.6),
                                  eos.rules.chain(eos.rules.clip("y", 1.0),
                                                  eos.rules.nesterov(0.3))],
                         ids=["clip", "heavy_ball", "clip+nesterov"])
def test_sweep_with_a_rule_equals_run_gd_cell_by_cell(rule):
    m = eos.models.get("product", ell="logcosh")
    etas, xs = np.linspace(0.2, 3.0, 9), np.linspace(0.5, 3.0, 5)
    ds = eos.sweep(m, eta=etas, x=xs, y=0.3, steps=800, quiet=True, rule=rule)
    assert ds.attrs["sweep_config"].count("chain(") == 1
    for i, eta in enumerate(etas):
        for j, x in enumerate(xs):
            tr = eos.run_gd(m, eta, (x, 0.3), 800, rule=rule)
            cell = ds.isel(eta=i, x=j)
            assert int(cell["status"]) == tr.status.value
            assert int(cell["stop_step"]) == tr.stop_step
            assert float(cell["final_x"]) == tr.theta[-1, 0]
            assert float(cell["final_y"]) == tr.theta[-1, 1]
            if tr.stop_step:
                assert float(cell["max_sharpness"]) == tr.sharpness.max()
            assert int(cell["first_unstable_step"]) == tr.stats["first_unstable_step"]


def test_sweep_with_clip_and_projection_on_a_3d_model(mtl_model):
    rule = eos.rules.chain(eos.rules.clip("a", 0.002), eos.rules.project(w2=(0, "2/sigma1")))
    etas = np.array([3.5, 4.0, 4.5])
    ds = eos.sweep(mtl_model, eta=etas, a=np.array([0.6, 0.67]), w1=0.01, w2=1.0, steps=3000,
                   quiet=True, rule=rule)
    for i, eta in enumerate(etas):
        for j, a0 in enumerate((0.6, 0.67)):
            tr = eos.run_gd(mtl_model, eta, (a0, 0.01, 1.0), 3000, rule=rule)
            cell = ds.isel(eta=i, a=j)
            assert int(cell["stop_step"]) == tr.stop_step
            assert [float(cell[f"final_{p}"]) for p in ("a", "w1", "w2")] == list(tr.theta[-1])


@pytest.mark.parametrize("make,factor", [
    (eos.rules.heavy_ball, lambda b: 2 + 2 * b),
    (eos.rules.nesterov, lambda b: (2 + 2 * b) / (1 + 2 * b))])
def test_momentum_threshold_on_the_quadratic_fine_grid(make, factor):
    # Prediction: on L = a x²/2 the iteration's characteristic polynomial has a root at −1
    # exactly at ηa = c(β) (heavy ball: z² − (1 + β − ηa)z + β; Nesterov:
    # z² − (1 + β)(1 − ηa)z + β(1 − ηa)). The grid locates it to its spacing.
    beta, a, spacing = 0.5, 4.0, 1e-3
    predicted = factor(beta) / a
    etas = predicted + spacing * (np.arange(-200, 201) + 0.5)  # the edge falls between points
    m = eos.models.get("quadratic", a=a)
    ds = eos.sweep(m, eta=etas, x=1.0, steps=60000, quiet=True, rule=make(beta))
    status = ds["status"].values
    converged, diverged = etas[status == 0], etas[status == 3]
    assert len(converged) + len(diverged) == len(etas)  # every cell got a verdict
    assert converged.max() < predicted < diverged.min()
    assert diverged.min() - converged.max() == pytest.approx(spacing)
    assert make(beta).threshold_factor == pytest.approx(factor(beta))
    assert f"c = {make(beta).threshold_factor:g}" in ds["final_eos_ratio"].attrs["long_name"]
    assert "not computed" in ds["lyapunov"].attrs["long_name"]
    # the edge found is the rule's, far from plain GD's η = 2/a
    assert abs(converged.max() - 2 / a) > 100 * spacing


def _adam_numpy(grad, theta, eta, steps, b1, b2, eps):
    """Adam with bias correction written directly in NumPy: the oracle of the kernel."""
    m, s, rows, pre = np.zeros_like(theta), np.zeros_like(theta), [theta.copy()], []
    for t in range(steps):
        g = grad(theta)
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        p = np.sqrt(s / (1 - b2 ** (t + 1))) + eps
        theta = theta - eta * (m / (1 - b1 ** (t + 1))) / p
        rows.append(theta.copy())
        pre.append(p)
    return np.array(rows), np.array(pre)


def test_adam_matches_numpy_and_reports_preconditioned_sharpness(mtl_model):
    kernels = mtl_model.compile()
    steps, eta = 300, 1e-2
    tr = eos.run_gd(mtl_model, eta, (0.67, 0.01, 1.0), steps, rule=eos.rules.adam(0.9, 0.999,
                                                                                  1e-8))
    rows, pre = _adam_numpy(kernels.grad, np.array([0.67, 0.01, 1.0]), eta, steps, 0.9, 0.999,
                            1e-8)
    assert np.allclose(tr.theta, rows, rtol=1e-12, atol=1e-15)
    # λ_max(P⁻¹H) by a general (non-symmetric) eigensolver at a few steps
    for t in (0, 50, 299):
        hess = kernels.hessian(rows[t])
        expected = np.max(np.linalg.eigvals(hess / pre[t][:, None]).real)
        assert tr.sharpness[t] == pytest.approx(expected, rel=1e-10)
    assert tr.eos_ratio[5] == pytest.approx(eta * tr.sharpness[5] / 38.0, rel=1e-15)


@pytest.mark.parametrize("eta", [1e-2, 3e-3], ids=["calibrated", "held-out"])
def test_adam_preconditioned_sharpness_settles_near_38_over_eta(mtl_model, eta):
    # Prediction 38/η: the closed-form threshold (2 + 2β₁)/((1 − β₁)η) of Adam's momentum with
    # a frozen preconditioner. Band [0.9, 1.1] on the median ratio of the second half:
    # calibrated at η = 1e-2 (median 0.97), held out at η = 3e-3.
    tr = eos.run_gd(mtl_model, eta, (0.67, 0.01, 1.0), 20000,
                    rule=eos.rules.adam(0.9, 0.999, 1e-8), tol=0)
    assert tr.stats["threshold_factor"] == pytest.approx(38.0)
    late = np.median(tr.eos_ratio[10000:])
    assert 0.9 <= late <= 1.1
    assert np.median(tr.eos_ratio[:500]) < 0.8  # it rises to the edge, it does not start there


def test_rmsprop_on_the_quadratic_matches_numpy():
    rule = eos.rules.rmsprop(0.99, 1e-8)
    assert rule.preconditioned and rule.threshold_factor == 2.0
    a, eta, x, s = 4.0, 0.01, 1.0, 0.0
    tr = eos.run_gd(eos.models.get("quadratic", a=a), eta, (x,), 50, rule=rule)
    for t in range(50):  # 1-D: P⁻¹H = a/P with P = √s + ε
        g = a * x
        s = 0.99 * s + 0.01 * g * g
        p = np.sqrt(s) + 1e-8
        assert tr.sharpness[t] == pytest.approx(a / p, rel=1e-13)
        x = x - eta * g / p
        assert tr.theta[t + 1, 0] == pytest.approx(x, rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("bad,message", [
    (lambda: eos.rules.clip("nope", 1.0), "not a parameter"),
    (lambda: eos.rules.project(a="<= w1 + 1"), "hyper-parameters only"),
    (lambda: eos.rules.project(a=(1.0, 0.5)), "empty"),
    (lambda: eos.rules.project(a="< 1"), "<= or >="),
    (lambda: eos.rules.project(a="<= __import__('os')"), "projection bound"),
    (lambda: eos.rules.heavy_ball(1.0), "[0, 1)"),
    (lambda: eos.rules.clip("a", -1.0), "> 0"),
    (lambda: eos.rules.chain(eos.rules.heavy_ball(0.5), eos.rules.adam()), "at most one"),
    (lambda: eos.rules.chain(eos.rules.rmsprop(), "adam"), "takes rules")])
def test_bad_rules_get_one_line_errors(mtl_model, bad, message):
    with pytest.raises(EosmathError, match=message.replace("[", r"\[").replace(")", r"\)")):
        eos.run_gd(mtl_model, 4.0, (0.67, 0.01, 1.0), 5, rule=bad())


@pytest.mark.parametrize("rule", [eos.rules.heavy_ball(0.5), eos.rules.nesterov(0.3),
                                  eos.rules.rmsprop(0.9, 1e-8), eos.rules.adam(0.9, 0.99, 1e-8),
                                  eos.rules.chain(eos.rules.clip("x", 0.5),
                                                  eos.rules.project(x="<= 0.8"))])
def test_rules_at_high_precision_agree_with_the_compiled_loop(rule):
    # two implementations (Numba float64, mpmath at 40 digits) on a contracting run: rounding
    m = eos.models.get("quadratic", a=4.0)
    fast = eos.run_gd(m, 0.1, (1.0,), 60, rule=rule, stop=False)
    slow = eos.run_gd(m, 0.1, (1.0,), 60, rule=rule, stop=False, precision=40)
    assert slow.stop_step == fast.stop_step == 60
    np.testing.assert_allclose(slow.to_numpy(), fast.theta, rtol=0, atol=1e-13)
    np.testing.assert_allclose(np.array(slow.sharpness, dtype=float), fast.sharpness, rtol=1e-12)
    np.testing.assert_allclose(np.array(slow.eos_ratio, dtype=float), fast.eos_ratio, rtol=1e-12)


def test_not_a_rule_is_refused(mtl_model):
    with pytest.raises(EosmathError, match="rule= takes"):
        eos.run_gd(mtl_model, 4.0, (0.67, 0.01, 1.0), 5, rule="adam")


def test_chain_order_matters_and_matches_a_direct_loop():
    m = eos.models.get("product", ell="logcosh")
    grad = m.compile().grad
    eta, beta, C, steps = 0.05, 0.7, 0.3, 200
    for first_clip in (True, False):
        parts = [eos.rules.clip(("x", "y"), C), eos.rules.heavy_ball(beta)]
        rule = eos.rules.chain(*(parts if first_clip else parts[::-1]))
        tr = eos.run_gd(m, eta, (3.0, 0.2), steps, rule=rule, tol=0)
        theta, v = np.array([3.0, 0.2]), np.zeros(2)
        for t in range(steps):
            g = grad(theta)
            if first_clip:
                v = beta * v + np.clip(g, -C, C)
                u = v
            else:
                v = beta * v + g
                u = np.clip(v, -C, C)
            theta = theta - eta * u
            assert np.allclose(tr.theta[t + 1], theta, rtol=1e-12, atol=1e-15)
        assert tr.eos_ratio[10] == eta * tr.sharpness[10] / (2 + 2 * beta)
    clip_first = eos.run_gd(m, eta, (3.0, 0.2), steps, rule=eos.rules.chain(*parts), tol=0)
    assert not np.allclose(clip_first.theta, tr.theta)


def test_a_stored_sweep_refuses_to_resume_with_another_rule(tmp_path):
    m = eos.models.get("quadratic", a=1.0)
    store = tmp_path / "s.zarr"
    eos.sweep(m, eta=np.array([0.5, 1.0]), x=1.0, steps=50, store=store, quiet=True,
              rule=eos.rules.heavy_ball(0.5))
    with pytest.raises(EosmathError, match="another model or configuration"):
        eos.sweep(m, eta=np.array([0.5, 1.0]), x=1.0, steps=50, store=store, resume=True,
                  quiet=True, rule=eos.rules.heavy_ball(0.6))
    with pytest.raises(EosmathError, match="another model or configuration"):
        eos.sweep(m, eta=np.array([0.5, 1.0]), x=1.0, steps=50, store=store, resume=True,
                  quiet=True)
