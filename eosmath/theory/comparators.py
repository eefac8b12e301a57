"""Checks of the scalar-network comparators (spec/simple_maps.md §3–4).

Zhu et al. (ICLR 2023): L = (x²y² − 1)²/4, its η-EoS minimum (c, d) = ((η⁻² − 4)^{1/4}, 1) where
the sharpness is exactly 2/η, and GD's limit just below it. Kreisler et al. (ICML 2023):
L = ½(∏wᵢ − y)², whose gradient-flow solution sharpness φ is non-increasing along GD.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from eosmath import models
from eosmath.dynamics.gf_limits import scalar_network_gf_limit
from eosmath.references import cite
from eosmath.symbolic.model import Model
from eosmath.theory._iterate import mp_trajectory, sharpness_along, trajectory
from eosmath.theory.registry import check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome, Recheck

ZHU = cite("zhu2023")
KREISLER = cite("kreisler2023")


def _other_normalisation() -> Model:
    """(x²y² − 1)²/2: twice Zhu's loss, so its spectrum on xy = 1 is 4(x² + y²), not 2(x² + y²)."""
    x, y = sp.symbols("x y", real=True)
    return Model((x**2 * y**2 - 1) ** 2 / 2, (x, y), name="zhu_half")


@check("comparators.zhu_eos_minimum", source=ZHU,
       statement="For L = (x²y² − 1)²/4, on xy = 1 the Hessian eigenvalues are 2(x² + y²) and 0, "
                 "so the minimum with sharpness 2/η satisfies (x² − y²)² = η⁻² − 4 (symbolic).",
       kind="identity", prediction_source="symbolic: eigenvalues of the Hessian restricted to "
       "y = 1/x, and (x² + y²)² − 4x²y² = (x² − y²)²",
       tolerance_basis="exact: SymPy simplifies each difference to 0",
       not_shown="anything about GD (see comparators.zhu_eos_minimum_gd and zhu_gd_sharpness)",
       violations={"other_normalisation": lambda: {"model": _other_normalisation()}})
def zhu_eos_minimum(quick: bool = True, model=None) -> Outcome:
    model = model or models.get("zhu_slice")
    x, y = model.params
    on_manifold = model.hessian().subs(y, 1 / x)
    eigen = sorted((sp.simplify(e) for e in on_manifold.eigenvals()), key=sp.default_sort_key)
    expected = sorted([sp.S.Zero, sp.simplify(2 * (x**2 + x**-2))], key=sp.default_sort_key)
    spectrum_ok = all(sp.simplify(a - b) == 0 for a, b in zip(eigen, expected, strict=True))
    # 2(x² + y²) = 2/η and xy = 1 ⇒ (x² − y²)² = (x² + y²)² − 4x²y² = η⁻² − 4.
    eos_ok = sp.simplify(((x**2 + x**-2) ** 2 - 4) - (x**2 - x**-2) ** 2) == 0
    passed = spectrum_ok and eos_ok
    return Outcome(passed, measured=[str(e) for e in eigen], predicted=[str(e) for e in expected],
                   tolerance="exact", evidence={"eos_minimum_identity": eos_ok})


def eos_minimum(eta: float) -> tuple[float, float]:
    """The η-EoS minimum of Zhu et al. as a point (x, y), x > y > 0: xy = 1 and
    x² − y² = c² with c = (η⁻² − 4)^{1/4}, so that its sharpness 2(x² + y²) is exactly 2/η.

    >>> x, y = eos_minimum(0.2)
    >>> round(x * y, 12), round(0.2 * 2 * (x * x + y * y) / 2, 12)
    (1.0, 1.0)
    """
    c2 = (eta**-2 - 4) ** 0.5
    x2 = (c2 + (c2 * c2 + 4) ** 0.5) / 2
    return x2**0.5, x2**-0.5


