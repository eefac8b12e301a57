"""Two-layer width-one linear net on 2-D Gaussian input (Liu, Zhang, Du & Zhao, NeurIPS 2025).

Seed 002; spec/minimalist_two_layer.md. f(x; θ) = a(w₁x₁ + w₂x₂), x ~ N(0, diag(σ₁², σ₂²)),
y = x₂; population loss L = ½σ₁²a²w₁² + ½σ₂²(aw₂ − 1)² (the paper's (3.1), its letters
α ↔ a, β₁ ↔ w₁, β₂ ↔ w₂, λᵢ ↔ σᵢ²). GF conserves Q = a² − w₁² − w₂² and, from a > 0, converges
to w₁ = 0, a² = h(Q) = (Q + √(Q² + 4))/2, w₂ = 1/a.
"""

from __future__ import annotations

import sympy as sp

from eosmath.dynamics.gf_limits import gfs_a_squared, two_layer_minimal_limit
from eosmath.models.registry import register
from eosmath.references import cite
from eosmath.symbolic.model import Model

__all__ = ["gfs_a_squared", "two_layer_minimal"]

SOURCE = cite("liu2025")


@register("two_layer_minimal", "a(w₁x₁ + w₂x₂) on x ~ N(0, diag(σ₁², σ₂²)), target x₂", SOURCE)
def two_layer_minimal(sigma1: float = 1.0, sigma2: float = 0.02) -> Model:
    """Population loss ½σ₁²a²w₁² + ½σ₂²(aw₂ − 1)²; defaults: eosmath's canonical setting."""
    a, w1, w2 = sp.symbols("a w1 w2", real=True)
    s1, s2 = sp.symbols("sigma1 sigma2", real=True)
    loss = s1**2 * a**2 * w1**2 / 2 + s2**2 * (a * w2 - 1) ** 2 / 2
    return Model(loss, (a, w1, w2), {s1: sigma1, s2: sigma2}, name="two_layer_minimal",
                 source=SOURCE, description="L = ½σ₁²a²w₁² + ½σ₂²(aw₂ − 1)²",
                 hyper_doc={"sigma1": "std of the irrelevant feature x₁",
                            "sigma2": "std of the relevant feature x₂ (σ₂ < σ₁)"},
                 gf_limit=two_layer_minimal_limit)
