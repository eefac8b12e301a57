"""Progressive sharpening and the edge of stability on a neural network (Cohen et al., ICLR
2021, as set up in spec/neural_networks.md §2; seeds 001, 004), and seed 004's learning-rate
decay experiment (Fig. 3/5, scaled down: spec §4 E3).

Network: Cohen's "regression" net f(x) = Σ v_i tanh(w_i x + b_i), h = 100, no output bias,
on Chebyshev T_3 at 20 points, MSE = 1/(2n)·Σ(f − y)², NumPy init of seed 0 (spec §2.2).
"""

from __future__ import annotations

import numpy as np

from eosmath import nn
from eosmath.theory.registry import check
from eosmath.theory.verdict import Outcome

COHEN = ("Cohen, Kaur, Li, Kolter & Talwalkar (ICLR 2021), settings from the authors' code; "
         "spec/neural_networks.md §2.2")
SEED004 = "seed 004 Fig. 3/5 (learning-rate decay); spec/neural_networks.md §4 E3"


def chebyshev_objective(degree: int = 3):
    data = nn.datasets.chebyshev(degree=degree, n=20)
    net = nn.MLP([1, 100, 1], activation="tanh", bias=[True, False])
    return nn.Objective(net, data, loss="mse"), net.init(seed=0, scheme="chebyshev")


@check("progressive_sharpening.chebyshev_eos", source=COHEN,
       statement="Full-batch GD with η = 0.2: the sharpness rises from ≈ 2.9 until it is within "
                 "5% of 2/η, then hovers in a band around 2/η (η·S/2 ∈ [0.8, 1.25]) while the "
                 "loss keeps decreasing, non-monotonically: it ends below 90% of its value at "
                 "the first crossing, with loss increases along the way.")
def chebyshev_eos(quick: bool = True, eta: float = 0.2, steps: int | None = None) -> Outcome:
    obj, theta = chebyshev_objective()
    steps = steps or (3000 if quick else 10000)
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=20, top_k=1, quiet=True)
    ratio, at = run.eos_ratio, run.eig_steps
    reached = np.flatnonzero(ratio >= 0.95)
    if not len(reached) or run.status != "completed":
        return Outcome(False, measured={"max_ratio": float(np.nanmax(ratio)),
                                        "status": run.status},
                       predicted="η·S/2 reaches 0.95", tolerance=0.05)
    first = int(at[reached[0]])
    after = ratio[at >= first]
    loss = run.loss
    increases = int(np.sum(np.diff(loss) > 0))
    band = (float(after.min()), float(after.max()))
    passed = (band[0] >= 0.8 and band[1] <= 1.25 and loss[-1] < 0.9 * loss[first]
              and increases > 0 and ratio[0] < 0.5)
    return Outcome(passed, measured={"first_crossing_step": first, "band": band,
                                     "loss_first_crossing": float(loss[first]),
                                     "loss_end": float(loss[-1]), "loss_increases": increases},
                   predicted={"band": (0.8, 1.25), "loss_end_below": 0.9 * float(loss[first]),
                              "non_monotone": True},
                   tolerance="band [0.8, 1.25] of 2/η",
                   evidence={"initial_ratio": float(ratio[0]), "eta": eta, "steps": steps,
                             "spec_first_crossing": 1280, "spec_band": (0.87, 1.12)})


@check("progressive_sharpening.departs_from_flow", source=COHEN,
       statement="GD tracks gradient flow (RK4, step 1/S) until the sharpness first reaches "
                 "2/η, and departs from it afterwards: ‖θ_GD − θ_GF‖ at the crossing is below "
                 "2% of the distance travelled, and at the end it is more than 10× larger.")
