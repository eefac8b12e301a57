r"""Central-flow checks on networks (Cohen, Damian, Talwalkar, Kolter & Lee, ICLR 2025): GD is
run until its sharpness nears 2/η, and the network central flow
(:func:`eosmath.nn.central_flow`) and gradient flow are integrated from that iterate; GD is
then compared with them (never the other way round).

- ``central_flow.chebyshev_net``: the Chebyshev tanh net of Cohen et al.'s progressive-
  sharpening experiments, after GD's first catapult.

Every check takes ``flow_eta_factor``: the flow is integrated with step factor × η while GD
uses η, and a 10 % error (1.1) is a declared violation that must fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from eosmath import nn
from eosmath.dynamics.central_flow import time_average
from eosmath.references import cite
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome

SOURCE = cite("cohen2025")
ETA_OFF = {"flow_eta_factor": 1.1}


def _objective(problem: str, seed: int):
    from eosmath.theory.progressive_sharpening import chebyshev_objective

    if problem == "chebyshev":
        return chebyshev_objective(seed=seed)
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
    if stats is None:
        return (Comparison("GD reached the edge and catapulted", 0, 1, 0, sense=">="),), facts
    return (Comparison("mean distance to flow / to GF", stats["distance_ratio"],
                       CHEBYSHEV_FACTOR, 0.0, sense="<="),
            Comparison("GD's mean ηS/2", stats["gd_eos_ratio"], stats["flow_eos_ratio"],
                       CHEBYSHEV_SHARPNESS_TOLERANCE),
            Comparison("GD's mean loss", stats["gd_mean_loss"], stats["predicted_mean_loss"],
                       CHEBYSHEV_LOSS_TOLERANCE, relative=True)), {**stats, **facts}


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
       not_shown="the paper's CIFAR networks (a 301-parameter substitute); the stretch before "
                 "the first catapult, where GD still follows gradient flow while the flow is "
                 "already on the edge; windows shorter than ~1000 steps after the catapult, "
                 "dominated by its transient; the flow's predicted loss alone does not pin η "
                 "down (off by 10 % it is still within 2.4 %)",
       violations={"flow eta off by 10%": ETA_OFF})
def chebyshev_net(quick: bool = True, eta: float = 0.2, seed: int = 0,
                  flow_eta_factor: float = 1.0) -> Outcome:
    comparisons, facts = chebyshev_comparisons(eta, seed, flow_eta_factor)
    held = []
    for inputs in CHEBYSHEV_HELD_OUT:
        c, f = chebyshev_comparisons(**inputs, flow_eta_factor=flow_eta_factor)
        held.append(HeldOut(inputs, all(x.passed for x in c),
                            {x.quantity: x.measured for x in c}))
    return Outcome(passed=True, measured=None, predicted=None, tolerance=None,
                   comparisons=comparisons, held_out=tuple(held),
                   calibration_inputs=CHEBYSHEV_CALIBRATION, evidence=facts)
