"""Progressive sharpening and the edge of stability on a neural network (Cohen et al., ICLR
2021, as set up in spec/neural_networks.md §2; seeds 001, 004), and seed 004's learning-rate
decay experiment (Fig. 3/5, scaled down: spec §4 E3).

Network: Cohen's "regression" net f(x) = Σ v_i tanh(w_i x + b_i), h = 100, no output bias,
on Chebyshev T_3 at 20 points, MSE = 1/(2n)·Σ(f − y)², NumPy init of seed 0 (spec §2.2).

What theory predicts and what was calibrated. Cohen et al. state that the sharpness S rises to
2/η and then hovers there; in the self-stabilization picture (Damian et al., spec
self_stabilization.md) GD cycles around the constrained trajectory on which S = 2/η, and the
time average over such a cycle is its equilibrium, so the *mean* of η·S/2 after the crossing is
predicted to be 1. Neither paper predicts how far S swings around 2/η: the band
:data:`BAND` and the tolerance :data:`MEAN_TOLERANCE` on the mean were set after pilot runs
(Chebyshev init seed 0 at η = 0.2 and 0.3, spec §2.2; digits seed 0 at η = 0.4), so the checks
declare them calibrated and run held-out inputs (other init seeds and step sizes) themselves.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from eosmath import nn
from eosmath.references import cite
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome

COHEN = cite("cohen2021", "§3, the Chebyshev tanh networks of the authors' code")
SEED004 = cite("shallow_relu", "Figures 3 and 5 (learning-rate decay)")

EDGE = 0.95
"""η·S/2 at which GD counts as having reached the edge (S within 5% of 2/η)."""
BAND = (0.8, 1.25)
"""Calibrated band of η·S/2 after the first crossing (pilot: Chebyshev seed 0, η = 0.2 gave
[0.87, 1.12], η = 0.3 gave [0.93, 1.24]; digits seed 0, η = 0.4 gave [0.96, 1.11]). Not
re-tuned after held-out runs: on the full-size digits net (500 images, width 64, η = 0.3)
held-out init seed 3 reached 1.263, so digits_eos fails in full mode."""
MEAN_TOLERANCE = 0.05
"""Calibrated tolerance on the time-averaged η·S/2 after the crossing (pilot means 1.004, 1.023
and 1.019 on the three runs above)."""
LOSS_WINDOW = 50
"""Steps over which the lowest loss is taken when comparing the loss just after the crossing
with the loss at the end: at the edge the loss oscillates and spikes 30-50× for a few steps
(catapults), so single steps or window means would judge the spikes, not the trend."""


def chebyshev_objective(degree: int = 3, seed: int = 0):
    data = nn.datasets.chebyshev(degree=degree, n=20)
    net = nn.MLP([1, 100, 1], activation="tanh", bias=[True, False])
    return nn.Objective(net, data, loss="mse"), net.init(seed=seed, scheme="chebyshev")


def _first_crossing(run, level: float = EDGE):
    reached = np.flatnonzero(run.eos_ratio >= level)
    return int(run.eig_steps[reached[0]]) if len(reached) else None


def _edge_summary(run) -> dict:
    """The numbers the edge-of-stability claim is judged on (None values when GD never
    reaches the edge)."""
    ratio, at, loss = run.eos_ratio, run.eig_steps, run.loss
    out = {"initial_ratio": float(ratio[0]), "max_ratio": float(np.nanmax(ratio)),
           "status": run.status, "first_crossing_step": _first_crossing(run)}
    first = out["first_crossing_step"]
    if first is None or run.status != "completed":
        return out
    after = ratio[at >= first]
    out.update(band=(float(after.min()), float(after.max())), mean_ratio=float(after.mean()),
               loss_after_crossing=float(loss[first:first + LOSS_WINDOW].min()),
               loss_end=float(loss[-LOSS_WINDOW:].min()),
               loss_increases_after_crossing=int(np.sum(np.diff(loss[first:]) > 0)))
    return out


def _edge_comparisons(s: dict) -> tuple[Comparison, ...]:
    """Cohen's claim as comparisons: a stable start, the band and mean of η·S/2 after the
    first crossing, the loss lower at the end than just after the crossing, and not
    monotone. A run that never reaches the edge gets a failing crossing comparison."""
    start = Comparison("initial η·S/2 (GD starts stable)", s["initial_ratio"], 1.0, 0.0,
                       sense="<=")
    if "band" not in s:
        return (start, Comparison("largest η·S/2 (reaches the edge)", s["max_ratio"], EDGE,
                                  0.0, sense=">="))
    return (start,
            Comparison("min η·S/2 after the crossing", s["band"][0], BAND[0], 0.0, sense=">="),
            Comparison("max η·S/2 after the crossing", s["band"][1], BAND[1], 0.0, sense="<="),
            Comparison("mean η·S/2 after the crossing", s["mean_ratio"], 1.0, MEAN_TOLERANCE),
            Comparison(f"lowest loss of the last {LOSS_WINDOW} steps", s["loss_end"],
                       s["loss_after_crossing"], 0.0, sense="<="),
            Comparison("loss increases after the crossing", s["loss_increases_after_crossing"],
                       1, 0.0, sense=">="))


def _held_out(inputs: dict, comparisons, summary) -> HeldOut:
    keep = ("first_crossing_step", "band", "mean_ratio", "initial_ratio")
    return HeldOut(inputs, all(c.passed for c in comparisons),
                   {k: summary[k] for k in keep if k in summary})


def _edge_outcome(summary, comparisons, held_out, calibration, evidence) -> Outcome:
    return Outcome(all(c.passed for c in comparisons), measured=None, predicted=None,
                   tolerance=None, comparisons=comparisons, held_out=held_out,
                   calibration_inputs=calibration, evidence={**evidence, **summary})


CHEBYSHEV_CALIBRATION = {"init_seed": 0, "eta": [0.2, 0.3], "steps": 3000,
                         "measured_band": [[0.87, 1.12], [0.93, 1.24]],
                         "measured_mean": [1.004, 1.023]}
CHEBYSHEV_HELD_OUT = ({"init_seed": 1, "eta": 0.2}, {"init_seed": 2, "eta": 0.2},
                      {"init_seed": 3, "eta": 0.2}, {"init_seed": 0, "eta": 0.25})


@lru_cache(maxsize=16)
def _chebyshev_edge(seed: int, eta: float, steps: int):
    # Cached: the held-out runs do not depend on a check's overrides, and violation runs
    # would otherwise repeat them.
    obj, theta = chebyshev_objective(seed=seed)
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=20, top_k=1, quiet=True)
    summary = _edge_summary(run)
    return summary, _edge_comparisons(summary)


@check("progressive_sharpening.chebyshev_eos", source=COHEN,
       statement="Full-batch GD with η = 0.2 from a stable start (η·S₀/2 ≈ 0.29 < 1): the "
                 "sharpness rises until η·S/2 ≥ 0.95, then hovers around 2/η: η·S/2 stays in "
                 "[0.8, 1.25] and its time average is 1 ± 0.05, while the loss keeps "
                 "decreasing non-monotonically (the lowest loss of the last 50 steps is below "
                 "the lowest of the 50 steps after the crossing, with loss increases). The loss "
                 "is compared between two stretches of the same run: the claim is its trend.",
       kind="theorem",
       prediction_source="paper formula: S → 2/η (Cohen et al.); time average of η·S/2 = 1 "
                         "as the equilibrium of the self-stabilization cycle",
       tolerance_basis="calibrated: band [0.8, 1.25] and ±0.05 on the mean, set on init seed 0 "
                       "at η = 0.2 and 0.3 (pilot runs); held out: init seeds 1, 2, 3 at "
                       "η = 0.2 and seed 0 at η = 0.25, run by the check",
       not_shown="run on Cohen's 1-100-1 tanh Chebyshev regression net (NumPy draws of the "
                 "init), not the paper's CIFAR networks; no theory predicts the band's width",
       violations={"below_the_edge": {"eta": 0.05},
                   "unstable_start": {"eta": 0.8}})
def chebyshev_eos(quick: bool = True, eta: float = 0.2, steps: int | None = None,
                  seed: int = 0) -> Outcome:
    steps = steps or (3000 if quick else 10000)
    summary, comparisons = _chebyshev_edge(seed, eta, steps)
    held = tuple(_held_out(h, *reversed(_chebyshev_edge(h["init_seed"], h["eta"], 3000)))
                 for h in CHEBYSHEV_HELD_OUT)
    return _edge_outcome(summary, comparisons, held, CHEBYSHEV_CALIBRATION,
                         {"eta": eta, "steps": steps, "init_seed": seed,
                          "spec_first_crossing": 1280, "spec_band": (0.87, 1.12)})


FLOW_CALIBRATION = {"init_seed": 0, "eta": 0.2, "steps": 3000,
                    "measured": {"distance_at_crossing_over_path": 0.0014,
                                 "distance_growth_after_crossing": 184}}
FLOW_HELD_OUT = ({"init_seed": 1, "eta": 0.3}, {"init_seed": 2, "eta": 0.3},
                 {"init_seed": 3, "eta": 0.3})
TRACKING = 0.02
"""Calibrated: ‖θ_GD − θ_GF‖ at the crossing, as a fraction of GD's path length ‖θ_T − θ_0‖."""
DEPARTURE = 10.0
"""Calibrated: growth of ‖θ_GD − θ_GF‖ from the crossing to the end of the run."""