def departs_from_flow(quick: bool = True, eta: float = 0.2, steps: int = 3000) -> Outcome:
    obj, theta = chebyshev_objective()
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=20, top_k=1,
                      flow_baseline=True, quiet=True)
    reached = np.flatnonzero(run.eos_ratio >= 0.95)
    if not len(reached):
        return Outcome(False, "no crossing", "a crossing of 0.95·2/η", None)
    first = int(run.eig_steps[reached[0]])
    dist = run.gd_gf_distance
    travelled = float(np.linalg.norm(run.theta - theta))
    passed = dist[first] < 0.02 * travelled and dist[-1] > 10 * dist[first]
    return Outcome(passed, measured={"distance_at_crossing": float(dist[first]),
                                     "distance_end": float(dist[-1])},
                   predicted={"at_crossing_below": 0.02 * travelled,
                              "end_above": 10 * float(dist[first])},
                   tolerance="2% of ‖θ_T − θ_0‖; factor 10",
                   evidence={"first_crossing_step": first, "travelled": travelled})


DIGITS = ("Cohen et al. (ICLR 2021) fully-connected tanh nets with MSE on one-hot 0/1 targets and "
          "PyTorch-default init (spec/neural_networks.md §2.3), scaled down to scikit-learn's 8×8 "
          "digits (spec §4, 'real small substitute')")


def digits_objective(quick: bool = True, seed: int = 0):
    """Cohen's fc-tanh recipe on the digits: 64 → h → h → 10, biases on, MSE ½·mean‖f − y‖².

    Quick: n = 200, h = 32; full: n = 500, h = 64. The init follows PyTorch's Linear default
    (weights and biases uniform on ±1/√fan_in), drawn from NumPy's generator, not torch's.
    """
    n, width = (200, 32) if quick else (500, 64)
    data = nn.datasets.digits(n=n)
    net = nn.MLP([64, width, width, 10], activation="tanh")
    rng = np.random.default_rng(seed)
    layers = []
    for W, b in net.unflatten(np.zeros(net.n_params)):
        bound = 1.0 / np.sqrt(W.shape[1])
        layers.append((rng.uniform(-bound, bound, W.shape), rng.uniform(-bound, bound, b.shape)))
    return nn.Objective(net, data, loss="mse"), net.flatten(layers)


def _first_crossing(run, level: float = 0.95):
    reached = np.flatnonzero(run.eos_ratio >= level)
    return int(run.eig_steps[reached[0]]) if len(reached) else None


@check("progressive_sharpening.digits_eos", source=DIGITS,
       statement="Full-batch GD with η = 0.4 on a 64-32-32-10 tanh MLP (200 digits; full mode "
                 "64-64-64-10 on 500 digits, η = 0.3): the sharpness rises from below 0.6·2/η "
                 "until η·S/2 ≥ 0.95, then hovers in the band η·S/2 ∈ [0.8, 1.25] while the loss "
                 "keeps decreasing, non-monotonically: it ends below 50% of its value at the first"
                 " crossing, with loss increases after it.")
def digits_eos(quick: bool = True, eta: float | None = None, steps: int | None = None,
               seed: int = 0) -> Outcome:
    obj, theta = digits_objective(quick, seed)
    eta = eta or (0.4 if quick else 0.3)
    steps = steps or (2000 if quick else 5000)
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=20, top_k=1, quiet=True)
    ratio, at = run.eos_ratio, run.eig_steps
    first = _first_crossing(run)
    if first is None or run.status != "completed":
        return Outcome(False, measured={"max_ratio": float(np.nanmax(ratio)),
                                        "status": run.status},
                       predicted="η·S/2 reaches 0.95", tolerance=0.05,
                       evidence={"eta": eta, "steps": steps, "initial_ratio": float(ratio[0])})
    after = ratio[at >= first]
    loss = run.loss
    increases = int(np.sum(np.diff(loss[first:]) > 0))
    band = (float(after.min()), float(after.max()))
    passed = (band[0] >= 0.8 and band[1] <= 1.25 and loss[-1] < 0.5 * loss[first]
              and increases > 0 and ratio[0] < 0.6)
    return Outcome(passed, measured={"first_crossing_step": first, "band": band,
                                     "initial_ratio": float(ratio[0]),
                                     "loss_first_crossing": float(loss[first]),
                                     "loss_end": float(loss[-1]),
                                     "loss_increases_after_crossing": increases},
                   predicted={"band": (0.8, 1.25), "initial_ratio_below": 0.6,
                              "loss_end_below": 0.5 * float(loss[first]), "non_monotone": True},
                   tolerance="band [0.8, 1.25] of 2/η; loss halves after the crossing",
                   evidence={"eta": eta, "steps": steps, "n": int(obj.X.shape[0]),
                             "sizes": obj.net.sizes, "loss_start": float(loss[0])})


