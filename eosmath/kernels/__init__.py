"""SymPy → Numba / NumPy / mpmath, with an on-disk kernel cache."""

from eosmath.kernels.backends import ModelFunctions, lambdify_model
from eosmath.kernels.compiled import CompiledModel, compile_model

__all__ = ["CompiledModel", "ModelFunctions", "compile_model", "lambdify_model"]