def _normal_growth(model, eta: float, c: float, steps: int, kick: float = 1e-6) -> float:
    """|xy − 1| after ``steps`` (even) GD steps over its initial value, from the minimum with
    x² − y² = c² pushed by ``kick`` along the Hessian's top eigenvector (y, x)/|(y, x)|."""
    x2 = (c * c + (c**4 + 4) ** 0.5) / 2
    x, y = x2**0.5, x2**-0.5
    norm = (x * x + y * y) ** 0.5
    start = [x + kick * y / norm, y + kick * x / norm]
    tr = trajectory(model, start, eta, steps)
    if len(tr) != steps + 1:
        return float("inf")
    return abs(tr[-1, 0] * tr[-1, 1] - 1) / abs(tr[0, 0] * tr[0, 1] - 1)


@check("comparators.zhu_eos_minimum_gd", source=ZHU,
       statement="The η-EoS minimum (c, d) = ((η⁻² − 4)^{1/4}, 1) is where minima of "
                 "(x²y² − 1)²/4 turn linearly unstable for GD: started on xy = 1 with a 1e-6 "
                 "kick off the manifold, the kick decays for c < c_η and grows for c > c_η; "
                 "bisection on c finds the boundary at c_η (1e-7 relative) for η = 0.1, 0.2, 0.25.",
       kind="identity", prediction_source="closed form: c_η = (η⁻² − 4)^{1/4} (Zhu et al.'s "
       "η-EoS minimum, where the sharpness 2(x² + y²) equals 2/η)",
       tolerance_basis="float64 rounding and the kick's nonlinear terms: over 100 steps a "
                       "relative offset δ from c_η changes the growth factor by ~4η²c⁴δ·100 ≫ "
                       "the 1e-10 rounding of xy − 1 at the kick's size, and the O(kick²) cubic "
                       "terms shift the boundary by ~1e-10 relative; bisection to 1e-9 "
                       "relative; tolerance 1e-7 relative",
       not_shown="where GD started off the manifold converges (see comparators.zhu_gd_sharpness)",
       violations={"other_normalisation": lambda: {"model": _other_normalisation()}})
def zhu_eos_minimum_gd(quick: bool = True, etas=(0.1, 0.2, 0.25), model=None) -> Outcome:
    model = model or models.get("zhu_slice")
    # Short runs: within ~1% of c_η the kick grows at most ~30× in 100 steps, so it stays
    # linear (a kick that grew to O(1) would self-stabilise and read as stable).
    steps = 100 if quick else 200
    comparisons, rows = [], []
    for eta in etas:
        c_eta = (eta**-2 - 4) ** 0.25
        lo, hi = 0.99 * c_eta, 1.013 * c_eta  # asymmetric: no midpoint is c_η
        bracketed = (_normal_growth(model, eta, lo, steps) < 1
                     and _normal_growth(model, eta, hi, steps) > 1)
        while bracketed and hi - lo > 1e-9 * c_eta:
            mid = 0.5 * (lo + hi)
            if _normal_growth(model, eta, mid, steps) > 1:
                hi = mid
            else:
                lo = mid
        found = 0.5 * (lo + hi) if bracketed else float("nan")
        rows.append({"eta": eta, "c_eta": c_eta, "boundary": found, "bracketed": bracketed})
        comparisons.append(Comparison(f"stability boundary c at eta = {eta}", found, c_eta, 1e-7,
                                      relative=True))
    return Outcome(all(r["bracketed"] for r in rows), measured=None, predicted=None,
                   tolerance=None, comparisons=tuple(comparisons),
                   evidence={"rows": rows, "steps": steps, "kick": 1e-6})


ZHU_REGION = [((3.0, 0.2), 0.2), ((2.5, 0.3), 0.25)]
"""The spec's two starts (v06), inside the region above the η-EoS minimum: the calibration."""
ZHU_HELD_OUT = [((3.5, 0.2), 0.12), ((2.6, 0.3), 0.22), ((4.2, 0.2), 0.08)]
ZHU_GAP_CONSTANT = 0.5
"""1 − ηS/2 ≤ K η² with K = 0.5: twice the largest gap/η² (0.245) of a pilot over η = 0.05 …
0.3 from 2–5 starts each, all above c_η (calibrated; held-out runs in ZHU_HELD_OUT)."""


