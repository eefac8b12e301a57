"""Self-stabilization on a small tanh MLP (Damian, Nichani & Lee, ICLR 2023; seed 001).

spec/self_stabilization.md §1 (S, u, ∇S = ∇³L[u, u]), §2 (stable set M, PGD θ† with the
3-step linearised projection), §6 (predicted dynamics v*, Theorem 1), §9 (protocol: GD in
float32 until the midpoint sharpness reaches 2/η, then float64; gradient flow as ⌈ηS⌉ Euler
sub-steps per GD step). The net has 60 parameters, so the Hessian is formed densely from
central differences of the gradient (one batched pass) and ∇³L[u, u] is a second difference of
the gradient along u.

The paper's networks (CIFAR-10 MLPs, CNNs, ResNet18, Transformers) are replaced by a 1-20-1
tanh MLP on Chebyshev T_3; each check says so in ``not_shown``.

>>> import eosmath.theory as th
>>> th.verify("self_stabilization.mlp_predicted_dynamics").passed  # doctest: +SKIP
True
"""

from __future__ import annotations

import functools
import math

import numpy as np
import scipy.linalg

from eosmath import nn
from eosmath.references import cite
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome

SOURCE = cite("damian2023", "Theorem 1")
SUBSTITUTE = ("run on a 1-20-1 tanh MLP fitting Chebyshev T_3 (20 points, MSE), not the paper's "
              "CIFAR-10 / SST-2 networks")

CALIBRATION = {"seed": 0, "eta": 0.4}
"""The run the calibrated constants were read from."""
HELD_OUT = ({"seed": 1, "eta": 0.4}, {"seed": 2, "eta": 0.4}, {"seed": 0, "eta": 0.45})
HELD_OUT_FULL = HELD_OUT + ({"seed": 0, "eta": 0.35}, {"seed": 3, "eta": 0.4})
WINDOW = 12.0
"""Tracked steps after the crossing, in units of 1/ε₀ (Theorem 1 holds for t ≤ O(1/ε))."""


class _Gradient:
    """∇L of an Objective, callable on one θ and batched on rows (for the dense Hessian)."""

    def __init__(self, obj):
        self.obj = obj

    def __call__(self, theta):
        return self.obj.grad(theta)

    def batch(self, thetas):
        _, grads, _ = self.obj._batch(thetas, self.obj._prepare(thetas[0])[1])
        return grads


def small_objective(width: int = 20, seed: int = 0):
    data = nn.datasets.chebyshev(degree=3, n=20)
    net = nn.MLP([1, width, 1], activation="tanh", bias=[True, False])
    return nn.Objective(net, data, loss="mse"), net.init(seed=seed, scheme="chebyshev")


def dense_hessian(grad, theta, h: float = 1e-4) -> np.ndarray:
    """∇²L by central differences of ``grad`` (one batched pass when ``grad`` has ``batch``)."""
    d = theta.size
    if hasattr(grad, "batch"):
        shifted = np.repeat(theta[None, :], 2 * d, axis=0)
        idx = np.arange(d)
        shifted[2 * idx, idx] += h
        shifted[2 * idx + 1, idx] -= h
        grads = grad.batch(shifted)
        H = (grads[0::2] - grads[1::2]).T / (2 * h)
    else:
        H = np.empty((d, d))
        e = np.zeros(d)
        for i in range(d):
            e[i] = h
            H[:, i] = (grad(theta + e) - grad(theta - e)) / (2 * h)
            e[i] = 0.0
    return (H + H.T) / 2


def top_two(H):
    """The two largest eigenvalues (ascending) and the top unit eigenvector of symmetric H."""
    d = H.shape[0]
    values, vectors = scipy.linalg.eigh(H, subset_by_index=[d - 2, d - 1])
    return values, vectors[:, -1]


def grad_sharpness(grad, theta, u, h: float = 1e-3) -> np.ndarray:
    """∇S = ∇³L[u, u] (Lemma 2) as the second difference of ∇L along u."""
    return (grad(theta + h * u) - 2 * grad(theta) + grad(theta - h * u)) / h**2


def _frame(grad, theta, u_prev=None):
    """(H, S, u, λ₂, ∇S, ∇S^⊥) at θ; the sign of u follows ``u_prev`` (warm start)."""
    H = dense_hessian(grad, theta)
    values, u = top_two(H)
    if u_prev is not None and u @ u_prev < 0:
        u = -u
    gs = grad_sharpness(grad, theta, u)
    return H, values[-1], u, values[-2], gs, gs - u * (u @ gs)


