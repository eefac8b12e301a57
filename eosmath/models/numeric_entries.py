"""The numeric models beside the SymPy catalog (see :mod:`eosmath.models.registry`): each
registered by name with its summary, source and why it is not symbolic. Their code (and SciPy)
loads only when one is built.

>>> import eosmath as eos
>>> mm = eos.models.numeric("threshold_mean_model", d=400)
>>> mm.name, mm.critical_eta
('threshold_mean_model', 0.02)
"""

from eosmath.models.registry import register_numeric
from eosmath.references import cite

_AHN = cite("ahn2023", "data model (1), network (2)")

register_numeric(
    "threshold_mean_model", "eosmath.models.threshold_neurons:mean_model",
    "threshold-neuron mean model L(a, b) = ℓ_eff(√d·a·√v(b)) (eosmath's reconstruction of the "
    "Ahn et al.'s reduction)", _AHN,
    "ℓ_eff(s) = E log(2cosh(sZ/2)) is an expectation with no closed form: it is evaluated by "
    "Gauss–Hermite quadrature, and a finite sum of log-cosh terms would be another model")
register_numeric(
    "threshold_network", "eosmath.models.threshold_neurons:figure1_network",
    "network (2) of Figure 1: a₊Σᵢ ReLU(xᵢ + b) − a₋Σᵢ ReLU(−xᵢ + b), logistic loss on "
    "sparse-coding data (the paper's Figure 1)", _AHN,
    "a loss over n data points with n·d ReLU kinks in b: a SymPy expression of that size "
    "could not be derived or compiled; gradients are evaluated on the data instead")
register_numeric(
    "threshold_network_vector", "eosmath.models.threshold_neurons:threshold_network",
    "network (2) with a weight per coordinate, f = Σᵢ aᵢσ_b(xᵢ), logistic loss on "
    "sparse-coding data (the paper's data model (1))", _AHN,
    "d + 1 parameters and a loss over n data points with kinks in b; evaluated on the data")
