"""Data sets of the seeds and of Cohen et al.: synthetic generators and two image loaders.

Every generator returns a frozen :class:`Dataset` (X of shape (n, d), Y of shape (n, outputs),
float64) and validates its arguments.

>>> d = chebyshev(degree=3, n=20)
>>> d.X.shape, d.Y.shape, float(d.Y[0, 0])
((20, 1), (20, 1), -1.0)
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eosmath.errors import InvalidInputError

DEFAULT_ORTHOGONAL_LABELS = (2.0, 1.5, 1.0, -1.0, -0.8, -0.5)


@dataclass(frozen=True)
class Dataset:
    """Inputs X (n, d), targets Y (n, outputs), a name and generator metadata."""

    X: np.ndarray
    Y: np.ndarray
    name: str
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.X.ndim != 2 or self.Y.ndim != 2 or self.X.shape[0] != self.Y.shape[0]:
            raise InvalidInputError(
                "Dataset needs X (n, d) and Y (n, k) with the same n; "
                f"got {self.X.shape}, {self.Y.shape}")

    @property
    def n(self) -> int:
        return self.X.shape[0]

    def __iter__(self):  # lets ``X, Y = dataset`` work like a tuple
        return iter((self.X, self.Y))


def _positive_int(value, name: str) -> int:
    if int(value) != value or value < 1:
        raise InvalidInputError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def chebyshev(degree: int = 3, n: int = 20) -> Dataset:
    """Cohen et al.'s ``chebyshev-k-20``: x_i = linspace(−1, 1, n), y_i = T_k(x_i) (spec §2.1).

    Built in float64 (the authors built it in float32). Train set = test set.
    """
    degree = int(degree)
    if degree < 0:
        raise InvalidInputError(f"degree must be ≥ 0, got {degree}")
    n = _positive_int(n, "n")
    x = np.linspace(-1.0, 1.0, n)
    coefficients = np.zeros(degree + 1)
    coefficients[degree] = 1.0
    y = np.polynomial.chebyshev.chebval(x, coefficients)
    return Dataset(x.reshape(-1, 1), y.reshape(-1, 1), f"chebyshev-{degree}-{n}",
                   {"degree": degree})


def orthogonal(n: int = 6, d: int | None = None, y=DEFAULT_ORTHOGONAL_LABELS,
               basis: str = "canonical", seed: int = 0) -> Dataset:
    """Seed 004's orthonormal inputs with unbalanced labels (spec §3.1).

    Rows x_k orthonormal in R^d (d ≥ n): ``canonical`` x_k = e_k; ``random`` rows of Qᵀ with Q
    from the QR of a d×n Gaussian, column signs fixed so diag(R) > 0. Labels: all nonzero and
    Σ_{y>0} y² > Σ_{y<0} y². Meta holds d_± = (1/n) Σ_{±y_k>0} y_k x_k.
    """
    n = _positive_int(n, "n")
    d = n if d is None else _positive_int(d, "d")
    if d < n:
        raise InvalidInputError(f"orthonormal inputs need d ≥ n, got d={d} < n={n}")
    y = np.asarray(y, dtype=np.float64).ravel()
    if y.shape != (n,):
        raise InvalidInputError(f"y must have n={n} labels, got {y.shape[0]}")
    if not np.all(np.isfinite(y)) or np.any(y == 0):
        raise InvalidInputError("orthogonal(): every label must be finite and nonzero")
    if not np.sum(y[y > 0] ** 2) > np.sum(y[y < 0] ** 2):
        raise InvalidInputError(
            "orthogonal(): labels must be unbalanced with Σ_{y>0} y² > Σ_{y<0} y²")
    if basis == "canonical":
        X = np.eye(n, d)
    elif basis == "random":
        Q, R = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, n)))
        Q = Q * np.sign(np.diag(R))
        X = Q.T.copy()
    else:
        raise InvalidInputError(f"basis must be 'canonical' or 'random', got {basis!r}")
    d_plus = (y[y > 0, None] * X[y > 0]).sum(axis=0) / n
    d_minus = (y[y < 0, None] * X[y < 0]).sum(axis=0) / n
    return Dataset(X, y.reshape(-1, 1), f"orthogonal-{n}-{d}-{basis}",
                   {"basis": basis, "seed": seed, "d_plus": d_plus, "d_minus": d_minus})


def sparse_coding(d: int = 200, n: int = 300, lam: float = 3.0, seed: int = 0) -> Dataset:
    """Sparse-coding task of seed 000 (spec minimalist_product.md B.2): y ~ uniform ±1,
    j ~ uniform{0..d−1}, x = λ·y·e_j + ξ with ξ ~ N(0, I_d). Y has shape (n, 1); meta["j"]."""
    d, n = _positive_int(d, "d"), _positive_int(n, "n")
    if not np.isfinite(lam):
        raise InvalidInputError("lam must be finite")
    rng = np.random.default_rng(seed)
    y = rng.choice((-1.0, 1.0), size=n)
    j = rng.integers(0, d, size=n)
    X = rng.normal(size=(n, d))
    X[np.arange(n), j] += lam * y
    return Dataset(X, y.reshape(-1, 1), f"sparse-coding-{d}-{n}",
                   {"lam": lam, "seed": seed, "j": j})


def two_feature_gaussian(n: int = 1000, sigma1: float = 1.0, sigma2: float = 0.1,
                         seed: int = 0) -> Dataset:
    """Seed 002's data (spec minimalist_two_layer.md §1): x ~ N(0, diag(σ1², σ2²)), y = x2."""
    n = _positive_int(n, "n")
    if not (sigma1 > 0 and sigma2 > 0):
        raise InvalidInputError("sigma1 and sigma2 must be positive")
    X = np.random.default_rng(seed).normal(size=(n, 2)) * np.array([sigma1, sigma2])
    return Dataset(X, X[:, 1:2].copy(), f"two-feature-gaussian-{n}",
                   {"sigma1": sigma1, "sigma2": sigma2, "seed": seed})


