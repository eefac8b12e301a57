"""Threshold neurons via the EoS (Ahn et al., NeurIPS 2023; slides seed 000).

spec/minimalist_product.md part B — a **reconstruction**: the paper's data model (1), network (2)
and mean-model reduction were recovered only in structure. Data: y ~ unif{±1}, j ~ unif{1..d},
x = λ y e_j + ξ, ξ ~ N(0, I_d). Network: f(x; a, b) = Σᵢ aᵢ σ_b(xᵢ) with
σ_b(t) = ReLU(t + b) − ReLU(−t + b), one shared bias b (b < 0: soft-thresholding).

The mean model keeps one outer weight a and the label-free part of the logistic loss under the
population distribution, with the CLT for Σᵢσ_b(ξᵢ):

    L(a, b) = ℓ_eff(√d · a · √v(b)),   ℓ_eff(s) = E log(2 cosh(sZ/2)),   v(b) = E σ_b(ξ)²,

a minimalist model ℓ(xy) in x ∝ a and y ∝ √v(b). Its sharpness at (0, 0) is d·ℓ_eff''(0) = d/4,
so GD is at the edge of stability iff η > 8/d; there the bias falls until d·v(b)/4 ≈ 2/η.
This CLT reduction is the spec's (B.3), not the paper's: the paper's threshold is
η_c = 8π/d² (Figure 1 caption, spec B.5), reproduced by :class:`Figure1Network` — network (2)
with scalar outer weights a₊, a₋ and a mean loss — whose top Hessian direction at the origin is
the common mode Σᵢ|xᵢ| (curvature d²/(4π)), not Σᵢσ_b(xᵢ).

>>> round(float(feature_variance(0.0)), 12), round(float(feature_variance_slope(0.0)), 12)
(1.0, 1.595769121606)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import ndtr

from eosmath.errors import InvalidInputError
from eosmath.references import cite

SOURCE = cite("ahn2023", "data model (1), network (2)")

_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _phi(t: float) -> float:
    return math.exp(-0.5 * t * t) / _SQRT_2PI


def threshold_activation(t, b):
    """σ_b(t) = ReLU(t + b) − ReLU(−t + b); soft-thresholding by |b| when b < 0."""
    t = np.asarray(t, dtype=float)
    return np.maximum(t + b, 0.0) - np.maximum(-t + b, 0.0)


def feature_variance(b: float) -> float:
    """v(b) = E σ_b(ξ)² for ξ ~ N(0, 1), in closed form (spec B.3); v(0) = 1."""
    if b <= 0:
        tau = -b
        return 2.0 * ((1.0 + tau * tau) * ndtr(-tau) - tau * _phi(tau))
    return (4.0 * (2.0 * ndtr(b) - 1.0 - 2.0 * b * _phi(b))
            + 2.0 * ((1.0 + b * b) * ndtr(-b) + 3.0 * b * _phi(b)))


def feature_variance_slope(b: float) -> float:
    """v'(b): 4(φ(τ) − τΦ̄(τ)) with τ = −b for b ≤ 0, and 4(φ(b) + bΦ̄(b)) for b > 0."""
    if b <= 0:
        tau = -b
        return 4.0 * (_phi(tau) - tau * ndtr(-tau))
    return 4.0 * (_phi(b) + b * ndtr(-b))


class EffectiveLoss:
    """ℓ_eff(s) = E ℓ_sym(sZ), ℓ_sym(u) = log(2 cosh(u/2)), by Gauss–Hermite quadrature.

    ℓ_eff is even and convex with ℓ_eff''(0) = 1/4 (E Z² · ℓ_sym''(0)). The integrand has
    complex poles at z = ±iπ(2k+1)/s, so the quadrature error grows with |s| (about 1e-8
    relative at s = 4 with 120 nodes); the GD runs here stay at |s| ≲ 1.
    """

    def __init__(self, nodes: int = 120):
        z, w = hermegauss(nodes)
        self.z, self.w = z, w / _SQRT_2PI

    def value(self, s: float) -> float:
        u = s * self.z
        return float(np.sum(self.w * (0.5 * np.abs(u) + np.log1p(np.exp(-np.abs(u))))))

    def derivative(self, s: float) -> float:
        return float(np.sum(self.w * self.z * 0.5 * np.tanh(0.5 * s * self.z)))

    def second_derivative(self, s: float) -> float:
        return float(np.sum(self.w * self.z**2 * 0.25 / np.cosh(0.5 * s * self.z) ** 2))