def _zhu_limit(model, theta0, eta, steps=20000):
    """ηS/2 at GD's limit (nan if GD diverges or has not reached xy = ±1 to 1e-12)."""
    tr = trajectory(model, theta0, eta, steps)
    final = tr[-1]
    converged = len(tr) == steps + 1 and abs((final[0] * final[1]) ** 2 - 1) < 1e-12
    return float(eta * sharpness_along(model, final[None, :])[0] / 2) if converged else np.nan


def _zhu_comparisons(ratio: float, eta: float, label: str) -> tuple[Comparison, Comparison]:
    return (Comparison(f"eta*S/2 <= 1 {label}", ratio, 1.0, 1e-12, sense="<="),
            Comparison(f"eta*S/2 {label}", ratio, 1.0, ZHU_GAP_CONSTANT * eta**2))


@check("comparators.zhu_gd_sharpness", source=ZHU,
       statement="GD on (x²y² − 1)²/4 from starts above the η-EoS minimum (sharpness of nearby "
                 "minima > 2/η) converges to a minimum with sharpness slightly below that of "
                 "the η-EoS minimum: 1 − Kη² ≤ ηS/2 ≤ 1 (K calibrated); (3, 0.2) at η = 0.2 and "
                 "(2.5, 0.3) at η = 0.25.",
       kind="theorem", prediction_source="closed form: ηS/2 = 1 at the η-EoS minimum "
       "(c, d) = ((η⁻² − 4)^{1/4}, 1), i.e. 2(x² + y²) = 2/η",
       tolerance_basis="calibrated: the paper's gap constant was not recovered; gap ≤ 0.5η², "
                       "twice the pilot's largest gap/η² = 0.245 (η = 0.05 … 0.3, 2–5 starts "
                       "each); ηS/2 ≤ 1 to float64 rounding (1e-12)",
       not_shown="the paper's constant or the exact region of starts; the O(η²) rate was seen "
                 "only on the calibration pilot (gap/η² = 0.245 … 0.119 for η = 0.05 … 0.3)",
       violations={"outside_region_diverges": {"cases": [((4.0, 0.2), 0.2)]},
                   "start_below_eos_minimum": {"cases": [((1.5, 0.5), 0.2)]}})
def zhu_gd_sharpness(quick: bool = True, cases=None) -> Outcome:
    cases = cases or ZHU_REGION
    model = models.get("zhu_slice")
    rows, comparisons = [], []
    for theta0, eta in cases:
        ratio = _zhu_limit(model, theta0, eta)
        rows.append({"theta0": theta0, "eta": eta, "eta_S_over_2": ratio,
                     "gap_over_eta2": (1 - ratio) / eta**2})
        comparisons += _zhu_comparisons(ratio, eta, f"from {theta0}, eta = {eta}")
    held_out = []
    for theta0, eta in ZHU_HELD_OUT:
        ratio = _zhu_limit(model, theta0, eta)
        held_out.append(HeldOut({"theta0": theta0, "eta": eta},
                                all(c.passed for c in _zhu_comparisons(ratio, eta, "")), ratio))
    failing = [r for r, c in zip(rows, comparisons[1::2], strict=True) if not c.passed]
    witness = failing[0] if failing else None
    return Outcome(True, measured=None, predicted=None, tolerance=None,
                   comparisons=tuple(comparisons), held_out=tuple(held_out),
                   calibration_inputs={"starts": ZHU_REGION,
                                       "pilot_etas": (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)},
                   evidence={"rows": rows, "spec_v06": {"(3, 0.2), 0.2": 0.99274,
                                                        "(2.5, 0.3), 0.25": 0.99057}},
                   witness=witness,
                   recheck=(lambda: _recheck_zhu(model, witness["theta0"], witness["eta"]))
                   if witness else None)


