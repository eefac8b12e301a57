r"""Central-flow checks on networks (Cohen, Damian, Talwalkar, Kolter & Lee, ICLR 2025): GD is
run until its sharpness nears 2/η, and the network central flow
(:func:`eosmath.nn.central_flow`) and gradient flow are integrated from that iterate; GD is
then compared with them (never the other way round).

- ``central_flow.chebyshev_net``: the Chebyshev tanh net of Cohen et al.'s progressive-
  sharpening experiments, after GD's first catapult;
- ``central_flow.digits_mlp``: a tanh MLP on 200 8×8 digits at η = 0.6, from the step where
  GD's period-2 oscillation along the top eigenvector has developed (a rule fixed in advance:
  :func:`developed_oscillation_start`), the flows started from GD's two-step average there.
  An earlier version (η = 0.5, flows started where ηS/2 first reached 0.95, window the second
  half of 800 steps) was not registered: its held-out runs failed (distance ratios 6.2, 10.0,
  2.9), because GD there touched the edge for hundreds of steps without oscillating, staying
  within 0.003 of gradient flow, while the flow's σ² moved it 0.016–0.028 away;
- :func:`two_at_edge_comparisons` (not registered; why in its docstring): the Chebyshev net at
  η = 0.3, where two eigenvalues sit at 2/η together, against the matrix case (k = 2).

A quick verdict of either check trains four networks and integrates four network central
flows (chebyshev_net 70–130 s, digits_mlp 301 s, both on 2 busy cores): the slow suite runs
them (tests/theory/heavy_checks.py).

Every check takes ``flow_eta_factor``: the flow is integrated with step factor × η while GD
uses η, and a 10 % error (1.1) is a declared violation that must fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from eosmath import nn
from eosmath.dynamics.central_flow import time_average
from eosmath.errors import InvalidInputError
from eosmath.references import cite
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome

SOURCE = cite("cohen2025")
ETA_OFF = {"flow_eta_factor": 1.1}


def digits_objective(seed: int = 0, n: int = 200, width: int = 16):
    """The digits MLP of these checks: 64 → 16 → 16 → 10 tanh, biases on, MSE ½·mean‖f − y‖²
    on 200 digits, PyTorch's default Linear init (uniform on ±1/√fan_in) drawn from NumPy.

    The recipe of :func:`eosmath.theory.progressive_sharpening.digits_objective`, narrower
    (width 16, not 32): a network central flow needs ~100 gradients per sub-step.

    >>> obj, theta = digits_objective()
    >>> obj.n_params, theta.shape
    (1482, (1482,))
    """
    from eosmath.theory.progressive_sharpening import digits_mlp_objective

    return digits_mlp_objective(n, width, seed)


def _objective(problem: str, seed: int):
    from eosmath.theory.progressive_sharpening import chebyshev_objective

    if problem == "chebyshev":
        return chebyshev_objective(seed=seed)
    if problem == "digits":
        return digits_objective(seed=seed)
    raise ValueError(f"unknown network problem {problem!r}")


@dataclass(frozen=True)
class _Segment:
    """GD from where its ``rank``-th eigenvalue first reached ``pre``·2/η (``start_step``),
    ``steps`` more steps (rows of ``gd``), gradient flow from the same iterate at GD's times,
    GD's losses, and the top eigenvalues of GD's iterates every ``eig_every`` steps."""

    objective: object
    gd: np.ndarray
    gf: np.ndarray
    loss: np.ndarray
    start_step: int
    eig_steps: np.ndarray
    eigenvalues: np.ndarray


@lru_cache(maxsize=16)
def _segment(problem: str, eta: float, seed: int, steps: int, pre: float = 0.95,
             rank: int = 1, eig_every: int = 5) -> _Segment | None:
    """GD's part of a comparison; cached because it does not depend on the flow's η (the
    violation runs and the tests reuse it). None when GD never reaches the edge."""
    from scipy.integrate import solve_ivp

    obj, theta = _objective(problem, seed)
    v0 = None
    for i in range(40000):
        if i % 10 == 0:
            if not np.all(np.isfinite(theta)):
                raise InvalidInputError(f"GD with η = {eta:g} diverged before step {i}, "
                                        "before reaching the edge")
            r = nn.top_eigenpairs(obj, theta, k=rank, v0=v0)
            v0 = r.eigenvectors
            if eta * r.eigenvalues[rank - 1] / 2 >= pre:
                break
        theta = theta - eta * obj.grad(theta)
    else:
        return None
    gd = [theta.copy()]
    for _ in range(steps):
        theta = theta - eta * obj.grad(theta)
        gd.append(theta.copy())
    gd = np.asarray(gd)
    finite = np.all(np.isfinite(gd), axis=1)
    if not finite.all():
        raise InvalidInputError(f"GD with η = {eta:g} diverged {int(np.argmin(finite))} steps "
                                "after reaching the edge: no central flow to compare with")
    gf = solve_ivp(lambda _t, x: -obj.grad(x), (0, eta * steps), gd[0],
                   t_eval=eta * np.arange(steps + 1), rtol=1e-9, atol=1e-12).y.T
    eig_steps = np.arange(0, steps + 1, eig_every)
    eigs, v0 = [], None
    for t in eig_steps:
        r = nn.top_eigenpairs(obj, gd[t], k=rank, v0=v0)
        v0 = r.eigenvectors
        eigs.append(r.eigenvalues)
    loss = np.array([float(obj.value(t)) for t in gd])
    return _Segment(obj, gd, gf, loss, i, eig_steps, np.asarray(eigs))


def _flow_at_gd_steps(seg: _Segment, eta: float, factor: float, substeps: int, k: int):
    """The central flow of step factor·η from GD's first iterate, and the indices of its
    samples nearest GD's times (GD step j is at τ = η·j, flow sample m at τ = factor·η·m)."""
    steps = len(seg.gd) - 1
    cf = nn.central_flow(seg.objective, eta * factor, seg.gd[0], t_max=eta * steps,
                         substeps=substeps, k=k)
    idx = np.clip(np.rint(np.arange(steps + 1) / factor).astype(int), 0, len(cf.t) - 1)
    return cf, idx