@lru_cache(maxsize=16)
def _flow_comparisons(seed: int, eta: float, steps: int):
    obj, theta = chebyshev_objective(seed=seed)
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=20, top_k=1,
                      flow_baseline=True, quiet=True)
    first = _first_crossing(run)
    if first is None:
        return {"max_ratio": float(np.nanmax(run.eos_ratio))}, (
            Comparison("largest η·S/2 (reaches the edge)", float(np.nanmax(run.eos_ratio)),
                       EDGE, 0.0, sense=">="),)
    dist = run.gd_gf_distance
    travelled = float(np.linalg.norm(run.theta - theta))
    gf_end = float(eta * run.gf_sharpness[-1] / 2)
    summary = {"first_crossing_step": first, "distance_at_crossing": float(dist[first]),
               "distance_end": float(dist[-1]), "travelled": travelled,
               "gf_ratio_end": gf_end, "gd_ratio_end": float(run.eos_ratio[-1])}
    return summary, (
        Comparison("GD–GF distance at the crossing / GD path length",
                   dist[first] / travelled, TRACKING, 0.0, sense="<="),
        Comparison("GD–GF distance growth from the crossing to the end",
                   dist[-1] / max(dist[first], 1e-300), DEPARTURE, 0.0, sense=">="),
        Comparison("gradient flow's η·S/2 at the end (above GD's stability limit)",
                   gf_end, 1.0, 0.0, sense=">="))


