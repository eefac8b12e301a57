"""Neural networks without torch: a small NumPy autodiff, finite-difference Hessian-vector
products checked against mpmath, sharpness by Lanczos/LOBPCG, full-batch GD experiments.

>>> from eosmath import nn
>>> net = nn.MLP([1, 100, 1], activation="tanh", bias=[True, False])
>>> obj = nn.Objective(net, nn.datasets.chebyshev(degree=3))
>>> theta = net.init(seed=0, scheme="chebyshev")
>>> round(float(nn.top_eigenpairs(obj, theta, k=1).eigenvalues[0]), 4)
2.945
"""

from eosmath.nn import datasets
from eosmath.nn.activations import ACTIVATIONS, Activation, UnknownActivationError
from eosmath.nn.losses import LOSSES, Loss, UnknownLossError
from eosmath.nn.mlp import MLP
from eosmath.nn.objective import HVPResult, KinkWarning, Objective, default_eps

__all__ = [
    "ACTIVATIONS", "LOSSES", "MLP", "Activation", "HVPResult", "KinkWarning", "Loss", "Objective",
    "UnknownActivationError", "UnknownLossError", "datasets", "default_eps",
]
