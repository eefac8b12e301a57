"""GD with an update rule (:mod:`eosmath.dynamics.update_rules`): what ``run_gd(..., rule=...)``
and ``sweep(..., rule=...)`` call. Plain GD (``rule=None``) never comes here.

Seed 002's clipped GD (spec/minimalist_two_layer.md §2) in public lines:

>>> import eosmath as eos
>>> m = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.02)
>>> tr = eos.run_gd(m, 4.0, (0.67, 0.01, 1.0), 200, rule=eos.rules.clip("a", 0.002))
>>> tr.status.name, int(tr.stats["first_unstable_step"])
('MAX_STEPS', 78)
"""

from __future__ import annotations

import numpy as np

from eosmath.dynamics import rule_kernel  # noqa: F401  (registers the loop with a rule)
from eosmath.dynamics.stat_layout import NSTAT, STAT
from eosmath.dynamics.status import Status
from eosmath.dynamics.trajectory import RECORDABLE, Trajectory, run_with_progress, through_final
from eosmath.dynamics.update_rules import CompiledRule, check_rule


def compile_rule(rule, params, hyper_names) -> CompiledRule:
    return check_rule(rule).compile(params, hyper_names)


def rule_arguments(cr: CompiledRule) -> tuple:
    """The rule's arrays in the order both kernels take them (after the cell bounds)."""
    return (cr.ops, np.ascontiguousarray(cr.coef), np.ascontiguousarray(cr.clipvec))


def run_gd_rule(model, eta, theta0, steps, rule, record, tol, radius, hyper, reducer, kmax,
                ptol, quiet):
    """``run_gd`` with ``rule``: arguments already checked by run_gd except the rule."""

    kernels = model.compile()
    h = kernels.hyper_default if hyper is None else np.asarray(hyper, dtype=np.float64)
    cr = compile_rule(rule, [str(p) for p in model.params], model.hyper_names)
    lo, hi = cr.box([eta], h[None, :])
    thetas = np.empty((steps + 1, model.dim))
    losses, sharps = np.empty(max(steps, 1)), np.empty(max(steps, 1))
    stats, final = np.empty(NSTAT + kernels.module.NREDUCE), np.empty(model.dim)
    ops, coef, clipvec = rule_arguments(cr)
    args = (theta0, eta, h, steps, tol, radius * radius, kmax, ptol, True, thetas, losses,
            sharps, stats, final, ops, coef, clipvec, lo[0], hi[0], cr.projects,
            cr.threshold_factor, cr.preconditioned)
    run_with_progress(kernels.module.gd_rule_core, args, steps, quiet)
    end = int(stats[STAT["stop_step"]])
    theta = thetas[: end + 1].copy()
    keep = through_final(losses, sharps, end, stats)
    keep["eos_ratio"] = eta * keep["sharpness"] / cr.threshold_factor
    reduced = None if reducer is None else np.array([reducer(t, th) for t, th in enumerate(theta)])
    info = {n: float(stats[i]) for n, i in STAT.items()}
    info.update(threshold_factor=cr.threshold_factor, preconditioned=float(cr.preconditioned))
    return Trajectory(model.name, eta, theta, Status(int(stats[STAT["status"]])), end,
                      int(stats[STAT["period"]]), float("nan"),
                      **{k: (keep[k] if k in record else None) for k in RECORDABLE},
                      reduced=reduced, stats=info)


def sweep_cells_rule(module, cr: CompiledRule, thetas, etas, hyper, order, steps, tol, radius2,
                     kmax, ptol, stats, final) -> None:
    """Every cell of a sweep chunk through the rule kernel (the one ``run_gd_rule`` uses)."""
    lo, hi = cr.box(etas, hyper)
    module.sweep_rule_cells(thetas, etas, hyper, order, steps, tol, radius2, kmax, ptol, stats,
                            final, *rule_arguments(cr), np.ascontiguousarray(lo),
                            np.ascontiguousarray(hi), cr.projects, cr.threshold_factor,
                            cr.preconditioned)


_RULE_LABELS = {
    "final_sharpness": "sharpness of the rule ({s}) at the last iterate",
    "final_eos_ratio": "η·S/c at the last iterate, c/η the rule's threshold (c = {c:g})",
    "max_sharpness": "largest sharpness of the rule ({s}) over the run",
    "first_unstable_step": "first step with the rule's sharpness above {c:g}/η (−1: never)",
    "eos_fraction": "fraction of steps with η·S/c in [0.95, 1.05] (c = {c:g})",
    "lyapunov": "not computed under an update rule (NaN)",
}


def rule_variable_attrs(name: str, attrs: dict, cr: CompiledRule | None) -> dict:
    """A sweep variable's attributes, relabelled for the statistics of rule ``cr``."""
    if cr is None or name not in _RULE_LABELS:
        return attrs
    s = "λ_max(P⁻¹∇²L)" if cr.preconditioned else "λ_max(∇²L)"
    text = _RULE_LABELS[name].format(s=s, c=cr.threshold_factor)
    return {**attrs, "long_name": text, "label": text, "update_rule": cr.text}