@check("progressive_sharpening.departs_from_flow", source=COHEN,
       statement="GD tracks gradient flow (RK4, step 1/S) until the sharpness first reaches "
                 "2/η, and departs from it afterwards: ‖θ_GD − θ_GF‖ at the crossing is below "
                 "2% of GD's path length, grows more than 10× by the end, and gradient flow's "
                 "sharpness ends above 2/η, where GD cannot stay.",
       kind="theorem",
       prediction_source="independent integration: gradient flow by RK4 with step 1/S from "
                         "the same start (Cohen's flow.py), against which GD is measured",
       tolerance_basis="calibrated: 2% of the path and the factor 10, set on init seed 0 at "
                       "η = 0.2 (measured 0.14% and 184×); held out: init seeds 1, 2, 3 at "
                       "η = 0.3 (1500 steps), run by the check; GF above 2/η: the stability "
                       "limit itself",
       not_shown="run on Cohen's 1-100-1 tanh Chebyshev net, not the paper's CIFAR networks; "
                 "the GD–GF gap before the crossing is not compared with a predicted size",
       violations={"below_the_edge": {"eta": 0.05}})
def departs_from_flow(quick: bool = True, eta: float = 0.2, steps: int = 3000,
                      seed: int = 0) -> Outcome:
    summary, comparisons = _flow_comparisons(seed, eta, steps)
    held = []
    for h in FLOW_HELD_OUT:
        s, c = _flow_comparisons(h["init_seed"], h["eta"], 1500)
        held.append(HeldOut(h, all(x.passed for x in c),
                            {k: s[k] for k in ("distance_at_crossing", "distance_end",
                                               "travelled") if k in s}))
    return Outcome(all(c.passed for c in comparisons), None, None, None,
                   comparisons=comparisons, held_out=tuple(held),
                   calibration_inputs=FLOW_CALIBRATION,
                   evidence={"eta": eta, "steps": steps, "init_seed": seed, **summary})


