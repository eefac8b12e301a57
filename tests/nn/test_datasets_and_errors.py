import pickle

import numpy as np
import pytest

from eosmath import nn
from eosmath.errors import EosmathError, InvalidInputError


def test_chebyshev_targets():
    d = nn.datasets.chebyshev(4, 20)
    x = np.linspace(-1, 1, 20)
    assert np.allclose(d.Y[:, 0], 8 * x**4 - 8 * x**2 + 1, atol=1e-14)


def test_orthogonal_inputs_and_validation():
    d = nn.datasets.orthogonal(6, 6)
    assert np.array_equal(d.X, np.eye(6))
    assert np.isclose(np.linalg.norm(d.meta["d_plus"]), 0.448764, atol=1e-6)
    assert np.isclose(np.linalg.norm(d.meta["d_minus"]), 0.229129, atol=1e-6)
    r = nn.datasets.orthogonal(4, 9, y=[2, 1, -1, 0.5], basis="random", seed=3)
    assert np.allclose(r.X @ r.X.T, np.eye(4), atol=1e-14)
    with pytest.raises(InvalidInputError, match="unbalanced"):
        nn.datasets.orthogonal(2, 2, y=[1, -2])
    with pytest.raises(InvalidInputError, match="nonzero"):
        nn.datasets.orthogonal(2, 2, y=[1, 0])
    with pytest.raises(InvalidInputError, match="d ≥ n"):
        nn.datasets.orthogonal(3, 2, y=[1, 1, 1])


def test_sparse_coding_and_two_feature_gaussian():
    s = nn.datasets.sparse_coding(d=20, n=500, lam=3.0, seed=1)
    j, y = s.meta["j"], s.Y[:, 0]
    assert set(np.unique(y)) == {-1.0, 1.0}
    signal = s.X[np.arange(500), j] * y
    noise = s.X.copy()
    noise[np.arange(500), j] -= 3.0 * y
    assert abs(signal.mean() - 3.0) < 0.2
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 1) < 0.02
    g = nn.datasets.two_feature_gaussian(n=4000, sigma1=2.0, sigma2=0.1, seed=0)
    assert np.array_equal(g.Y[:, 0], g.X[:, 1])
    assert np.allclose(g.X.std(axis=0), [2.0, 0.1], rtol=0.05)


def test_digits_preprocessing_leaves_constant_features_unscaled():
    d = nn.datasets.digits(n=500)
    assert d.X.shape == (500, 64) and d.Y.shape == (500, 10)
    assert np.all(np.isfinite(d.X))
    std = d.X.std(axis=0)
    assert np.sum(std == 0) >= 3 and np.allclose(std[std > 0], 1.0)
    two = nn.datasets.digits(n=100, two_class=True)
    assert set(np.unique(two.Y)) == {-1.0, 1.0}


def test_cifar10_loader_on_a_written_pickle(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.integers(0, 256, size=(30, 3072), dtype=np.uint8)
    data[:, 5] = 7  # a constant feature must not become NaN
    labels = list(rng.integers(0, 10, size=30))
    with open(tmp_path / "data_batch_1", "wb") as f:
        pickle.dump({b"data": data, b"labels": labels}, f)
    d = nn.datasets.cifar10(tmp_path, n=20)
    assert d.X.shape == (20, 3072) and d.Y.shape == (20, 10)
    expected = data[:20].astype(float) / 255
    varying = np.arange(3072) != 5
    expected[:, varying] = (expected[:, varying] - expected[:, varying].mean(0)) \
        / expected[:, varying].std(0)
    assert np.allclose(d.X[:, varying], expected[:, varying]) and np.all(d.X[:, 5] == 0)
    assert np.array_equal(np.argmax(d.Y, axis=1), labels[:20])
    with pytest.raises(InvalidInputError, match="only 30"):
        nn.datasets.cifar10(tmp_path, n=50)
    with pytest.raises(InvalidInputError, match="not found"):
        nn.datasets.cifar10(tmp_path / "missing")


def test_bad_inputs_give_clear_errors():
    net = nn.MLP([2, 3, 1], activation="tanh")
    X, Y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(nn.UnknownActivationError, match="unknown activation 'sigmoidal'"):
        nn.MLP([2, 3, 1], activation="sigmoidal")
    with pytest.raises(nn.UnknownLossError, match="unknown loss 'hinge'"):
        nn.Objective(net, (X, Y), loss="hinge")
    with pytest.raises(InvalidInputError, match=r"expects \(n, 2\)"):
        nn.Objective(net, (np.zeros((4, 3)), Y))
    with pytest.raises(InvalidInputError, match="4 examples but Y has 5"):
        nn.Objective(net, (X, np.zeros(5)))
    obj = nn.Objective(net, (X, Y))
    theta = net.init(seed=0)
    with pytest.raises(InvalidInputError, match="13 parameters"):
        obj.grad(theta[:-1])
    bad = theta.copy()
    bad[0] = np.nan
    with pytest.raises(InvalidInputError, match="NaN or inf"):
        obj.value(bad)
    with pytest.raises(InvalidInputError, match="v has shape"):
        obj.hvp(theta, np.ones(3))
    with pytest.raises(InvalidInputError, match="logistic"):
        nn.Objective(net, (X, [0, 1, 2, 1]), loss="logistic")
    assert issubclass(nn.UnknownActivationError, EosmathError)
    assert issubclass(nn.UnknownLossError, EosmathError)


def test_shipped_digits_are_the_uci_array():
    import hashlib

    from eosmath.nn.datasets import digits_array

    images, labels = digits_array()
    assert images.dtype == labels.dtype == np.uint8 and images.shape == (1797, 64)
    digest = hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
    assert digest == "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"
    sklearn = pytest.importorskip("sklearn.datasets")
    bunch = sklearn.load_digits()
    assert np.array_equal(images, bunch.data) and np.array_equal(labels, bunch.target)
