"""Checks of the minimalist product model ℓ(xy) (Ahn et al., NeurIPS 2023; seed 000 slides).

spec/minimalist_product.md part A. GF conserves x² − y²; GD multiplies it by (1 − η²ℓ'²) each
step; GD converges to (0, y∞) with y∞² ≈ R − ηΔℓ when R = y₀² − x₀² < 2/η (GF regime) and
y∞² ≈ 2/η − η/(2β) when R > 2/η (EoS regime).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from eosmath import ETA, models
from eosmath.symbolic.model import Model
from eosmath.theory._iterate import mp_trajectory, sharpness_along, trajectory
from eosmath.theory.registry import check
from eosmath.theory.verdict import Outcome, Recheck

SOURCE = "Ahn et al. (NeurIPS 2023), seed 000 slides; spec/minimalist_product.md"
LIPSCHITZ_LOSSES = ("logcosh", "sqrt", "symmetric_logistic")


def _ell_prime(model: Model):
    x, y = model.params
    s = sp.Symbol("s", real=True)
    ell = model.loss.subs(x, s).subs(y, 1)      # ℓ(s) = f(s, 1)
    return sp.lambdify(s, sp.diff(ell, s), "numpy"), sp.diff(ell, s), s


def _limit(model: Model, theta0, eta: float, max_steps: int, tol: float = 1e-13):
    """GD until |x| < tol (returns θ_T, T, converged) — the product model's convergence."""
    tr = trajectory(model, theta0, eta, max_steps)
    small = np.nonzero(np.abs(tr[:, 0]) < tol)[0]
    if len(small):
        return tr[small[0]], int(small[0]), True
    return tr[-1], len(tr) - 1, False


def _mp_final_y2(model: Model, theta0, eta: float, steps: int, dps: int = 50):
    """y_T² and x_T of a ``dps``-digit GD run of ``steps`` steps (the float run's length)."""
    last = mp_trajectory(model, theta0, eta, steps, dps)[-1]
    return last[1] ** 2, last[0]


@check("product.invariant_lines", source=SOURCE + " A.4",
       statement="For ℓ even, the axes x = 0, y = 0 and the diagonals y = ±x are invariant "
                 "under every GD map (symbolic search of model.invariant_subspaces()).")
def product_invariant_lines(quick: bool = True, model=None) -> Outcome:
    model = model or models.get("product", ell="logcosh")
    found = sorted(str(s) for s in model.invariant_subspaces())
    predicted = sorted(["x = 0", "y = 0", "x - y = 0", "x + y = 0"])
    # Numeric companion: a diagonal start stays on the diagonal to the last bit.
    tr = trajectory(model, [0.8, 0.8], 0.3, 200)
    drift = float(np.max(np.abs(tr[:, 0] - tr[:, 1])))
    passed = set(predicted) <= set(found) and drift == 0.0
    return Outcome(passed, measured=found, predicted=predicted, tolerance="exact",
                   evidence={"diagonal_drift_200_steps": drift})


@check("product.gf_conserved", source=SOURCE + " A.5",
       statement="Gradient flow on ℓ(xy) conserves x² − y²: ∇(x² − y²)·∇f ≡ 0 (symbolic), and "
                 "the polynomial search model.conserved_quantities finds it.")
def product_gf_conserved(quick: bool = True, model=None) -> Outcome:
    model = model or models.get("product", ell="logcosh")
    x, y = model.params
    q = x**2 - y**2
    rate = sp.simplify(sum(sp.diff(q, p) * g for p, g in zip(model.params, model.gradient(),
                                                              strict=True)))
    found = [str(c) for c in model.conserved_quantities(2)]
    passed = rate == 0 and any(sp.simplify(sp.sympify(c, locals={"x": x, "y": y}) - q) == 0
                               or sp.simplify(sp.sympify(c, locals={"x": x, "y": y}) + q) == 0
                               for c in found)
    return Outcome(passed, measured=str(rate), predicted="0", tolerance="exact",
                   evidence={"conserved_quantities": found})


