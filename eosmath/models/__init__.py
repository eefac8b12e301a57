"""The built-in catalog: the toy models of the seed papers, one module per family.

>>> import eosmath as eos
>>> "product" in eos.models.names()
True
>>> eos.models.get("quadratic", a=4.0).hessian()
Matrix([[a]])
"""

# Importing the family modules fills the registry.
from eosmath.models import (  # noqa: E402, F401, I001  # noqa: E402, F401
    product,
    quadratic,
    scalar_networks,
    self_stabilization,
    soft_quadratic,
    two_layer_minimal,
)
from eosmath.models.registry import describe, get, names, register

__all__ = ["describe", "get", "names", "register"]
