import math

import mpmath
import numpy as np
import pytest

from eosmath.models.threshold_neurons import (
    EffectiveLoss,
    MeanModel,
    feature_variance,
    feature_variance_slope,
    threshold_activation,
)


def variance_by_quadrature(b):
    # Oracle: E σ_b(ξ)² by adaptive quadrature at 30 digits, split at the kinks ±b.
    with mpmath.workdps(30):
        def integrand(t):
            s = max(t + b, 0) - max(-t + b, 0)
            return s * s * mpmath.npdf(t)
        points = sorted({-mpmath.inf, -abs(b), abs(b), mpmath.inf})
        return float(mpmath.quad(integrand, points))


@pytest.mark.parametrize("b", [-1.0, -0.3, 0.0, 0.2, 0.7, 1.5])
def test_feature_variance_matches_quadrature(b):
    assert feature_variance(b) == pytest.approx(variance_by_quadrature(b), rel=1e-12)


@pytest.mark.parametrize("b", [-1.0, -0.3, 0.2, 0.7])
def test_feature_variance_slope_matches_finite_differences(b):
    h = 1e-6
    fd = (feature_variance(b + h) - feature_variance(b - h)) / (2 * h)
    assert feature_variance_slope(b) == pytest.approx(fd, rel=1e-8)


def test_variance_at_zero_and_its_slope():
    assert feature_variance(0.0) == pytest.approx(1.0, abs=1e-15)
    assert feature_variance_slope(0.0) == pytest.approx(2 * math.sqrt(2 / math.pi), rel=1e-15)


def test_threshold_activation_is_soft_thresholding_for_negative_bias():
    t = np.array([-2.0, -0.5, 0.2, 1.0, 3.0])
    np.testing.assert_allclose(threshold_activation(t, -0.7),
                               np.sign(t) * np.maximum(np.abs(t) - 0.7, 0))
    np.testing.assert_allclose(threshold_activation(t, 0.0), t)


def test_effective_loss_against_mpmath_expectation():
    ell = EffectiveLoss()
    with mpmath.workdps(30):
        for s in (0.3, 1.0, 4.0):
            def integrand(z, s=s):
                return mpmath.log(2 * mpmath.cosh(s * z / 2)) * mpmath.npdf(z)

            exact = mpmath.quad(integrand, [-mpmath.inf, 0, mpmath.inf])
            # Gauss–Hermite error grows with s (poles at ±iπ/s): documented bound 1e-8 at s = 4.
            assert ell.value(s) == pytest.approx(float(exact), rel=1e-8 if s > 2 else 1e-12)
    assert ell.second_derivative(0.0) == pytest.approx(0.25, rel=1e-14)
    assert ell.derivative(0.0) == 0.0


def test_sharpness_at_origin_is_d_over_four():
    mm = MeanModel(d=200)
    assert mm.sharpness(0.0, 0.0) == pytest.approx(50.0, rel=1e-6)


def test_phase_transition_in_eta():
    # Below 8/d the bias stays near 0; above it GD drives the sharpness d·v(b)/4 down to ≈ 2/η,
    # i.e. b becomes negative: a threshold neuron (spec B.3, reconstruction).
    mm = MeanModel(d=400)
    below = mm.run(eta=0.8 * mm.critical_eta, a0=0.05, steps=3000)
    above = mm.run(eta=1.5 * mm.critical_eta, a0=0.05, steps=6000)
    assert abs(below.b) < 0.01
    assert above.b < -0.2
    assert above.final_sharpness_ratio < 1.0
    assert above.variance == pytest.approx(above.predicted_variance, rel=0.25)