def _recheck_zhu(model, theta0, eta, steps=20000):
    run = mp_trajectory(model, theta0, eta, steps, dps=50, bound=1e10)
    last = run[-1]
    with mpmath.workdps(50):
        if not all(mpmath.isfinite(v) and abs(v) < 1e10 for v in last):
            return Recheck(passed=False, measured=float("inf"), dps=50,
                           note="the 50-digit run diverges too")
        sharp = max(mpmath.eigsy(model.lambdify("mpmath").hessian(last))[0])
        ratio = float(eta * sharp / 2)
    passed = all(c.passed for c in _zhu_comparisons(ratio, eta, ""))
    return Recheck(passed=passed, measured=ratio, dps=50,
                   note=f"ηS/2 after {steps} steps of 50-digit GD")


def _integrate_gf(model, w0, t_end=400.0):
    k = model.compile()
    sol = solve_ivp(lambda t, w: -k.grad(np.asarray(w)), (0, t_end), list(w0), method="DOP853",
                    rtol=1e-13, atol=1e-15)
    return sol.y[:, -1]


@check("comparators.kreisler_gfs", source=KREISLER,
       statement="The gradient-flow limit of ½(∏wᵢ − y)² from the balances, sᵢ² = u + bᵢ with "
                 "∏(u + bᵢ) = y² (same orthant), equals integrated GF (DOP853 rtol 1e-13) to 1e-9.",
       kind="identity", prediction_source="closed form: conserved balances wᵢ² − w₁² and the "
       "root of ∏(u + bᵢ) = y² (brentq, xtol = rtol = 1e-15)",
       tolerance_basis="integrator tolerance: DOP853 rtol 1e-13, atol 1e-15 to t = 400 (the "
                       "flow converges exponentially; remaining error ≲ 1e-11): 1e-9 absolute",
       not_shown="depths other than 3 or targets other than 1; anything about GD",
       violations={"wrong_target": {"target_claim": 1.1}})
def kreisler_gfs(quick: bool = True, target_claim: float = 1.0) -> Outcome:
    model = models.get("scalar_network", depth=3, target=1.0)
    starts = [(0.5, 1.0, 2.2), (0.2, 1.5, 1.5), (0.3, 1.2, 1.9)]
    errors, comparisons = [], []
    for w0 in starts:
        closed = scalar_network_gf_limit(w0, target_claim)
        integrated = _integrate_gf(model, w0)
        errors.append(float(np.max(np.abs(closed - integrated))))
        comparisons += [Comparison(f"s_{i + 1} from {w0}", float(g), float(c), 1e-9)
                        for i, (g, c) in enumerate(zip(integrated, closed, strict=True))]
    worst = int(np.argmax(errors))
    passed = errors[worst] <= 1e-9
    return Outcome(passed, measured=errors[worst], predicted=0.0, tolerance=1e-9,
                   comparisons=tuple(comparisons),
                   evidence={"errors": errors}, witness=None if passed else starts[worst],
                   recheck=lambda: _recheck_kreisler(starts[worst], target_claim))


def _recheck_kreisler(w0, target_claim: float, dps: int = 30, t_end: int = 60) -> Recheck:
    """GF reduced to u = w₁²: u̇ = −2(π − y)π, π² = ∏(u + bᵢ), integrated by mpmath's Taylor
    ODE solver at 30 digits, against the closed-form root of ∏(u + bᵢ) = y²."""
    with mpmath.workdps(dps):
        w = [mpmath.mpf(v) for v in w0]
        b = [v * v - w[0] ** 2 for v in w]
        sign = mpmath.sign(w[0] * w[1] * w[2])
        y = mpmath.mpf(1)  # the model's true target

        def pi(u):
            return sign * mpmath.sqrt(mpmath.fprod(u + bi for bi in b))

        flow = mpmath.odefun(lambda t, u: -2 * (pi(u) - y) * pi(u), 0, w[0] ** 2)
        u_end = flow(t_end)
        target = mpmath.mpf(target_claim)
        u_closed = mpmath.findroot(lambda u: mpmath.fprod(u + bi for bi in b) - target**2, u_end)
        error = max(abs(mpmath.sqrt(u_end + bi) - mpmath.sqrt(u_closed + bi)) for bi in b)
        return Recheck(bool(error <= mpmath.mpf("1e-9")), float(error), dps,
                       note=f"GF integrated to t = {t_end}")