# ---------------------------------------------------------------------------------------------
# The Chebyshev tanh net (1-100-1) after its first catapult

def _first_catapult(seg: _Segment, burst: float = 100.0) -> int | None:
    """GD's first step whose displacement exceeds ``burst`` × the median of the first 50."""
    moves = np.linalg.norm(np.diff(seg.gd, axis=0), axis=1)
    bursts = np.flatnonzero(moves > burst * np.median(moves[:50]))
    return int(bursts[0]) if len(bursts) else None


def _chebyshev_stats(eta, seed, factor, steps=1600, substeps=2):
    """Statistics over the window from GD's first catapult to the end (None when GD never
    reaches the edge or never catapults), and facts for the evidence."""
    seg = _segment("chebyshev", eta, seed, steps)
    if seg is None:
        return None, {"reached_edge": False}
    first = _first_catapult(seg)
    if first is None:
        return None, {"start_step": seg.start_step, "catapult": None}
    cf, idx = _flow_at_gd_steps(seg, eta, factor, substeps, k=1)
    avg = time_average(seg.gd, 2)
    to_flow = np.linalg.norm(avg - time_average(cf.theta[idx], 2), axis=1)
    to_gf = np.linalg.norm(avg - time_average(seg.gf, 2), axis=1)
    w = slice(first, steps)
    in_window = (seg.eig_steps >= first) & (seg.eig_steps < steps)
    stats = {"distance_ratio": float(to_flow[w].mean() / to_gf[w].mean()),
             "gd_mean_loss": float(seg.loss[w].mean()),
             "predicted_mean_loss": float(cf.predicted_loss[idx][w].mean()),
             "flow_mean_loss": float(cf.loss[idx][w].mean()),
             "gd_eos_ratio": float(np.mean(eta * seg.eigenvalues[in_window, 0] / 2)),
             "flow_eos_ratio": float(np.mean(eta * cf.eigenvalues[idx][w, 0] / 2))}
    return stats, {"start_step": seg.start_step, "catapult_after": first,
                   "window_steps": steps, "mean_distance_to_flow": float(to_flow[w].mean()),
                   "mean_distance_to_gf": float(to_gf[w].mean()),
                   "third_relative_error": cf.diagnostics["third_relative_error"],
                   "eigensolver_converged": cf.diagnostics["eigensolver_converged"]}


