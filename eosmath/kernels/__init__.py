"""SymPy → Numba / NumPy / mpmath, with an on-disk kernel cache.

The public names load on first use, so ``eosmath.kernels.cache`` can be imported without SymPy
(the warm sweep path needs no SymPy; Numba loads its kernels from its own cache).
"""

_LAZY = {"ModelFunctions": "eosmath.kernels.backends", "lambdify_model": "eosmath.kernels.backends",
         "CompiledModel": "eosmath.kernels.compiled", "compile_model": "eosmath.kernels.compiled"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'eosmath.kernels' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = ["CompiledModel", "ModelFunctions", "compile_model", "lambdify_model"]
