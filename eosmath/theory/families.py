"""Importing this module registers every family of checks."""

from eosmath.theory import (  # noqa: F401
    blog_maps,
    central_flow_networks,
    central_flows,
    comparators,
    eigen_cascade,
    minimalist_product,
    minimalist_two_layer,
    minimalist_two_layer_eos,
    progressive_sharpening,
    self_stabilization,
    self_stabilization_mlp,
    shallow_relu,
    threshold_neurons,
)
