"""Checks of seed 004: two-layer ReLU networks on orthogonal inputs (spec/neural_networks.md §3).

Balance (Lemma 2.1), preactivations (Lemma 2.2) and the phases of Theorem 3.1 on the spec's
default case: n = d = 6 orthonormal inputs, y = (2, 1.5, 1, −1, −0.8, −0.5), m = 40 neurons,
balanced init of scale λ = 1e-3, MSE = 1/(2n)·Σ(h − y)².
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from eosmath import nn
from eosmath.nn import orthogonal_relu as orl
from eosmath.theory.registry import check
from eosmath.theory.verdict import Outcome

SOURCE = "seed 004 (shallow ReLU nets on orthogonal inputs); spec/neural_networks.md §3"


def _setup(m: int = 40, scale: float = 1e-3, seed: int = 0, labels=None):
    data = nn.datasets.orthogonal() if labels is None else nn.datasets.orthogonal(y=labels)
    d = data.X.shape[1]
    obj = nn.Objective(orl.network(m, d), data, loss="mse")
    return data, obj, orl.init_balanced(m, d, scale, seed=seed)


@check("shallow_relu.balance_identity", source=SOURCE + " §3.3 (Lemma 2.1)",
       statement="For every neuron, one GD step changes B_j = ‖w_j‖² − a_j² by exactly "
                 "η²(‖d_j‖²a_j² − ⟨d_j, w_j⟩²) (SymPy identity for arbitrary w, d, a, η), and "
                 "along a run the accumulated change matches the predicted increments to "
                 "machine precision. The seed's printed eq. (3) is off by η²‖d_j‖²B_j; the "
                 "corrected form is checked too.")
def balance_identity(quick: bool = True, eta: float = 0.5, steps: int | None = None,
                     increment_scale: float = 1.0) -> Outcome:
    w = sp.Matrix(sp.symbols("w1:4", real=True))
    dvec = sp.Matrix(sp.symbols("d1:4", real=True))
    a, e = sp.symbols("a eta", real=True)
    w_next, a_next = w + e * a * dvec, a + e * (w.T * dvec)[0]
    change = (w_next.T * w_next)[0] - a_next**2 - ((w.T * w)[0] - a**2)
    predicted_change = e**2 * ((dvec.T * dvec)[0] * a**2 - (dvec.T * w)[0] ** 2)
    symbolic_ok = sp.expand(change - predicted_change) == 0
    balance = (w.T * w)[0] - a**2
    printed = (1 - e**2 * (dvec.T * dvec)[0]) * balance + predicted_change
    corrected = (1 - e**2 * (dvec.T * dvec)[0]) * balance + e**2 * (
        (dvec.T * dvec)[0] * (w.T * w)[0] - (dvec.T * w)[0] ** 2)
    misprint = sp.expand(printed - (balance + change) + e**2 * (dvec.T * dvec)[0] * balance) == 0
    corrected_ok = sp.expand(corrected - (balance + change)) == 0

    data, obj, theta = _setup()
    d = data.X.shape[1]
    steps = steps or (400 if quick else 3000)
    worst = 0.0
    for _ in range(steps):
        before = orl.balance(theta, d)
        predicted = increment_scale * orl.balance_increment_predicted(theta, data, eta)
        theta = theta - eta * obj.grad(theta)
        scale = max(float(np.max(np.abs(theta))) ** 2, 1e-300)
        residual = orl.balance(theta, d) - before - predicted
        worst = max(worst, float(np.max(np.abs(residual))) / scale)
    tolerance = 1e-14  # a few ulps of the largest squared weight per step
    passed = symbolic_ok and misprint and corrected_ok and worst <= tolerance
    return Outcome(passed, measured=worst, predicted=0.0, tolerance=tolerance,
                   evidence={"symbolic_identity": symbolic_ok, "printed_eq3_off_by_eta2_d2_B":
                             misprint, "corrected_eq3": corrected_ok, "steps": steps,
                             "eta": eta})


@check("shallow_relu.inactive_stay_inactive", source=SOURCE + " §3.4 (Lemma 2.2)",
       statement="With orthonormal inputs, ⟨w_j, x_k⟩ changes by −(ηa_j/n)·1{⟨w_j,x_k⟩>0}(h(x_k) − "
                 "y_k) per step, so an inactive neuron–example pair (⟨w_j,x_k⟩ ≤ 0) never "
                 "changes: bitwise with the canonical basis.")
def inactive_stay_inactive(quick: bool = True, eta: float = 0.5, steps: int | None = None,
                           perturb: float = 0.0) -> Outcome:
    data, obj, theta = _setup()
    d = data.X.shape[1]
    m = theta.size // (d + 1)
    pre0 = data.X @ theta[: m * d].reshape(m, d).T
    inactive = pre0 <= 0
    steps = steps or (300 if quick else 3000)
    changed, worst_formula = 0, 0.0
    for _ in range(steps):
        pre = data.X @ theta[: m * d].reshape(m, d).T
        a = theta[m * d:]
        residual = np.maximum(pre, 0) @ a - data.Y[:, 0]
        predicted = -(eta / data.X.shape[0]) * (pre > 0) * residual[:, None] * a[None, :]
        theta = theta - eta * obj.grad(theta)
        theta[: m * d] += perturb  # a broken update for the negative test
        new = data.X @ theta[: m * d].reshape(m, d).T
        changed += int(np.count_nonzero(new[inactive] != pre0[inactive]))
        worst_formula = max(worst_formula, float(np.max(np.abs(new - pre - predicted))))
    passed = changed == 0 and worst_formula <= 1e-15
    return Outcome(passed, measured={"changed_inactive_entries": changed,
                                     "preactivation_formula_error": worst_formula},
                   predicted={"changed_inactive_entries": 0, "preactivation_formula_error": 0},
                   tolerance={"changed": 0, "formula": 1e-15},
                   evidence={"inactive_pairs": int(inactive.sum()), "steps": steps})


@check("shallow_relu.phases", source=SOURCE + " §3.5 (Theorem 3.1)",
       statement="From a small balanced init, the Rayleigh sharpness λ+ along v+ rises first "
                 "(to ≥ n‖d+‖²/(4|S+|)) while λ− stays small, and only later λ− rises (to ≥ "
                 "n‖d−‖²/(4|S−|)); at init both are ≈ −‖d±‖ < 0. Only the shapes are checked: "
                 "the seed leaves r, ε, a±, τ undefined.")
def phases(quick: bool = True, eta: float = 0.5, steps: int = 400, every: int = 2,
           scale: float = 1e-3) -> Outcome:
    data, obj, theta0 = _setup(scale=scale)
    n = data.X.shape[0]
    plus, minus = orl.active_sets(theta0, data)
    if len(plus) == 0 or len(minus) == 0:
        return Outcome(False, "empty S±", "non-empty S+ and S−", None,
                       evidence={"S_plus": plus.tolist(), "S_minus": minus.tolist()})
    bound_plus = n * np.sum(data.meta["d_plus"] ** 2) / (4 * len(plus))
    bound_minus = n * np.sum(data.meta["d_minus"] ** 2) / (4 * len(minus))
    theta, track = theta0.copy(), []
    for step in range(steps + 1):
        if step % every == 0:
            track.append((step, *orl.rayleigh_sharpness(theta, data, theta0)))
        theta = theta - eta * obj.grad(theta)
    track = np.array(track)
    reached_plus = track[track[:, 1] >= bound_plus, 0]
    reached_minus = track[track[:, 2] >= bound_minus, 0]
    t_plus = float(reached_plus[0]) if len(reached_plus) else np.inf
    t_minus = float(reached_minus[0]) if len(reached_minus) else np.inf
    init_plus, init_minus = track[0, 1], track[0, 2]
    norm_plus = float(np.linalg.norm(data.meta["d_plus"]))
    norm_minus = float(np.linalg.norm(data.meta["d_minus"]))
    init_ok = (abs(init_plus + norm_plus) < 0.05 * norm_plus
               and abs(init_minus + norm_minus) < 0.05 * norm_minus)
    passed = bool(t_plus < t_minus < np.inf and init_ok)
    return Outcome(passed, measured={"t_plus": t_plus, "t_minus": t_minus,
                                     "final_lambda_plus": track[-1, 1],
                                     "final_lambda_minus": track[-1, 2]},
                   predicted={"order": "t_plus < t_minus", "bound_plus": bound_plus,
                              "bound_minus": bound_minus},
                   tolerance="ordering; init within 5% of −‖d±‖",
                   evidence={"S_plus": plus.tolist(), "S_minus": minus.tolist(),
                             "init_lambda": [init_plus, init_minus],
                             "minus_norms": [-norm_plus, -norm_minus], "eta": eta})
