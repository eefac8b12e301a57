"""Importing this module registers every family of checks."""

from eosmath.theory import blog_maps  # noqa: F401
