r"""Checks of the central flow (Cohen, Damian, Talwalkar, Kolter & Lee, ICLR 2025) on catalog
models: the flow is integrated by :func:`eosmath.dynamics.central_flow.central_flow` from GD's
own start, and GD is then compared with it (never the other way round).

- ``central_flow.product_limit``: on ℓ(xy) at EoS the flow comes to rest on S = 2/η, and GD's
  limit sits below it by the gap η²/(4β) of spec/minimalist_product.md A.7;
- ``central_flow.product_late_bouncing``: once the flow has come to rest, GD's two-step average
  is much closer to the flow than to gradient flow;
- ``central_flow.self_stabilization_toy``: on the toy of seed 001, GD's averages over each
  self-stabilization cycle match the flow's σ², position and predicted loss;
- ``central_flow.two_layer_minimal``: the same for the two-layer model of seed 002;
- ``central_flow.two_products``: two eigenvalues at the edge together (the matrix case).

Every check takes ``flow_eta_factor``: the flow is integrated with step factor × η while GD
uses η, and a 10 % error (1.1) is a declared violation that must fail.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp

from eosmath import models
from eosmath.dynamics.central_flow import central_flow
from eosmath.dynamics.flow_comparison import compare_with_flows
from eosmath.symbolic.model import Model
from eosmath.theory._iterate import losses_along, sharpness_along, trajectory
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome

SOURCE = ("Cohen, Damian, Talwalkar, Kolter & Lee, 'Understanding optimization in deep "
          "learning with central flows' (ICLR 2025, arXiv 2410.24206)")
ETA_OFF = {"flow_eta_factor": 1.1}


def _flow(model, eta, theta0, factor, steps, substeps=8, k=2):
    """The central flow of step factor·η, sampled at GD's times τ = η·j (j = 0 … steps).

    Sub-steps are η·factor/substeps long; samples between them are interpolated linearly
    (exact at the sub-step times, which GD's times are when factor = 1)."""
    cf = central_flow(model, eta * factor, theta0, t_max=eta * steps, substeps=substeps, k=k,
                      record_every=1)
    times = eta * np.arange(steps + 1)

    def at(values):
        flat = values.reshape(len(values), -1)
        out = np.stack([np.interp(times, cf.t, col) for col in flat.T], axis=1)
        return out.reshape(len(times), *values.shape[1:])

    return replace(cf, t=times, theta=at(cf.theta), eigenvalues=at(cf.eigenvalues), X=at(cf.X),
                   loss=at(cf.loss), predicted_loss=at(cf.predicted_loss))


# ---------------------------------------------------------------------------------------------
# ℓ(xy): the flow's limit and GD's gap below it

def _beta(model: Model) -> float:
    return float(model.meta["beta"]) if "beta" in model.meta else float(
        -sp.limit(sp.diff(model.loss.subs(model.params[1], 1), model.params[0], 4),
                  model.params[0], 0) / 6)


def _product_limit_run(model, eta, theta0, factor, quick):
    """(flow ηS/2 at rest, GD's final ηS/2, predicted GD final, remainder bound, facts)."""
    beta = _beta(model)
    gd_steps = int(np.ceil(30 / eta**2)) if quick else int(np.ceil(60 / eta**2))
    tr = trajectory(model, theta0, eta, gd_steps)
    gd_ratio = float(eta * sharpness_along(model, tr[-1:])[0] / 2)
    cf = central_flow(model, eta * factor, theta0, t_max=40.0)
    flow_ratio = float(eta * cf.sharpness[-1] / 2)      # GD's η: the claim is about 2/η
    predicted = flow_ratio - eta**2 / (4 * beta)
    facts = {"theta0": list(theta0), "eta": eta, "gd_steps": len(tr) - 1,
             "gd_final_x": float(tr[-1, 0]), "flow_rest_from_t": cf.diagnostics["rest_from_t"],
             "flow_max_eos_ratio": cf.diagnostics["max_eos_ratio"]}
    return flow_ratio, gd_ratio, predicted, eta**4, facts


@check("central_flow.product_limit", source=SOURCE + "; spec/minimalist_product.md A.7",
       statement="On ℓ(xy) (log-cosh) with y₀² − x₀² > 2/η the central flow comes to rest on "
                 "its stationary set S = 2/η (ηS/2 = 1), and GD's limit lies below the flow's by "
                 "the gap of spec A.7: ηS_GD/2 = ηS_flow/2 − η²/(4β) + O(η⁴)",
       kind="reconstruction",
       prediction_source="independent integration: the central flow from GD's start (explicit "
                         "Euler + SDCP projection), plus the spec's gap η²/(4β), β = −ℓ⁗(0)/6",
       tolerance_basis="calibrated: the O(η⁴) remainder of the gap taken as 1·η⁴ on "
                       "(η = 0.1, θ₀ = (1, 5)); held out η = 0.25, 0.5, 0.2 from other starts. "
                       "Flow at rest: 1e-9 (the projection is exact for one eigenvalue)",
       not_shown="the O(η) gap itself is the spec's own derivation, not the paper's theorem; "
                 "only the limit, not the path (see product_late_bouncing)",
       violations={"flow eta off by 10%": ETA_OFF,
                   "GF regime (y₀² − x₀² < 2/η)": {"theta0": (1.0, 4.0)}})
def product_limit(quick: bool = True, eta: float = 0.1, theta0=(1.0, 5.0),
                  flow_eta_factor: float = 1.0, ell: str = "logcosh") -> Outcome:
    model = models.get("product", ell=ell)
    flow_ratio, gd_ratio, predicted, tol, facts = _product_limit_run(
        model, eta, theta0, flow_eta_factor, quick)
    comparisons = (Comparison("flow ηS/2 at rest", flow_ratio, 1.0, 1e-9),
                   Comparison("GD's limit ηS/2", gd_ratio, predicted, tol))
    held = []
    for e, start in ((0.25, (0.3, 3.5)), (0.5, (0.3, 2.5)), (0.2, (1.0, 4.0))):
        f, g, p, t, _ = _product_limit_run(model, e, start, flow_eta_factor, quick)
        held.append(HeldOut({"eta": e, "theta0": start},
                            abs(f - 1) <= 1e-9 and abs(g - p) <= t,
                            {"flow": f, "gd": g, "predicted": p, "tolerance": t}))
    return Outcome(passed=True, measured=None, predicted=None, tolerance=None,
                   comparisons=comparisons, held_out=tuple(held),
                   calibration_inputs={"eta": 0.1, "theta0": (1.0, 5.0)},
                   evidence={**facts, "gap_measured": flow_ratio - gd_ratio,
                             "gap_spec": eta**2 / (4 * _beta(model))})


# ---------------------------------------------------------------------------------------------
# ℓ(xy): GD's average after the flow has come to rest

def _late_bouncing(model, eta, theta0, factor, start_fraction=0.5):
    """Largest ratio (distance of GD's 2-step average to the flow) / (distance to GF) over
    the last half of N = ⌈3/η²⌉ steps (the spec's 1/η² time scale of the bouncing phase)."""
    steps = int(np.ceil(3 / eta**2))
    tr = trajectory(model, theta0, eta, steps)
    cf = _flow(model, eta, theta0, factor, steps)
    c = compare_with_flows(model, eta, tr, cf)
    start = int(start_fraction * steps)
    ratio = c.to_central[start:] / c.to_gradient_flow[start:]
    flips = int(np.sum(tr[start + 1:, 0] * tr[start:-1, 0] < 0))
    return float(ratio.max()), {"window_steps": [start, steps], "sign_flips_of_x": flips,
                                "max_distance_to_flow": float(c.to_central[start:].max()),
                                "min_distance_to_gf": float(c.to_gradient_flow[start:].min())}


PRODUCT_RATIO = 0.2


@check("central_flow.product_late_bouncing", source=SOURCE + "; spec/minimalist_product.md A.7",
       statement="On ℓ(xy) at EoS, over the second half of the bouncing phase (steps N/2 … N, "
                 "N = ⌈3/η²⌉, x still flipping sign every step), GD's two-step average is at "
                 "least 5× closer to the central flow than to gradient flow at every step",
       kind="theorem",
       prediction_source="independent integration: the central flow and gradient flow (DOP853) "
                         "from GD's start",
       tolerance_basis="calibrated: the factor 1/5 fixed on (η = 0.1, θ₀ = (1, 5)), where the "
                       "largest ratio is 0.038; held out (0.25, (0.3, 3.5)), (0.2, (1, 4)), "
                       "(0.1, (0.7, 6)) and in full mode (0.05, (1, 7))",
       not_shown="the first half of the bouncing phase: there GD's oscillation still grows from "
                 "its overshoot and GD lags the quasi-static flow (ratio up to 2.1 at η = 0.1); "
                 "large η (at η = 0.5 the ratio is 0.31); the loss (the flow's predicted loss is "
                 "not GD's while the oscillation is far from its equilibrium)",
       violations={"flow eta off by 10%": ETA_OFF})
def product_late_bouncing(quick: bool = True, eta: float = 0.1, theta0=(1.0, 5.0),
                          flow_eta_factor: float = 1.0, ell: str = "logcosh") -> Outcome:
    model = models.get("product", ell=ell)
    ratio, facts = _late_bouncing(model, eta, theta0, flow_eta_factor)
    held = []
    held_inputs = [(0.25, (0.3, 3.5)), (0.2, (1.0, 4.0)), (0.1, (0.7, 6.0))]
    for e, start in held_inputs + ([] if quick else [(0.05, (1.0, 7.0))]):
        r, f = _late_bouncing(model, e, start, flow_eta_factor)
        held.append(HeldOut({"eta": e, "theta0": start}, r <= PRODUCT_RATIO,
                            {"max_ratio": r, **f}))
    return Outcome(passed=True, measured=None, predicted=None, tolerance=None,
                   comparisons=(Comparison("max distance ratio flow/GF", ratio, PRODUCT_RATIO,
                                           0.0, sense="<="),),
                   held_out=tuple(held), calibration_inputs={"eta": 0.1, "theta0": (1.0, 5.0)},
                   evidence=facts)