DIGITS = cite("cohen2021", "fully-connected tanh nets, MSE on one-hot targets; on 8×8 digits")


def digits_objective(quick: bool = True, seed: int = 0):
    """Cohen's fc-tanh recipe on the digits: 64 → h → h → 10, biases on, MSE ½·mean‖f − y‖².

    Quick: n = 200, h = 32; full: n = 500, h = 64. The init follows PyTorch's Linear default
    (weights and biases uniform on ±1/√fan_in), drawn from NumPy's generator, not torch's.
    """
    n, width = (200, 32) if quick else (500, 64)
    return digits_mlp_objective(n, width, seed)


def digits_mlp_objective(n: int, width: int, seed: int):
    """64 → width → width → 10 tanh MLP, MSE on the first n digits, PyTorch's default Linear
    init (uniform on ±1/√fan_in) drawn from NumPy's generator with ``seed``."""
    data = nn.datasets.digits(n=n)
    net = nn.MLP([64, width, width, 10], activation="tanh")
    rng = np.random.default_rng(seed)
    layers = []
    for W, b in net.unflatten(np.zeros(net.n_params)):
        bound = 1.0 / np.sqrt(W.shape[1])
        layers.append((rng.uniform(-bound, bound, W.shape), rng.uniform(-bound, bound, b.shape)))
    return nn.Objective(net, data, loss="mse"), net.flatten(layers)


@lru_cache(maxsize=8)
def _digits_run(quick: bool, seed: int, eta: float, steps: int, flow: bool,
                sharpness_every: int = 20, eig_tol: float = 1e-8):
    """One digits GD run, shared by the checks that judge it (digits_eos and
    digits_departs_from_flow run the same GD; the flow baseline does not change it)."""
    obj, theta = digits_objective(quick, seed)
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=sharpness_every,
                      top_k=1, flow_baseline=flow, eig_tol=eig_tol, quiet=True)
    return obj, theta, run


def _digits_defaults(quick: bool, eta, steps):
    # digits_eos and digits_departs_from_flow judge the same run (shared through the cache).
    return eta or (0.4 if quick else 0.3), steps or (2000 if quick else 4000)


DIGITS_CALIBRATION = {"init_seed": 0, "eta": 0.4, "steps": 2000, "n": 200,
                      "sizes": [64, 32, 32, 10], "measured_band": [0.96, 1.11],
                      "measured_mean": 1.019}


def _digits_held_out(quick: bool) -> tuple[HeldOut, ...]:
    # Held-out runs sample the sharpness every 50 steps at Lanczos tolerance 1e-6 (enough for
    # three digits of η·S/2) to keep quick mode cheap; they are full-length runs.
    eta, steps = (0.4, 2000) if quick else (0.3, 3000)
    out = []
    for seed in (1, 2, 3):
        _, _, run = _digits_run(quick, seed, eta, steps, False, 50, 1e-6)
        summary = _edge_summary(run)
        out.append(_held_out({"init_seed": seed, "eta": eta}, _edge_comparisons(summary),
                             summary))
    return tuple(out)


