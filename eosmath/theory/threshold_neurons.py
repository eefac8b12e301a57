"""Checks of the threshold-neuron claims (Ahn et al., NeurIPS 2023; spec/minimalist_product.md
B). Two models are checked, and they are kept apart:

- **network (2) of Figure 1** (spec B.5): f(x) = a₊ΣᵢReLU(xᵢ + b) − a₋ΣᵢReLU(−xᵢ + b) with scalar
  a₊, a₋ and a shared bias, mean logistic loss. This is the reading of B.5 that reproduces
  Figure 1 (accuracy from the linear level ≈ 58% upwards, a bias transition in the zoomed
  η-range); the paper's threshold η_c = 8π/d² is compared with the transition measured on it.
  The other readings were tried and fail (see :func:`network_transition`).
- **the spec's CLT mean model** (spec B.3): L(a, b) = ℓ_eff(√d·a·√v(b)), a different reduction
  with its own threshold 8/d. Its checks test the EoS mechanism on that model only.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from eosmath.models.threshold_neurons import (
    EffectiveLoss,
    Figure1Network,
    MeanModel,
    feature_variance,
    feature_variance_slope,
    figure1_critical_eta,
    locate_transition,
    population_common_mode_sharpness,
)
from eosmath.nn.datasets import sparse_coding
from eosmath.references import cite
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome

SOURCE = cite("ahn2023", "the mean-model reduction")
SOURCE_FIG1 = cite("ahn2023", "Figure 1 and its caption (η_c = 8π/d²)")

# How far the final bias must fall below the small-η branch to count as "the bias moved":
# above the small-η branch's own spread over the bracket (< 5e-4 at d ≥ 100, n = 300).
_BIAS_DROP = 0.0015
# d(final bias)/d(η/η_c) just above η_c in the common-mode reduction: the bias falls until
# h(b)² = h(0)²·η_c/η, h(b) = E ReLU(ξ + b), so db/dδ = −h(0)/(2h'(0)) = −1/√(2π).
_BIAS_SLOPE = 1.0 / math.sqrt(2.0 * math.pi)


# ---------------------------------------------------------------------------------------------
# The paper's mean-model reduction: η_c = 8π/d², derived symbolically


def common_mode_threshold() -> sp.Expr:
    """η_c of the paper's mean model, derived in SymPy: population loss, Σᵢ ReLU(±xᵢ + b) →
    d·h(±b) by the law of large numbers, the label-free (even) part ℓ_sym(s) = log 2cosh(s/2)
    of the logistic loss; then 2 / (largest Hessian eigenvalue in (a₊, a₋) at the origin).

    >>> common_mode_threshold()
    8*pi/d**2
    """
    d, t, ap, am = sp.symbols("d t a_p a_m", positive=True)
    h0 = sp.integrate(t * sp.exp(-t**2 / 2) / sp.sqrt(2 * sp.pi), (t, 0, sp.oo))  # E ReLU(ξ)
    f = d * h0 * (ap - am)                                     # a₊·d·h(0) − a₋·d·h(0)
    loss = sp.log(2 * sp.cosh(f / 2))
    hess = sp.hessian(loss, (ap, am)).subs({ap: 0, am: 0})
    top = max(hess.eigenvals(), key=lambda e: float(e.subs(d, 1)))   # the other one is 0
    return sp.simplify(2 / top)


@check("threshold_neurons.common_mode_threshold", source=SOURCE_FIG1,
       kind="reconstruction",
       statement="The paper's mean-model reduction of network (2) (population loss, LLN "
                 "Σᵢ ReLU(±xᵢ + b) ≈ d·E ReLU(ξ ± b), even part log 2cosh(s/2) of the logistic "
                 "loss) has sharpness d²/(4π) at the origin, so its EoS threshold is exactly "
                 "η_c = 8π/d², the constant in Figure 1's caption.",
       prediction_source="paper formula: η_c = 8π/d² (Ahn et al., Figure 1 caption)",
       tolerance_basis="exact: SymPy simplifies derived − 8π/d² to zero (ratio compared at 0)",
       not_shown="the reduction's three approximations are reconstructed (the paper's "
                 "derivation was not recovered); the network itself is checked in "
                 "threshold_neurons.network_transition",
       violations={"dimension off by 5%": {"predict_d_factor": 1.05},
                   "alternative constant 4π/d²": {"paper_constant": 4}})
def common_mode_threshold_check(quick: bool = True, predict_d_factor: float = 1.0,
                                paper_constant: float = 8) -> Outcome:
    d = sp.Symbol("d", positive=True)
    derived = common_mode_threshold()
    paper = paper_constant * sp.pi / (predict_d_factor * d) ** 2
    exact = sp.simplify(derived - paper) == 0
    ratio = float(sp.simplify(derived / paper))
    return Outcome(exact, measured=None, predicted=None, tolerance=None,
                   comparisons=(Comparison("derived η_c / paper η_c", ratio, 1.0, 0.0),),
                   evidence={"derived": str(derived), "paper": str(paper)})


# ---------------------------------------------------------------------------------------------
# Figure 1 on the network: the bias transition at 8π/d²


def _figure1_setup(d: int, n: int, seed: int, normalisation: str = "mean", lam: float = 3.0):
    data = sparse_coding(d=d, n=n, lam=lam, seed=seed)
    net = Figure1Network(data.X, data.Y[:, 0], normalisation=normalisation)
    a_plus, a_minus = np.random.default_rng([seed, 1]).normal(0.0, math.sqrt(1 / (2 * d)), 2)
    return net, float(a_plus), float(a_minus)


def figure1_transition(d: int, n: int = 300, seed: int = 0, total_time: float = 10.0,
                       normalisation: str = "mean", rel_resolution: float = 0.004):
    """The η where network (2)'s final bias (after ⌈total_time/η⌉ steps from a₊, a₋ ~
    N(0, 1/(2d)), b = 0) leaves its small-η branch, bracketed in [0.6, 1.6]·8π/d²."""
    net, ap, am = _figure1_setup(d, n, seed, normalisation)
    eta_c = figure1_critical_eta(d)

    def final_bias(eta):
        return net.run(eta, ap, am, 0.0, math.ceil(total_time / eta)).b

    return locate_transition(final_bias, 0.6 * eta_c, 1.6 * eta_c, _BIAS_DROP, rel_resolution)


def transition_tolerance(d: int, n: int, rel_resolution: float) -> dict:
    """The relative tolerance of the transition vs 8π/d², fixed before any run: the O(1/d)
    finite-size term of the initial sharpness (closed form), 3 standard deviations of its
    n-sample fluctuation, the shift that the detection threshold causes, the bisection's
    half-width."""
    sharp, var1 = population_common_mode_sharpness(d, 3.0)
    leading = d**2 / (4 * math.pi)
    parts = {"finite_size": 1.0 - leading / sharp,
             "sampling_3sd": 3.0 * math.sqrt(var1 / n) / sharp,
             "detection_shift": _BIAS_DROP / _BIAS_SLOPE,
             "resolution": rel_resolution}
    parts["total"] = sum(parts.values())
    return parts


@check("threshold_neurons.network_transition", source=SOURCE_FIG1, kind="reconstruction",
       statement="Figure 1 on network (2) itself (d = 200, n = 300, λ = 3, a₊, a₋ ~ N(0, 1/(2d)), "
                 "b = 0, ⌈T/η⌉ steps, T = 10; quick: T = 2): the final bias stays on its "
                 "small-η branch below a step size η* and falls below it above; η* equals the "
                 "paper's η_c = 8π/d² within the tolerance fixed in advance (≈ 5.6% at d = 200, "
                 "rejects 8% errors), η* ∝ d^−p with p = 2 between two d, and the test "
                 "accuracy rises above the transition (full mode). Reading settled by "
                 "experiment: scalar a₊, a₋ and a mean loss (1/n); the vector-weight and "
                 "summed-loss readings of the paper's text show no transition near 8π/d².",
       prediction_source="paper formula: η_c = 8π/d² (Ahn et al., Figure 1 caption)",
       tolerance_basis="closed form, before the run: O(1/d) finite-size term of the initial "
                       "sharpness + 3 sd of its n-sample fluctuation + detection shift "
                       "ε/(1/√(2π)) with ε = 0.0015 + bisection half-width; exponent: sum of "
                       "the two relative tolerances / ln(d₂/d₁)",
       not_shown="one data draw and one initialisation per d (seed 0); the effects of label "
                 "learning before the instability (margins, bias drift) are not bounded, "
                 "only observed (≤ 3% at d = 200); the network is the 3-parameter reading "
                 "of (2), the paper's exact formula (2) was not read",
       violations={"η_c off by +8%": {"predicted_factor": 1.08},
                   "η_c off by −8%": {"predicted_factor": 0.92},
                   "d off by 5%": {"predict_d_factor": 1.05},
                   "summed loss (no 1/n)": {"normalisation": "sum"}})
def network_transition(quick: bool = True, predicted_factor: float = 1.0,
                       predict_d_factor: float = 1.0, normalisation: str = "mean",
                       seed: int = 0) -> Outcome:
    n = 300
    d_small, d_large = (100, 200) if quick else (200, 400)
    total_time = 2.0 if quick else 10.0
    resolution = 0.004
    found = {d: figure1_transition(d, n, seed, total_time, normalisation, resolution)
             for d in (d_small, d_large)}
    evidence = {"normalisation": normalisation, "total_time": total_time, "n": n,
                "seed": seed}
    comparisons = []
    for d, tr in found.items():
        predicted = predicted_factor * figure1_critical_eta(predict_d_factor * d)
        tol = transition_tolerance(d, n, resolution)
        measured = tr.eta if tr is not None else math.nan
        evidence[f"d={d}"] = {"transition": measured, "ratio_to_8pi_over_d2":
                              measured / figure1_critical_eta(d), "tolerance_parts": tol,
                              "small_eta_branch_bias": tr.reference if tr else None,
                              "final_bias": ({f"{k:.4e}": v for k, v in
                                              sorted(tr.evaluations.items())} if tr else None)}
        if d == 200:
            comparisons.append(Comparison("transition η* at d = 200", measured, predicted,
                                          tol["total"], relative=True))
    t_small, t_large = (transition_tolerance(d, n, resolution)["total"]
                        for d in (d_small, d_large))
    if all(tr is not None for tr in found.values()):
        exponent = math.log(found[d_small].eta / found[d_large].eta) / math.log(d_large / d_small)
    else:
        exponent = math.nan
    comparisons.append(Comparison(f"exponent p in η* ∝ d^−p (d = {d_small}, {d_large})",
                                  exponent, 2.0, (t_small + t_large) / math.log(d_large / d_small)))
    if not quick:
        comparisons.append(_accuracy_gain(d_large // 2, n, seed, evidence))
    return Outcome(all(c.passed for c in comparisons), measured=None, predicted=None,
                   tolerance=None, comparisons=tuple(comparisons), evidence=evidence)


def _accuracy_gain(d: int, n: int, seed: int, evidence: dict) -> Comparison:
    """Figure 1's sweep at d: final bias and test accuracy on 4000 fresh samples; the gain of
    test accuracy at 16·η_c over η_c/2 must exceed 3 binomial standard errors of a difference."""
    net, ap, am = _figure1_setup(d, n, seed)
    test = sparse_coding(d=d, n=4000, lam=3.0, seed=seed + 10_000)
    eta_c, rows = figure1_critical_eta(d), {}
    for factor in (0.5, 0.9, 1.1, 1.5, 2.0, 4.0, 8.0, 16.0):
        run = net.run(factor * eta_c, ap, am, 0.0, math.ceil(10.0 / (factor * eta_c)))
        rows[factor] = {"final_bias": run.b,
                        "test_accuracy": net.accuracy(run.a_plus, run.a_minus, run.b,
                                                      test.X, test.Y[:, 0])}
    evidence["figure1_sweep"] = {"d": d, "eta_over_eta_c": rows,
                                 "linear_level": float(0.5 * math.erfc(-3.0 / math.sqrt(2 * d)))}
    low, high = rows[0.5]["test_accuracy"], rows[16.0]["test_accuracy"]
    se = math.sqrt((low * (1 - low) + high * (1 - high)) / 4000)
    return Comparison("test accuracy gain 16·η_c vs η_c/2 (≥ 3 SE)", high - low, 3 * se, 0.0,
                      sense=">=")


# ---------------------------------------------------------------------------------------------
# eosmath's CLT mean model (B.3): its own threshold 8/d


@check("threshold_neurons.mean_model_reduction", source=SOURCE, kind="reconstruction",
       statement="eosmath's CLT mean model L(a, b) = ℓ_eff(√d·a·√v(b)) is a minimalist model "
                 "ℓ(xy): v(0) = 1, v'(0) = 2√(2/π), ℓ_eff''(0) = 1/4, so its sharpness at the "
                 "origin is d/4 and GD is at the edge of stability there iff η > 8/d.",
       prediction_source="closed form: v and v' of eosmath's CLT reduction, ℓ_eff''(0) = E Z²/4",
       tolerance_basis="1e-6 relative: central difference (h = 1e-6) of the analytic gradient, "
                       "O(h²) truncation and O(ε/h) rounding; the others at quadrature accuracy",
       not_shown="this is eosmath's CLT reduction (a reconstruction), not the network (2) and not "
                 "the "
                 "paper's reduction, whose threshold is 8π/d² (see common_mode_threshold)",
       violations={"wrong dimension": {"predict_d": 100},
                   "dimension off by 5%": {"predict_d": 210}})
def mean_model_reduction(quick: bool = True, d: int = 200, predict_d: int | None = None
                         ) -> Outcome:
    mm = MeanModel(d)
    predict_d = predict_d or d
    measured = {"v0": feature_variance(0.0), "v_slope0": feature_variance_slope(0.0),
                "ell_eff_curvature0": EffectiveLoss().second_derivative(0.0),
                "sharpness_origin": mm.sharpness(0.0, 0.0)}
    predicted = {"v0": 1.0, "v_slope0": 2 * math.sqrt(2 / math.pi), "ell_eff_curvature0": 0.25,
                 "sharpness_origin": predict_d / 4}
    comparisons = tuple(Comparison(k, measured[k], predicted[k], 1e-6, relative=True)
                        for k in predicted)
    return Outcome(all(c.passed for c in comparisons), measured=None, predicted=None,
                   tolerance=None, comparisons=comparisons)


def _gf_limit_variance(a0: float) -> float:
    # gradient flow conserves x² − y² with x = α√d·a, y = √v(b)/α, α⁴ = 2/(πd) (spec B.3)
    return 1.0 - 2.0 * a0 * a0 / math.pi


# Below the threshold the period-2 mode decays at rate |1 − ηS| → 1 (critical slowing), so the
# bias already leaves the small-η branch slightly before η_c: a shift of the located
# transition, measured 2.6% at d = 400, a0 = 0.01 and a 1e-3 drop. It is not derived: the
# tolerance below is calibrated on (d, a0) = (400, 0.01) and checked on held-out inputs.
_CALIBRATED_SHIFT = 0.03
_CALIBRATION = {"d": 400, "a0": 0.01}
_HELD_OUT = ({"d": 200, "a0": 0.01}, {"d": 400, "a0": 0.005}, {"d": 300, "a0": 0.008})


def _mean_model_transition(d: int, a0: float, predicted_eta: float):
    mm = MeanModel(d)
    resolution, drop = 0.0025, 1e-3

    def final_bias(eta):
        return mm.run(eta=eta, a0=a0, steps=math.ceil(120.0 / eta)).b

    nominal = 8.0 / d
    tr = locate_transition(final_bias, 0.8 * nominal, 1.25 * nominal, drop, resolution)
    # the detected η* can lie above η_c only by the bisection and detection terms; below it
    # by those plus the (calibrated) critical-slowing shift
    above = resolution + drop / feature_variance_slope(0.0)
    measured = tr.eta if tr is not None else math.nan
    label = f"transition η* (d = {d}, a0 = {a0})"
    return (Comparison(label + ", upper", measured, predicted_eta, above, relative=True,
                       sense="<="),
            Comparison(label + ", lower", measured, predicted_eta, above + _CALIBRATED_SHIFT,
                       relative=True, sense=">=")), tr


@check("threshold_neurons.bias_transition", source=SOURCE, kind="reconstruction",
       statement="On eosmath's CLT mean model (d = 400, a0 = 0.01) the final bias of GD after "
                 "time 120 leaves its small-η branch at η* = 8/(d·v(b_GF)), where the "
                 "sharpness d·v(b)/4 at the gradient-flow limit v(b_GF) = 1 − 2a0²/π equals "
                 "2/η; located by bisection to 0.25%. Below η_c the decaying period-2 mode "
                 "(|1 − ηS| → 1) already lowers the bias, so η* may sit up to 3% below it.",
       prediction_source="closed form: 8/(d·v(b_GF)), v(b_GF) = 1 − 2a0²/π from the conserved "
                         "x² − y² of gradient flow (eosmath's CLT reduction)",
       tolerance_basis="calibrated: 3% allowed below η_c for the critical-slowing shift "
                       "(measured 2.6% at d = 400, a0 = 0.01; held out: (d, a0) = (200, 0.01), "
                       "(400, 0.005), (300, 0.008)); both sides also bisection half-width "
                       "0.25% + detection shift ε/v'(0), ε = 1e-3 (derived)",
       not_shown="eosmath's CLT mean model, not the network (2); its threshold 8/d is not the "
                 "paper's 8π/d² (a different reduction, see network_transition)",
       violations={"η_c off by 8%": {"predicted_eta_factor": 1.08},
                   "η_c off by −8%": {"predicted_eta_factor": 0.92},
                   "d off by 5%": {"predict_d": 420},
                   "alternative constant 4π/d²": {"predicted_eta": 4 * math.pi / 400**2}})
def bias_transition(quick: bool = True, d: int = 400, a0: float = 0.01,
                    predicted_eta: float | None = None, predicted_eta_factor: float = 1.0,
                    predict_d: int | None = None) -> Outcome:
    if predicted_eta is None:
        predicted_eta = (predicted_eta_factor * 8.0
                         / ((predict_d or d) * _gf_limit_variance(a0)))
    main, tr = _mean_model_transition(d, a0, predicted_eta)
    held = []
    for inputs in _HELD_OUT:
        pair, _ = _mean_model_transition(inputs["d"], inputs["a0"],
                                         8.0 / (inputs["d"] * _gf_limit_variance(inputs["a0"])))
        held.append(HeldOut(inputs, all(c.passed for c in pair),
                            pair[0].measured / pair[0].predicted))
    return Outcome(all(c.passed for c in main), measured=None, predicted=None, tolerance=None,
                   comparisons=main, held_out=tuple(held), calibration_inputs=_CALIBRATION,
                   evidence={"d": d, "a0": a0, "small_eta_branch_bias":
                             tr.reference if tr else None,
                             "final_bias": ({f"{k:.5f}": v for k, v in
                                             sorted(tr.evaluations.items())} if tr else None)})


def _eos_variance_prediction(eta: float, d: int) -> tuple[float, float]:
    """v(b∞) from the minimalist EoS limit (spec A.7 with c = 1/4, β_c = 1/4) in the balanced
    coordinates of B.3 (step η' = η√(2d/π)), and the size of its neglected term."""
    eta_b = eta * math.sqrt(2 * d / math.pi)
    gap = eta_b**2 / 16.0
    v_pred = 8.0 / (eta * d) * (1.0 - gap)
    # the y-step of the balanced map is exact only at b = 0: it scales with
    # r(b) = v'(b)²/(v(b)·8/π), which multiplies the gap term; plus the next order, gap².
    b_pred = brentq(lambda b: feature_variance(b) - v_pred, -10.0, 0.0)
    r = feature_variance_slope(b_pred) ** 2 / (feature_variance(b_pred) * 8.0 / math.pi)
    return v_pred, gap * abs(r - 1.0) + gap**2


@check("threshold_neurons.eos_bias_level", source=SOURCE, kind="reconstruction",
       statement="Above its threshold GD drives the CLT mean model to the minimalist EoS limit: "
                 "v(b∞) = (8/(ηd))·(1 − η'²/16), η' = η√(2d/π) (eosmath's EoS limit of ℓ(xy) with "
                 "c = β_c = 1/4), "
                 "for η = 1.2, 1.5, 2 × 8/d at d = 400.",
       prediction_source="closed form: the EoS limit y∞² = 2/(cη') − cη'/(2β_c) of "
                         "eosmath's derivation for ℓ(xy), mapped through the CLT reduction's "
                         "coordinates",
       tolerance_basis="the neglected terms, per η: gap·|r(b∞) − 1| (the balanced y-step "
                       "varies with b as r(b) = v'(b)²/(v(b)·8/π)) + gap², gap = η'²/16; "
                       "0.1%–1% relative",
       not_shown="eosmath's CLT mean model, not the network (2); 150/η steps",
       violations={"wrong dimension": {"predict_d": 200},
                   "d off by 5%": {"predict_d": 420}})
def eos_bias_level(quick: bool = True, d: int = 400, a0: float = 0.05,
                   factors=(1.2, 1.5, 2.0), predict_d: int | None = None) -> Outcome:
    mm = MeanModel(d)
    comparisons = []
    for f in factors:
        eta = f * mm.critical_eta
        run = mm.run(eta=eta, a0=a0, steps=int(150.0 / eta))
        predicted, tol = _eos_variance_prediction(eta, predict_d or d)
        comparisons.append(Comparison(f"v(b∞) at η = {f}·8/d", run.variance, predicted, tol,
                                      relative=True))
    return Outcome(all(c.passed for c in comparisons), measured=None, predicted=None,
                   tolerance=None, comparisons=tuple(comparisons), evidence={"d": d, "a0": a0})