def project(grad, p, eta: float, u_prev=None, steps: int = 3):
    """Linearised projection onto M = {S ≤ 2/η, ∇L·u = 0} (spec §2, Appendix D)."""
    for _ in range(steps):
        _, S, u, _, _, gs_perp = _frame(grad, p, u_prev)
        g = grad(p)
        if S > 2 / eta:  # the sharpness step only when the constraint is violated
            p = p - (S - 2 / eta) * gs_perp / (gs_perp @ gs_perp)
        p = p - u * (u @ g) / S
        u_prev = u
    return p


def predicted_step(v, eta: float, H, u, gs_perp, delta2: float):
    """One step of the predicted dynamics v* (spec §6, the authors' code form)."""
    x, y = u @ v, gs_perp @ v
    return v - eta * (H @ v + gs_perp * (x * x - delta2) / 2 + u * x * y)


def sharpness(grad, theta) -> float:
    return float(top_two(dense_hessian(grad, theta))[0][-1])


def first_crossing(obj, theta, eta: float, max_steps: int = 5000, dtype=np.float32,
                   every: int = 20):
    """Phase 1 of the paper's protocol (spec §9): GD in ``dtype`` until the midpoint sharpness
    first reaches 2/η. Returns (step, θ at that step as float64, sampled earlier iterates)."""
    grad = _Gradient(obj)
    theta = np.asarray(theta, dtype=dtype)
    step_size = dtype(eta)
    samples = []
    for step in range(max_steps):
        nxt = theta - step_size * obj.grad(theta)
        mid = (theta.astype(np.float64) + nxt.astype(np.float64)) / 2
        if sharpness(grad, mid) >= 2 / eta:
            return step, theta.astype(np.float64), samples
        if step % every == 0:
            samples.append(theta.astype(np.float64))
        theta = nxt
    return None, theta.astype(np.float64), samples


def track(obj, theta0, eta: float, steps: int, eta_pred: float | None = None,
          start_offset=None, alpha_factor: float = 1.0, flow: bool = False):
    """GD, PGD θ† and the predicted v* in lock-step from θ₀ (float64); per-step arrays.

    The prediction (θ†, v*) uses θ₀ only, with step ``eta_pred`` and α_t scaled by
    ``alpha_factor`` (both deliberately wrong in the violations). ``flow=True`` also follows
    gradient flow from θ₀ with ⌈ηS⌉ Euler sub-steps per GD step (spec §9)."""
    eta_pred = eta if eta_pred is None else eta_pred
    grad = obj.grad if not hasattr(obj, "_batch") else _Gradient(obj)
    theta, gf = theta0.copy(), theta0.copy()
    dagger = project(grad, theta0, eta_pred)
    v = theta0 - dagger if start_offset is None else theta0 - dagger + start_offset
    u_prev = None
    keys = ("loss", "loss_pred", "sharp", "sharp_pred", "lam2", "lam2_dagger", "eps", "delta",
            "x", "y", "loss_dagger", "sharp_dagger", "alpha", "beta", "gamma", "dev_pred",
            "dev_dagger", "gf_dagger", "gf_sharp")
    rec = {k: [] for k in keys}
    for _ in range(steps + 1):
        H, S_t, u, lam2_d, gs, gs_perp = _frame(grad, dagger, u_prev)
        u_prev = u
        g_dagger = grad(dagger)
        alpha = -(g_dagger @ gs_perp)
        beta = gs_perp @ gs_perp
        delta2 = max(2 * alpha * alpha_factor / beta, 0.0)
        x, y = u @ v, gs_perp @ v
        values, _ = top_two(dense_hessian(grad, theta))
        rec["loss"].append(obj.value(theta))
        rec["loss_pred"].append(obj.value(dagger) + x * x / eta_pred)
        rec["sharp"].append(values[-1])
        rec["sharp_pred"].append(S_t + y + (gs @ u) * x)
        rec["loss_dagger"].append(obj.value(dagger))   # the constrained trajectory alone
        rec["sharp_dagger"].append(S_t)
        rec["lam2"].append(values[-2])
        rec["lam2_dagger"].append(lam2_d)
        rec["alpha"].append(alpha)
        rec["beta"].append(beta)
        rec["gamma"].append(alpha / (np.linalg.norm(g_dagger) * math.sqrt(beta)))
        rec["eps"].append(eta_pred * np.sqrt(max(alpha, 0.0)))
        rec["delta"].append(np.sqrt(delta2))
        rec["x"].append(x)
        rec["y"].append(y)
        rec["dev_pred"].append(np.linalg.norm(theta - dagger - v))
        rec["dev_dagger"].append(np.linalg.norm(theta - dagger))
        if flow:
            s_gf = sharpness(grad, gf)
            rec["gf_dagger"].append(np.linalg.norm(gf - dagger))
            rec["gf_sharp"].append(s_gf)
            k = max(1, math.ceil(eta * s_gf))
            for _ in range(k):
                gf = gf - (eta / k) * grad(gf)
        v = predicted_step(v, eta_pred, H, u, gs_perp, delta2)
        theta = theta - eta * grad(theta)
        dagger = project(grad, dagger - eta_pred * g_dagger, eta_pred, u)
    return {k: np.asarray(a) for k, a in rec.items()}