def test_threshold_network_gradient_matches_central_differences():
    from eosmath.models.threshold_neurons import ThresholdNetwork
    from eosmath.nn.datasets import sparse_coding

    data = sparse_coding(d=20, n=50, lam=3.0, seed=0)
    net = ThresholdNetwork(data.X, data.Y[:, 0])
    rng = np.random.default_rng(1)
    a, b, h = rng.normal(0, 0.1, 20), -0.3, 1e-6
    grad_a, grad_b = net.grad(a, b)
    for i in (0, 7, 19):
        e = np.zeros(20)
        e[i] = h
        assert grad_a[i] == pytest.approx((net.loss(a + e, b) - net.loss(a - e, b)) / (2 * h),
                                          rel=1e-7, abs=1e-10)
    assert grad_b == pytest.approx((net.loss(a, b + h) - net.loss(a, b - h)) / (2 * h), rel=1e-7)


def _figure1_net(d=30, n=40, seed=2, normalisation="mean"):
    from eosmath.models.threshold_neurons import Figure1Network
    from eosmath.nn.datasets import sparse_coding

    data = sparse_coding(d=d, n=n, lam=3.0, seed=seed)
    return Figure1Network(data.X, data.Y[:, 0], normalisation=normalisation), data


@pytest.mark.parametrize("b", [0.0, -0.4, 0.9, -50.0, 50.0])
def test_sorted_row_feature_sums_match_direct_sums(b):
    from eosmath.models.threshold_neurons import relu_feature_sums

    net, data = _figure1_net()
    g_plus, g_minus, n_plus, n_minus = net._rows.sums(b)
    direct = relu_feature_sums(data.X, b)
    np.testing.assert_allclose(g_plus, direct[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(g_minus, direct[1], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(n_plus, (data.X > -b).sum(axis=1))
    np.testing.assert_array_equal(n_minus, (data.X < b).sum(axis=1))


@pytest.mark.parametrize("normalisation", ["mean", "sum"])
def test_figure1_gradient_matches_central_differences(normalisation):
    net, _ = _figure1_net(normalisation=normalisation)
    p, h = np.array([0.04, -0.03, -0.3]), 1e-6
    grad = net.grad(*p)
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        fd = (net.loss(*(p + e)) - net.loss(*(p - e))) / (2 * h)
        assert grad[i] == pytest.approx(fd, rel=1e-7)


def test_sum_is_n_times_the_mean_loss():
    mean, _ = _figure1_net()
    total, _ = _figure1_net(normalisation="sum")
    assert total.loss(0.1, 0.05, -0.2) == pytest.approx(40 * mean.loss(0.1, 0.05, -0.2))


def test_sign_of_the_a_minus_term_is_a_reparametrisation():
    # f = a₊ΣReLU(x+b) + a₋ΣReLU(−x+b) (the other sign) is network (2) with a₋ → −a₋, and the
    # N(0, 1/(2d)) law is symmetric: the two readings give the same bias path, step for step.
    from eosmath.models.threshold_neurons import relu_feature_sums

    net, data = _figure1_net()
    x, y, n = data.X, data.Y[:, 0], 40
    ap, am, b, eta = 0.05, 0.02, 0.0, 0.02
    path = []
    for _ in range(200):
        gp, gm = relu_feature_sums(x, b)
        g = -y * 0.5 * (1 - np.tanh(0.5 * y * (ap * gp + am * gm))) / n
        gb = g @ (ap * (x > -b).sum(1) + am * (x < b).sum(1))
        ap, am, b = ap - eta * (g @ gp), am - eta * (g @ gm), b - eta * gb
        path.append(b)
    run = net.run(eta, 0.05, -0.02, 0.0, 200, record_bias=True)
    np.testing.assert_allclose(run.bias_path, path, rtol=0, atol=1e-13)


def test_common_mode_sharpness_against_monte_carlo():
    from eosmath.models.threshold_neurons import population_common_mode_sharpness

    sharp, _ = population_common_mode_sharpness(50, 3.0)
    rng = np.random.default_rng(0)
    m = 200_000
    x = rng.normal(size=(m, 50))
    x[:, 0] += 3.0 * rng.choice((-1.0, 1.0), size=m)
    u = np.abs(x).sum(axis=1)
    se = np.std(u**2) / 8 / math.sqrt(m)
    assert abs(np.mean(u**2) / 8 - sharp) < 4 * se


def test_locate_transition_brackets_a_kink():
    from eosmath.models.threshold_neurons import locate_transition

    tr = locate_transition(lambda eta: -0.001 * eta - 2.0 * max(eta - 1.3, 0.0), 0.5, 3.0, 1e-3)
    assert tr.below <= 1.3 <= tr.above * (1 + 1e-12) and tr.rel_half_width <= 0.005
    assert locate_transition(lambda eta: -0.001 * eta, 0.5, 3.0, 1e-3) is None  # no drop
    assert locate_transition(lambda eta: -eta, 0.5, 3.0, 1e-3) is None          # no branch


def test_network_sharpness_at_the_origin_is_the_common_mode_of_the_reduction():
    # At a₊ = a₋ = 0 every margin is 0, so ℓ'' = 1/4 exactly and the (a₊, a₋) Hessian is
    # (1/4n)Σ g gᵀ: its top direction is the common mode (1, −1)/√2 and its eigenvalue the
    # population E[(Σ|xᵢ|)²]/8 (≈ d²/(4π)) up to the n-sample fluctuation.
    from eosmath.models.threshold_neurons import population_common_mode_sharpness

    net, _ = _figure1_net(d=200, n=300, seed=0)
    h, p = 1e-5, np.zeros(3)
    cols = []
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        cols.append((np.array(net.grad(*(p + e))) - np.array(net.grad(*(p - e)))) / (2 * h))
    hess = np.array(cols)
    vals, vecs = np.linalg.eigh(0.5 * (hess + hess.T))
    sharp, var1 = population_common_mode_sharpness(200, 3.0)
    assert abs(vals[-1] - sharp) < 4 * math.sqrt(var1 / 300)
    assert abs(vecs[:, -1] @ np.array([1.0, -1.0, 0.0])) / math.sqrt(2) > 0.999
    assert vals[-1] == pytest.approx(200**2 / (4 * math.pi), rel=0.06)


# ------------------------------------------------------------------ the numeric catalog
def test_numeric_models_are_registered_with_source_and_reason():
    import eosmath as eos

    assert set(eos.models.numeric_names()) == {
        "threshold_mean_model", "threshold_network", "threshold_network_vector"}
    for name in eos.models.numeric_names():
        info = eos.models.describe(name)
        assert info["symbolic"] is False and "Ahn" in info["source"]
        assert info["summary"] and info["why_not_symbolic"]
        assert name not in eos.models.names()            # the SymPy catalog stays SymPy
        built = eos.models.numeric(name, d=12)
        assert built.name == name and built.source == info["source"] and built.description


def test_numeric_builders_equal_direct_construction():
    import eosmath as eos
    from eosmath.models.threshold_neurons import Figure1Network
    from eosmath.nn.datasets import sparse_coding

    mm = eos.models.numeric("threshold_mean_model", d=400)
    assert isinstance(mm, MeanModel) and mm.loss(0.1, -0.2) == MeanModel(400).loss(0.1, -0.2)
    data = sparse_coding(d=20, n=30, lam=3.0, seed=1)
    direct = Figure1Network(data.X, data.Y[:, 0])
    net = eos.models.numeric("threshold_network", d=20, n=30, seed=1)
    assert net.grad(0.1, -0.05, -0.2) == direct.grad(0.1, -0.05, -0.2)


def test_numeric_models_refused_by_the_symbolic_get_with_one_line():
    import eosmath as eos
    from eosmath.errors import UnknownModelError

    with pytest.raises(UnknownModelError, match=r"numeric model.*eos\.models\.numeric"):
        eos.models.get("threshold_mean_model")
    with pytest.raises(UnknownModelError, match="did you mean"):
        eos.models.numeric("threshold_mean_modle")
    with pytest.raises(UnknownModelError, match="no option"):
        eos.models.numeric("threshold_mean_model", width=3)