@dataclass(frozen=True)
class MeanModelRun:
    """GD on the mean model: final (a, b), sharpness in units of 2/η, and the prediction."""

    d: int
    eta: float
    steps: int
    a: float
    b: float
    final_sharpness_ratio: float   # η·S(a, b)/2 at the end
    critical_eta: float            # 8/d: sharpness at the origin d/4 equals 2/η
    predicted_variance: float      # v(b∞) ≈ 8/(ηd) in the EoS regime, else v(b₀)-ish
    variance: float                # v(b∞)


class MeanModel:
    """The reduced threshold-neuron model L(a, b) = ℓ_eff(√d a √v(b)) (reconstruction, spec B.3).

    Catalog name ``threshold_mean_model`` (``eos.models.numeric``): not a SymPy model, since
    ℓ_eff is an expectation evaluated by quadrature (the ``description``, ``source`` and
    ``option_doc`` follow the catalog's conventions).

    >>> mm = MeanModel(d=400)
    >>> mm.critical_eta
    0.02
    >>> run = mm.run(eta=0.03, a0=0.05, steps=4000)
    >>> bool(run.b < -0.1)
    True
    """

    name = "threshold_mean_model"
    source = SOURCE
    description = ("L(a, b) = ℓ_eff(√d·a·√v(b)), ℓ_eff(s) = E log(2cosh(sZ/2)) (Gauss–Hermite), "
                   "v(b) = E σ_b(ξ)² in closed form")
    option_doc = {"d": "input dimension", "nodes": "Gauss–Hermite nodes for ℓ_eff"}

    def __init__(self, d: int, nodes: int = 120):
        if d < 1:
            raise InvalidInputError(f"dimension d must be ≥ 1, got {d}")
        self.d = int(d)
        self.ell = EffectiveLoss(nodes)

    @property
    def critical_eta(self) -> float:
        return 8.0 / self.d

    def loss(self, a: float, b: float) -> float:
        return self.ell.value(math.sqrt(self.d * feature_variance(b)) * a)

    def grad(self, a: float, b: float) -> tuple[float, float]:
        v = feature_variance(b)
        s = math.sqrt(self.d * v) * a
        g = self.ell.derivative(s)
        return (g * math.sqrt(self.d * v),
                g * math.sqrt(self.d) * a * feature_variance_slope(b) / (2.0 * math.sqrt(v)))

    def hessian(self, a: float, b: float, h: float = 1e-6) -> np.ndarray:
        """Central differences of the analytic gradient (2×2; v is only C¹ at b = 0)."""
        ga = np.array(self.grad(a + h, b)) - np.array(self.grad(a - h, b))
        gb = np.array(self.grad(a, b + h)) - np.array(self.grad(a, b - h))
        m = np.column_stack([ga, gb]) / (2 * h)
        return 0.5 * (m + m.T)

    def sharpness(self, a: float, b: float) -> float:
        return float(np.linalg.eigvalsh(self.hessian(a, b))[-1])

    def run(self, eta: float, a0: float, b0: float = 0.0, steps: int = 2000) -> MeanModelRun:
        """GD with step η from (a0, b0); the bias is the coordinate to watch."""
        if not eta > 0:
            raise InvalidInputError(f"η must be > 0, got {eta}")
        a, b = float(a0), float(b0)
        for _ in range(steps):
            ga, gb = self.grad(a, b)
            a, b = a - eta * ga, b - eta * gb
            if not (math.isfinite(a) and math.isfinite(b)):
                break
        ratio = eta * self.sharpness(a, b) / 2 if math.isfinite(a + b) else math.nan
        predicted = 8.0 / (eta * self.d) if eta > self.critical_eta else feature_variance(b0)
        return MeanModelRun(self.d, eta, steps, a, b, ratio, self.critical_eta, predicted,
                            feature_variance(b) if math.isfinite(b) else math.nan)


