"""eosmath: the mathematics of gradient descent at the edge of stability.

One SymPy definition of a model gives its derivations, three faithful numerical backends
(Numba, NumPy, mpmath), GD trajectories and sweeps, and the theorem checks of the seed papers.

>>> import eosmath as eos
>>> m = eos.models.get("product", ell="logcosh")
>>> m.gradient()
Matrix([
[y*tanh(x*y)],
[x*tanh(x*y)]])
"""

from eosmath import models, nn, plot
from eosmath._version import __version__
from eosmath.dynamics.flow import FlowResult, gd_gf_distance, gfs_sharpness, run_flow
from eosmath.dynamics.gd import Trajectory, run_gd
from eosmath.dynamics.orbits import orbit_diagram, period_doubling_point, periodic_orbits
from eosmath.dynamics.sweep import sweep
from eosmath.errors import EosmathError, InvalidInputError, ModelSyntaxError, UnknownModelError
from eosmath.report import Derivation, derive
from eosmath.symbolic import ETA, DynamicalSystem, Model
from eosmath.theory import Verdict, checks, verify, verify_all

__all__ = [
    "__version__",
    "ETA",
    "DynamicalSystem",
    "Model",
    "models",
    "Trajectory",
    "run_gd",
    "FlowResult",
    "run_flow",
    "gd_gf_distance",
    "gfs_sharpness",
    "orbit_diagram",
    "period_doubling_point",
    "periodic_orbits",
    "sweep",
    "Derivation",
    "derive",
    "nn",
    "plot",
    "Verdict",
    "checks",
    "verify",
    "verify_all",
    "EosmathError",
    "InvalidInputError",
    "ModelSyntaxError",
    "UnknownModelError",
]