@check("progressive_sharpening.digits_departs_from_flow", source=DIGITS,
       statement="On the digits_eos network (η = 0.4; full mode η = 0.3), GD tracks gradient flow "
                 "(RK4, step 1/S) until the sharpness first reaches 0.95·2/η and departs "
                 "afterwards: ‖θ_GD − θ_GF‖ at the crossing is below 5% of the distance travelled "
                 "by GD and at the end more than 5× larger, and gradient flow's sharpness keeps "
                 "rising, ending at least 0.2·2/η above GD's.")
def digits_departs_from_flow(quick: bool = True, eta: float | None = None,
                             steps: int | None = None, seed: int = 0) -> Outcome:
    obj, theta = digits_objective(quick, seed)
    eta = eta or (0.4 if quick else 0.3)
    steps = steps or (2000 if quick else 4000)
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=20, top_k=1,
                      flow_baseline=True, quiet=True)
    first = _first_crossing(run)
    if first is None:
        return Outcome(False, {"max_ratio": float(np.nanmax(run.eos_ratio))},
                       "a crossing of 0.95·2/η", None)
    dist = run.gd_gf_distance
    travelled = float(np.linalg.norm(run.theta - theta))
    gd_end = float(run.eos_ratio[-1])
    gf_end = float(eta * run.gf_sharpness[-1] / 2)
    passed = (dist[first] < 0.05 * travelled and dist[-1] > 5 * dist[first]
              and gf_end > gd_end + 0.2)
    return Outcome(passed, measured={"distance_at_crossing": float(dist[first]),
                                     "distance_end": float(dist[-1]),
                                     "gf_ratio_end": gf_end, "gd_ratio_end": gd_end},
                   predicted={"at_crossing_below": 0.05 * travelled,
                              "end_above": 5 * float(dist[first]),
                              "gf_ratio_end_above": gd_end + 0.2},
                   tolerance="5% of ‖θ_T − θ_0‖; factor 5; 0.2 in η·S/2",
                   evidence={"first_crossing_step": first, "travelled": travelled,
                             "eta": eta, "steps": steps})


@check("shallow_relu.lr_decay_ends_oscillation", source=SEED004,
       statement="At the edge of stability (η = 0.2, after the first crossing) the loss "
                 "oscillates; dividing η by 4 ends it: afterwards the loss decreases "
                 "monotonically and the sharpness rises monotonically (MSE), below 2/(η/4). "
                 "Run on the Chebyshev tanh net instead of the seed's CIFAR nets.")
def lr_decay_ends_oscillation(quick: bool = True, eta: float = 0.2, decay_at: int = 2000,
                              factor: float = 0.25, steps: int = 3000) -> Outcome:
    obj, theta = chebyshev_objective()
    run = nn.train_gd(obj, theta, eta=eta, steps=steps, sharpness_every=20, top_k=1,
                      lr_schedule=nn.lr_schedules.step_decay(decay_at, factor), quiet=True)
    loss = run.loss
    window = 500
    before = int(np.sum(np.diff(loss[decay_at - window: decay_at + 1]) > 0))
    settle = 10  # the first steps after the switch still carry the period-2 component
    after = int(np.sum(np.diff(loss[decay_at + settle:]) > 0))
    s_after = run.sharpness[run.eig_steps >= decay_at + settle]
    rising = bool(np.all(np.diff(s_after) > -1e-9))
    passed = before > 0 and after == 0 and rising
    return Outcome(passed, measured={"loss_increases_before": before,
                                     "loss_increases_after": after,
                                     "sharpness_monotone_after": rising},
                   predicted={"loss_increases_before": "> 0", "loss_increases_after": 0,
                              "sharpness_monotone_after": True},
                   tolerance=f"exact counts; {settle} settling steps after the decay",
                   evidence={"decay_at": decay_at, "factor": factor})
