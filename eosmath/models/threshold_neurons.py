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
The paper's own constant for the transition was **not recovered** (spec B.3 "Doubt"): the
reduction is exposed as a parameterised map, not a hard-coded threshold.

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

SOURCE = ("Ahn, Bubeck, Chewi, Lee, Suarez & Zhang, 'Learning threshold neurons via the edge of "
          "stability' (NeurIPS 2023), slides seed 000; spec/minimalist_product.md B "
          "(reconstruction)")

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

    >>> mm = MeanModel(d=400)
    >>> mm.critical_eta
    0.02
    >>> run = mm.run(eta=0.03, a0=0.05, steps=4000)
    >>> bool(run.b < -0.1)
    True
    """

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