@check("product.gd_identity", source=SOURCE + " A.5",
       statement="One GD step on ℓ(xy) satisfies x⁺² − y⁺² = (1 − η²ℓ'(xy)²)(x² − y²) exactly "
                 "(SymPy), and per step along a run to 1e-12 relative.")
def product_gd_identity(quick: bool = True, ell: str = "logcosh", eta: float = 0.1,
                        theta0=(1.0, 5.0), eta_power: int = 2) -> Outcome:
    model = models.get("product", ell=ell)
    x, y = model.params
    fx, fy = model.gd_map()
    dl_num, dl_sym, s = _ell_prime(model)
    claim = (1 - ETA**eta_power * dl_sym.subs(s, x * y) ** 2) * (x**2 - y**2)
    symbolic = sp.simplify(sp.expand(fx**2 - fy**2 - claim)) == 0
    tr = trajectory(model, theta0, eta, 400 if quick else 4000)
    q = tr[:, 0] ** 2 - tr[:, 1] ** 2
    factor = 1 - eta**eta_power * dl_num(tr[:-1, 0] * tr[:-1, 1]) ** 2
    rel = np.abs(q[1:] - factor * q[:-1]) / np.abs(q[1:])
    worst = int(np.argmax(rel))
    passed = symbolic and rel[worst] <= 1e-12
    witness = None if passed else {"theta": tr[worst].tolist(), "eta": eta, "step": worst}
    return Outcome(passed, measured=float(rel[worst]), predicted=0.0, tolerance=1e-12,
                   evidence={"symbolic_identity": symbolic, "steps": len(rel)},
                   witness=witness,
                   recheck=lambda: _recheck_identity(model, tr[worst], eta, eta_power))


def _recheck_identity(model, theta, eta, eta_power):
    f = model.lambdify("mpmath")
    dl_sym = _ell_prime(model)[1]
    s = sp.Symbol("s", real=True)
    with mpmath.workdps(50):
        x, y = (mpmath.mpf(float(t)) for t in theta)
        eta = mpmath.mpf(eta)
        g = f.grad([x, y])
        xn, yn = x - eta * g[0], y - eta * g[1]
        dl = mpmath.mpf(sp.N(dl_sym.subs(s, sp.Float(str(x * y), 60)), 55))
        rel = abs(xn**2 - yn**2 - (1 - eta**eta_power * dl**2) * (x**2 - y**2)) / abs(
            xn**2 - yn**2)
    return Recheck(passed=rel <= 1e-12, measured=float(rel), dps=50,
                   note="one GD step at 50 digits from the witness")


@check("product.limit_product_formula", source=SOURCE + " A.5",
       statement="If GD converges to (0, y∞) then y∞² = (y₀² − x₀²)∏_t(1 − η²ℓ'(x_t y_t)²), "
                 "checked on 50-digit mpmath GD runs in both regimes (1e-11 relative).")
def product_limit_product_formula(quick: bool = True, ell: str = "logcosh", eta: float = 0.1,
                                  starts=((1.0, 3.0), (1.0, 5.0)), steps: int | None = None
                                  ) -> Outcome:
    model = models.get("product", ell=ell)
    dl_sym, s = _ell_prime(model)[1:]
    dl = sp.lambdify(s, dl_sym, "mpmath")
    steps = steps or (2500 if quick else 6000)
    rows, errors = [], []
    with mpmath.workdps(50):
        e = mpmath.mpf(eta)
        for x0, y0 in starts:
            tr = mp_trajectory(model, [x0, y0], eta, steps, dps=50)
            prod = mpmath.fprod(1 - e**2 * dl(t[0] * t[1]) ** 2 for t in tr[:-1])
            predicted = (mpmath.mpf(y0) ** 2 - mpmath.mpf(x0) ** 2) * prod
            measured = tr[-1][1] ** 2
            errors.append(float(abs(measured / predicted - 1)))
            rows.append({"theta0": (x0, y0), "y_inf^2": float(measured),
                         "R*prod": float(predicted), "x_T": float(tr[-1][0])})
    worst = int(np.argmax(errors))
    passed = errors[worst] <= 1e-11
    return Outcome(passed, measured=rows[worst]["y_inf^2"], predicted=rows[worst]["R*prod"],
                   tolerance=1e-11, evidence={"rows": rows, "relative_errors": errors,
                                              "dps": 50, "steps": steps},
                   witness=None if passed else {"theta0": starts[worst], "eta": eta})