@functools.lru_cache(maxsize=32)
def _run(seed: int, eta: float, eta_pred: float | None = None, alpha_factor: float = 1.0,
         start_perturbation: float = 0.0, window: float = WINDOW) -> dict:
    """One run of the protocol: float32 GD to the crossing, then ⌈window/ε₀⌉ tracked steps
    (GD, θ†, v*, gradient flow). Cached: the MLP checks share their runs."""
    obj, theta = small_objective(seed=seed)
    step, theta0, samples = first_crossing(obj, theta, eta)
    if step is None:
        return {"crossing": None}
    offset = None
    if start_perturbation:
        offset = start_perturbation * np.random.default_rng(1).standard_normal(theta0.size)
    eps0 = float(track(obj, theta0, eta, 0, eta_pred)["eps"][0])
    steps = math.ceil(window / eps0)
    rec = track(obj, theta0, eta, steps, eta_pred, offset, alpha_factor, flow=True)
    return {"crossing": step, "theta0": theta0, "phase1": samples, "eps0": eps0,
            "steps": steps, "rec": rec, "obj": obj}


def _inputs(quick: bool):
    return HELD_OUT if quick else HELD_OUT_FULL


# ------------------------------------------------------------------ Theorem 1 on the network
def _h(z: float) -> float:
    return z - math.log(z) - 1


def amplitude(rec) -> float:
    """Corollary 1's bound on |x*| for this start, δ₀√(2 + 2g₀), g₀ = h(x*₀²/δ₀²) + y*₀²/α₀:
    from the initial displacement only. From a tiny x*₀, g₀ ≈ 2 log(δ₀/|x*₀|) is large and the
    spike reaches several δ, so Theorem 1's orders are taken with δ̄ = this amplitude."""
    delta0, alpha0 = float(rec["delta"][0]), float(rec["alpha"][0])
    g0 = _h(max(float(rec["x"][0]) ** 2 / delta0**2, 1e-300)) + float(rec["y"][0]) ** 2 / alpha0
    return delta0 * math.sqrt(2 + 2 * g0)


PREDICTED_CONSTANTS = {"sharpness": 2.6, "loss": 21.2, "deviation": 21.7}
"""C_S, C_L, C_v: twice the normalised errors of the calibration run (seed 0, η = 0.4:
1.30, 10.62, 10.85), with the orders of Theorem 1 written with the Corollary-1 amplitude δ̄:
ε²/η·(δ̄/δ)², εδ̄²/η and εδ̄."""


