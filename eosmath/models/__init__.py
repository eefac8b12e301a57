"""The built-in catalog: the toy models of the seed papers, one module per family.

SymPy models: :func:`names`, :func:`get`. Models that cannot be symbolic (the threshold-neuron
mean model and network (2) of seed 000): :func:`numeric_names`, :func:`numeric`.

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
from eosmath.models import numeric_entries  # noqa: E402, F401  (numeric models, lazy)
from eosmath.models.registry import describe, get, names, numeric, numeric_names, register

__all__ = ["describe", "get", "names", "numeric", "numeric_names", "register"]