@check("progressive_sharpening.digits_eos", source=DIGITS,
       statement="Full-batch GD with η = 0.4 on a 64-32-32-10 tanh MLP (200 digits; full mode "
                 "64-64-64-10 on 500 digits, η = 0.3), from a stable start (η·S₀/2 < 1): the "
                 "sharpness rises until η·S/2 ≥ 0.95, then hovers around 2/η: η·S/2 stays in "
                 "[0.8, 1.25] with time average 1 ± 0.05, while the loss keeps decreasing "
                 "non-monotonically (the lowest loss of the last 50 steps is below the lowest of "
                 "the 50 steps after the crossing, with loss increases after it).",
       kind="theorem",
       prediction_source="paper formula: S → 2/η (Cohen et al.); time average of η·S/2 = 1 "
                         "as the equilibrium of the self-stabilization cycle",
       tolerance_basis="calibrated: band [0.8, 1.25] and ±0.05 on the mean, set on the "
                       "Chebyshev pilots and digits init seed 0 at η = 0.4; held out: digits "
                       "init seeds 1, 2, 3 (η = 0.4, 2000 steps; full mode η = 0.3), run by "
                       "the check",
       not_shown="scikit-learn 8×8 digits (200 images, 64-32-32-10 tanh) instead of "
                 "CIFAR-10 5k with Cohen's fc-tanh (3072-200-200-10); NumPy draws of PyTorch's "
                 "default init; no theory predicts the band's width",
       violations={"below_the_edge": {"eta": 0.05, "steps": 300},
                   "unstable_start": {"eta": 0.8, "steps": 300}})
def digits_eos(quick: bool = True, eta: float | None = None, steps: int | None = None,
               seed: int = 0) -> Outcome:
    eta, steps = _digits_defaults(quick, eta, steps)
    obj, _, run = _digits_run(quick, seed, eta, steps, True)
    summary = _edge_summary(run)
    return _edge_outcome(summary, _edge_comparisons(summary), _digits_held_out(quick),
                         DIGITS_CALIBRATION,
                         {"eta": eta, "steps": steps, "init_seed": seed,
                          "n": int(obj.X.shape[0]), "sizes": obj.net.sizes,
                          "loss_start": float(run.loss[0])})


@check("progressive_sharpening.digits_departs_from_flow", source=DIGITS,
       statement="On the digits_eos network (η = 0.4; full mode η = 0.3), after the sharpness "
                 "first reaches 0.95·2/η GD and gradient flow (RK4, step 1/S) part: gradient "
                 "flow's sharpness keeps rising and ends above 2/η, where GD cannot stay, while "
                 "GD's ends in the edge band [0.8, 1.25] of 2/η; ‖θ_GD − θ_GF‖ grows from the "
                 "crossing to the end.",
       kind="theorem",
       prediction_source="independent integration: gradient flow by RK4 with step 1/S from "
                         "the same start (Cohen's flow.py); the GD stability limit 2/η",
       tolerance_basis="GF above 2/η and the distance growing: thresholds 1 (the stability "
                       "limit and the claim's own form), no slack; GD's band: the calibrated "
                       "band of progressive_sharpening.digits_eos, held out there",
       not_shown="digits substitute for CIFAR (see digits_eos); that GD tracks GF before the "
                 "crossing is judged on the Chebyshev net only (departs_from_flow): on the "
                 "digits the gap at the crossing (2–4% of the path) has no threshold tested "
                 "on held-out seeds",
       violations={"below_the_edge": {"eta": 0.05, "steps": 300}})
