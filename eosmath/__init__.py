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

from eosmath._version import __version__
from eosmath.errors import EosmathError, InvalidInputError, ModelSyntaxError, UnknownModelError

# Public names load their subsystem on first use (PEP 562): ``import eosmath`` stays cheap for
# the command line and for scripts that need one part (a warm ``eosmath sweep`` never imports
# the plotting, network or report code).
_LAZY = {
    "models": "eosmath.models", "rules": "eosmath.rules", "nn": "eosmath.nn",
    "plot": "eosmath.plot",
    "ETA": "eosmath.symbolic", "DynamicalSystem": "eosmath.symbolic", "Model": "eosmath.symbolic",
    "Trajectory": "eosmath.dynamics.trajectory", "run_gd": "eosmath.dynamics.gd",
    "PreciseTrajectory": "eosmath.dynamics.precise",
    "run_gd_precise": "eosmath.dynamics.precise",
    "run_gd_log_magnitude": "eosmath.dynamics.log_magnitude",
    "FlowResult": "eosmath.dynamics.flow", "run_flow": "eosmath.dynamics.flow",
    "PreciseFlow": "eosmath.dynamics.precise_flow",
    "run_flow_precise": "eosmath.dynamics.precise_flow",
    "gd_gf_distance": "eosmath.dynamics.flow", "gfs_sharpness": "eosmath.dynamics.flow",
    "orbit_diagram": "eosmath.dynamics.orbits",
    "period_doubling_point": "eosmath.dynamics.orbits",
    "periodic_orbits": "eosmath.dynamics.orbits",
    "sweep": "eosmath.dynamics.sweep",
    "central_flow": "eosmath.dynamics.central_flow",
    "CentralFlowTrajectory": "eosmath.dynamics.central_flow",
    "time_average": "eosmath.dynamics.central_flow",
    "SystemTrace": "eosmath.dynamics.system_run", "iterate": "eosmath.dynamics.system_run",
    "integrate": "eosmath.dynamics.system_run",
    "PeriodEstimate": "eosmath.dynamics.ode_period", "ode_period": "eosmath.dynamics.ode_period",
    "compare_with_flows": "eosmath.dynamics.flow_comparison",
    "Derivation": "eosmath.derivations", "derive": "eosmath.derivations",
    "Verdict": "eosmath.theory", "checks": "eosmath.theory", "verify": "eosmath.theory",
    "verify_all": "eosmath.theory",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'eosmath' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(_LAZY[name])
    value = module if _LAZY[name] == f"eosmath.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__",
    "ETA",
    "DynamicalSystem",
    "Model",
    "models",
    "rules",
    "Trajectory",
    "run_gd",
    "PreciseTrajectory",
    "run_gd_precise",
    "run_gd_log_magnitude",
    "FlowResult",
    "run_flow",
    "PreciseFlow",
    "run_flow_precise",
    "gd_gf_distance",
    "gfs_sharpness",
    "orbit_diagram",
    "period_doubling_point",
    "periodic_orbits",
    "sweep",
    "central_flow",
    "CentralFlowTrajectory",
    "time_average",
    "SystemTrace",
    "iterate",
    "integrate",
    "PeriodEstimate",
    "ode_period",
    "compare_with_flows",
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