CHEBYSHEV_FACTOR = 0.25
CHEBYSHEV_SHARPNESS_TOLERANCE = 0.03
CHEBYSHEV_LOSS_TOLERANCE = 0.15
CHEBYSHEV_CALIBRATION = {"eta": 0.2, "seed": 0}
CHEBYSHEV_HELD_OUT = ({"eta": 0.25, "seed": 0}, {"eta": 0.2, "seed": 1}, {"eta": 0.2, "seed": 2})


def chebyshev_comparisons(eta: float = 0.2, seed: int = 0, flow_eta_factor: float = 1.0,
                          steps: int = 1600, substeps: int = 2
                          ) -> tuple[tuple[Comparison, ...], dict]:
    """The comparisons of ``central_flow.chebyshev_net`` on one run (η, init seed), and
    its statistics and facts."""
    stats, facts = _chebyshev_stats(eta, seed, flow_eta_factor, steps, substeps)
    return _flow_comparisons(stats, facts, "GD reached the edge and catapulted",
                             CHEBYSHEV_FACTOR, CHEBYSHEV_SHARPNESS_TOLERANCE,
                             CHEBYSHEV_LOSS_TOLERANCE)


def _flow_comparisons(stats, facts, reached: str, factor: float, sharpness_tolerance: float,
                      loss_tolerance: float) -> tuple[tuple[Comparison, ...], dict]:
    """The three comparisons of a network check (distance ratio, mean ηS/2, mean loss), or
    one failing comparison named ``reached`` when GD never got to the window."""
    if stats is None:
        return (Comparison(reached, 0, 1, 0, sense=">="),), facts
    return (Comparison("mean distance to flow / to GF", stats["distance_ratio"], factor, 0.0,
                       sense="<="),
            Comparison("GD's mean ηS/2", stats["gd_eos_ratio"], stats["flow_eos_ratio"],
                       sharpness_tolerance),
            Comparison("GD's mean loss", stats["gd_mean_loss"], stats["predicted_mean_loss"],
                       loss_tolerance, relative=True)), {**stats, **facts}


@check("central_flow.chebyshev_net", source=SOURCE,
       statement="On the Chebyshev tanh net (1-100-1, T₃ at 20 points, MSE; Cohen et al.'s "
                 "progressive-sharpening setting), GD with η = 0.2 is compared with the central "
                 "flow and gradient flow started from GD's iterate where ηS/2 first reaches "
                 "0.95. Over the window from GD's first catapult to step 1600: the mean "
                 "distance of GD's two-step average to the central flow is at most 1/4 of its "
                 "mean distance to gradient flow, GD's mean ηS/2 equals the flow's within 0.03, "
                 "and GD's mean loss equals the flow's predicted loss L + ½⟨UᵀHU, X⟩ within 15 %",
       kind="theorem",
       prediction_source="independent integration: the network central flow (k = 1, Lanczos "
                         "on finite-difference HVPs, ∇³L by Richardson second differences) and "
                         "gradient flow (RK45, rtol 1e-9) from GD's iterate at ηS/2 = 0.95",
       tolerance_basis="calibrated: factor 1/4, 0.03 and 15 % fixed on (η = 0.2, init seed 0), "
                       "measured 0.185, 0.010, 3.9 %; held out (0.25, 0), (0.2, 1), (0.2, 2), "
                       "run by the check",
       not_shown="the paper's CIFAR networks (a 300-parameter substitute); the stretch before "
                 "the first catapult, where GD still follows gradient flow while the flow is "
                 "already on the edge; windows shorter than ~1000 steps after the catapult, "
                 "dominated by its transient; the flow's predicted loss alone does not pin η "
                 "down (off by 10 % it is still within 2.4 %)",
       violations={"flow eta off by 10%": ETA_OFF})
def chebyshev_net(quick: bool = True, eta: float = 0.2, seed: int = 0,
                  flow_eta_factor: float = 1.0) -> Outcome:
    return _network_outcome(chebyshev_comparisons, CHEBYSHEV_HELD_OUT, CHEBYSHEV_CALIBRATION,
                            flow_eta_factor, eta=eta, seed=seed)