@dataclass(frozen=True)
class ThresholdNetworkRun:
    """Full-batch GD on f(x; a, b) = Σᵢ aᵢσ_b(xᵢ) with the logistic loss."""

    eta: float
    steps: int
    a: np.ndarray
    b: float
    bias_path: np.ndarray      # b after every step
    loss: np.ndarray           # training loss before every step
    accuracy: float            # training accuracy at the end
    diverged: bool


class ThresholdNetwork:
    """The network (2) of spec B.2 with one shared bias, trained by GD on the logistic loss.

    Loss (1/n)Σ_k log(1 + exp(−y_k f(x_k))); ∂_b σ_b(t) = sign(t)·1{|t| > |b|}. Data: e.g.
    ``eosmath.nn.datasets.sparse_coding(d, n, lam)`` (labels ±1).
    """

    name = "threshold_network_vector"
    source = SOURCE
    description = "f(x; a, b) = Σᵢ aᵢσ_b(xᵢ), L = (1/n)Σ_k log(1 + exp(−y_k f(x_k)))"

    def __init__(self, x: np.ndarray, y: np.ndarray):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.ndim != 2 or y.shape != (x.shape[0],):
            raise InvalidInputError(f"need X (n, d) and y (n,), got {x.shape} and {y.shape}")
        self.x, self.y = x, y

    def forward(self, a: np.ndarray, b: float) -> np.ndarray:
        return threshold_activation(self.x, b) @ a

    def loss(self, a: np.ndarray, b: float) -> float:
        margins = self.y * self.forward(a, b)
        return float(np.mean(np.logaddexp(0.0, -margins)))

    def grad(self, a: np.ndarray, b: float) -> tuple[np.ndarray, float]:
        features = threshold_activation(self.x, b)
        margins = self.y * (features @ a)
        # d/df log(1 + e^{−y f}) = −y·sigmoid(−y f), written with tanh to avoid overflow
        g = -self.y * 0.5 * (1.0 - np.tanh(0.5 * margins))
        n = len(self.y)
        grad_a = features.T @ g / n
        slope = np.sign(self.x) * (np.abs(self.x) > abs(b))
        grad_b = float(g @ (slope @ a)) / n
        return grad_a, grad_b

    def run(self, eta: float, a0: np.ndarray, b0: float = 0.0, steps: int = 1000
            ) -> ThresholdNetworkRun:
        """GD with step η from (a0, b0), mean loss (1/n)Σ."""
        if not eta > 0:
            raise InvalidInputError(f"η must be > 0, got {eta}")
        a, b = np.array(a0, dtype=float), float(b0)
        biases, losses, diverged = np.empty(steps), np.empty(steps), False
        for t in range(steps):
            losses[t] = self.loss(a, b)
            ga, gb = self.grad(a, b)
            a, b = a - eta * ga, b - eta * gb
            biases[t] = b
            if not (np.isfinite(b) and np.all(np.isfinite(a))):
                diverged = True
                biases[t:], losses[t:] = np.nan, np.nan
                break
        accuracy = float(np.mean(np.sign(self.forward(a, b)) == self.y)) if not diverged else 0.0
        return ThresholdNetworkRun(eta, steps, a, b, biases, losses, accuracy, diverged)


# ---------------------------------------------------------------------------------------------
# Network (2) of Figure 1 (spec B.5) and the paper's common-mode mean model