def _integrate_gf(model, theta0, t_end=200.0):
    k = model.compile()
    sol = solve_ivp(lambda t, th: -k.grad(np.asarray(th)), (0, t_end), list(theta0),
                    method="DOP853", rtol=1e-12, atol=1e-14)
    return sol.y[:, -1]


@check("product.gf_limit", source=SOURCE + " A.6",
       statement="For |y₀| > |x₀| gradient flow converges to (0, ±√(y₀² − x₀²)) (closed form vs "
                 "DOP853 rtol 1e-12, 1e-8) and its limiting sharpness is ℓ''(0)(y₀² − x₀²).")
def product_gf_limit(quick: bool = True, ell: str = "logcosh", theta0=(0.6, 1.5),
                     c_claim: float | None = None) -> Outcome:
    model = models.get("product", ell=ell)
    c = float(model.meta["c"])
    c_claim = c if c_claim is None else c_claim
    closed = model.gf_limit(theta0, None)
    integrated = _integrate_gf(model, theta0, t_end=400.0 / c)
    position_error = float(np.max(np.abs(closed - integrated)))
    sharp = float(sharpness_along(model, integrated[None, :])[0])
    R = theta0[1] ** 2 - theta0[0] ** 2
    predicted = c_claim * R
    passed = position_error <= 1e-8 and abs(sharp - predicted) <= 1e-8 * max(1.0, predicted)
    return Outcome(passed, measured=sharp, predicted=predicted, tolerance=1e-8,
                   evidence={"closed_form": closed, "integrated": integrated,
                             "position_error": position_error, "c": c},
                   witness=None if passed else {"theta0": theta0, "ell": ell},
                   recheck=lambda: _recheck_gf_limit(model, theta0, predicted))


def _recheck_gf_limit(model: Model, theta0, predicted: float, dps: int = 30,
                      t_end: int = 40) -> Recheck:
    """GF reduced to s = xy with Q = x² − y² conserved: ṡ = −ℓ'(s)·√(Q² + 4s²); integrated by
    mpmath's Taylor solver at 30 digits; then the sharpness of the limit by mp.eigsy."""
    ell_prime = _ell_prime(model)[1]
    s_sym = _ell_prime(model)[2]
    dl = sp.lambdify(s_sym, ell_prime, "mpmath")
    fns = model.lambdify("mpmath")
    with mpmath.workdps(dps):
        x0, y0 = (mpmath.mpf(v) for v in theta0)
        q = x0**2 - y0**2
        flow = mpmath.odefun(lambda t, s: -dl(s) * mpmath.sqrt(q**2 + 4 * s**2), 0, x0 * y0)
        s_end = flow(t_end)
        r = mpmath.sqrt(q**2 + 4 * s_end**2)
        x, y = mpmath.sqrt((r + q) / 2), mpmath.sign(y0) * mpmath.sqrt((r - q) / 2)
        top = max(mpmath.eigsy(fns.hessian([x, y]))[0])
        error = abs(top - predicted)
        return Recheck(bool(error <= mpmath.mpf("1e-8") * max(1, abs(predicted))), float(top),
                       dps, note=f"s(t={t_end}) = {mpmath.nstr(s_end, 5)}")


@check("product.gf_regime", source=SOURCE + " A.7",
       statement="GF regime (R = y₀² − x₀² < 2/η): y∞² = R − η(ℓ(x₀y₀) − ℓ(0)) + O(η²); the "
                 "ratio (R − y∞²)/(ηΔℓ) is within 5% of 1 for η ≤ 0.1 (x₀ = 1, R = 1/η).",
       reconstruction=True)
