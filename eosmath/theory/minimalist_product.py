"""Checks of the minimalist product model ℓ(xy) (Ahn et al., NeurIPS 2023; seed 000 slides).

spec/minimalist_product.md part A. GF conserves x² − y²; GD multiplies it by (1 − η²ℓ'²) each
step; GD converges to (0, y∞) with y∞² ≈ R − ηΔℓ when R = y₀² − x₀² < 2/η (GF regime, where
|x| and |y| decrease monotonically) and y∞² ≈ 2/η − η/(2β) when R > 2/η (EoS regime, after a
bouncing phase in which x flips sign each step and u = ηy² − 2 decays like (1 − η²/β)^t).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from eosmath import ETA, models
from eosmath.references import cite
from eosmath.symbolic.model import Model
from eosmath.theory._iterate import mp_trajectory, sharpness_along, trajectory
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome, Recheck

SOURCE = cite("ahn2023")
LIPSCHITZ_LOSSES = ("logcosh", "sqrt", "symmetric_logistic")
EOS_ETA2_CONSTANT = 2.0
"""Relative error allowed on the EoS gap and on the bouncing phase's rate: 2η². Both carry an
O(η²) relative correction the spec does not derive (it comes from the s⁴ term of ℓ'(s)/s); the
pilot runs measured it at 0.30η² (log-cosh) and 0.50η² (square-root), at η = 0.02 … 0.1
(calibrated; each check runs held-out inputs)."""
SWITCH_ETA2_CONSTANT = 10.0
"""The EoS branch begins within a relative κη² above the first-order switch η_s, κ = 10: the
pilot (10 starts, R = 48 … 196) measured 3.5 … 8.3 (calibrated; held-out starts in the check)."""


def _ell_prime(model: Model):
    x, y = model.params
    s = sp.Symbol("s", real=True)
    ell = model.loss.subs(x, s).subs(y, 1)      # ℓ(s) = f(s, 1)
    return sp.lambdify(s, sp.diff(ell, s), "numpy"), sp.diff(ell, s), s


def _limit(model: Model, theta0, eta: float, max_steps: int, tol: float = 1e-13):
    """GD until |x| < tol: (θ_T, T, converged) — the product model's convergence to the y-axis.

    Runs in chunks of doubling length and stops at the first such step, so a run costs only
    the steps it needs (chunks reuse the trajectory kernel already compiled for the model).
    """
    theta = np.asarray(theta0, dtype=np.float64)
    done, chunk = 0, 4096
    while done < max_steps:
        n = min(chunk, max_steps - done)
        tr = trajectory(model, theta, eta, n)
        small = np.nonzero(np.abs(tr[:, 0]) < tol)[0]
        if len(small):
            return tr[small[0]], done + int(small[0]), True
        if len(tr) < n + 1:                      # a non-finite iterate: diverged
            return tr[-1], -1, False
        theta, done, chunk = tr[-1], done + n, min(2 * chunk, 1 << 20)
    return theta, max_steps, False


def _mp_final_y2(model: Model, theta0, eta: float, steps: int, dps: int = 50):
    """y_T² and x_T of a ``dps``-digit GD run of ``steps`` steps (the float run's length)."""
    last = mp_trajectory(model, theta0, eta, steps, dps)[-1]
    return last[1] ** 2, last[0]


def _broken_model() -> Model:
    """ℓ(xy) plus an odd term in x: the axis y = 0 is no longer a line of fixed points, and
    x² − y² is no longer conserved (a hypothesis violation for the symmetry checks)."""
    x, y = sp.symbols("x y", real=True)
    return Model(sp.log(sp.cosh(x * y)) + x**3 / 10, (x, y), name="broken")


@check("product.invariant_lines", source=SOURCE,
       statement="For ℓ even, the axes x = 0, y = 0 and the diagonals y = ±x are invariant "
                 "under every GD map (symbolic search of model.invariant_subspaces()).",
       kind="identity", prediction_source="symbolic: ℓ' is odd, so ℓ'(0) = 0 and the swap "
       "(x, y) ↦ (y, x) commutes with the GD map (symmetry of ℓ(xy))",
       tolerance_basis="exact: SymPy finds the lines; on the diagonal both coordinates are "
                       "computed by the same float operations, so the drift is exactly 0",
       not_shown="other invariant sets (curves); only ℓ = log cosh",
       violations={"odd_term_in_x": lambda: {"model": _broken_model()}})
def product_invariant_lines(quick: bool = True, model=None) -> Outcome:
    model = model or models.get("product", ell="logcosh")
    found = sorted(str(s) for s in model.invariant_subspaces())
    predicted = sorted(["x = 0", "y = 0", "x - y = 0", "x + y = 0"])
    # Numeric companion: a diagonal start stays on the diagonal to the last bit.
    tr = trajectory(model, [0.8, 0.8], 0.3, 200)
    drift = float(np.max(np.abs(tr[:, 0] - tr[:, 1])))
    passed = set(predicted) <= set(found) and drift == 0.0
    return Outcome(passed, measured=found, predicted=predicted, tolerance="exact",
                   comparisons=(Comparison("diagonal drift over 200 steps", drift, 0.0, 0.0,
                                           sense="<="),),
                   evidence={"diagonal_drift_200_steps": drift})


@check("product.gf_conserved", source=SOURCE,
       statement="Gradient flow on ℓ(xy) conserves x² − y²: ∇(x² − y²)·∇f ≡ 0 (symbolic), and "
                 "the polynomial search model.conserved_quantities finds it.",
       kind="identity", prediction_source="symbolic: ∇(x² − y²)·∇f = 2ℓ'(xy)(xy − yx) = 0",
       tolerance_basis="exact: SymPy simplifies the rate to 0",
       not_shown="anything about GD, which only shrinks x² − y² (see product.gd_identity)",
       violations={"odd_term_in_x": lambda: {"model": _broken_model()}})
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


@check("product.gd_identity", source=SOURCE,
       statement="One GD step on ℓ(xy) satisfies x⁺² − y⁺² = (1 − η²ℓ'(xy)²)(x² − y²) exactly "
                 "(SymPy), and per step along a run to 1e-12 relative.",
       kind="identity", prediction_source="symbolic: (x − ηℓ'y)² − (y − ηℓ'x)² = "
       "(1 − η²ℓ'²)(x² − y²)",
       tolerance_basis="float64 rounding: x² − y² and the factor each carry a few ulps; the "
                       "per-step relative error stays ~1e-15, tolerance 1e-12",
       not_shown="the limit of the product over a whole run (see product.limit_product_formula)",
       violations={"first_power_of_eta": {"eta_power": 1}})
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
                   comparisons=(Comparison("max per-step relative error of the identity",
                                           float(rel[worst]), 0.0, 1e-12, sense="<="),),
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


@check("product.limit_product_formula", source=SOURCE,
       statement="If GD converges to (0, y∞) then y∞² = (y₀² − x₀²)∏_t(1 − η²ℓ'(x_t y_t)²), "
                 "checked on 50-digit mpmath GD runs in both regimes (1e-11 relative).",
       kind="identity", prediction_source="symbolic: iterating the exact one-step identity "
       "(product.gd_identity); the product runs over the iterates because that is the "
       "identity's own form — it fails unless x_T → 0, i.e. unless GD has converged",
       tolerance_basis="50-digit arithmetic (rounding ~1e-45); what remains is x_T²/R at the "
                       "end of the run (< 1e-12 after 2500 steps): 1e-11 relative",
       not_shown="the value of y∞² itself (see product.gf_regime and product.eos_limit)",
       violations={"not_converged": {"steps": 20}})
def product_limit_product_formula(quick: bool = True, ell: str = "logcosh", eta: float = 0.1,
                                  starts=((1.0, 3.0), (1.0, 5.0)), steps: int | None = None
                                  ) -> Outcome:
    model = models.get("product", ell=ell)
    dl_sym, s = _ell_prime(model)[1:]
    dl = sp.lambdify(s, dl_sym, "mpmath")
    steps = steps or (2500 if quick else 6000)
    rows, errors, comparisons = [], [], []
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
            comparisons.append(Comparison(f"y_T^2 from {(x0, y0)}", float(measured),
                                          float(predicted), 1e-11, relative=True))
    worst = int(np.argmax(errors))
    passed = errors[worst] <= 1e-11
    return Outcome(passed, measured=rows[worst]["y_inf^2"], predicted=rows[worst]["R*prod"],
                   tolerance=1e-11, comparisons=tuple(comparisons),
                   evidence={"rows": rows, "relative_errors": errors, "dps": 50,
                             "steps": steps},
                   witness=None if passed else {"theta0": starts[worst], "eta": eta})


def _integrate_gf(model, theta0, t_end=200.0):
    k = model.compile()
    sol = solve_ivp(lambda t, th: -k.grad(np.asarray(th)), (0, t_end), list(theta0),
                    method="DOP853", rtol=1e-12, atol=1e-14)
    return sol.y[:, -1]


@check("product.gf_limit", source=SOURCE,
       statement="For |y₀| > |x₀| gradient flow converges to (0, ±√(y₀² − x₀²)) (closed form vs "
                 "DOP853 rtol 1e-12, 1e-8) and its limiting sharpness is ℓ''(0)(y₀² − x₀²).",
       kind="theorem", prediction_source="closed form: (0, ±√(y₀² − x₀²)) from the conserved "
       "x² − y² (Ahn et al.'s GF limit); sharpness ℓ''(0)y∞² at a point of the axis",
       tolerance_basis="integrator tolerance: DOP853 rtol 1e-12, atol 1e-14 to t = 400/c, where "
                       "the flow has converged exponentially: 1e-8",
       not_shown="anything about GD; one start (0.6, 1.5)",
       violations={"curvature_factor_dropped": {"ell": "logistic_even", "c_claim": 1.0}})
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
    comparisons = (Comparison("x of the GF limit", float(integrated[0]), float(closed[0]), 1e-8),
                   Comparison("y of the GF limit", float(integrated[1]), float(closed[1]), 1e-8),
                   Comparison("sharpness of the GF limit", sharp, predicted,
                              1e-8 * max(1.0, predicted)))
    return Outcome(passed, measured=sharp, predicted=predicted, tolerance=1e-8,
                   comparisons=comparisons,
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


def gf_drift_integral(ell: str, theta0, dps: int = 30) -> float:
    """I = ∫₀^∞ ℓ'(s(τ))² dτ along gradient flow from θ₀ = (x₀, y₀), |y₀| > |x₀|.

    GF keeps Q = y² − x² = R and moves s = xy by ds/dτ = −ℓ'(s)√(R² + 4s²), so
    I = ∫₀^{x₀y₀} ℓ'(s)/√(R² + 4s²) ds (mpmath quadrature). GD's exact identity
    y∞² = R∏(1 − η²ℓ'²) then gives y∞² = R·e^{−ηI} + O(η²).

    >>> round(gf_drift_integral("logcosh", (1.0, 2.0)), 6)
    0.341601
    """
    model = models.get("product", ell=ell)
    dl_sym, s = _ell_prime(model)[1:]
    dl = sp.lambdify(s, dl_sym, "mpmath")
    x0, y0 = theta0
    with mpmath.workdps(dps):
        r = mpmath.mpf(y0) ** 2 - mpmath.mpf(x0) ** 2
        s0 = mpmath.mpf(x0) * mpmath.mpf(y0)
        return float(mpmath.quad(lambda v: dl(v) / mpmath.sqrt(r * r + 4 * v * v), [0, s0]))


GF_STARTS = ((1.0, 2.0), (2.0, 3.0))
GF_PILOT = {"losses": ("logcosh", "sqrt"), "starts": ((1.0, 2.0), (0.5, 3.0), (2.0, 3.0),
                                                      (1.0, 5.0), (0.3, 1.0)),
            "eta*R": (0.04, 0.02, 0.01, 0.005)}
GF_HELD_OUT = (("logcosh", (1.5, 2.5)), ("sqrt", (0.7, 4.0)), ("logcosh", (0.2, 2.0)))
GF_ORDER_TOLERANCE = 0.1
"""Observed orders sit 0.001–0.015 above 2 on the pilot (GF_PILOT); the O(η³) term moves them by
O(ηR). 0.1 is calibrated there and must hold on GF_HELD_OUT."""


def _gf_orders(ell: str, theta0, eta_r: float, first_order: str):
    """Observed orders of the error of y∞² against the first-order prediction, from GD at
    ηR = eta_r, eta_r/2, eta_r/4 (two estimates), and the errors themselves."""
    model = models.get("product", ell=ell)
    x0, y0 = theta0
    r = y0**2 - x0**2
    drift = gf_drift_integral(ell, theta0)
    loss = model.lambdify("numpy").loss
    delta_loss = float(loss(np.array(theta0)) - loss(np.zeros(2)))
    errors = []
    for eta in (eta_r / r, eta_r / (2 * r), eta_r / (4 * r)):
        theta, _, converged = _limit(model, theta0, eta, 10**7)
        predicted = r * math.exp(-eta * drift) if first_order == "integral" else (
            r - eta * delta_loss)
        errors.append(abs(theta[1] ** 2 - predicted) if converged else float("nan"))
    with np.errstate(divide="ignore", invalid="ignore"):
        orders = [math.log2(errors[i] / errors[i + 1]) if errors[i + 1] > 0 else float("nan")
                  for i in range(2)]
    return orders, errors, drift


@check("product.gf_regime", source=SOURCE,
       statement="GF regime (ηR < 2, small η): y∞² = R·e^{−ηI} + O(η²) with I = "
                 "∫₀^{x₀y₀} ℓ'(s)/√(R² + 4s²) ds, the drift of x² − y² along gradient flow: "
                 "halving η twice divides the error by 4 (observed order 2 ± 0.1), for log-cosh "
                 "and square-root from (1, 2) and (2, 3) at ηR = 0.04.",
       kind="reconstruction",
       prediction_source="mpmath: quadrature of I along the GF path (30 digits); the first-order "
       "drift of the exact identity y∞² = R∏(1 − η²ℓ'²)",
       tolerance_basis="calibrated: observed order 2 within 0.1 (pilot: 0.001–0.015 above 2 over "
                       "5 starts × 2 losses at ηR = 0.04 … 0.005); held-out starts run by the "
                       "check",
       not_shown="the paper's own error term (not recovered); eosmath's first-order R − ηΔℓ is the "
                 "same "
                 "first-order term only when x ≪ y along the flow (it fails here: order 1)",
       violations={"eos_regime": {"eta_r": 3.0}, "spec_loss_drop_formula": {
           "first_order": "loss_drop"}})
def product_gf_regime(quick: bool = True, ells=("logcosh", "sqrt"), starts=GF_STARTS,
                      eta_r: float = 0.04, first_order: str = "integral") -> Outcome:
    rows, comparisons = [], []
    for ell in ells:
        for theta0 in starts:
            orders, errors, drift = _gf_orders(ell, theta0, eta_r, first_order)
            rows.append({"ell": ell, "theta0": theta0, "I": drift, "errors": errors,
                         "orders": orders})
            comparisons += [Comparison(f"observed order {i + 1} ({ell}, {theta0})", o, 2.0,
                                       GF_ORDER_TOLERANCE) for i, o in enumerate(orders)]
    held_out = []
    for ell, theta0 in GF_HELD_OUT:
        orders, _, _ = _gf_orders(ell, theta0, eta_r, first_order)
        held_out.append(HeldOut({"ell": ell, "theta0": theta0}, all(
            abs(o - 2) <= GF_ORDER_TOLERANCE for o in orders), orders))
    return Outcome(True, measured=None, predicted=None, tolerance=None,
                   comparisons=tuple(comparisons), held_out=tuple(held_out),
                   calibration_inputs=GF_PILOT,
                   evidence={"rows": rows, "first_order": first_order, "eta*R": eta_r})


def _eos_prediction(model, eta):
    """(y∞², gap) of the EoS branch: 2/(cη) − cη/(2β) and cη/(2β); nan when β ≤ 0."""
    c, beta = float(model.meta["c"]), float(model.meta["beta"])
    if beta <= 0:   # no quasi-static EoS limit (e.g. the square loss): no prediction
        return float("nan"), float("nan")
    return 2 / (c * eta) - c * eta / (2 * beta), c * eta / (2 * beta)


def _eos_run(ell: str, eta: float, theta0, tolerance_constant: float = EOS_ETA2_CONSTANT):
    """GD to the axis; its EoS-limit Comparison (tolerance: constant·(cη)²·gap) and a row."""
    model = models.get("product", ell=ell)
    theta, steps, converged = _limit(model, theta0, eta, 10**7)
    y2 = float(theta[1] ** 2) if converged else float("nan")
    predicted, gap = _eos_prediction(model, eta)
    c = float(model.meta["c"])
    hypothesis = theta0[1] ** 2 - theta0[0] ** 2 > 2 / (c * eta)
    tol = tolerance_constant * (c * eta) ** 2 * gap
    comparison = Comparison(f"y_inf^2 ({ell}, eta = {eta}, {tuple(theta0)})",
                            y2 if hypothesis else float("nan"), predicted,
                            tol if np.isfinite(tol) else 0.0)
    row = {"ell": ell, "eta": eta, "theta0": tuple(theta0), "y_inf^2": y2,
           "predicted": predicted, "gap_rel_error": abs((2 / (c * eta) - y2) / gap - 1),
           "steps": steps, "hypothesis_R>2/(c eta)": hypothesis}
    return comparison, row


EOS_PILOT = {"losses": ("logcosh", "sqrt"), "theta0": (0.5, 12.0), "etas": (0.1, 0.05, 0.02)}
EOS_HELD_OUT = (("logcosh", 0.07, (1.0, 9.0)), ("sqrt", 0.04, (0.2, 14.0)),
                ("symmetric_logistic", 0.06, (2.0, 10.0)))


@check("product.eos_limit", source=SOURCE,
       statement="EoS regime (R > 2/η, ℓ satisfying A1–A2): GD converges to (0, y∞) with "
                 "y∞² = 2/η − η/(2β) + O(η³): the gap 2/η − y∞² matches η/(2β) within 2η² "
                 "relative at η = 0.05 from (0.5, 12), for every Lipschitz ℓ of the catalog.",
       kind="reconstruction", prediction_source="closed form: eosmath's derivation of the "
       "quasi-static limit y∞² = 2/(cη) − cη/(2β), β = −ℓ''''(0)/(6c)",
       tolerance_basis="calibrated: relative gap error ≤ 2η², the O(η³) remainder whose "
                       "constant eosmath does not derive (pilot: 0.31η² log-cosh, 0.51η² "
                       "square-root at η = 0.1, 0.05, 0.02 from (0.5, 12)); held-out runs",
       not_shown="the paper's own constants (not recovered); independence of the start is "
                 "shown only through the held-out starts",
       violations={"gf_regime_start": {"theta0": (0.5, 4.0)}, "square_loss_beta_zero": {
           "ells": ("square",)}})
def product_eos_limit(quick: bool = True, ells=LIPSCHITZ_LOSSES, etas=None,
                      theta0=(0.5, 12.0)) -> Outcome:
    etas = list(etas or ((0.05,) if quick else (0.1, 0.05, 0.02)))
    comparisons, rows = [], []
    for ell in ells:
        for eta in etas:
            comparison, row = _eos_run(ell, eta, theta0)
            comparisons.append(comparison)
            rows.append(row)
    held_out = []
    for ell, eta, start in EOS_HELD_OUT:
        comparison, row = _eos_run(ell, eta, start)
        held_out.append(HeldOut({"ell": ell, "eta": eta, "theta0": start}, comparison.passed,
                                row["gap_rel_error"]))
    failing = [r for r, c in zip(rows, comparisons, strict=True) if not c.passed]
    witness = failing[0] if failing else None
    return Outcome(True, measured=None, predicted=None, tolerance=None,
                   comparisons=tuple(comparisons), held_out=tuple(held_out),
                   calibration_inputs=EOS_PILOT, evidence={"rows": rows}, witness=witness,
                   recheck=(lambda: _recheck_eos(witness, theta0)) if witness else None)


def _recheck_eos(row, theta0):
    model = models.get("product", ell=row["ell"])
    predicted, gap = _eos_prediction(model, row["eta"])
    if not np.isfinite(gap) or not row["hypothesis_R>2/(c eta)"]:
        return None   # the hypothesis fails (β = 0 or R ≤ 2/(cη)): nothing to re-run
    y2, x_end = _mp_final_y2(model, list(theta0), row["eta"], max(row["steps"], 1))
    c = float(model.meta["c"])
    error = float(abs((2 / (c * row["eta"]) - y2) / gap - 1))
    tolerance = EOS_ETA2_CONSTANT * (c * row["eta"]) ** 2
    return Recheck(passed=error <= tolerance and abs(float(x_end)) < 1e-10, measured=float(y2),
                   dps=50, note=f"gap relative error {error:.3g} at 50 digits")


def _on_eos_branch(model, theta0, eta: float) -> bool:
    """Whether GD's limit is on the EoS branch: y∞² within 1% of the gap of 2/η − η/(2β)."""
    theta, _, converged = _limit(model, theta0, eta, 10**7)
    predicted, gap = _eos_prediction(model, eta)
    return bool(converged and abs(theta[1] ** 2 - predicted) <= 0.01 * gap)


def _eos_onset(model, theta0, resolution: float = 1e-8) -> tuple[float, bool]:
    """The smallest η whose limit is on the EoS branch, by bisection in ±3% around 2/R.

    Returns (η_on, bracketed); the bracket is set by R alone, never by the claim.
    """
    r = theta0[1] ** 2 - theta0[0] ** 2
    lo, hi = 0.97 * 2 / r, 1.03 * 2 / r
    if _on_eos_branch(model, theta0, lo) or not _on_eos_branch(model, theta0, hi):
        return float("nan"), False
    while hi - lo > resolution:
        mid = 0.5 * (lo + hi)
        if _on_eos_branch(model, theta0, mid):
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi), True


def first_order_switch(ell: str, theta0) -> float:
    """η_s: the smaller root of ηR − η²Δℓ = 2, where the first-order GF-branch limit
    R − ηΔℓ reaches 2/η (spec A.7: "R_eff = R − ηΔℓ is what matters").

    >>> round(first_order_switch("logcosh", (0.5, 10.0)), 7)      # 2/R = 0.0200501
    0.0200675
    """
    model = models.get("product", ell=ell)
    r = theta0[1] ** 2 - theta0[0] ** 2
    delta_loss = float(model.lambdify("numpy").loss(np.array(theta0)))
    return (r - math.sqrt(r * r - 8 * delta_loss)) / (2 * delta_loss)


def _switch_comparisons(onset: float, claim: float, label: str):
    return (Comparison(f"EoS onset >= switch {label}", onset, claim, 1e-8, sense=">="),
            Comparison(f"EoS onset <= switch*(1 + kappa switch^2) {label}", onset,
                       claim * (1 + SWITCH_ETA2_CONSTANT * claim**2), 1e-8, sense="<="))


SWITCH_PILOT = ((0.5, 10.0), (1.0, 10.0), (2.0, 10.0), (3.0, 10.0), (0.1, 10.0), (0.5, 7.0),
                (1.0, 7.0), (2.0, 7.0), (0.5, 14.0), (2.0, 14.0))
SWITCH_HELD_OUT = ((4.0, 10.0), (1.5, 12.0), (2.5, 8.0))


@check("product.regime_switch", source=SOURCE,
       statement="For fixed (x₀, y₀) = (3, 10) and ℓ = log cosh the limit switches from the GF "
                 "branch to the EoS branch (y∞² within 1% of the gap of 2/η − η/(2β)) just above "
                 "the first-order switch η_s (R − ηΔℓ = 2/η): bisection (resolution 1e-8, finer "
                 "than η_s − 2/R = 1.6e-4) finds the EoS onset in [η_s, η_s(1 + κη_s²)], a "
                 "crossover of the EoS gap's order; plain 2/R lies below that window.",
       kind="reconstruction", prediction_source="closed form: η_s = smaller root of "
       "ηR − η²Δℓ = 2 (eosmath's derivation: R_eff = R − ηΔℓ)",
       tolerance_basis="calibrated: κ = 10 on the crossover width (pilot: onset − η_s = "
                       "3.5 … 8.3 η_s³ over 10 starts, R = 48 … 196); the lower bound η_s is "
                       "the bisection resolution 1e-8; held-out starts",
       not_shown="a sharp switch: the GF-branch drift grows to 2–6 ηΔℓ near ηR = 2 (x flips "
                 "sign and decays at rate 2 − ηy²), so the change is a crossover of relative "
                 "width O(η²); at the start (0.5, 10) that width (5.9e-5) exceeds "
                 "η_s − 2/R (1.7e-5) and the two predictions cannot be told apart",
       violations={"plain_two_over_R": {"eta_claim": 2 / (10.0**2 - 3.0**2)},
                   "wrong_location": {"eta_claim": 0.0224}})
def product_regime_switch(quick: bool = True, ell: str = "logcosh", theta0=(3.0, 10.0),
                          eta_claim: float | None = None) -> Outcome:
    model = models.get("product", ell=ell)
    eta_s = first_order_switch(ell, theta0)
    claim = eta_s if eta_claim is None else eta_claim
    onset, bracketed = _eos_onset(model, theta0)
    held_out = []
    for start in SWITCH_HELD_OUT:
        found, ok = _eos_onset(model, start)
        held_out.append(HeldOut({"theta0": start}, ok and all(
            c.passed for c in _switch_comparisons(found, first_order_switch(ell, start), "")),
            found))
    r = theta0[1] ** 2 - theta0[0] ** 2
    return Outcome(bracketed, measured=None, predicted=None, tolerance=None,
                   comparisons=_switch_comparisons(onset, claim, f"from {tuple(theta0)}"),
                   held_out=tuple(held_out), calibration_inputs={"starts": SWITCH_PILOT},
                   evidence={"2/R": 2 / r, "eta_s": eta_s, "onset": onset,
                             "onset_minus_eta_s_over_eta_s^3": (onset - eta_s) / eta_s**3},
                   witness=None if bracketed else {"theta0": theta0})


NORMALISATION_HELD_OUT = (0.16, 0.24, 0.32)


def _normalised_limit(model, theta0, eta: float, c_claim: float):
    """GD on ℓ = log(2cosh(s/2)) to the axis and its EoS-limit Comparison with the curvature
    factor c_claim (tolerance: EOS_ETA2_CONSTANT·(cη)² of the gap, as product.eos_limit)."""
    theta, steps, converged = _limit(model, theta0, eta, 10**7)
    beta_c = float(model.meta["beta"])
    gap = c_claim * eta / (2 * beta_c)
    predicted = 2 / (c_claim * eta) - gap
    y2 = float(theta[1] ** 2) if converged else float("nan")
    return Comparison(f"y_inf^2 at eta = {eta}", y2, predicted,
                      EOS_ETA2_CONSTANT * (c_claim * eta) ** 2 * gap), steps


@check("product.normalisation", source=SOURCE,
       statement="For ℓ''(0) = c ≠ 1 (ℓ = log(2cosh(s/2)), c = 1/4): GD with step η on ℓ equals "
                 "GD with step cη on ℓ/c (symbolic, and trajectories to 1e-12), and the EoS "
                 "limit is y∞² = 2/(cη) − cη/(2β_c), β_c = −ℓ''''(0)/(6c).",
       kind="identity", prediction_source="symbolic: the GD maps of (ℓ, η) and (ℓ/c, cη) are "
       "equal; the limit is product.eos_limit's closed form with η → cη, β → β_c",
       tolerance_basis="calibrated (shared with product.eos_limit): limit within 2(cη)² of the "
                       "gap; trajectories to float64 rounding (1e-12 relative over 300 steps); "
                       "held-out step sizes",
       not_shown="losses with c ≠ 1 other than log(2cosh(s/2))",
       violations={"curvature_factor_dropped": {"c_claim": 1.0}})
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
    limit, steps = _normalised_limit(model, theta0, eta, c_claim)
    held_out = []
    for other in NORMALISATION_HELD_OUT:
        comparison, _ = _normalised_limit(model, theta0, other, c_claim)
        held_out.append(HeldOut({"eta": other, "theta0": theta0}, comparison.passed,
                                comparison.measured))
    comparisons = (Comparison("trajectory difference (l, eta) vs (l/c, c eta)", traj_error, 0.0,
                              1e-12, sense="<="), limit)
    return Outcome(symbolic, measured=None, predicted=None, tolerance=None,
                   comparisons=comparisons, held_out=tuple(held_out),
                   calibration_inputs={"as product.eos_limit": EOS_PILOT},
                   evidence={"symbolic_equivalence": symbolic, "trajectory_error": traj_error,
                             "steps": steps, "c": float(c), "beta_c": float(model.meta["beta"])},
                   witness=None if limit.passed else {"eta": eta, "theta0": theta0},
                   recheck=None if limit.passed else (
                       lambda: _recheck_normalised(model, theta0, eta, steps, limit)))


def _recheck_normalised(model, theta0, eta, steps, limit: Comparison):
    y2, x_end = _mp_final_y2(model, list(theta0), eta, max(steps, 1) + 100)
    return Recheck(passed=abs(float(y2) - limit.predicted) <= limit.tolerance,
                   measured=float(y2), dps=50,
                   note=f"y∞² from 50-digit GD on ℓ itself (x_T = {float(x_end):.2g})")


MONOTONE_CASES = (("logcosh", (1.0, 3.0), 0.05), ("sqrt", (0.5, 2.0), 0.1),
                  ("logcosh", (2.0, 4.0), 0.02))


@check("product.gf_monotone", source=SOURCE,
       statement="GF regime at small η (ηy₀² < 1, so ηy²ℓ'(xy)/(xy) < 1 all along): GD tracks "
                 "gradient flow — |x_t| and |y_t| never increase and x keeps its sign until GD "
                 "reaches the y-axis, for log-cosh and square-root from three starts.",
       kind="theorem", prediction_source="closed form: x⁺ = x(1 − ηy²r(xy)), y⁺ = y(1 − ηx²r(xy)) "
       "with r = ℓ'(s)/s ∈ (0, 1] (A1–A2), so both factors lie in [0, 1) while ηy₀² < 1",
       tolerance_basis="exact: in round-to-nearest, x − d with 0 ≤ d ≤ |x| (same sign) rounds "
                       "into [0, x], so monotonicity survives float64 (tolerance 0)",
       not_shown="the rate of convergence, or the ηy₀² ∈ [1, 2) case where |x| still "
                 "decreases but x flips sign each step",
       violations={"eos_regime": {"cases": (("logcosh", (1.0, 3.0), 0.3),)},
                   "flipping_regime": {"cases": (("logcosh", (1.0, 3.0), 0.15),)}})
def product_gf_monotone(quick: bool = True, cases=MONOTONE_CASES) -> Outcome:
    comparisons, rows = [], []
    for ell, theta0, eta in cases:
        model = models.get("product", ell=ell)
        _, steps, converged = _limit(model, theta0, eta, 10**6)
        tr = trajectory(model, theta0, eta, max(steps, 1))
        rises = np.max(np.diff(np.abs(tr), axis=0), axis=0)
        flips = int(np.sum(np.sign(tr[1:, 0]) * np.sign(tr[:-1, 0]) < 0))
        label = f"({ell}, {theta0}, eta = {eta})"
        comparisons += [Comparison(f"max step increase of |x| {label}", float(rises[0]), 0.0,
                                   0.0, sense="<="),
                        Comparison(f"max step increase of |y| {label}", float(rises[1]), 0.0,
                                   0.0, sense="<="),
                        Comparison(f"sign changes of x {label}", flips, 0, 0, sense="<=")]
        rows.append({"ell": ell, "theta0": theta0, "eta": eta, "eta*y0^2": eta * theta0[1] ** 2,
                     "steps": steps, "converged": converged, "x_flips": flips})
    return Outcome(all(r["converged"] for r in rows), measured=None, predicted=None,
                   tolerance=None, comparisons=tuple(comparisons), evidence={"rows": rows})


BOUNCE_CASES = (("logcosh", 0.05, (0.5, 12.0)), ("sqrt", 0.05, (0.5, 12.0)))
BOUNCE_PILOT = (("logcosh", 0.05, (0.5, 12.0)), ("sqrt", 0.05, (0.5, 12.0)),
                ("symmetric_logistic", 0.05, (0.5, 12.0)), ("logcosh", 0.1, (1.0, 9.0)),
                ("sqrt", 0.02, (0.2, 14.0)), ("logcosh", 0.07, (2.0, 10.0)),
                ("sqrt", 0.08, (0.3, 6.0)))
BOUNCE_HELD_OUT = (("logcosh", 0.04, (0.7, 13.0)), ("sqrt", 0.06, (1.5, 9.0)),
                   ("symmetric_logistic", 0.09, (0.4, 7.0)))


def _bouncing_phase(ell: str, eta: float, theta0):
    """The bouncing phase of an EoS run: the steps where u − u∞ (u = ηy² − 2) lies between
    1e-4 and 0.1 of the scale η²/(2β); returns its measured and predicted numbers."""
    model = models.get("product", ell=ell)
    beta = float(model.meta["beta"])
    _, steps, converged = _limit(model, theta0, eta, 10**7)
    tr = trajectory(model, theta0, eta, max(steps, 1))
    x, y = tr[:, 0], tr[:, 1]
    u = eta * y**2 - 2
    excess = u - u[-1]
    scale = eta**2 / (2 * beta) if beta > 0 else float("nan")
    window = np.nonzero((excess < 0.1 * scale) & (excess > 1e-4 * scale))[0]
    row = {"ell": ell, "eta": eta, "theta0": tuple(theta0), "converged": converged,
           "window_steps": int(len(window))}
    if not converged or len(window) < 20 or not beta > 0:
        return row | {"rate": float("nan"), "slope": float("nan"), "non_flips": -1,
                      "predicted_rate": float("nan"), "predicted_slope": float("nan")}
    t0, t1 = int(window[0]), int(window[-1])
    steps_in = np.arange(t0, t1 + 1)
    rate = -np.polyfit(steps_in, np.log(excess[t0:t1 + 1]), 1)[0]
    slope = np.polyfit(u[t0:t1 + 1], (x[t0:t1 + 1] * y[t0:t1 + 1]) ** 2, 1)[0]
    beta_eff = beta + eta**2 / 4
    return row | {"window": (t0, t1), "rate": float(rate), "slope": float(slope),
                  "non_flips": int(np.sum(x[t0:t1] * x[t0 + 1:t1 + 1] >= 0)),
                  "predicted_rate": -math.log(1 - eta**2 / beta_eff),
                  "predicted_slope": 1 / (2 * beta_eff), "time_scale_steps": beta / eta**2}


def _bouncing_comparisons(row) -> tuple[Comparison, ...]:
    tol = EOS_ETA2_CONSTANT * row["eta"] ** 2
    label = f"({row['ell']}, eta = {row['eta']})"
    return (Comparison(f"steps without a sign flip of x {label}", row["non_flips"], 0, 0,
                       sense="<="),
            Comparison(f"decay rate of u - u_inf per step {label}", row["rate"],
                       row["predicted_rate"], tol, relative=True),
            Comparison(f"slope d(xy)^2/du on the slow manifold {label}", row["slope"],
                       row["predicted_slope"], tol, relative=True))


@check("product.eos_bouncing", source=SOURCE,
       statement="EoS regime (R > 2/η): before y² settles at 2/η − η/(2β), GD bounces — x flips "
                 "sign every step while (xy)² follows the slow manifold d(xy)²/du = 1/(2β') "
                 "(u = ηy² − 2, β' = β + η²/4) and u − u∞ decays by (1 − η²/β') per step, i.e. "
                 "on the time scale β/η² steps.",
       kind="reconstruction", prediction_source="closed form: eosmath's derivation of the "
       "quasi-static maps S ↦ S(1 + 2u − 4β'S), u ↦ u − 2η²S (per step) on S = (xy)²",
       tolerance_basis="calibrated: relative error ≤ 2η² on rate and slope (the O(η²) term of "
                       "the quasi-static reduction; pilot: 0.30η² log-cosh, 0.50η² square-root "
                       "on 7 runs, η = 0.02 … 0.1); sign flips exact; held-out runs",
       not_shown="the length of the approach before the phase (it depends on the start); the "
                 "paper's own time-scale statement was not recovered",
       violations={"gf_regime_start": {"cases": (("logcosh", 0.05, (0.5, 4.0)),)},
                   "square_loss_beta_zero": {"cases": (("square", 0.05, (0.5, 12.0)),)}})
def product_eos_bouncing(quick: bool = True, cases=BOUNCE_CASES) -> Outcome:
    rows = [_bouncing_phase(ell, eta, theta0) for ell, eta, theta0 in cases]
    comparisons = tuple(c for row in rows for c in _bouncing_comparisons(row))
    held_out = []
    for ell, eta, theta0 in BOUNCE_HELD_OUT:
        row = _bouncing_phase(ell, eta, theta0)
        held_out.append(HeldOut({"ell": ell, "eta": eta, "theta0": theta0},
                                all(c.passed for c in _bouncing_comparisons(row)),
                                {"rate": row["rate"], "slope": row["slope"]}))
    return Outcome(True, measured=None, predicted=None, tolerance=None,
                   comparisons=comparisons, held_out=tuple(held_out),
                   calibration_inputs={"runs": BOUNCE_PILOT}, evidence={"rows": rows})