def _phi(w, target=1.0):
    with np.errstate(divide="ignore"):   # the root bracket may start where log(u + bᵢ) = −inf
        s = scalar_network_gf_limit(w, target)
    return target**2 * float(np.sum(1.0 / s**2))


def gfs_sharpness(ws: np.ndarray, target: float = 1.0) -> np.ndarray:
    """φ(w) = y²Σᵢ1/sᵢ² for each row of ``ws`` (vectorised; same value as the brentq root).

    Σlog(u + bᵢ) − 2log|y| is increasing and concave in u, so Newton from a point left of the
    root climbs to it without overshooting. At the root (u + min bᵢ)^D ≤ y², so
    u + max bᵢ ≤ |y|^{2/D} + max bᵢ − min bᵢ =: M, and y² ≤ (u + min bᵢ)M^{D−1}: the start
    u₀ = −min bᵢ + y²/M^{D−1} is left of the root and inside the domain.

    >>> float(gfs_sharpness(np.array([[1.0, 1.0, 1.0]]))[0])      # s = (1, 1, 1): φ = 3
    3.0
    """
    ws = np.atleast_2d(np.asarray(ws, dtype=float))
    b = ws**2 - ws[:, :1] ** 2
    depth = ws.shape[1]
    target_log = 2 * np.log(abs(target))
    spread = abs(target) ** (2 / depth) + b.max(axis=1) - b.min(axis=1)
    u = -b.min(axis=1) + target**2 / spread ** (depth - 1)
    for _ in range(200):
        gap = u[:, None] + b
        f = np.sum(np.log(gap), axis=1) - target_log
        step = -f / np.sum(1 / gap, axis=1)
        u_next = u + np.maximum(step, 0.0)
        if np.all(u_next == u):
            break
        u = u_next
    return target**2 * np.sum(1 / (u[:, None] + b), axis=1)


KREISLER_CASES = [((0.5, 1.0, 2.2), 0.4), ((0.2, 1.5, 1.5), 0.35), ((0.3, 1.2, 1.9), 0.25)]
"""The spec's three runs (v06); φ(w₀) > 2/η in the first two (EoS)."""


def _kreisler_run(model, w0, eta, steps):
    tr = trajectory(model, w0, eta, steps)
    finite = len(tr) == steps + 1 and bool(np.all(np.abs(tr) < 1e6))
    phi = gfs_sharpness(tr) if finite else np.array([np.inf])
    final_s = float(sharpness_along(model, tr[-1:])[0]) if finite else np.inf
    return tr, finite, phi, final_s


@check("comparators.kreisler_sharpness", source=KREISLER,
       statement="Along GD on ½(w₁w₂w₃ − 1)² the GF-solution sharpness φ(w_t) = Σᵢ1/sᵢ² is "
                 "non-increasing (per-step increase ≤ 1e-12) and GD ends at sharpness ≤ 2/η, even "
                 "from φ(w₀) > 2/η (three starts chosen by eosmath).",
       kind="theorem", prediction_source="paper formula: φ(w_{t+1}) ≤ φ(w_t) and final sharpness "
       "≤ 2/η (Kreisler et al., ICML 2023, arXiv:2305.13064, main result)",
       tolerance_basis="float64 rounding: φ from a Newton root accurate to a few ulps of u, "
                       "amplified by ∂φ/∂u = Σ1/(u+bᵢ)² ≤ 30 here: 1e-12 per step; the final "
                       "sharpness bound is strict (tolerance 0)",
       not_shown="the paper's exact hypotheses on the start (e.g. φ(w₀) ≤ c·2/η) were not "
                 "recovered; depth 3, target 1 only",
       violations={"step_too_large": {"cases": [((0.5, 1.0, 2.2), 0.7)]},
                   "diverging_step": {"cases": [((0.5, 1.0, 2.2), 0.9)]}})