def product_gf_regime(quick: bool = True, ells=("logcosh", "sqrt"), etas=None,
                      r_times_eta: float = 1.0) -> Outcome:
    etas = list(etas or ((0.1, 0.05) if quick else (0.1, 0.05, 0.02, 0.01)))
    rows, ratios = [], []
    for ell in ells:
        model = models.get("product", ell=ell)
        loss = model.lambdify("numpy").loss
        for eta in etas:
            R = r_times_eta / eta
            x0, y0 = 1.0, math.sqrt(R + 1.0)
            theta, steps, converged = _limit(model, [x0, y0], eta, 200000)
            delta_loss = float(loss(np.array([x0, y0])) - loss(np.zeros(2)))
            ratio = (R - theta[1] ** 2) / (eta * delta_loss) if converged else float("nan")
            ratios.append(ratio)
            rows.append({"ell": ell, "eta": eta, "R": R, "y_inf^2": theta[1] ** 2,
                         "ratio": ratio, "steps": steps})
    errors = [abs(r - 1) if np.isfinite(r) else np.inf for r in ratios]
    worst = int(np.argmax(errors))
    passed = errors[worst] <= 0.05
    return Outcome(passed, measured=ratios[worst], predicted=1.0, tolerance=0.05,
                   evidence={"rows": rows, "why_tolerance": "first-order theory: O(η) error"},
                   witness=None if passed else rows[worst],
                   recheck=lambda: _recheck_gf_regime(rows[worst]))


def _recheck_gf_regime(row):
    model = models.get("product", ell=row["ell"])
    x0, y0 = 1.0, math.sqrt(row["R"] + 1.0)
    y2, x_end = _mp_final_y2(model, [x0, y0], row["eta"], row["steps"])
    delta_loss = model.lambdify("mpmath").loss([x0, y0]) - model.lambdify("mpmath").loss([0, 0])
    ratio = float((row["R"] - y2) / (row["eta"] * delta_loss))
    return Recheck(passed=abs(ratio - 1) <= 0.05, measured=ratio, dps=50,
                   note=f"50-digit GD for {row['steps']} steps, x_T = {float(x_end):.3g}")


def _eos_prediction(model, eta):
    c, beta = float(model.meta["c"]), float(model.meta["beta"])
    if beta <= 0:   # no quasi-static EoS limit (e.g. the square loss): no prediction
        return float("nan"), float("nan")
    return 2 / (c * eta) - c * eta / (2 * beta), c * eta / (2 * beta)


@check("product.eos_limit", source=SOURCE + " A.7",
       statement="EoS regime (R > 2/η, ℓ satisfying A1–A2): GD converges to (0, y∞) with "
                 "y∞² = 2/η − η/(2β) + O(η³); the measured gap 2/η − y∞² matches η/(2β) to 1% "
                 "at η = 0.05, for every Lipschitz ℓ of the catalog.", reconstruction=True)
def product_eos_limit(quick: bool = True, ells=LIPSCHITZ_LOSSES, etas=None,
                      theta0=(0.5, 12.0), tolerance: float = 0.01) -> Outcome:
    etas = list(etas or ((0.05,) if quick else (0.1, 0.05, 0.02)))
    rows, errors = [], []
    for ell in ells:
        model = models.get("product", ell=ell)
        for eta in etas:
            theta, steps, converged = _limit(model, theta0, eta, 400000)
            y2 = theta[1] ** 2
            predicted, gap = _eos_prediction(model, eta)
            c = float(model.meta["c"])
            hypothesis = float(model.meta["beta"]) > 0 and theta0[1] ** 2 - theta0[0] ** 2 > 2 / (
                c * eta)
            error = abs((2 / (c * eta) - y2) / gap - 1) if converged and gap > 0 else np.inf
            errors.append(error if hypothesis else np.inf)
            rows.append({"ell": ell, "eta": eta, "y_inf^2": y2, "predicted": predicted,
                         "gap_rel_error": error, "steps": steps, "hypothesis": hypothesis})
    worst = int(np.argmax(errors))
    passed = errors[worst] <= tolerance
    return Outcome(passed, measured=rows[worst]["y_inf^2"], predicted=rows[worst]["predicted"],
                   tolerance=tolerance,
                   evidence={"rows": rows, "why_tolerance": "O(η³) correction: relative gap "
                             "error O(η²), spec measured 7.6e-4 (logcosh), 1.3e-3 (sqrt)"},
                   witness=None if passed else rows[worst],
                   recheck=lambda: _recheck_eos(rows[worst], theta0, tolerance))


