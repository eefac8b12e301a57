"""Self-stabilization (Damian, Nichani & Lee, ICLR 2023; seed 001; spec/self_stabilization.md).

Two catalog entries:

* ``self_stabilization_toy``: a three-parameter loss with the properties the paper's
  Appendix B toy states (**reconstruction**: the paper's formula was not recovered; spec §8):
  L(x, y, z) = x²/η₀ + (√β/2)·y·x² − (α/√β)·y − z  (+ c₄x⁴/24 for the sub/super-quadratic
  variant of Appendix F). GD with step η₀ is exactly the reduced map in (x, √β·y).
* ``self_stabilization_reduced``: the reduced map (eq. 3) x⁺ = −(1+ηy)x, y⁺ = y + η(α − βx²/2)
  and its ODE (eq. 4) Ẋ = XY, Ẏ = α − βX²/2 (time τ = η·step), with the conserved quantity
  of Lemma 3, g = h(βX²/(2α)) + Y²/α, h(z) = z − log z − 1, and a Lotka–Volterra form.
"""

from __future__ import annotations

import sympy as sp

from eosmath.models.registry import register
from eosmath.references import cite
from eosmath.symbolic.model import Model
from eosmath.symbolic.system import DynamicalSystem

SOURCE = cite("damian2023")


@register("self_stabilization_toy",
          "Appendix-B-style toy loss whose GD is exactly the reduced self-stabilization map",
          SOURCE + ", Appendix B (reconstruction)")
def self_stabilization_toy(eta0: float = 0.1, alpha: float = 1.0, beta: float = 1.0,
                           c4: float = 0.0) -> Model:
    """Toy loss (reconstruction of Appendix B); run GD with step η = ``eta0``.

    ``alpha``: progressive-sharpening rate; ``beta``: ‖∇S‖²; ``c4``: quartic coefficient of the
    loss along the unstable direction (0 = quadratic; < 0 sub-, > 0 super-quadratic).
    """
    x, y, z = sp.symbols("x y z", real=True)
    e, a, b, c = sp.symbols("eta0 alpha beta c4", real=True)
    loss = x**2 / e + sp.sqrt(b) / 2 * y * x**2 - a / sp.sqrt(b) * y - z + c * x**4 / 24
    return Model(loss, (x, y, z), {e: eta0, a: alpha, b: beta, c: c4},
                 name="self_stabilization_toy", source=SOURCE + ", Appendix B (reconstruction)",
                 description="L = x²/η₀ + (√β/2) y x² − (α/√β) y − z + c₄x⁴/24",
                 hyper_doc={"eta0": "the step size GD must use", "alpha": "sharpening rate α",
                            "beta": "self-stabilization strength β = ‖∇S‖²",
                            "c4": "quartic coefficient along u (Appendix F variant)"})


def _h(z):
    return z - sp.log(z) - 1


@register("self_stabilization_reduced",
          "the reduced 2-D map (eq. 3) and ODE (eq. 4) of self-stabilization",
          SOURCE + ", eqs. (3)–(4)")
def self_stabilization_reduced(eta: float = 0.01, alpha: float = 1.0,
                               beta: float = 1.0) -> DynamicalSystem:
    """The map (x, y) ↦ (−(1+ηy)x, y + η(α − βx²/2)) and the ODE Ẋ = XY, Ẏ = α − βX²/2.

    The ODE is ``meta["ode"]`` (time τ = η·step); it declares the conserved quantity ``g`` of
    Lemma 3 (also ``meta["conserved"]``). The map is not conservative (no declaration).
    """
    x, y = sp.symbols("x y", real=True)
    X, Y = sp.Symbol("X", positive=True), sp.Symbol("Y", real=True)
    e, a, b = sp.symbols("eta alpha beta", positive=True)
    reduced_map = DynamicalSystem(
        (x, y), map=(-(1 + e * y) * x, y + e * (a - b * x**2 / 2)),
        hyper={e: eta, a: alpha, b: beta}, name="self_stabilization_reduced",
        source=SOURCE + ", eq. (3)")
    g = _h(b * X**2 / (2 * a)) + Y**2 / a
    ode = DynamicalSystem((X, Y), vector_field=(X * Y, a - b * X**2 / 2),
                          hyper={e: eta, a: alpha, b: beta}, name="self_stabilization_ode",
                          source=SOURCE + ", eq. (4)", conserved={"g": g})
    delta = sp.sqrt(2 * a / b)
    reduced_map.meta.update({
        "ode": ode,
        "delta": delta,
        "fixed_point": {X: delta, Y: 0},
        "conserved": g,
        "hamiltonian_coordinates": "(log X, Y)",
        "h": _h,
    })
    return reduced_map


def lotka_volterra_form():
    """The change of variables of spec §4 (**reconstruction**; the paper's was not recovered).

    z = X²/δ² and w = W(Y) with h(w) = Y²/α (w > 1 ⇔ Y > 0), new time ds/dτ = 2Y/(w − 1), give
    dz/ds = z(w − 1), dw/ds = w(1 − z), whose first integral h(z) + h(w) equals g.
    Returned as the LV system (in z, w) and its first integral.
    """
    z, w = sp.symbols("z w", positive=True)
    lv = DynamicalSystem((z, w), vector_field=(z * (w - 1), w * (1 - z)),
                         name="lotka_volterra",
                         source=SOURCE + ", Lotka–Volterra form (reconstruction)")
    return lv, _h(z) + _h(w)