def digits_departs_from_flow(quick: bool = True, eta: float | None = None,
                             steps: int | None = None, seed: int = 0) -> Outcome:
    eta, steps = _digits_defaults(quick, eta, steps)
    _, theta, run = _digits_run(quick, seed, eta, steps, True)
    first = _first_crossing(run)
    if first is None:
        c = Comparison("largest η·S/2 (reaches the edge)", float(np.nanmax(run.eos_ratio)),
                       EDGE, 0.0, sense=">=")
        return Outcome(False, None, None, None, comparisons=(c,),
                       evidence={"eta": eta, "steps": steps})
    dist = run.gd_gf_distance
    travelled = float(np.linalg.norm(run.theta - theta))
    gd_end = float(run.eos_ratio[-1])
    gf_end = float(eta * run.gf_sharpness[-1] / 2)
    comparisons = (
        Comparison("gradient flow's η·S/2 at the end", gf_end, 1.0, 0.0, sense=">="),
        Comparison("GD's η·S/2 at the end (≥ band floor)", gd_end, BAND[0], 0.0, sense=">="),
        Comparison("GD's η·S/2 at the end (≤ band ceiling)", gd_end, BAND[1], 0.0, sense="<="),
        Comparison("GD–GF distance growth from the crossing to the end",
                   float(dist[-1] / max(dist[first], 1e-300)), 1.0, 0.0, sense=">="))
    return Outcome(all(c.passed for c in comparisons), None, None, None,
                   comparisons=comparisons,
                   evidence={"first_crossing_step": first, "travelled": travelled,
                             "distance_at_crossing": float(dist[first]),
                             "distance_at_crossing_over_path": float(dist[first] / travelled),
                             "distance_end": float(dist[-1]), "eta": eta, "steps": steps})


@check("shallow_relu.lr_decay_ends_oscillation", source=SEED004,
       statement="At the edge of stability (η = 0.2, decay at step 2000, after the first "
                 "crossing at step 1280) the loss oscillates; dividing η by 4 ends it: from the "
                 "first step after the switch the loss decreases monotonically (η/4·S/2 ≈ 0.25 "
                 "< 1, so the descent lemma applies to every step) and, after 10 settling "
                 "steps, the sharpness rises monotonically (MSE), staying below 2/(η/4).",
       kind="theorem",
       prediction_source="closed form: descent lemma — a step with η·S < 2 along it lowers the "
                         "loss, and η/4 puts S four times below the new edge; the paper's Fig. "
                         "3/5 for the rising sharpness",
       tolerance_basis="loss: exact count of increases (no slack); sharpness: decreases up to "
                       "1e-9 allowed, the finite-difference HVP and Lanczos error (eosmath's "
                       "Richardson estimate); "
                       "10 settling steps: the period-2 component shrinks by |1 − η'S| ≈ 0.5 "
                       "per step, to 1e-3 of its size",
       not_shown="run on Cohen's Chebyshev 1-100-1 tanh net instead of the paper's CIFAR fc "
                 "nets; MSE only (not the cross-entropy case); one decay step and factor",
       violations={"no_decay": {"factor": 1.0},
                   "decay_before_the_edge": {"decay_at": 600, "steps": 1200}})
def lr_decay_ends_oscillation(quick: bool = True, eta: float = 0.2, decay_at: int = 2000,
                              factor: float = 0.25, steps: int = 3000) -> Outcome:
    obj, theta = chebyshev_objective()
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=20, top_k=1,
                      lr_schedule=nn.lr_schedules.step_decay(decay_at, factor), quiet=True)
    loss = run.loss
    window = 500
    before = int(np.sum(np.diff(loss[max(decay_at - window, 0): decay_at + 1]) > 0))
    after = int(np.sum(np.diff(loss[decay_at:]) > 0))
    settle = 10
    late = run.eig_steps >= decay_at + settle
    s_after = run.sharpness[late]
    largest_drop = float(np.max(-np.diff(s_after))) if len(s_after) > 1 else np.inf
    ratio_after = float(np.max(run.eos_ratio[run.eig_steps > decay_at]))
    comparisons = (
        Comparison(f"loss increases in the {window} steps before the decay", before, 1, 0.0,
                   sense=">="),
        Comparison("loss increases after the decay", after, 0, 0.0, sense="<="),
        Comparison("largest sharpness decrease after settling", largest_drop, 0.0, 1e-9,
                   sense="<="),
        Comparison("largest η_t·S/2 after the decay", ratio_after, 1.0, 0.0, sense="<="))
    return Outcome(all(c.passed for c in comparisons), None, None, None,
                   comparisons=comparisons,
                   evidence={"decay_at": decay_at, "factor": factor, "settle": settle,
                             "first_crossing_step": _first_crossing(run)})
