"""Scalar-network comparators of spec/simple_maps.md §3–4.

* ``zhu_slice``: L(x, y) = (x²y² − 1)²/4 (Zhu, Wang, Wang, Zhou & Ge, ICLR 2023; normalisation
  recalled and pinned by their EoS-minimum formula — [paper, not verified]).
* ``scalar_network``: L(w) = ½(∏ᵢwᵢ − y)² for w ∈ ℝ^D (Kreisler, Nacson, Soudry & Carmon,
  ICML 2023). GF conserves wᵢ² − wⱼ²; its limit s solves sᵢ² = u + bᵢ, ∏(u + bᵢ) = y².
"""

from __future__ import annotations

import sympy as sp

from eosmath.dynamics.gf_limits import scalar_network_limit
from eosmath.errors import InvalidInputError
from eosmath.models.registry import register
from eosmath.references import cite
from eosmath.symbolic.model import Model

ZHU = cite("zhu2023")
KREISLER = cite("kreisler2023")


@register("zhu_slice", "(x²y² − 1)²/4, a slice of a 4-layer scalar linear network", ZHU)
def zhu_slice() -> Model:
    x, y = sp.symbols("x y", real=True)
    return Model((x**2 * y**2 - 1) ** 2 / 4, (x, y), name="zhu_slice", source=ZHU,
                 description="L = (x²y² − 1)²/4")


@register("scalar_network", "½(w₁⋯w_D − y)², a depth-D scalar linear network", KREISLER)
def scalar_network(depth: int = 3, target: float = 1.0) -> Model:
    """Depth-``depth`` scalar network with target ``target`` (a hyper-parameter ``y``)."""
    if int(depth) < 2:
        raise InvalidInputError(f"depth must be ≥ 2, got {depth}")
    w = sp.symbols(f"w1:{int(depth) + 1}", real=True)
    y = sp.Symbol("y", real=True)
    return Model((sp.Mul(*w) - y) ** 2 / 2, w, {y: target}, name="scalar_network",
                 source=KREISLER, description=f"L = ½(w₁⋯w_{depth} − y)²",
                 hyper_doc={"y": "target of the product"},
                 gf_limit=scalar_network_limit)
