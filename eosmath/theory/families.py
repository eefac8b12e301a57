"""Importing this module registers every family of checks."""

from eosmath.theory import blog_maps, minimalist_product, self_stabilization  # noqa: F401