def _predicted_dynamics_comparisons(run) -> tuple[Comparison, ...]:
    rec = run["rec"]
    eta = run["eta"]
    eps, delta = float(rec["eps"].max()), float(rec["delta"].max())
    bar = amplitude(rec)
    ax = np.abs(rec["x"])
    sharp_err = float(np.abs(rec["sharp"] - rec["sharp_pred"]).max())
    loss_err = float(np.abs(rec["loss"] - rec["loss_pred"]).max())
    return (
        Comparison("|x*_0|/δ (the unstable component starts tiny)", ax[0] / delta, 1e-3, 0.0,
                   sense="<="),
        Comparison("max|x*|/δ (it grows past δ: the oscillation happens)", ax.max() / delta,
                   1.0, 0.0, sense=">="),
        Comparison("|x*_T|/δ (and is caught: back below δ)", ax[-1] / delta, 1.0, 0.0,
                   sense="<="),
        Comparison("sharpness error / (ε²/η·δ̄²/δ²)",
                   sharp_err / (eps**2 / eta * bar**2 / delta**2),
                   PREDICTED_CONSTANTS["sharpness"], 0.0, sense="<="),
        Comparison("loss error / (εδ̄²/η)", loss_err / (eps * bar**2 / eta),
                   PREDICTED_CONSTANTS["loss"], 0.0, sense="<="),
        Comparison("max ‖θ − θ† − v*‖ / (εδ̄)", float(rec["dev_pred"].max()) / (eps * bar),
                   PREDICTED_CONSTANTS["deviation"], 0.0, sense="<="),
        Comparison("max λ₂(θ_t)·η/2 (one unstable direction)", float(rec["lam2"].max()) * eta / 2,
                   1.0, 0.0, sense="<="),
        Comparison("max λ₂(θ†_t)·η/1.9 (eigengap, §9)", float(rec["lam2_dagger"].max()) * eta
                   / 1.9, 1.0, 0.0, sense="<="))


def _against_theta_dagger_alone(rec) -> dict:
    """Max errors of the prediction divided by those of θ† alone (reported, not judged)."""
    return {"sharpness": float(np.abs(rec["sharp"] - rec["sharp_pred"]).max()
                               / np.abs(rec["sharp"] - rec["sharp_dagger"]).max()),
            "loss": float(np.abs(rec["loss"] - rec["loss_pred"]).max()
                          / np.abs(rec["loss"] - rec["loss_dagger"]).max()),
            "deviation": float(rec["dev_pred"].max() / rec["dev_dagger"].max())}


def _get(inputs, **overrides) -> dict:
    run = _run(inputs["seed"], inputs["eta"], **overrides)
    return {**run, "eta": inputs["eta"]}


def _held_out(quick, judge, run_them: bool = True, **overrides):
    """The held-out runs judged by ``judge``; when the calibration input already fails
    (``run_them`` False) they are recorded as not run instead of spending minutes on them."""
    if not run_them:
        return tuple(HeldOut(dict(inputs), False, "not run: the calibration input fails")
                     for inputs in _inputs(quick))
    out = []
    for inputs in _inputs(quick):
        run = _get(inputs, **overrides)
        if run["crossing"] is None:
            out.append(HeldOut(dict(inputs), False, "no crossing of 2/η"))
            continue
        comparisons = judge(run)
        out.append(HeldOut(dict(inputs), all(c.passed for c in comparisons),
                           {c.quantity: c.measured for c in comparisons}))
    return tuple(out)


def _no_crossing() -> Outcome:
    return Outcome(False, "no crossing of 2/η", "a crossing", None)


@check("self_stabilization.mlp_predicted_dynamics", source=SOURCE,
       statement="Tanh MLP 1-20-1 on Chebyshev T_3 (MSE ½·mean), GD with η = 0.4 in float32 "
                 "until the midpoint sharpness reaches 2/η, then float64 (the paper's Appendix D "
                 "protocol; no injected "
                 "displacement). Over the next ⌈12/ε₀⌉ steps the unstable component grows from "
                 "|x*| < 10⁻³δ past δ (a loss spike) and is caught back below δ, and Theorem 1's "
                 "prediction (θ† from PGD, v* from Definition 7 iterated from v₀ alone) follows "
                 "GD: sharpness error ≤ C_S·ε²/η·(δ̄/δ)², loss error ≤ C_L·εδ̄²/η, deviation "
                 "‖θ − θ† − v*‖ ≤ C_v·εδ̄, with δ̄ = δ₀√(2 + 2g₀) the Corollary-1 amplitude of "
                 "the start; one Hessian eigenvalue above 2/η (λ₂ < 2/η) and λ₂(θ†) ≤ 1.9/η.",
       kind="reconstruction",
       prediction_source="independent integration: PGD θ† and Definition 7's v* from θ₀ alone "
                         "(reconstructions of the paper's constrained trajectory and Definitions "
                         "7-8)",
       tolerance_basis="calibrated: C_S = 2.6, C_L = 21.2, C_v = 21.7, twice the normalised "
                       "errors of seed 0, η = 0.4 (the paper gives orders only); held out: "
                       "seeds 1, 2 and η = 0.45 (full mode also η = 0.35, seed 3); 10⁻³δ, δ, "
                       "2/η and 1.9/η are fixed by the claim",
       not_shown=SUBSTITUTE + "; that v* beats θ† alone at the spike: the spike reaches ≈ 7δ, "
                 "and the prediction's max errors are 0.7-1.1 × those of θ† alone (evidence)",
       violations={"predicted dynamics with α wrong by 30%": {"alpha_factor": 1.3},
                   "prediction started from a perturbed point": {"start_perturbation": 1e-2}})