def _recheck_eos(row, theta0, tolerance):
    model = models.get("product", ell=row["ell"])
    predicted, gap = _eos_prediction(model, row["eta"])
    if not np.isfinite(gap) or not row["hypothesis"]:
        return None   # the hypothesis fails (β = 0 or R ≤ 2/(cη)): nothing to re-run
    y2, x_end = _mp_final_y2(model, list(theta0), row["eta"], max(row["steps"], 1))
    c = float(model.meta["c"])
    error = float(abs((2 / (c * row["eta"]) - y2) / gap - 1))
    return Recheck(passed=error <= tolerance and abs(float(x_end)) < 1e-10, measured=float(y2),
                   dps=50, note=f"gap relative error {error:.3g} at 50 digits")


def _branch(model, theta0, eta, dps: int | None = None) -> str:
    """Which limit GD reaches: "gf", "eos", "transitional" or "none" (not converged).

    With ``dps`` the run is repeated at that many digits (as long as the float run took).
    """
    theta, steps, converged = _limit(model, theta0, eta, 2000000)
    if not converged:
        return "none"
    y2 = theta[1] ** 2
    if dps is not None:
        y2 = float(_mp_final_y2(model, list(theta0), eta, steps + 100, dps)[0])
    loss = model.lambdify("numpy").loss
    R = theta0[1] ** 2 - theta0[0] ** 2
    delta_loss = float(loss(np.array(theta0)) - loss(np.zeros(2)))
    predicted, gap = _eos_prediction(model, eta)
    if abs(y2 - predicted) <= 0.01 * gap:
        return "eos"
    # Near the switch ηR ≈ 2 is not small, so the GF-branch drift exceeds its first-order
    # value ηΔℓ (ratio up to ~2.5 at η = 0.02005); anything within 3 drifts of R is that branch.
    if 0 <= R - y2 <= 3 * eta * delta_loss and y2 < 2 / eta:
        return "gf"
    return "transitional"


@check("product.regime_switch", source=SOURCE + " A.7",
       statement="For fixed (x₀, y₀) = (0.5, 10) and ℓ = log cosh, the limit switches from the GF "
                 "branch (y∞² ≈ R − ηΔℓ) to the EoS branch (y∞² ≈ 2/η − η/(2β)) at the η where "
                 "R − ηΔℓ = 2/η (≈ 2/R), located on a fine η grid.", reconstruction=True)
