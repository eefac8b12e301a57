"""Checks of the threshold-neuron reduction (Ahn et al., NeurIPS 2023; spec/minimalist_product.md
B). Everything here is a **reconstruction**: the mean model and its constants come from the
spec's derivation, not from the paper's text (its transition constant was not recovered).
"""

from __future__ import annotations

import math

import numpy as np

from eosmath.models.threshold_neurons import (
    EffectiveLoss,
    MeanModel,
    feature_variance,
    feature_variance_slope,
)
from eosmath.theory.registry import check
from eosmath.theory.verdict import Outcome

SOURCE = "Ahn et al. (NeurIPS 2023), seed 000 slides; spec/minimalist_product.md B.3"


@check("threshold_neurons.mean_model_reduction", source=SOURCE, reconstruction=True,
       statement="The mean model L(a, b) = ℓ_eff(√d·a·√v(b)) is a minimalist model ℓ(xy): "
                 "v(0) = 1, v'(0) = 2√(2/π), ℓ_eff''(0) = 1/4, so its sharpness at the origin is "
                 "d/4 and GD is at the edge of stability there iff η > 8/d.")
def mean_model_reduction(quick: bool = True, d: int = 200, predict_d: int | None = None
                         ) -> Outcome:
    mm = MeanModel(d)
    predict_d = predict_d or d
    measured = {"v0": feature_variance(0.0), "v_slope0": feature_variance_slope(0.0),
                "ell_eff_curvature0": EffectiveLoss().second_derivative(0.0),
                "sharpness_origin": mm.sharpness(0.0, 0.0)}
    predicted = {"v0": 1.0, "v_slope0": 2 * math.sqrt(2 / math.pi), "ell_eff_curvature0": 0.25,
                 "sharpness_origin": predict_d / 4}
    errors = {k: abs(measured[k] - predicted[k]) / abs(predicted[k]) for k in predicted}
    tolerance = 1e-6  # the sharpness comes from a central difference of the analytic gradient
    return Outcome(max(errors.values()) <= tolerance, measured, predicted, tolerance,
                   evidence={"relative_errors": errors})


def _final_bias(mm: MeanModel, eta: float, a0: float, time_units: float) -> float:
    return mm.run(eta=eta, a0=a0, steps=int(time_units / eta)).b


@check("threshold_neurons.bias_transition", source=SOURCE, reconstruction=True,
       statement="On a grid of η the final bias of GD on the mean model from (a0, 0) stays ≈ 0 "
                 "below η_c = 8/d (GF regime, |b∞| < 0.01 up to 0.9·η_c) and becomes negative "
                 "above it (a threshold neuron); the measured transition (first grid η with "
                 "b∞ < −0.01; grid step 5% of η_c) lies within 10% of 8/d.")
def bias_transition(quick: bool = True, d: int = 400, a0: float = 0.05,
                    predicted_eta: float | None = None) -> Outcome:
    mm = MeanModel(d)
    predicted = predicted_eta if predicted_eta is not None else mm.critical_eta
    etas = mm.critical_eta * np.linspace(0.5, 1.5, 21 if quick else 81)
    biases = np.array([_final_bias(mm, eta, a0, time_units=120.0) for eta in etas])
    below = biases[etas < 0.9 * mm.critical_eta + 1e-15]
    crossed = np.flatnonzero(biases < -0.01)
    measured = float(etas[crossed[0]]) if len(crossed) else math.inf
    rel = abs(measured - predicted) / predicted
    passed = rel <= 0.10 and float(np.max(np.abs(below))) < 0.01
    return Outcome(passed, measured=measured, predicted=predicted, tolerance=0.10,
                   evidence={"eta_grid": etas.tolist(), "final_bias": biases.tolist(),
                             "max_abs_bias_below": float(np.max(np.abs(below))), "d": d},
                   witness=None if passed else {"eta_grid": etas.tolist()})


@check("threshold_neurons.eos_bias_level", source=SOURCE, reconstruction=True,
       statement="Above the transition GD drives the mean model's sharpness d·v(b)/4 down to ≈ "
                 "2/η, so the final bias solves v(b∞) ≈ 8/(ηd); checked within 5% (the O(η') gap "
                 "of the EoS limit, η' = η√(2d/π)) for η = 1.2, 1.5, 2 × 8/d.")
def eos_bias_level(quick: bool = True, d: int = 400, a0: float = 0.05,
                   factors=(1.2, 1.5, 2.0), predict_d: int | None = None) -> Outcome:
    mm = MeanModel(d)
    predict_d = predict_d or d
    rows = []
    for f in factors:
        eta = f * mm.critical_eta
        run = mm.run(eta=eta, a0=a0, steps=int(150.0 / eta))
        rows.append((f, run.variance, 8.0 / (eta * predict_d)))
    worst = max(abs(v - p) / p for _, v, p in rows)
    return Outcome(worst <= 0.05, measured={f: v for f, v, _ in rows},
                   predicted={f: p for f, _, p in rows}, tolerance=0.05,
                   evidence={"worst_relative_gap": worst, "d": d})