def mlp_predicted_dynamics(quick: bool = True, eta: float = 0.4, eta_pred: float | None = None,
                           alpha_factor: float = 1.0, start_perturbation: float = 0.0
                           ) -> Outcome:
    overrides = {"eta_pred": eta_pred, "alpha_factor": alpha_factor,
                 "start_perturbation": start_perturbation}
    run = _get({**CALIBRATION, "eta": eta}, **overrides)
    if run["crossing"] is None:
        return _no_crossing()
    comparisons = _predicted_dynamics_comparisons(run)
    passed = all(c.passed for c in comparisons)
    rec = run["rec"]
    return Outcome(passed, None, None, None, comparisons=comparisons,
                   held_out=_held_out(quick, _predicted_dynamics_comparisons, passed,
                                      **overrides),
                   calibration_inputs=dict(CALIBRATION),
                   evidence={"first_crossing_step": run["crossing"], "steps": run["steps"],
                             "eps": float(rec["eps"].max()), "delta": float(rec["delta"].max()),
                             "amplitude": amplitude(rec), "eta": eta,
                             "errors_over_theta_dagger_alone": _against_theta_dagger_alone(rec)})


# ------------------------------------------------------------------ the loss spike
SPIKE_TOLERANCE = {"height": 0.39, "steps_times_eps": 0.44}
"""Twice the calibration run's offsets (seed 0, η = 0.4): predicted spike 19.5% too high, 3
steps = 0.22/ε late."""


def _spike_comparisons(run) -> tuple[Comparison, ...]:
    rec, eta = run["rec"], run["eta"]
    eps = float(rec["eps"].max())
    peak, peak_pred = int(np.argmax(rec["loss"])), int(np.argmax(rec["loss_pred"]))
    above = rec["sharp"] > 2 / eta
    after = ~above[peak:]
    return (
        Comparison("predicted spike height / GD's", float(rec["loss_pred"][peak_pred]
                                                          / rec["loss"][peak]), 1.0,
                   SPIKE_TOLERANCE["height"]),
        Comparison("(predicted spike step − GD's)·ε", float(peak_pred - peak) * eps, 0.0,
                   SPIKE_TOLERANCE["steps_times_eps"]),
        Comparison("spike height / loss at the crossing", float(rec["loss"][peak]
                                                                / rec["loss"][0]), 1.0, 0.0,
                   sense=">="),
        Comparison("max S(θ_t)·η/2 (above the edge)", float(rec["sharp"].max()) * eta / 2, 1.0,
                   0.0, sense=">="),
        Comparison("S < 2/η again after the spike (steps)",
                   float(np.argmax(after)) if after.any() else math.inf,
                   float(len(after) - 1), 0.0, sense="<="),
        Comparison("S(θ_T)·η/2 (below the edge at the end)", float(rec["sharp"][-1]) * eta / 2,
                   1.0, 0.0, sense="<="),
        Comparison("max λ₂(θ_t)·η/2 (one unstable direction)", float(rec["lam2"].max()) * eta / 2,
                   1.0, 0.0, sense="<="))


