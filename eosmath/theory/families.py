"""The families of theorem checks: one module each, listed in :data:`FAMILIES`.

A family module registers its checks with :func:`eosmath.theory.registry.check` when it is
imported; :func:`load` imports them all, on first use (they import SciPy and Numba), and
:func:`checks` and :func:`lookup` answer from the full registry.

>>> info = lookup("quadratic.factor")
>>> info.kind, info.calibrated
('identity', False)
"""

from __future__ import annotations

import importlib

from eosmath.theory.registry import CheckInfo, find, registered

FAMILIES = (
    "eosmath.theory.blog_maps",
    "eosmath.theory.central_flow_networks",
    "eosmath.theory.central_flows",
    "eosmath.theory.comparators",
    "eosmath.theory.eigen_cascade",
    "eosmath.theory.minimalist_product",
    "eosmath.theory.minimalist_two_layer",
    "eosmath.theory.minimalist_two_layer_eos",
    "eosmath.theory.progressive_sharpening",
    "eosmath.theory.self_stabilization",
    "eosmath.theory.self_stabilization_mlp",
    "eosmath.theory.shallow_relu",
    "eosmath.theory.threshold_neurons",
)
"""The modules that register checks (one line each)."""


def load() -> None:
    """Import every family module (each registers its checks once)."""
    for name in FAMILIES:
        importlib.import_module(name)


def lookup(name: str) -> CheckInfo:
    """The registered check ``name``; unknown names raise with the closest matches."""
    load()
    return find(name)


def checks() -> tuple[CheckInfo, ...]:
    """Every registered check (name, source, statement, evidence), sorted by name."""
    load()
    return registered()