def product_regime_switch(quick: bool = True, ell: str = "logcosh", theta0=(0.5, 10.0),
                          eta_claim: float | None = None) -> Outcome:
    model = models.get("product", ell=ell)
    x0, y0 = theta0
    R = y0**2 - x0**2
    delta_loss = float(model.lambdify("numpy").loss(np.array(theta0)))
    # Root of ηR − η²Δℓ = 2 (the smaller one), i.e. R_eff = 2/η.
    predicted = (R - math.sqrt(R * R - 8 * delta_loss)) / (2 * delta_loss)
    eta_claim = predicted if eta_claim is None else eta_claim
    grid = np.linspace(0.978, 1.027, 21 if quick else 101) * 2 / R    # ±2.5% around 2/R
    kinds = [_branch(model, list(theta0), e) for e in grid]
    gf = [i for i, k in enumerate(kinds) if k == "gf"]
    eos = [i for i, k in enumerate(kinds) if k == "eos"]
    ordered = bool(gf and eos and gf == list(range(len(gf))) and max(gf) < min(eos))
    last_gf = grid[max(gf)] if gf else np.nan
    first_eos = grid[min(eos)] if eos else np.nan
    measured = 0.5 * (last_gf + first_eos)
    # Tolerance: the spec's transitional zone (GF up to 0.0200, EoS from 0.0202), i.e. 1e-4:
    # R_eff = R − ηΔℓ is a first-order description; at least the bracket plus one grid step.
    tolerance = max(1e-4, 0.5 * (first_eos - last_gf) + (grid[1] - grid[0]))
    passed = bool(ordered) and abs(measured - eta_claim) <= tolerance
    return Outcome(passed, measured=measured, predicted=eta_claim, tolerance=tolerance,
                   evidence={"2/R": 2 / R, "bracket": (last_gf, first_eos),
                             "grid": grid, "kinds": kinds},
                   witness=None if passed else {"bracket": (last_gf, first_eos)},
                   recheck=lambda: _recheck_switch(model, theta0, eta_claim, tolerance))


def _recheck_switch(model, theta0, eta_claim, tolerance):
    """At 50 digits: GF branch just below the claimed switch, EoS branch just above it."""
    seen = (_branch(model, list(theta0), eta_claim - tolerance, dps=50),
            _branch(model, list(theta0), eta_claim + tolerance, dps=50))
    return Recheck(passed=seen == ("gf", "eos"), measured=seen, dps=50,
                   note="branches at the claimed switch ± tolerance")


@check("product.normalisation", source=SOURCE + " A.2",
       statement="For ℓ''(0) = c ≠ 1 (ℓ = log(2cosh(s/2)), c = 1/4): GD with step η on ℓ equals "
                 "GD with step cη on ℓ/c (symbolic, and trajectories to 1e-12), and the EoS "
                 "limit is y∞² = 2/(cη) − cη/(2β_c), β_c = −ℓ''''(0)/(6c) (1% of the gap).")
def product_normalisation(quick: bool = True, eta: float = 0.2, theta0=(0.5, 10.0),
                          c_claim: float | None = None) -> Outcome:
    model = models.get("product", ell="logistic_even")
    c = model.meta["c"]
    c_claim = float(c) if c_claim is None else c_claim
    scaled = Model(model.loss / c, model.params, name="product_scaled")
    symbolic = sp.simplify(model.gd_map() - scaled.gd_map().subs(ETA, c * ETA)) == sp.zeros(2, 1)
    a = trajectory(model, theta0, eta, 300)
    b = trajectory(scaled, theta0, float(c) * eta, 300)
    traj_error = float(np.max(np.abs(a - b) / (1 + np.abs(a))))
    theta, steps, converged = _limit(model, theta0, eta, 400000)
    beta_c = float(model.meta["beta"])
    gap = c_claim * eta / (2 * beta_c)
    predicted = 2 / (c_claim * eta) - gap
    error = abs(theta[1] ** 2 - predicted) / gap if converged else np.inf
    passed = symbolic and traj_error <= 1e-12 and error <= 0.01
    return Outcome(passed, measured=theta[1] ** 2, predicted=predicted, tolerance=0.01 * gap,
                   evidence={"symbolic_equivalence": symbolic, "trajectory_error": traj_error,
                             "gap_rel_error": error, "steps": steps, "c": float(c),
                             "beta_c": beta_c},
                   witness=None if passed else {"eta": eta, "theta0": theta0},
                   recheck=lambda: _recheck_normalised(model, theta0, eta, steps, predicted,
                                                       0.01 * gap))


def _recheck_normalised(model, theta0, eta, steps, predicted, tolerance):
    y2, x_end = _mp_final_y2(model, list(theta0), eta, steps + 100)
    return Recheck(passed=abs(float(y2) - predicted) <= tolerance, measured=float(y2), dps=50,
                   note=f"y∞² from 50-digit GD on ℓ itself (x_T = {float(x_end):.2g})")
