r"""What each sweep variable and axis means: CF ``long_name`` and ``units``, and a plot label.

Every variable and coordinate of a sweep Dataset (and store) carries ``long_name`` and
``units`` (CF conventions; the models are dimensionless, so ``units`` is ``"1"``), so that
``ds["final_sharpness"].plot()`` in xarray is already labelled. ``label`` is the same quantity
in matplotlib mathtext, for eosmath's own figures.

>>> variable_attrs("final_eos_ratio")["long_name"]
'η·S/2 at the last iterate (1 at the edge of stability)'
>>> axis_attrs("x", params=("x", "y"))["label"]
'$x_0$'
>>> math_symbol("sigma2"), math_symbol("eta")
('\\sigma_{2}', '\\eta')
"""

from __future__ import annotations

import re

from eosmath.dynamics.status import cf_attributes

_FIXED = {
    "period": ("period k of a period-k verdict (0 otherwise)", r"period $k$"),
    "stop_step": ("step at which the run stopped", "stop step"),
    "final_loss": ("loss at the last iterate", r"$L(\theta_N)$"),
    "final_sharpness": ("sharpness (largest Hessian eigenvalue) at the last iterate",
                        r"$S(\theta_N)$"),
    "final_eos_ratio": ("η·S/2 at the last iterate (1 at the edge of stability)",
                        r"$\eta\, S(\theta_N)/2$"),
    "max_sharpness": ("largest sharpness over the run", r"$\max_t S(\theta_t)$"),
    "first_unstable_step": ("first step with sharpness above 2/η (−1: never)",
                            r"first step with $S > 2/\eta$"),
    "eos_fraction": ("fraction of steps with η·S/2 in [0.95, 1.05]",
                     r"fraction of steps with $\eta S/2 \in [0.95, 1.05]$"),
    "lyapunov": ("largest Lyapunov exponent per step (tangent map I − η∇²L)",
                 r"Lyapunov exponent $\lambda$ (per step)"),
    "gfs_sharpness": ("sharpness of the gradient-flow limit from the start",
                      r"$S(\theta^{\mathrm{GF}}_\infty)$"),
    "underflow_step": ("first step at which a coordinate (or tangent component) was exactly 0 "
                       "in float64 although its multiplier |1 − η∂²L/∂θᵢ²| > 1 would grow it "
                       "(−1: never)", "underflow step"),
}

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
          "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi",
          "psi", "omega", "ell"}


def math_symbol(name: str) -> str:
    """A model symbol's name in mathtext (without $): ``sigma2`` → ``\\sigma_{2}``,
    ``w_1`` → ``w_{1}``, ``eta`` → ``\\eta``."""
    match = re.fullmatch(r"([A-Za-z]+?)_?(\d+)?", name)
    if not match:
        return name.replace("_", r"\_")
    base, index = match.groups()
    base = "\\" + base if base in _GREEK else base
    return f"{base}_{{{index}}}" if index else base


def variable_attrs(name: str) -> dict:
    """CF attributes (``long_name``, ``units``) and a plot ``label`` of sweep variable
    ``name``; ``status`` also gets its CF flags."""
    if name == "status":
        return {**cf_attributes(), "units": "1", "label": "outcome"}
    if name in _FIXED:
        long_name, label = _FIXED[name]
    elif name.startswith("final_"):
        param = name[len("final_"):]
        long_name, label = f"{param} at the last iterate", f"${math_symbol(param)}_N$"
    elif name.startswith("drift_"):
        k = name[len("drift_"):]
        long_name = f"drift |Q(θ_N) − Q(θ_0)| of conserved quantity {k} of gradient flow"
        label = rf"$|Q_{{{k}}}(\theta_N) - Q_{{{k}}}(\theta_0)|$"
    else:
        long_name, label = f"user statistic {name}", name.replace("_", " ")
    return {"long_name": long_name, "units": "1", "label": label}


def axis_attrs(name: str, params=()) -> dict:
    """CF attributes and plot label of sweep axis ``name``: ``eta``, a start coordinate (one
    of ``params``) or a hyper-parameter."""
    if name == "eta":
        return {"long_name": "step size η", "units": "1", "label": r"step size $\eta$"}
    if name in params:
        return {"long_name": f"initial {name}", "units": "1",
                "label": f"${math_symbol(name)}_0$"}
    return {"long_name": f"hyper-parameter {name}", "units": "1",
            "label": f"${math_symbol(name)}$"}