def standardise(X: np.ndarray) -> np.ndarray:
    """Subtract the per-feature mean and divide by the per-feature std; constant features
    (max = min) become exactly 0 and are not divided (dividing gives NaN, or ±1 from a
    rounding-level std: spec §4)."""
    constant = X.max(axis=0) == X.min(axis=0)
    centred = np.where(constant, 0.0, X - X.mean(axis=0))
    std = np.where(constant, 1.0, X.std(axis=0))
    return centred / std


DIGITS_FILE = Path(__file__).with_name("data") / "digits.npz"


def digits_array() -> tuple[np.ndarray, np.ndarray]:
    """The raw digits: images (1797, 64) uint8 pixel counts 0..16, labels (1797,) uint8.

    >>> images, labels = digits_array()
    >>> images.shape, int(images.max()), int(labels[:10].sum())
    ((1797, 64), 16, 45)
    """
    with np.load(DIGITS_FILE) as data:
        return data["images"], data["labels"]


def digits(n: int = 500, classes: int = 10, two_class: bool = False) -> Dataset:
    """The 8×8 handwritten digits (UCI; shipped in ``eosmath/nn/data``, see DIGITS.md there
    for the citation and licence) with Cohen's preprocessing. No download, no scikit-learn.

    Pixels /16, then :func:`standardise` over the n examples used. ``two_class=True``: digits 0
    vs 1 with y = +1 for 0 and −1 for 1, Y of shape (n, 1). Otherwise the first n examples of
    the digits 0..classes−1 with one-hot 0/1 targets (Cohen's MSE encoding).
    """
    n = _positive_int(n, "n")
    images, labels = digits_array()
    images = images.astype(np.float64)
    if two_class:
        keep = labels <= 1
    else:
        if not 2 <= classes <= 10:
            raise InvalidInputError(f"classes must be in 2..10, got {classes}")
        keep = labels < classes
    images, labels = images[keep], labels[keep]
    if n > len(labels):
        raise InvalidInputError(f"only {len(labels)} such digits exist, asked for n={n}")
    X = standardise(images[:n] / 16.0)
    if two_class:
        Y = np.where(labels[:n] == 0, 1.0, -1.0).reshape(-1, 1)
        return Dataset(X, Y, f"digits-0v1-{n}", {"two_class": True, "labels": labels[:n]})
    Y = np.eye(classes)[labels[:n]]
    return Dataset(X, Y, f"digits-{classes}-{n}", {"classes": classes, "labels": labels[:n]})


def cifar10(path, n: int = 5000, split: str = "train") -> Dataset:
    """CIFAR-10 from the standard python-pickle batches in directory ``path``.

    ``split="train"`` reads data_batch_1, data_batch_2, … until n images are collected
    (``cifar10-5k`` = the first 5000 of data_batch_1); ``split="test"`` reads test_batch.
    Preprocessing (Cohen, spec §2.3): /255, subtract the per-feature mean, divide by the
    per-feature std (std = 0 left unscaled), statistics over the n images loaded. Targets
    one-hot 0/1 (10 outputs). Flatten order: channel-major as stored (R 1024, G 1024, B 1024),
    which differs from Cohen's NHWC flatten by a fixed permutation (irrelevant for dense nets).
    """
    directory = Path(path)
    if not directory.is_dir():
        raise InvalidInputError(f"CIFAR-10 directory not found: {directory}")
    n = _positive_int(n, "n")
    names = ["test_batch"] if split == "test" else [f"data_batch_{i}" for i in range(1, 6)]
    if split not in ("train", "test"):
        raise InvalidInputError(f"split must be 'train' or 'test', got {split!r}")
    images, labels = [], []
    for name in names:
        if sum(len(chunk) for chunk in labels) >= n:
            break
        file = directory / name
        if not file.exists():
            break
        with open(file, "rb") as handle:
            batch = pickle.load(handle, encoding="bytes")
        images.append(np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3072))
        labels.append(np.asarray(batch[b"labels"], dtype=int))
    if not images:
        raise InvalidInputError(f"no CIFAR-10 batch files ({names[0]}, …) in {directory}")
    data = np.concatenate(images)[:n].astype(np.float64) / 255.0
    target = np.concatenate(labels)[:n]
    if len(target) < n:
        raise InvalidInputError(f"only {len(target)} images in {directory}, asked for n={n}")
    return Dataset(standardise(data), np.eye(10)[target], f"cifar10-{split}-{n}",
                   {"labels": target, "flatten": "channel-major (CHW)"})
