"""Top Hessian eigenvalues entering the edge of stability one after another (seed 004's
observation after Theorem 3.1; Cohen et al. ICLR 2021 §3, multiple eigenvalues at 2/η).

Measured on Cohen's Chebyshev tanh net (spec/neural_networks.md §2.2), the network of the
existing progressive-sharpening checks: on seed 004's orthogonal ReLU set-up the second
eigenvalue did not reach the band within our step budget, so the claim is checked where it
can be observed on two cores.
"""

from __future__ import annotations

import numpy as np

from eosmath import nn
from eosmath.references import cite
from eosmath.theory.progressive_sharpening import BAND, EDGE, chebyshev_objective
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, Outcome

SOURCE = cite("shallow_relu", "after Theorem 3.1: the top eigenvalues enter the edge in turn")


@check("shallow_relu.topk_enter_in_turn", source=SOURCE,
       statement="Full-batch GD (η = 0.2) on the Chebyshev tanh net: the top Hessian eigenvalue "
                 "reaches the edge (η·λ₁/2 ≥ 0.95) first and the second only later (at a later "
                 "sharpness sample), while the first still hovers in the edge band "
                 "η·λ₁/2 ∈ [0.8, 1.25]; whether the third also enters is reported, not judged.",
       kind="theorem",
       prediction_source="paper formula: the shallow-ReLU EoS paper (ICLR submission; Fig. 2/4: "
                         "'the first eigenvalue enters the "
                         "EoS phase first, and the rest follows in turn') with the edge 2/η",
       tolerance_basis="order: one sharpness sample (100 steps), no slack; band [0.8, 1.25]: the "
                       "calibrated band of progressive_sharpening.chebyshev_eos, held out there",
       not_shown="run on Cohen's 1-100-1 tanh Chebyshev net instead of the paper's CIFAR fc "
                 "ReLU/tanh nets (top 15-20 eigenvalues); only λ₁ and λ₂ reach the edge within "
                 "20000 steps (λ₃ stays near 0.08 of it), so 'the rest' is two eigenvalues",
       violations={"below_the_edge": {"eta": 0.05}})
def topk_enter_in_turn(quick: bool = True, eta: float = 0.2, steps: int | None = None
                       ) -> Outcome:
    obj, theta = chebyshev_objective()
    steps = steps or (20000 if quick else 40000)
    every = 100
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=every, top_k=3,
                      quiet=True)
    ratio = 0.5 * eta * np.asarray(run.eigenvalues)
    at = np.asarray(run.eig_steps)

    def first_at(column):
        hit = np.flatnonzero(ratio[:, column] >= EDGE)
        return float(at[hit[0]]) if len(hit) else np.inf

    t1, t2, t3 = first_at(0), first_at(1), first_at(2)
    band = ratio[at >= t2, 0] if np.isfinite(t2) else ratio[:0, 0]
    low, high = (float(band.min()), float(band.max())) if len(band) else (np.nan, np.nan)
    comparisons = (
        Comparison("first step η·λ₁/2 ≥ 0.95", t1, float(steps), 0.0, sense="<="),
        Comparison("first step η·λ₂/2 ≥ 0.95 (after λ₁'s)", t2, t1 + every, 0.0, sense=">="),
        Comparison("η·λ₂/2 reaches the edge within the run", t2, float(steps), 0.0,
                   sense="<="),
        Comparison("min η·λ₁/2 once λ₂ is at the edge", low, BAND[0], 0.0, sense=">="),
        Comparison("max η·λ₁/2 once λ₂ is at the edge", high, BAND[1], 0.0, sense="<="))
    return Outcome(run.status == "completed" and all(c.passed for c in comparisons),
                   None, None, None, comparisons=comparisons,
                   evidence={"eta": eta, "steps": steps, "sharpness_every": every,
                             "first_crossing_lambda3": t3, "status": run.status,
                             "max_ratio": ratio.max(axis=0).round(4).tolist()})
