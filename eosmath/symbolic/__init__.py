"""Symbolic core: the Model, stable rewrites, safe parsing, conserved quantities."""

from eosmath.symbolic.invariant import Subspace
from eosmath.symbolic.model import ETA, FixedPoint, Model, RewriteProof
from eosmath.symbolic.parsing import parse_expression
from eosmath.symbolic.stable import LogCosh, Softplus, prove_equal, stabilize
from eosmath.symbolic.system import DynamicalSystem

__all__ = ["ETA", "DynamicalSystem", "FixedPoint", "LogCosh", "Model", "RewriteProof",
           "Softplus", "Subspace", "parse_expression", "prove_equal", "stabilize"]
