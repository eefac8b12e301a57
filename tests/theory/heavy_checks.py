"""Checks too heavy for the default test run (under 5 minutes on 2 cores)."""

import pytest

HEAVY_CHECKS = frozenset({
    # quick mode still trains networks with held-out runs (10-25 s each on 2 cores): their
    # meta-tests and family tests run with the slow suite, which CI runs too
    "self_stabilization.mlp_predicted_dynamics", "self_stabilization.mlp_spike_cycle",
    "self_stabilization.mlp_progressive_sharpening", "self_stabilization.mlp_gd_tracks_constrained",
    "progressive_sharpening.digits_eos", "progressive_sharpening.digits_departs_from_flow",
    "central_flow.chebyshev_net",  # 4 GD runs + 4 network central flows: 115 s on 2 busy cores
    "central_flow.digits_mlp",  # 4 GD runs + 4 k = 2 network flows: 301 s on 2 busy cores
})


HEAVY_VIOLATIONS = frozenset({
    ("product.gf_limit", "curvature_factor_dropped"),       # ~10 s: a long GD run
    ("soft_quadratic.symmetry_breaking", "wrong_threshold"),  # ~8 s: a fine η scan
})


def by_weight(name):
    """``name`` (a check, or a (check, violation) pair) as a pytest parameter, marked slow
    when it is in HEAVY_CHECKS or HEAVY_VIOLATIONS."""
    pair = name if isinstance(name, tuple) else (name,)
    heavy = pair[0] in HEAVY_CHECKS or pair in HEAVY_VIOLATIONS
    return pytest.param(*pair, marks=pytest.mark.slow) if heavy else name