def _network_outcome(compare, held_out, calibration, flow_eta_factor, **inputs) -> Outcome:
    """The verdict of a network check: ``compare`` on its own inputs and on each held-out one
    (the flow's η scaled by ``flow_eta_factor`` in all of them)."""
    comparisons, facts = compare(**inputs, flow_eta_factor=flow_eta_factor)
    held = []
    for other in held_out:
        c, _ = compare(**other, flow_eta_factor=flow_eta_factor)
        held.append(HeldOut(other, all(x.passed for x in c),
                            {x.quantity: x.measured for x in c}))
    return Outcome(passed=True, measured=None, predicted=None, tolerance=None,
                   comparisons=comparisons, held_out=tuple(held),
                   calibration_inputs=calibration, evidence=facts)


# ---------------------------------------------------------------------------------------------
# Two eigenvalues at the edge on the Chebyshev net: the matrix case (k = 2)

def _two_at_edge_stats(eta, seed, factor, steps=1500, substeps=2, single=False):
    """GD from where ηλ₂/2 first reaches 0.9 against the k = 2 central flow (and, with
    ``single``, the k = 1 flow) over the second half of ``steps``; None when λ₂ never gets
    there. Statistics: mean distances of GD's two-step average to the flow and to gradient
    flow, GD's and the flow's mean ηλᵢ/2, GD's mean loss and the predicted one, and the share
    of the window in which the flow's X has rank 2."""
    seg = _segment("chebyshev", eta, seed, steps, pre=0.9, rank=2)
    if seg is None:
        return None, {"reached_edge": False}
    cf, idx = _flow_at_gd_steps(seg, eta, factor, substeps, k=2)
    avg = time_average(seg.gd, 2)
    w = slice(steps // 2, steps)
    in_window = (seg.eig_steps >= steps // 2) & (seg.eig_steps < steps)

    def distance(flow, where):
        return float(np.linalg.norm(avg - time_average(flow.theta[where], 2), axis=1)[w].mean())

    x = cf.X[idx][w]
    stats = {"to_flow": distance(cf, idx),
             "to_gf": float(np.linalg.norm(avg - time_average(seg.gf, 2), axis=1)[w].mean()),
             "gd_eos_ratios": (eta * seg.eigenvalues[in_window].mean(axis=0) / 2).tolist(),
             "flow_eos_ratios": (eta * cf.eigenvalues[idx][w].mean(axis=0) / 2).tolist(),
             "gd_mean_loss": float(seg.loss[w].mean()),
             "predicted_mean_loss": float(cf.predicted_loss[idx][w].mean()),
             "flow_mean_loss": float(cf.loss[idx][w].mean()),
             "rank2_share": float(np.mean((x[:, 0, 0] > 1e-12) & (x[:, 1, 1] > 1e-12))),
             "largest_offdiagonal_X": float(np.max(np.abs(x[:, 0, 1]) /
                                                   np.maximum(np.trace(x, axis1=1, axis2=2),
                                                              1e-300)))}
    facts = {"start_step": seg.start_step, "window_steps": [steps // 2, steps],
             "third_relative_error": cf.diagnostics["third_relative_error"],
             "eigensolver_converged": cf.diagnostics["eigensolver_converged"],
             "sdcp_residual": cf.diagnostics["sdcp_residual"]}
    if single:
        one, idx1 = _flow_at_gd_steps(seg, eta, factor, substeps, k=1)
        facts["to_single_eigenvalue_flow"] = distance(one, idx1)
        facts["single_eigenvalue_flow_predicted_loss"] = float(one.predicted_loss[idx1][w].mean())
    return stats, facts


TWO_AT_EDGE_FACTOR = 0.25
TWO_AT_EDGE_SHARPNESS_TOLERANCE = 0.05
TWO_AT_EDGE_RANK2_SHARE = 0.9
TWO_AT_EDGE_CALIBRATION = {"eta": 0.3, "seed": 0}
TWO_AT_EDGE_HELD_OUT = ({"eta": 0.3, "seed": 2}, {"eta": 0.3, "seed": 3},
                        {"eta": 0.35, "seed": 0})


def two_at_edge_comparisons(eta: float = 0.3, seed: int = 0, flow_eta_factor: float = 1.0,
                            single: bool = False) -> tuple[tuple[Comparison, ...], dict]:
    """The matrix case on a network: on the Chebyshev tanh net at η = 0.3, where GD's two top
    eigenvalues both hover at 2/η, the central flow with k = 2 (X a 2×2 PSD matrix from the
    semidefinite complementarity problem) started from GD's iterate where ηλ₂/2 first reaches
    0.9, against GD over steps 750–1500 of the run (η, init seed). ``single``: also the k = 1
    flow's distance and predicted loss, for contrast. Returns the comparisons, statistics and
    facts.

    Not a registered check, for two measured reasons. Constants fixed on (0.3, seed 0), where
    they pass (distance ratio 0.074 ≤ 1/4, GD's mean ηλᵢ/2 1.027 and 0.977 against 1 ± 0.05,
    loss 0.2 % off within 15 %, X of rank 2 on 100 % ≥ 90 % of the window); held out, (0.3, 3)
    and (0.35, 0) pass but (0.3, 2) fails: there the flow's λ₂ reaches the edge hundreds of
    steps before GD's does (steps 1125–1500: the flow's ηλ₂/2 0.993, GD's 0.940; X of rank 2 on
    25 % of the window). And the matrix case is not needed to follow GD here: X stays nearly
    diagonal (|X₁₂| ≤ 5e-4·tr X) and the single-eigenvalue flow, switching between the two top
    eigenvectors, is as close to GD (mean distance 0.1129 against 0.1135 for k = 2, predicted
    losses within 0.03 %). The symbolic matrix case is checked by ``central_flow.two_products``.
    """
    stats, facts = _two_at_edge_stats(eta, seed, flow_eta_factor, single=single)
    if stats is None:
        return (Comparison("GD's λ₂ reached 0.9·2/η", 0, 1, 0, sense=">="),), facts
    gd, flow = stats["gd_eos_ratios"], stats["flow_eos_ratios"]
    return (Comparison("mean distance to flow / to GF", stats["to_flow"] / stats["to_gf"],
                       TWO_AT_EDGE_FACTOR, 0.0, sense="<="),
            Comparison("GD's mean ηλ₁/2", gd[0], flow[0], TWO_AT_EDGE_SHARPNESS_TOLERANCE),
            Comparison("GD's mean ηλ₂/2", gd[1], flow[1], TWO_AT_EDGE_SHARPNESS_TOLERANCE),
            Comparison("GD's mean loss", stats["gd_mean_loss"], stats["predicted_mean_loss"],
                       CHEBYSHEV_LOSS_TOLERANCE, relative=True),
            Comparison("share of the window with X of rank 2", stats["rank2_share"],
                       TWO_AT_EDGE_RANK2_SHARE, 0.0, sense=">=")), {**stats, **facts}


# ---------------------------------------------------------------------------------------------
# The digits MLP (64-16-16-10 tanh on 200 8×8 digits)

@dataclass(frozen=True)
class _OscillatingSegment:
    """GD from the first step of its developed oscillation (``start_step``): ``centres``, the
    two-step averages of GD's iterates from there (row j is the centre of steps start + j and
    start + j + 1), gradient flow from ``centres[0]`` at the same times, GD's losses, and the
    top eigenvalues of GD's iterates every ``eig_every`` steps (``eig_steps``, from start)."""

    objective: object
    centres: np.ndarray
    gf: np.ndarray
    loss: np.ndarray
    start_step: int
    eig_steps: np.ndarray
    eigenvalues: np.ndarray


def developed_oscillation_start(iterates, directions, share: float = 0.5,
                                run: int = 20) -> int | None:
    """The first step t, among those where ``directions`` gives a unit vector (a dict step →
    the top Hessian eigenvector at GD's iterate t, only where ηS/2 ≥ 0.95), from which each of
    the next ``run`` GD displacements lies mostly along it: |⟨θ_{s+1} − θ_s, u_t⟩| ≥ ``share``
    · ‖θ_{s+1} − θ_s‖ for s = t … t + run − 1. A developed period-2 oscillation along u
    dominates GD's step; while GD only touches the edge its step is the gradient's, nearly
    orthogonal to u. None when no such step exists.

    >>> u = np.array([1.0, 0.0])
    >>> drift = [np.array([0.0, 0.01 * s]) for s in range(40)]
    >>> bounce = [x + np.array([0.1 * (-1) ** s * (s >= 12), 0.0]) for s, x in enumerate(drift)]
    >>> developed_oscillation_start(np.array(bounce), {0: u, 10: u, 12: u}, run=20)
    12
    """
    moves = np.diff(np.asarray(iterates), axis=0)
    for t in sorted(directions):
        block = moves[t:t + run]
        if len(block) < run:
            break
        along = np.abs(block @ directions[t])
        if np.all(along >= share * np.linalg.norm(block, axis=1)):
            return int(t)
    return None


@lru_cache(maxsize=16)
def _oscillating_segment(problem: str, eta: float, seed: int, steps: int,
                         max_wait: int = 3000, probe_every: int = 10,
                         eig_every: int = 5) -> _OscillatingSegment | None:
    """GD's part of an oscillation-window comparison (cached: independent of the flow's η).
    None when GD's oscillation does not develop within ``max_wait`` steps."""
    from scipy.integrate import solve_ivp

    obj, theta = _objective(problem, seed)
    iterates = [theta]
    for i in range(max_wait + steps + 1):
        theta = theta - eta * obj.grad(theta)
        if not np.all(np.isfinite(theta)):
            raise InvalidInputError(f"GD with η = {eta:g} diverged at step {i + 1}: no central "
                                    "flow to compare with")
        iterates.append(theta)
    iterates = np.asarray(iterates)
    directions, v0 = {}, None
    for t in range(0, max_wait + 1, probe_every):
        r = nn.top_eigenpairs(obj, iterates[t], k=1, v0=v0)
        v0 = r.eigenvectors
        if eta * r.eigenvalues[0] / 2 >= 0.95:
            directions[t] = r.eigenvectors[:, 0]
    start = developed_oscillation_start(iterates[:max_wait + DIGITS_OSCILLATION_RUN + 1],
                                        directions, DIGITS_OSCILLATION_SHARE,
                                        DIGITS_OSCILLATION_RUN)
    if start is None:
        return None
    gd = iterates[start:start + steps + 2]
    centres = time_average(gd, 2)
    gf = solve_ivp(lambda _t, x: -obj.grad(x), (0, eta * steps), centres[0],
                   t_eval=eta * np.arange(steps + 1), rtol=1e-9, atol=1e-12).y.T
    eig_steps = np.arange(0, steps + 1, eig_every)
    eigs, v0 = [], None
    for t in eig_steps:
        r = nn.top_eigenpairs(obj, gd[t], k=2, v0=v0)
        v0 = r.eigenvectors
        eigs.append(r.eigenvalues)
    loss = np.array([float(obj.value(x)) for x in gd[:steps + 1]])
    return _OscillatingSegment(obj, centres, gf, loss, start, eig_steps, np.asarray(eigs))


def _digits_stats(eta, seed, factor, steps=800, substeps=2):
    """GD's two-step averages over ``steps`` steps from the start of its developed oscillation
    against the k = 2 central flow and gradient flow from GD's first centre there."""
    seg = _oscillating_segment("digits", eta, seed, steps)
    if seg is None:
        return None, {"developed_oscillation": False}
    cf = nn.central_flow(seg.objective, eta * factor, seg.centres[0], t_max=eta * steps,
                         substeps=substeps, k=2)
    idx = np.clip(np.rint(np.arange(steps + 1) / factor).astype(int), 0, len(cf.t) - 1)
    to_flow = np.linalg.norm(seg.centres - cf.theta[idx], axis=1)
    to_gf = np.linalg.norm(seg.centres - seg.gf, axis=1)
    x = cf.X[idx]
    stats = {"distance_ratio": float(to_flow.mean() / to_gf.mean()),
             "gd_mean_loss": float(seg.loss.mean()),
             "predicted_mean_loss": float(cf.predicted_loss[idx].mean()),
             "flow_mean_loss": float(cf.loss[idx].mean()),
             "gd_eos_ratio": float(np.mean(eta * seg.eigenvalues[:, 0] / 2)),
             "flow_eos_ratio": float(np.mean(eta * cf.eigenvalues[idx][:, 0] / 2)),
             "rank2_share": float(np.mean((x[:, 0, 0] > 1e-12) & (x[:, 1, 1] > 1e-12)))}
    return stats, {"start_step": seg.start_step, "window_steps": steps,
                   "mean_distance_to_flow": float(to_flow.mean()),
                   "mean_distance_to_gf": float(to_gf.mean()),
                   "third_relative_error": cf.diagnostics["third_relative_error"],
                   "eigensolver_converged": cf.diagnostics["eigensolver_converged"],
                   "hvp_matvecs": cf.diagnostics["hvp_matvecs"]}


DIGITS_OSCILLATION_SHARE = 0.5   # fixed before any comparison: the step is mostly along u
DIGITS_OSCILLATION_RUN = 20
DIGITS_FACTOR = 0.25             # calibrated on (0.6, 0), measured 0.042
DIGITS_SHARPNESS_TOLERANCE = CHEBYSHEV_SHARPNESS_TOLERANCE   # measured 0.002
DIGITS_LOSS_TOLERANCE = 0.03     # measured 0.4 %; the flow's own loss is 7.6 % below GD's
# Held out, constants unchanged: distance ratios 0.146, 0.083, 0.064; ηS/2 off by 0.002, 0.008,
# 0.004; loss off by 2.7 %, 0.6 %, 1.2 %. Flow η × 1.1 on (0.6, 0): ratio 0.76, flow ηS/2 0.909
# against GD's 1.002, predicted loss 7.9 % above GD's: all three comparisons fail.
DIGITS_CALIBRATION = {"eta": 0.6, "seed": 0}
DIGITS_HELD_OUT = ({"eta": 0.6, "seed": 1}, {"eta": 0.6, "seed": 2}, {"eta": 0.7, "seed": 1})


def digits_comparisons(eta: float = 0.6, seed: int = 0, flow_eta_factor: float = 1.0
                       ) -> tuple[tuple[Comparison, ...], dict]:
    """The comparisons of ``central_flow.digits_mlp`` on one run (η, init seed): GD on the
    digits MLP (:func:`digits_objective`) from the first step of its developed oscillation
    (:func:`developed_oscillation_start`) against the central flow (k = 2) and gradient flow
    from GD's two-step average there, over the next 800 steps; and its statistics and facts.
    """
    stats, facts = _digits_stats(eta, seed, flow_eta_factor)
    return _flow_comparisons(stats, facts, "GD's oscillation developed", DIGITS_FACTOR,
                             DIGITS_SHARPNESS_TOLERANCE, DIGITS_LOSS_TOLERANCE)


@check("central_flow.digits_mlp", source=SOURCE,
       statement="On a 64-16-16-10 tanh MLP trained with MSE on 200 8×8 digits by GD with η = 0.6"
                 " (progressive sharpening: ηS/2 = 0.73 at seed 0's init), GD's oscillation is "
                 "called developed from the first step t (probed every 10 steps where ηS/2 ≥ "
                 "0.95) after which each of 20 GD steps lies at least half along the top Hessian "
                 "eigenvector at t, a rule fixed before any comparison. From GD's two-step "
                 "average there, the central flow (k = 2) and gradient flow are integrated; over "
                 "the next 800 steps the mean distance of GD's two-step average to the central "
                 "flow is at most 1/4 of its mean distance to gradient flow, GD's mean ηS/2 "
                 "equals the flow's within 0.03, and GD's mean loss equals the flow's predicted "
                 "loss L + ½⟨UᵀHU, X⟩ within 3 %",
       kind="theorem",
       prediction_source="independent integration: the network central flow (k = 2, Lanczos "
                         "on finite-difference HVPs, ∇³L by Richardson second differences) and "
                         "gradient flow (RK45, rtol 1e-9) from GD's two-step average at the "
                         "start of its developed oscillation",
       tolerance_basis="calibrated: factor 1/4, 0.03 and 3 % fixed on (η = 0.6, init seed 0), "
                       "measured 0.042, 0.002, 0.4 %; held out (0.6, 1), (0.6, 2), (0.7, 1), "
                       "run by the check",
       not_shown="the paper's CIFAR networks (a 1482-parameter substitute on 200 digits); GD "
                 "before its oscillation develops (there the flow is already on the edge while "
                 "GD still follows gradient flow: the former digits comparison at η = 0.5 "
                 "failed its held-out runs for that reason); windows longer than 800 steps",
       violations={"flow eta off by 10%": ETA_OFF})
def digits_mlp(quick: bool = True, eta: float = 0.6, seed: int = 0,
               flow_eta_factor: float = 1.0) -> Outcome:
    return _network_outcome(digits_comparisons, DIGITS_HELD_OUT, DIGITS_CALIBRATION,
                            flow_eta_factor, eta=eta, seed=seed)