def kreisler_sharpness(quick: bool = True, cases=None) -> Outcome:
    cases = cases or KREISLER_CASES
    model = models.get("scalar_network", depth=3, target=1.0)
    steps = 2000 if quick else 20000
    rows, comparisons, witness = [], [], None
    for w0, eta in cases:
        tr, finite, phi, final_s = _kreisler_run(model, w0, eta, steps)
        rise = float(np.max(np.diff(phi))) if finite else np.inf
        comparisons += [Comparison(f"max step increase of phi from {w0}", rise, 0.0, 1e-12,
                                   sense="<="),
                        Comparison(f"final sharpness from {w0}, eta = {eta}", final_s, 2 / eta,
                                   0.0, sense="<=")]
        rows.append({"w0": w0, "eta": eta, "phi0": float(phi[0]), "phi_final": float(phi[-1]),
                     "max_step_increase": rise, "final_sharpness": final_s, "2/eta": 2 / eta,
                     "diverged": not finite})
        if witness is None and not (finite and rise <= 1e-12 and final_s <= 2 / eta):
            witness = {"w0": w0, "eta": eta, "diverged": not finite}
            if finite and rise > 1e-12:   # only a rise is worth a high-precision re-run
                witness["step"] = int(np.argmax(np.diff(phi)))
    worst = max(rows, key=lambda r: r["max_step_increase"])
    return Outcome(True, measured=worst["max_step_increase"],
                   predicted="≤ 0 (non-increasing)", tolerance=1e-12,
                   comparisons=tuple(comparisons), evidence={"rows": rows}, witness=witness,
                   recheck=(lambda: _recheck_phi(model, witness)) if witness and "step" in
                   witness else None)


@check("comparators.kreisler_final_sharpness", source=KREISLER,
       statement="Regression guard: the final GF-solution sharpness φ after GD from the "
                 "three starts is 4.727750, 4.633379, 6.398635 (an earlier run, 7 digits).",
       kind="regression", prediction_source="earlier run: eosmath's reference run, 7 digits "
       "(the paper predicts only φ_final ≤ 2/η, checked by comparators.kreisler_sharpness)",
       tolerance_basis="the 7 significant digits recorded: 1e-5 absolute",
       not_shown="any claim of the paper: these values are not predicted by theory",
       violations={"other_step_size": {"etas": (0.41, 0.35, 0.25)}})
def kreisler_final_sharpness(quick: bool = True, etas=None) -> Outcome:
    model = models.get("scalar_network", depth=3, target=1.0)
    spec = (4.727750, 4.633379, 6.398635)
    etas = etas or tuple(eta for _, eta in KREISLER_CASES)
    comparisons = []
    for (w0, _), eta, value in zip(KREISLER_CASES, etas, spec, strict=True):
        _, _, phi, _ = _kreisler_run(model, w0, eta, 2000 if quick else 20000)
        comparisons.append(Comparison(f"phi_final from {w0}, eta = {eta}", float(phi[-1]), value,
                                      1e-5))
    return Outcome(True, measured=None, predicted=None, tolerance=None,
                   comparisons=tuple(comparisons))


def _recheck_phi(model, witness):
    """φ at the witness step and the next, from a 50-digit GD run and a 50-digit root."""
    tr = mp_trajectory(model, witness["w0"], witness["eta"], witness["step"] + 1, dps=50)
    with mpmath.workdps(50):
        def phi(w):
            b = [wi**2 - w[0] ** 2 for wi in w]
            u = mpmath.findroot(lambda u: mpmath.fprod(u + bi for bi in b) - 1,
                                -min(b) + mpmath.mpf("0.5"))
            return mpmath.fsum(1 / (u + bi) for bi in b)

        rise = phi(tr[-1]) - phi(tr[-2])
    return Recheck(passed=rise <= 1e-12, measured=float(rise), dps=50,
                   note="φ(w_{t+1}) − φ(w_t) at the witness step, 50-digit GD")