@check("self_stabilization.mlp_spike_cycle", source=SOURCE,
       statement="Same net and protocol (float32 until the crossing, no injected displacement: "
                 "the paper's own start, §9), η = 0.4: one self-stabilization cycle happens "
                 "within ⌈12/ε₀⌉ steps (the loss spikes above its crossing value, the sharpness "
                 "rises above 2/η and returns below it, exactly one Hessian eigenvalue above "
                 "2/η), and the spike predicted by Theorem 1 (L(θ†_t) + x*_t²/η, from θ₀ alone) "
                 "has GD's height within 39% and its step within 0.44/ε.",
       kind="reconstruction",
       prediction_source="independent integration: PGD θ† and Definition 7's v* from θ₀ alone",
       tolerance_basis="calibrated: twice the predicted spike's offsets on seed 0, η = 0.4 "
                       "(19.5% high, 3 steps = 0.22/ε late); held out: seeds 1, 2 and "
                       "η = 0.45 (full mode also η = 0.35, seed 3); the edge comparisons are "
                       "exact inequalities",
       not_shown=SUBSTITUTE + "; only the first cycle (later cycles and the limit "
                 "(x*, y*) → (±δ, 0) are not followed)",
       violations={"prediction with η = 0.41 (GD 0.4)": {"eta_pred": 0.41},
                   "predicted dynamics with α wrong by 30%": {"alpha_factor": 1.3}})
def mlp_spike_cycle(quick: bool = True, eta: float = 0.4, eta_pred: float | None = None,
                    alpha_factor: float = 1.0) -> Outcome:
    overrides = {"eta_pred": eta_pred, "alpha_factor": alpha_factor}
    run = _get({**CALIBRATION, "eta": eta}, **overrides)
    if run["crossing"] is None:
        return _no_crossing()
    comparisons = _spike_comparisons(run)
    passed = all(c.passed for c in comparisons)
    rec = run["rec"]
    return Outcome(passed, None, None, None, comparisons=comparisons,
                   held_out=_held_out(quick, _spike_comparisons, passed, **overrides),
                   calibration_inputs=dict(CALIBRATION),
                   evidence={"first_crossing_step": run["crossing"], "steps": run["steps"],
                             "x0": float(rec["x"][0]), "peak_loss": float(rec["loss"].max()),
                             "predicted_peak_loss": float(rec["loss_pred"].max())})


# ------------------------------------------------------------------ progressive sharpening
def _sharpening(run, skip: int) -> tuple[Comparison, ...]:
    """Assumption 1 along θ† (α_t > 0, with γ_t = α_t/(‖∇L_t‖‖∇S^⊥_t‖)) and Cohen et al.'s
    ∇L·∇S < 0 at the sampled phase-1 GD iterates from sample ``skip`` on."""
    grad = _Gradient(run["obj"])
    cosines = []
    for theta in run["phase1"][skip:]:
        _, u = top_two(dense_hessian(grad, theta))
        gs, g = grad_sharpness(grad, theta, u), grad(theta)
        cosines.append(-(g @ gs) / (np.linalg.norm(g) * np.linalg.norm(gs)))
    return (Comparison("min_t γ_t along θ† (Assumption 1: α_t > 0)",
                       float(run["rec"]["gamma"].min()), 0.0, 0.0, sense=">="),
            Comparison("min −cos(∇L, ∇S) along GD before the crossing",
                       float(min(cosines)) if cosines else -math.inf, 0.0, 0.0, sense=">="))


@check("self_stabilization.mlp_progressive_sharpening",
       source=cite("damian2023", "Definition 2, Assumption 1"),
       statement="Progressive sharpening on the networks of the MLP checks: α_t = −∇L·∇S^⊥ > 0 at "
                 "every step of the constrained trajectory θ† over the tracked window "
                 "(Assumption 1), and ∇L·∇S < 0 at every sampled GD iterate (every 20 steps) "
                 "before the crossing after the first (initialization, where it can fail), on "
                 "seed 0 and the held-out seeds/step sizes.",
       kind="theorem",
       prediction_source="paper formula: the sign of ∇L·∇S (Assumption 1; Cohen et al.'s "
                         "progressive sharpening)",
       tolerance_basis="sign test with zero tolerance: ∇S by a second difference (h = 10⁻³, "
                       "error O(h²) ≈ 10⁻⁶ relative) is far below the measured |cos| ≥ 0.02",
       not_shown=SUBSTITUTE + "; at initialization ∇L·∇S > 0 on every seed tried (the first "
                 "steps flatten), so sharpening is asserted after that transient only (the "
                 "paper says 'throughout most of the optimization trajectory')",
       violations={"including the initialization (before sharpening sets in)": {"skip": 0}})
