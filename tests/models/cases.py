"""Every catalog model (with each variant) as (id, name, options), for parametrised tests."""

from eosmath.models.product import LOSSES

MODEL_CASES = [
    ("quadratic", "quadratic", {"a": 4.0}),
    ("quadratic_2d", "quadratic", {"matrix": [[3.0, 0.5], [0.5, 1.0]]}),
    ("soft_quadratic", "soft_quadratic", {}),
    *[(f"product_{ell}", "product", {"ell": ell}) for ell in LOSSES],
    ("self_stabilization_toy", "self_stabilization_toy", {}),
    ("self_stabilization_toy_quartic", "self_stabilization_toy", {"c4": 0.5}),
    ("two_layer_minimal", "two_layer_minimal", {}),
    ("zhu_slice", "zhu_slice", {}),
    ("scalar_network", "scalar_network", {"depth": 3}),
]
