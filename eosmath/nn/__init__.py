"""Neural networks without torch: a small NumPy autodiff, finite-difference Hessian-vector
products checked against mpmath, sharpness by Lanczos/LOBPCG, full-batch GD experiments.

>>> from eosmath import nn
>>> net = nn.MLP([1, 100, 1], activation="tanh", bias=[True, False])
>>> obj = nn.Objective(net, nn.datasets.chebyshev(degree=3))
>>> theta = net.init(seed=0, scheme="chebyshev")
>>> round(float(nn.top_eigenpairs(obj, theta, k=1).eigenvalues[0]), 4)
2.945
"""

from eosmath.nn import datasets, lr_schedules, orthogonal_relu
from eosmath.nn.activations import ACTIVATIONS, Activation, UnknownActivationError
from eosmath.nn.central_flow import central_flow
from eosmath.nn.check import HVPCheck, check_hvp, oracle_hvp
from eosmath.nn.datasets import Dataset
from eosmath.nn.eigen import (
    EigenResult,
    HessianOperator,
    MatrixOperator,
    NegativeLargestMagnitudeWarning,
    Operator,
    top_eigenpairs,
)
from eosmath.nn.losses import LOSSES, Loss, UnknownLossError
from eosmath.nn.mlp import MLP
from eosmath.nn.objective import HVPResult, KinkWarning, Objective, default_eps
from eosmath.nn.training import TrainResult, train_gd

__all__ = [
    "ACTIVATIONS", "LOSSES", "MLP", "Activation", "Dataset", "EigenResult", "HVPCheck",
    "HVPResult", "HessianOperator", "KinkWarning", "Loss", "MatrixOperator",
    "NegativeLargestMagnitudeWarning", "Objective", "Operator", "TrainResult",
    "UnknownActivationError", "UnknownLossError", "central_flow", "check_hvp", "datasets",
    "default_eps", "lr_schedules", "oracle_hvp", "orthogonal_relu", "top_eigenpairs", "train_gd",
]
