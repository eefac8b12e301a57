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

The checks on networks are in :mod:`eosmath.theory.central_flow_networks`.

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
from eosmath.references import cite
from eosmath.symbolic.model import Model
from eosmath.theory._iterate import losses_along, sharpness_along, trajectory
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome

SOURCE = cite("cohen2025")
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


@check("central_flow.product_limit", source=SOURCE,
       statement="On ℓ(xy) (log-cosh) with y₀² − x₀² > 2/η the central flow comes to rest on "
                 "its stationary set S = 2/η (ηS/2 = 1), and GD's limit lies below the flow's by "
                 "the gap of eosmath's derivation: ηS_GD/2 = ηS_flow/2 − η²/(4β) + O(η⁴)",
       kind="reconstruction",
       prediction_source="independent integration: the central flow from GD's start (explicit "
                         "Euler + SDCP projection), plus eosmath's gap η²/(4β), β = −ℓ⁗(0)/6",
       tolerance_basis="calibrated: the O(η⁴) remainder of the gap taken as 1·η⁴ on "
                       "(η = 0.1, θ₀ = (1, 5)); held out η = 0.25, 0.5, 0.2 from other starts. "
                       "Flow at rest: 1e-9 (the projection is exact for one eigenvalue)",
       not_shown="the O(η) gap itself is eosmath's derivation, not the paper's theorem; "
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


@check("central_flow.product_late_bouncing", source=SOURCE,
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


# ---------------------------------------------------------------------------------------------
# Self-stabilization cycles: averages over each cycle of GD against the flow

def _cycle_averages(model, eta, theta0, steps, factor, substeps=8):
    """GD against the central flow (step factor·η) and gradient flow, averaged over each
    complete self-stabilization cycle of GD (from one up-crossing of ηS/2 = 1 to the next).

    Per cycle: the oscillation's variance along the flow's top eigenvector ⟨(u·(θ − θ_cf))²⟩
    against the flow's σ²; GD's mean loss minus the flow's mean L against the flow's
    ½⟨UᵀHU, X⟩; and the distances of GD's mean θ to the flows' means."""
    from eosmath.dynamics.central_flow import _Derivatives
    from eosmath.dynamics.flow_comparison import gradient_flow_path

    tr = trajectory(model, theta0, eta, steps)
    if len(tr) < steps + 1:
        raise ValueError(f"GD diverged at step {len(tr) - 1}")
    ratio = eta * sharpness_along(model, tr) / 2
    ups = np.flatnonzero((ratio[:-1] < 1) & (ratio[1:] >= 1)) + 1
    cf = _flow(model, eta, theta0, factor, steps, substeps=substeps)
    gf = gradient_flow_path(model, theta0, eta * np.arange(steps + 1))
    d = _Derivatives(model)
    gd_loss = losses_along(model, tr)
    rows = []
    for a, b in zip(ups[:-1], ups[1:], strict=True):
        dev = tr[a:b] - cf.theta[a:b]
        u = np.array([np.linalg.eigh(d.hessian(t))[1][:, -1] for t in cf.theta[a:b]])
        variance = float(np.mean(np.sum(dev * u, axis=1) ** 2))
        excess_pred = float(np.mean(cf.predicted_loss[a:b] - cf.loss[a:b]))
        rows.append({"cycle": [int(a), int(b)], "variance": variance,
                     "sigma2": float(np.mean(cf.sigma2[a:b])),
                     "loss_excess": float(np.mean(gd_loss[a:b] - cf.loss[a:b])),
                     "predicted_excess": excess_pred,
                     "to_flow": float(np.linalg.norm(tr[a:b].mean(0) - cf.theta[a:b].mean(0))),
                     "to_gf": float(np.linalg.norm(tr[a:b].mean(0) - gf[a:b].mean(0)))})
    return rows


def _cycle_comparisons(rows, tol_rel, ratio_max):
    """Worst cycle of ``rows``: variance vs σ², loss excess vs prediction, distance ratio."""
    if not rows:
        return (Comparison("complete cycles", 0, 1, 0, sense=">="),)
    def rel(measured, predicted):
        return measured / predicted - 1 if predicted > 0 else np.inf   # flow never at the edge

    var = max((rel(r["variance"], r["sigma2"]) for r in rows), key=abs)
    loss = max((rel(r["loss_excess"], r["predicted_excess"]) for r in rows), key=abs)
    ratio = max(r["to_flow"] / r["to_gf"] for r in rows)
    return (Comparison("oscillation variance / flow σ² − 1 (worst cycle)", var, 0.0, tol_rel),
            Comparison("GD loss excess / predicted − 1 (worst cycle)", loss, 0.0, tol_rel),
            Comparison("distance to flow / distance to GF (worst cycle)", ratio, ratio_max, 0.0,
                       sense="<="))


def _passes(rows, tol_rel, ratio_max) -> bool:
    return all(c.passed for c in _cycle_comparisons(rows, tol_rel, ratio_max))


def _toy_rows(eta, alpha, beta, start_fraction, y0, factor, cycles=3.5):
    model = models.get("self_stabilization_toy", eta0=eta, alpha=alpha, beta=beta)
    delta = np.sqrt(2 * alpha / beta)
    period = 2 * np.pi / (eta * np.sqrt(2 * alpha))       # small-cycle period (spec §4)
    return _cycle_averages(model, eta, (start_fraction * delta, y0, 0.0),
                           int(np.ceil((cycles + 1) * period)), factor)


TOY_TOLERANCE = 0.5          # × ε = η√α, relative
DISTANCE_RATIO = 0.2


@check("central_flow.self_stabilization_toy",
       source=SOURCE,
       statement="On the self-stabilization toy, over each complete cycle of GD (one up-crossing "
                 "of ηS/2 = 1 to the next), GD's oscillation variance along u equals the central "
                 "flow's σ² (= δ² = 2α/β) and GD's mean loss equals the flow's predicted loss "
                 "L + σ²S/2, to relative O(ε), ε = η√α (Theorem 1's error order), and GD's mean θ "
                 "is ≥ 5× closer to the flow than to gradient flow",
       kind="reconstruction",
       prediction_source="independent integration: the central flow and gradient flow from "
                         "GD's start",
       tolerance_basis="calibrated: relative tolerance 0.5·ε for σ² and loss (Theorem 1's "
                       "O(εδ²/η) with constant 0.5) and distance ratio 0.2, fixed on (η = 0.05, "
                       "α = β = 1) where the worst errors are 0.08ε, 0.12ε, 0.03; held out "
                       "(0.1, 1, 2), (0.02, 1, 1), (0.05, 2, 0.5)",
       not_shown="the toy is eosmath's reconstruction of Damian et al.'s Appendix B; only 3 cycles "
                 "(the "
                 "discrete map spirals outward over many cycles); the sub/"
                 "super-quadratic variant c₄ ≠ 0",
       violations={"flow eta off by 10%": ETA_OFF})
def self_stabilization_toy(quick: bool = True, eta: float = 0.05, alpha: float = 1.0,
                           beta: float = 1.0, flow_eta_factor: float = 1.0) -> Outcome:
    rows = _toy_rows(eta, alpha, beta, 0.3, -0.3, flow_eta_factor)
    comparisons = _cycle_comparisons(rows, TOY_TOLERANCE * eta * np.sqrt(alpha), DISTANCE_RATIO)
    held = []
    for e, a, b, frac, y0 in ((0.1, 1.0, 2.0, 0.3, -0.3), (0.02, 1.0, 1.0, 0.3, -0.3),
                              (0.05, 2.0, 0.5, 0.5, -0.2)):
        r = _toy_rows(e, a, b, frac, y0, flow_eta_factor)
        held.append(HeldOut({"eta": e, "alpha": a, "beta": b, "x0/δ": frac, "y0": y0},
                            _passes(r, TOY_TOLERANCE * e * np.sqrt(a), DISTANCE_RATIO),
                            {"cycles": len(r)}))
    return Outcome(passed=True, measured=None, predicted=None, tolerance=None,
                   comparisons=comparisons, held_out=tuple(held),
                   calibration_inputs={"eta": 0.05, "alpha": 1.0, "beta": 1.0},
                   evidence={"cycles": rows, "epsilon": eta * np.sqrt(alpha)})


TWO_LAYER_TOLERANCE = 0.15


def _two_layer_rows(sigma2, eta, theta0, steps, factor, quick):
    model = models.get("two_layer_minimal", sigma2=sigma2)
    return _cycle_averages(model, eta, theta0, steps, factor, substeps=2 if quick else 8)


@check("central_flow.two_layer_minimal",
       source=SOURCE,
       statement="On the two-layer minimal model (unclipped GD), over each complete "
                 "self-stabilization cycle the oscillation variance along u (≈ w₁) equals the "
                 "central flow's σ² and GD's mean loss equals the flow's predicted loss, within "
                 "15 %, and GD's mean θ is ≥ 5× closer to the flow (which slides along the "
                 "stable set σ₁²a² = 2/η, w₁ = 0) than to gradient flow",
       kind="theorem",
       prediction_source="independent integration: the central flow and gradient flow from "
                         "GD's start",
       tolerance_basis="calibrated: 15 % (5× the worst error 2.8 % on the canonical setting "
                       "σ₂ = 0.02, η = 4, θ₀ = (0.67, 0.01, 1), 1500 steps) and distance ratio "
                       "0.2 (measured 0.058); held out σ₂ = 0.01, a₀ = 0.6, η = 3.5, σ₂ = 0.03",
       not_shown="clipped GD (the paper's algorithm; the flow has no clip); late cycles where "
                 "w₁'s excursions are tiny (errors grow to ~11 % by step 5000); a₀ = 0.6 reaches "
                 "13 %; no theorem bounds the error",
       violations={"flow eta off by 10%": ETA_OFF})
def two_layer_minimal(quick: bool = True, sigma2: float = 0.02, eta: float = 4.0,
                      theta0=(0.67, 0.01, 1.0), flow_eta_factor: float = 1.0) -> Outcome:
    steps = 1500 if quick else 3000
    rows = _two_layer_rows(sigma2, eta, theta0, steps, flow_eta_factor, quick)
    held = []
    for s2, e, start, n in ((0.01, 4.0, (0.67, 0.01, 1.0), 2000), (0.02, 4.0, (0.6, 0.01, 1.0),
                            1500), (0.02, 3.5, (0.67, 0.01, 1.0), 1500),
                            (0.03, 4.0, (0.65, 0.02, 1.0), 1500)):
        r = _two_layer_rows(s2, e, start, n, flow_eta_factor, quick)
        held.append(HeldOut({"sigma2": s2, "eta": e, "theta0": start, "steps": n},
                            _passes(r, TWO_LAYER_TOLERANCE, DISTANCE_RATIO), {"cycles": len(r)}))
    return Outcome(passed=True, measured=None, predicted=None, tolerance=None,
                   comparisons=_cycle_comparisons(rows, TWO_LAYER_TOLERANCE, DISTANCE_RATIO),
                   held_out=tuple(held),
                   calibration_inputs={"sigma2": 0.02, "eta": 4.0, "theta0": (0.67, 0.01, 1.0)},
                   evidence={"cycles": rows})


# ---------------------------------------------------------------------------------------------
# Two eigenvalues at the edge together: the matrix case

def two_products_model() -> Model:
    """ℓ(x₁y₁) + ℓ(x₂y₂) with ℓ = log cosh: two sharp directions, both driven to the edge."""
    x1, y1, x2, y2 = sp.symbols("x1 y1 x2 y2", real=True)
    return Model(sp.log(sp.cosh(x1 * y1)) + sp.log(sp.cosh(x2 * y2)), (x1, y1, x2, y2),
                 name="two_products", meta={"beta": sp.Rational(1, 3)})


def _two_products_run(model, eta, theta0, factor, quick):
    from eosmath.dynamics.central_flow import _Derivatives

    steps = int(np.ceil((30 if quick else 60) / eta**2))
    tr = trajectory(model, theta0, eta, steps)
    top = np.sort(np.linalg.eigvalsh(_Derivatives(model).hessian(tr[-1])))[::-1][:2]
    cf = central_flow(model, eta * factor, theta0, t_max=40.0, k=2)
    flow_ratio = eta * cf.eigenvalues[-1] / 2
    gap = eta**2 / (4 * float(model.meta["beta"]))
    both = int(((np.diagonal(cf.X, axis1=1, axis2=2) > 1e-10).sum(axis=1)).max())
    return flow_ratio, eta * top / 2, flow_ratio - gap, eta**4, both, cf.diagnostics


@check("central_flow.two_products",
       source=SOURCE,
       statement="On ℓ(x₁y₁) + ℓ(x₂y₂) (log-cosh) with both pairs in the EoS regime the central "
                 "flow's oscillation covariance X is a 2×2 matrix of rank 2 while both directions "
                 "slide, the flow comes to rest with both top eigenvalues at 2/η, and GD's two "
                 "top eigenvalues end below the flow's by the gap η²/(4β) each",
       kind="reconstruction",
       prediction_source="independent integration: the central flow with k = 2 (semidefinite "
                         "complementarity problem) from GD's start, plus eosmath's gap η²/(4β)",
       tolerance_basis="calibrated: remainder 1·η⁴ as in product_limit, fixed on (η = 0.25, "
                       "θ₀ = (0.3, 3.5, 0.2, 3.2)); held out three other (η, θ₀); flow at "
                       "rest 1e-9 (the SDCP solver's tolerance)",
       not_shown="a coupled pair (the two products share no parameter, so X stays diagonal); "
                 "GD's covariance during the joint phase (only the limits are compared)",
       violations={"flow eta off by 10%": ETA_OFF,
                   "second pair in the GF regime": {"theta0": (0.3, 3.5, 1.0, 2.5)}})
def two_products(quick: bool = True, eta: float = 0.25, theta0=(0.3, 3.5, 0.2, 3.2),
                 flow_eta_factor: float = 1.0) -> Outcome:
    model = two_products_model()
    flow, gd, pred, tol, both, diag = _two_products_run(model, eta, theta0, flow_eta_factor,
                                                        quick)
    comparisons = tuple(Comparison(f"flow ηλ{i + 1}/2 at rest", flow[i], 1.0, 1e-9)
                        for i in range(2)) + tuple(
        Comparison(f"GD's limit ηλ{i + 1}/2", gd[i], pred[i], tol) for i in range(2))
    held = []
    for e, start in ((0.1, (1.0, 5.0, 0.7, 6.0)), (0.2, (1.0, 4.0, 0.5, 4.5)),
                     (0.25, (0.5, 3.2, 0.3, 3.8))):
        f, g, p, t, b, _ = _two_products_run(model, e, start, flow_eta_factor, quick)
        held.append(HeldOut({"eta": e, "theta0": start},
                            bool(np.all(np.abs(f - 1) <= 1e-9) and np.all(np.abs(g - p) <= t)
                                 and b == 2),
                            {"flow": f, "gd": g, "predicted": p, "rank_X": b}))
    return Outcome(passed=both == 2, measured=None, predicted=None, tolerance=None,
                   comparisons=comparisons, held_out=tuple(held),
                   calibration_inputs={"eta": 0.25, "theta0": (0.3, 3.5, 0.2, 3.2)},
                   evidence={"largest_rank_of_X": both, "sdcp_residual": diag["sdcp_residual"],
                             "flow_rest_from_t": diag["rest_from_t"]})
