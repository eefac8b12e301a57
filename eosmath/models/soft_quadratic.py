"""The blog's soft quadratic f(x) = x²/√(1 + x²) (seed 003; spec/simple_maps.md §2).

f''(0) = 2, so the origin is GD-stable iff η < 1; for 1 < η < 3√3/2 GD settles on a symmetric
2-cycle ±x_η with η = 2(1+s)^{3/2}/(s+2), s = x_η²; period-doubling follows later.
"""

from __future__ import annotations

import sympy as sp

from eosmath.dynamics.gf_limits import origin_limit
from eosmath.models.registry import register
from eosmath.references import cite
from eosmath.symbolic.model import Model

SOURCE = cite("blog2025", "the soft quadratic")


@register("soft_quadratic", "x²/√(1+x²): quadratic near 0, linear growth far out", SOURCE)
def soft_quadratic() -> Model:
    x = sp.Symbol("x", real=True)
    return Model(x**2 / sp.sqrt(1 + x**2), (x,), name="soft_quadratic", source=SOURCE,
                 description="f(x) = x²/√(1+x²)",
                 gf_limit=origin_limit)