def mlp_progressive_sharpening(quick: bool = True, eta: float = 0.4, skip: int = 1) -> Outcome:
    run = _get({**CALIBRATION, "eta": eta})
    if run["crossing"] is None:
        return _no_crossing()
    comparisons = _sharpening(run, skip)
    held = _held_out(quick, lambda r: _sharpening(r, skip))
    return Outcome(all(c.passed for c in comparisons) and all(h.passed for h in held), None,
                   None, None, comparisons=comparisons, held_out=held,
                   evidence={"min_alpha": float(run["rec"]["alpha"].min()),
                             "phase1_samples": len(run["phase1"]), "skip": skip})


# ------------------------------------------------------------------ GD follows θ†, GF does not
DRIFT_TOLERANCE = 0.25
"""Relative: 1.6 × the calibration run's offset (measured/predicted GF drift 0.844)."""


def _drift(run) -> tuple[Comparison, ...]:
    rec, eta = run["rec"], run["eta"]
    # GF leaves θ† at the rate of the gradient component the projection removes, α/‖∇S^⊥‖,
    # summed along θ† alone (an independent prediction: no GF or GD iterate enters).
    drift = float(np.sum(eta * rec["alpha"][:-1] / np.sqrt(rec["beta"][:-1])))
    bar = amplitude(rec)
    delta0 = float(rec["delta"][0])
    g0 = (bar / delta0) ** 2 / 2 - 1
    tube = bar + delta0 * math.sqrt(g0 / 2)   # Corollary 1: |x*| ≤ δ̄, |y*|/√β ≤ δ√(g₀/2)
    return (Comparison("max_t ‖θ_t − θ†_t‖ (GD stays in the Corollary-1 tube)",
                       float(rec["dev_dagger"].max()), tube, 0.0, sense="<="),
            Comparison("‖θ_GF,T − θ†_T‖ (GF drifts at the removed rate)",
                       float(rec["gf_dagger"][-1]), drift, DRIFT_TOLERANCE, relative=True),
            Comparison("‖θ_T − θ†_T‖ / ‖θ_GF,T − θ†_T‖ (GD nearer θ† than GF)",
                       float(rec["dev_dagger"][-1] / rec["gf_dagger"][-1]), 1.0, 0.0,
                       sense="<="))


@check("self_stabilization.mlp_gd_tracks_constrained", source=SOURCE + ", Figure 4",
       statement="Figure 4's message on the MLP run (η = 0.4, ⌈12/ε₀⌉ steps after the "
                 "crossing): GD stays within the Corollary-1 tube δ̄ + δ₀√(g₀/2) of the "
                 "constrained trajectory θ† at every step, while gradient flow (⌈ηS⌉ Euler "
                 "sub-steps per step, §9) drifts away from θ† by Σ_t η α_t/‖∇S^⊥_t‖ (the "
                 "sharpening component the projection removes, summed along θ† alone), and ends "
                 "farther from θ† than GD.",
       kind="reconstruction",
       prediction_source="independent integration: PGD θ† with α_t, ∇S^⊥_t along it; the tube "
                         "from Corollary 1 at the start",
       tolerance_basis="calibrated: the drift's 25% relative (1.6 × the 15.6% of seed 0, "
                       "η = 0.4; the first-order drift ignores the turning of ∇S^⊥); held out: "
                       "seeds 1, 2, η = 0.45; the tube and the ratio 1 are fixed",
       not_shown=SUBSTITUTE + "; a fixed 'much smaller' factor: GD/GF distance ratios at T are "
                 "0.14-0.55; GF is followed for one window only",
       violations={"θ† constrained at 2/0.45 while GD runs at 0.4": {"eta_pred": 0.45}})
def mlp_gd_tracks_constrained(quick: bool = True, eta: float = 0.4,
                              eta_pred: float | None = None) -> Outcome:
    run = _get({**CALIBRATION, "eta": eta}, eta_pred=eta_pred)
    if run["crossing"] is None:
        return _no_crossing()
    comparisons = _drift(run)
    passed = all(c.passed for c in comparisons)
    return Outcome(passed, None, None, None, comparisons=comparisons,
                   held_out=_held_out(quick, _drift, passed, eta_pred=eta_pred),
                   calibration_inputs=dict(CALIBRATION),
                   evidence={"steps": run["steps"], "gd_distance_T": float(
                       run["rec"]["dev_dagger"][-1]), "gf_distance_T": float(
                       run["rec"]["gf_dagger"][-1])})