def relu_feature_sums(x: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """G₊ = Σᵢ ReLU(xᵢ + b) and G₋ = Σᵢ ReLU(−xᵢ + b) per row of ``x`` (direct evaluation)."""
    x = np.asarray(x, dtype=float)
    return np.maximum(x + b, 0.0).sum(axis=1), np.maximum(b - x, 0.0).sum(axis=1)


class _SortedRows:
    """Row sums of ReLU(±x + b) for any b in O(n log(nd)) instead of O(nd).

    Each row is sorted once with its prefix sums; a row's count of entries above −b (below b)
    is one ``searchsorted`` over all rows at once (rows are shifted apart by a power of two
    wider than the data's range, so one sorted flat array serves every row).
    """

    def __init__(self, x: np.ndarray):
        n, d = x.shape
        xs = np.sort(x, axis=1)
        self.n, self.d = n, d
        self.lo, self.hi = float(xs[:, 0].min()) - 1.0, float(xs[:, -1].max()) + 1.0
        width = 2.0 ** math.ceil(math.log2(self.hi - self.lo + 2.0))
        self.offset = width * np.arange(n)
        self.flat = (xs + self.offset[:, None]).ravel()
        prefix = np.zeros((n, d + 1))
        np.cumsum(xs, axis=1, out=prefix[:, 1:])
        self.prefix = prefix.ravel()
        self.total = prefix[:, -1].copy()
        self.row_start = np.arange(n) * (d + 1)
        self.row_shift = np.arange(n) * d

    def _count_at_most(self, t: float, side: str) -> np.ndarray:
        t = min(max(t, self.lo), self.hi)   # beyond the data every row gives 0 or d
        return np.searchsorted(self.flat, t + self.offset, side=side) - self.row_shift

    def sums(self, b: float):
        """(G₊, G₋, N₊, N₋): the two feature sums and their b-derivatives (counts)."""
        below = self._count_at_most(-b, "right")     # entries with x ≤ −b: ReLU(x + b) = 0
        neg = self._count_at_most(b, "left")         # entries with x < b: ReLU(b − x) > 0
        g_plus = (self.total - self.prefix[self.row_start + below]) + b * (self.d - below)
        g_minus = b * neg - self.prefix[self.row_start + neg]
        return g_plus, g_minus, self.d - below, neg


@dataclass(frozen=True)
class Figure1Run:
    """One GD run of network (2): final parameters, the bias after every step, accuracy."""

    eta: float
    steps: int
    a_plus: float
    a_minus: float
    b: float
    bias_path: np.ndarray | None
    train_accuracy: float
    diverged: bool


class Figure1Network:
    """Network (2) as it reproduces Figure 1 of Ahn et al. (reading settled in spec B.5 /
    theory.threshold_neurons):

        f(x; a₊, a₋, b) = a₊ Σᵢ ReLU(xᵢ + b) − a₋ Σᵢ ReLU(−xᵢ + b),

    with **scalar** outer weights a₊, a₋ and one shared bias b (a₊ = a₋ = a gives
    a·Σᵢ σ_b(xᵢ), the soft-thresholding neuron), trained by GD on the **mean** logistic loss
    (1/n)Σ_k log(1 + exp(−y_k f(x_k))) (``normalisation="sum"`` drops the 1/n, for the
    comparison). The opposite sign of the a₋ term is the same dynamics with a₋ → −a₋.

    >>> from eosmath.nn.datasets import sparse_coding
    >>> data = sparse_coding(d=20, n=30, lam=3.0, seed=0)
    >>> net = Figure1Network(data.X, data.Y[:, 0])
    >>> run = net.run(eta=0.01, a_plus=0.1, a_minus=0.1, steps=50)
    >>> run.steps, run.diverged
    (50, False)
    """

    name = "threshold_network"
    source = SOURCE
    description = ("f(x; a₊, a₋, b) = a₊Σᵢ ReLU(xᵢ + b) − a₋Σᵢ ReLU(−xᵢ + b), "
                   "L = (1/n)Σ_k log(1 + exp(−y_k f(x_k))) (or the sum)")

    def __init__(self, x: np.ndarray, y: np.ndarray, normalisation: str = "mean"):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.ndim != 2 or y.shape != (x.shape[0],):
            raise InvalidInputError(f"need X (n, d) and y (n,), got {x.shape} and {y.shape}")
        if normalisation not in ("mean", "sum"):
            raise InvalidInputError(f"normalisation must be 'mean' or 'sum', got "
                                    f"{normalisation!r}")
        self.x, self.y, self.normalisation = x, y, normalisation
        self.n, self.d = x.shape
        self._rows = _SortedRows(x)
        self._scale = 1.0 / self.n if normalisation == "mean" else 1.0

    def forward(self, a_plus: float, a_minus: float, b: float, x: np.ndarray | None = None):
        g_plus, g_minus = (relu_feature_sums(x, b) if x is not None
                           else self._rows.sums(b)[:2])
        return a_plus * g_plus - a_minus * g_minus

    def loss(self, a_plus: float, a_minus: float, b: float) -> float:
        margins = self.y * self.forward(a_plus, a_minus, b)
        return float(self._scale * np.sum(np.logaddexp(0.0, -margins)))

    def grad(self, a_plus: float, a_minus: float, b: float) -> tuple[float, float, float]:
        g_plus, g_minus, n_plus, n_minus = self._rows.sums(b)
        margins = self.y * (a_plus * g_plus - a_minus * g_minus)
        # d/df log(1 + e^{−y f}) = −y·sigmoid(−y f), written with tanh to avoid overflow
        g = -self._scale * self.y * 0.5 * (1.0 - np.tanh(0.5 * margins))
        return (float(g @ g_plus), float(-(g @ g_minus)),
                float(g @ (a_plus * n_plus - a_minus * n_minus)))

    def accuracy(self, a_plus: float, a_minus: float, b: float, x=None, y=None) -> float:
        """Fraction of sign(f) = y (f = 0 counts as wrong) on (x, y), default the training set."""
        y = self.y if y is None else np.asarray(y, dtype=float)
        return float(np.mean(np.sign(self.forward(a_plus, a_minus, b, x)) == y))

    def run(self, eta: float, a_plus: float, a_minus: float, b: float = 0.0,
            steps: int = 1000, record_bias: bool = False) -> Figure1Run:
        """GD with step η for ``steps`` steps (Figure 1: steps = ⌈10/η⌉)."""
        if not (eta > 0 and math.isfinite(eta)):
            raise InvalidInputError(f"η must be a positive number, got {eta}")
        if steps < 1:
            raise InvalidInputError(f"steps must be ≥ 1, got {steps}")
        path = np.full(steps, np.nan) if record_bias else None
        ap, am, bb, diverged = float(a_plus), float(a_minus), float(b), False
        for t in range(steps):
            ga, gm, gb = self.grad(ap, am, bb)
            ap, am, bb = ap - eta * ga, am - eta * gm, bb - eta * gb
            if not math.isfinite(ap + am + bb):
                diverged = True
                break
            if path is not None:
                path[t] = bb
        acc = 0.0 if diverged else self.accuracy(ap, am, bb)
        return Figure1Run(eta, steps, ap, am, bb, path, acc, diverged)


_DATA_DOC = {"d": "input dimension", "n": "training examples", "lam": "signal strength λ",
             "seed": "seed of the data draw"}


def mean_model(d: int = 200, nodes: int = 120) -> MeanModel:
    """The catalog's ``threshold_mean_model``: :class:`MeanModel` (eosmath's reconstruction)."""
    return MeanModel(d, nodes)


def _sparse_coding(d, n, lam, seed):
    from eosmath.nn.datasets import sparse_coding

    data = sparse_coding(d=d, n=n, lam=lam, seed=seed)
    return data.X, data.Y[:, 0]


def figure1_network(d: int = 200, n: int = 300, lam: float = 3.0, seed: int = 0,
                    normalisation: str = "mean") -> Figure1Network:
    """The catalog's ``threshold_network``: :class:`Figure1Network` on sparse-coding data
    x = λ y e_j + ξ (data model (1) of Ahn et al.; Figure 1's d = 200, n = 300, λ = 3 by default).

    >>> net = figure1_network(d=20, n=30)
    >>> net.name, net.x.shape
    ('threshold_network', (30, 20))
    """
    return Figure1Network(*_sparse_coding(d, n, lam, seed), normalisation=normalisation)


def threshold_network(d: int = 200, n: int = 300, lam: float = 3.0,
                      seed: int = 0) -> ThresholdNetwork:
    """The catalog's ``threshold_network_vector``: :class:`ThresholdNetwork` on the same data."""
    return ThresholdNetwork(*_sparse_coding(d, n, lam, seed))


def figure1_critical_eta(d: int) -> float:
    """The paper's threshold η_c = 8π/d² (Figure 1 caption, spec B.5)."""
    if d < 1:
        raise InvalidInputError(f"dimension d must be ≥ 1, got {d}")
    return 8.0 * math.pi / d**2


def abs_moments(lam: float) -> tuple[float, float]:
    """(E|λ + ξ|, E(λ + ξ)²) for ξ ~ N(0, 1): the folded normal's first two moments."""
    m1 = lam * (2.0 * ndtr(lam) - 1.0) + 2.0 * _phi(lam)
    return m1, 1.0 + lam * lam


def population_common_mode_sharpness(d: int, lam: float) -> tuple[float, float]:
    """Sharpness of network (2) at a = 0, b = 0 under the population mean loss, and its
    n = 1 sampling variance (normal approximation), from U = Σᵢ|xᵢ| (one signal coordinate).

    The Hessian in (a₊, a₋) is (1/4)·E[g gᵀ], g = (G₊, −G₋); along the common mode
    (1, −1)/√2 it is E[U²]/8 with U = G₊ + G₋ = Σᵢ|xᵢ|. To leading order E[U²] = 2d²/π,
    i.e. sharpness d²/(4π) and η_c = 8π/d²; the rest is the O(1/d) finite-size term.
    """
    m_noise, v_noise = math.sqrt(2.0 / math.pi), 1.0 - 2.0 / math.pi
    m_sig, s2_sig = abs_moments(lam)
    mean = (d - 1) * m_noise + m_sig
    var = (d - 1) * v_noise + (s2_sig - m_sig**2)
    second = mean**2 + var
    var_u2 = 4.0 * mean**2 * var + 2.0 * var**2       # U treated as normal
    return second / 8.0, var_u2 / 64.0


@dataclass(frozen=True)
class Transition:
    """Where a final bias leaves its small-η branch, located by bisection in log η.

    ``eta`` is the geometric midpoint of the last bracket [below, above]; the transition lies
    in it (given a monotone response) so ``eta`` is within ``rel_half_width`` of it.
    ``reference`` is the small-η branch at the bracket's lower end; the branch is extended
    linearly in η through its values at lo/2 and lo (GD's O(η) offset from gradient flow).
    """

    eta: float
    below: float
    above: float
    reference: float
    branch_slope: float
    evaluations: dict

    @property
    def rel_half_width(self) -> float:
        return math.sqrt(self.above / self.below) - 1.0


def locate_transition(final_bias, lo: float, hi: float, drop: float,
                      rel_resolution: float = 0.005) -> Transition | None:
    """Bisect (in log η) for the smallest η whose final bias is more than ``drop`` below the
    small-η branch (the line through the final biases at lo/2 and lo).

    Returns None when the bracket does not contain a transition: ``hi`` does not drop, or
    ``lo`` is not on a small-η branch. The line absorbs GD's O(η) offset from gradient flow;
    a change of more than 10·``drop`` from lo/2 to lo is taken to mean lo is past the
    transition already.

    >>> t = locate_transition(lambda eta: 0.0 if eta < 1.0 else -(eta - 1.0), 0.5, 2.0, 0.001)
    >>> round(t.eta, 2), t.rel_half_width < 0.005
    (1.0, True)
    """
    if not (0 < lo < hi):
        raise InvalidInputError(f"need 0 < lo < hi, got lo={lo}, hi={hi}")
    seen = {}

    def bias(eta):
        if eta not in seen:
            seen[eta] = float(final_bias(eta))
        return seen[eta]

    reference = bias(lo)
    if abs(reference - bias(lo / 2)) > 10 * drop:
        return None
    slope = (reference - bias(lo / 2)) / (lo / 2)

    def dropped(eta):
        return bias(eta) < reference + slope * (eta - lo) - drop

    if not dropped(hi):
        return None
    below, above = lo, hi
    while math.sqrt(above / below) - 1.0 > rel_resolution:
        mid = math.sqrt(below * above)
        if dropped(mid):
            above = mid
        else:
            below = mid
    return Transition(math.sqrt(below * above), below, above, reference, slope, seen)
