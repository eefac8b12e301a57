"""Every catalog model against independent oracles: SymPy's own diff, three backends, mpmath."""

import mpmath
import numpy as np
import pytest
import sympy as sp

import eosmath as eos
from eosmath.symbolic.stable import unstabilize

from .cases import MODEL_CASES

IDS = [c[0] for c in MODEL_CASES]


@pytest.fixture(scope="module", params=MODEL_CASES, ids=IDS)
def model(request):
    _, name, options = request.param
    return eos.models.get(name, **options)


def random_points(dim, count=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.5, 1.5, size=(count, dim))


def test_catalog_lists_every_family():
    for name in ("quadratic", "soft_quadratic", "product", "self_stabilization_toy",
                 "self_stabilization_reduced", "two_layer_minimal", "zhu_slice",
                 "scalar_network"):
        assert name in eos.models.names()
        assert eos.models.describe(name)["source"]


def test_every_model_documents_source_and_hyper_parameters(model):
    assert model.source and model.description
    for h in model.hyper_names:
        assert any(h == k or k.endswith("_j") for k in model.hyper_doc), h


def test_gradient_and_hessian_equal_sympys_diff_of_the_written_loss(model):
    # Oracle: plain SymPy differentiation of the loss as written (no stable rewrite),
    # evaluated at 30 digits; the model's derivatives went through the stable rewrite.
    raw = unstabilize(model.loss)
    params, args = model.params, (*model.params, *model.hyper)
    g_raw = sp.lambdify(args, [sp.diff(raw, p) for p in params], modules="mpmath")
    h_raw = sp.lambdify(args, sp.hessian(raw, params).tolist(), modules="mpmath")
    f = model.lambdify("mpmath")
    tol = mpmath.mpf(10) ** -25
    with mpmath.workdps(30):
        hyper = [mpmath.mpf(v) for v in model.hyper.values()]
        for point in random_points(model.dim):
            theta = [mpmath.mpf(float(t)) for t in point]
            expected_g, got_g = g_raw(*theta, *hyper), f.grad(theta)
            expected_h, got_h = h_raw(*theta, *hyper), f.hessian(theta)
            for i in range(model.dim):
                assert abs(got_g[i] - expected_g[i]) <= tol * (1 + abs(expected_g[i]))
                for j in range(model.dim):
                    assert abs(got_h[i, j] - expected_h[i][j]) <= tol * (1 + abs(expected_h[i][j]))


def test_numba_numpy_and_mpmath_backends_agree(model):
    kernels = model.compile()
    numpy_fns = model.lambdify("numpy")
    mp_fns = model.lambdify("mpmath")
    for point in random_points(model.dim, seed=1):
        with mpmath.workdps(50):
            g50 = np.array([float(v) for v in mp_fns.grad(point)])
            h50 = np.array(mp_fns.hessian(point).tolist(), dtype=float)
            l50 = float(mp_fns.loss(point))
        for g in (kernels.grad(point), numpy_fns.grad(point)):
            np.testing.assert_allclose(g, g50, rtol=1e-12, atol=1e-12 * np.abs(g50).max(initial=1))
        for h in (kernels.hessian(point), numpy_fns.hessian(point)):
            np.testing.assert_allclose(h, h50, rtol=1e-12, atol=1e-12 * np.abs(h50).max(initial=1))
        for value in (kernels.loss(point), numpy_fns.loss(point)):
            assert value == pytest.approx(l50, rel=1e-12, abs=1e-12)
        assert kernels.sharpness(point) == pytest.approx(np.linalg.eigvalsh(h50)[-1],
                                                         rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(model, dtype):
    point = random_points(model.dim, count=1)[0].astype(dtype)
    kernels, numpy_fns = model.compile(), model.lambdify("numpy")
    for value in (kernels.grad(point), kernels.hessian(point), kernels.gd_step(point, 0.1),
                  numpy_fns.grad(point), numpy_fns.hessian(point)):
        assert value.dtype == dtype
    assert np.asarray(kernels.loss(point)).dtype == dtype
    assert np.asarray(kernels.sharpness(point)).dtype == dtype


def test_gd_step_is_theta_minus_eta_gradient(model):
    kernels = model.compile()
    point = random_points(model.dim, count=1)[0]
    gd_map = sp.lambdify((*model.params, eos.ETA), list(model.gd_map().subs(model.hyper)))
    np.testing.assert_allclose(kernels.gd_step(point, 0.3), gd_map(*point, 0.3), rtol=1e-13)


def test_symbolic_sharpness_is_the_largest_algebraic_eigenvalue(model):
    s = model.sharpness()
    if s is None:
        pytest.skip("no closed form for this model")
    f = sp.lambdify(model.params, s.subs(model.hyper), modules="numpy")
    for point in random_points(model.dim, seed=2):
        h = model.lambdify("numpy").hessian(point)
        assert float(f(*point)) == pytest.approx(np.linalg.eigvalsh(h)[-1], rel=1e-10, abs=1e-12)


def test_batched_gradient_matches_pointwise(model):
    kernels = model.compile()
    points = random_points(model.dim, count=50, seed=3)
    batch = kernels.grad_many(points)
    for p, g in zip(points, batch, strict=True):
        np.testing.assert_array_equal(g, kernels.grad(p))
    np.testing.assert_allclose(model.lambdify("numpy").grad(points.T).T, batch, rtol=1e-13,
                               atol=1e-14)
