"""The minimalist model f(x, y) = ℓ(xy) of Ahn et al. (NeurIPS 2023), seed 000 slides.

spec/minimalist_product.md, part A. Each ℓ is even and convex; ``meta`` carries
c = ℓ''(0), ℓ''''(0) and β = −ℓ''''(0)/(6c) (the constant of the EoS limit
y∞² = 2/(cη) − cη/(2β)). Gradient flow conserves x² − y² and converges to (0, ±√(y₀² − x₀²))
when |y₀| > |x₀|.
"""

from __future__ import annotations

import sympy as sp

from eosmath.dynamics.gf_limits import product_limit
from eosmath.errors import UnknownModelError
from eosmath.models.registry import register
from eosmath.references import cite
from eosmath.symbolic.model import Model

SOURCE = cite("ahn2023", "the model ℓ(xy)")

_s = sp.Symbol("s", real=True)

LOSSES: dict[str, tuple[sp.Expr, str]] = {
    "logcosh": (sp.log(sp.cosh(_s)), "log cosh s"),
    "sqrt": (sp.sqrt(1 + _s**2) - 1, "√(1+s²) − 1"),
    "symmetric_logistic": ((sp.log(1 + sp.exp(-2 * _s)) + sp.log(1 + sp.exp(2 * _s))) / 2
                           - sp.log(2), "½[log(1+e^{−2s}) + log(1+e^{2s})] − log 2"),
    "logistic_even": (sp.log(2 * sp.cosh(_s / 2)),
                      "log(2 cosh(s/2)), the even part of log(1+e^{−s})"),
    "square": (_s**2 / 2, "s²/2 (counter-example: not Lipschitz, β = 0)"),
}


def ell_constants(ell: str) -> dict:
    """c = ℓ''(0), ℓ''''(0) and β = −ℓ''''(0)/(6c), computed from ℓ's series (exact).

    >>> ell_constants("logcosh")
    {'c': 1, 'd4': -2, 'beta': 1/3}
    """
    expr = LOSSES[ell][0]
    c = sp.nsimplify(sp.limit(sp.diff(expr, _s, 2), _s, 0))
    d4 = sp.nsimplify(sp.limit(sp.diff(expr, _s, 4), _s, 0))
    return {"c": c, "d4": d4, "beta": -d4 / (6 * c)}


@register("product", "ℓ(xy) for an even convex loss ℓ (minimalist EoS model)", SOURCE)
def product(ell: str = "logcosh") -> Model:
    """f(x, y) = ℓ(xy); ``ell`` ∈ logcosh, sqrt, symmetric_logistic, logistic_even, square."""
    if ell not in LOSSES:
        raise UnknownModelError(f"unknown loss ell={ell!r}; choose one of {sorted(LOSSES)}")
    x, y = sp.symbols("x y", real=True)
    expr, text = LOSSES[ell]
    return Model(expr.subs(_s, x * y), (x, y), name="product", source=SOURCE,
                 description=f"f(x, y) = ℓ(xy) with ℓ(s) = {text}",
                 gf_limit=product_limit, meta={"ell": ell, **ell_constants(ell)})
