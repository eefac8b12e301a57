"""Trajectories, gradient flow, sweeps, orbits (see the modules)."""

from eosmath.dynamics.status import Status

__all__ = ["Status"]
