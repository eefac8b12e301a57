"""The GD loop, written once as Numba source and appended to every model's kernel module.

``gd_core`` runs GD from one start, optionally recording every step (``run_gd``);
``sweep_cells_scalar`` runs every cell of a sweep in parallel, one cell per thread at a time.
For models of dimension ≤ 2 sweeps use the SIMD lane kernel of
:mod:`eosmath.dynamics.lane_kernel` instead (its ``lane_block``, driven by
:mod:`eosmath.dynamics.lane_runner`); it performs, per cell, exactly the floating-point
operations of ``gd_core`` in the same order, so a sweep cell equals the step-by-step trajectory
bit for bit.

One step at θ_t (t = steps done so far):

1. g, H = ∇L(θ_t), ∇²L(θ_t); S = λ_max(H).
2. Stop DIVERGED if ‖g‖² is not finite, CONVERGED if ‖g‖ < tol (no update).
3. Statistics: max S, first t with S > 2/η, count of η·S/2 ∈ [0.95, 1.05] (S in closed form
   for dimension ≤ 3; beyond, decided by inertia tests, S computed only when it may exceed
   the running max, once per 16-step window: see :mod:`eosmath.dynamics.curvature_stats`),
   tangent vector
   v ← (I − ηH)v (never normalised per step: its log-norm is the Lyapunov sum; every 16 steps
   it is rescaled by an exact power of two when it leaves [2^-300, 2^300]).
4. θ ← θ − ηg; t ← t + 1; stop DIVERGED if ‖θ‖² is not finite or above radius².
5. Every 16 steps, once t > kmax: PERIOD k if θ_t is within ptol·(1+‖θ_t‖) of θ_{t−k} for some
   2 ≤ k ≤ kmax (smallest such k) while θ_t and θ_{t−1} are at least 1e-6·(1+‖θ_t‖) apart.
6. Out of steps: CHAOTIC if the Lyapunov exponent is above 1e-3, else MAX_STEPS; but
   DIVERGED instead of CHAOTIC if ‖θ_end‖ ≥ 2·max ‖θ_t‖ over t = 0 and the checks (every
   16 steps) with t ≤ steps/2: unbounded growth is
   not "bounded but aperiodic" (the factor 2 is a declared choice, not fitted to any run).
7. At the end: INVALID if L is NaN at the (finite) final iterate, or the gradient was
   non-finite where L is finite (the model's domain, not overflow).

Statistics layout (``STAT_*`` indices): status, stop step, period, final loss, final
sharpness, max sharpness, first step with S > 2/η (−1 if never), steps with η·S/2 in
[0.95, 1.05], Lyapunov sum (log of the tangent growth), steps taken, first check step at which
a coordinate (or tangent component) is exactly 0 although its multiplier |1 − ηHᵢᵢ| > 1
(−1 if never; see ``check_underflow``) and which one (i for θᵢ, DIM + i for the tangent).
"""

from eosmath.dynamics import curvature_stats, lane_kernel, reducers
from eosmath.dynamics.stat_layout import NSTAT, STAT, STAT_NAMES  # noqa: F401 (re-exported)
from eosmath.kernels.codegen import register_template

SOURCE = '''
NSTAT = @NSTAT@
MIN_AMPLITUDE = 1e-6
CHECK_EVERY = 16       # rescaling and period checks every 16 steps: 1/16 of their cost
SCALE_EXP = 300.0      # 16 steps can grow a tangent by 1e200 before a rescale: no overflow
SCALE_UP = 2.0 ** SCALE_EXP
SCALE_DOWN = 2.0 ** -SCALE_EXP
LOG2 = math.log(2.0)
GROWTH_FACTOR = 2.0  # ‖θ_end‖ ≥ 2·max ‖θ‖ of the first half: growing, not bounded chaos


@njit(cache=True, error_model="numpy")
def classify_end(theta, g, stats):
    """INVALID where the run ended at a finite point at which L is undefined (NaN), or where
    the gradient is non-finite although L is finite there (a singular point such as √x at
    0); overflow (L = ±∞) and growth stay DIVERGED. Call after final_values, with the
    gradient ``g`` it left (the sweep's lanes compute it with the same expressions)."""
    for i in range(DIM):
        if not np.isfinite(theta[i]):
            return
    value = stats[3]
    if value != value:
        stats[0] = 5
    elif stats[0] == 3 and abs(value) < np.inf:
        for i in range(DIM):
            if not np.isfinite(g[i]):
                stats[0] = 5


@njit(cache=True, error_model="numpy")
def final_values(theta, h, g, hess, eigwork, stats):
    """Loss and sharpness at the final iterate (NaN when it is not finite); its gradient and
    Hessian are left in ``g`` and ``hess`` (by grad_hessian_into: the expressions of the
    sweep's lanes, which compute them for many cells at once)."""
    finite = True
    for i in range(DIM):
        if not np.isfinite(theta[i]):
            finite = False
    if finite:
        stats[3] = loss(theta, h)
        grad_hessian_into(theta, h, g, hess)
        stats[4] = sharpness_of(hess, eigwork)
    else:
        stats[3] = np.nan
        stats[4] = np.nan


@njit(cache=True, error_model="numpy", inline="always")  # one call per cell
def finish_cell(theta, h, status, stop, period, steps_done, max_s, first, eos_steps, tangent,
                log2_scale, early_r2, underflow, hess, stats):
    """Fill the statistics of one finished cell, except final loss and sharpness.

    A run out of steps with a positive Lyapunov exponent is CHAOTIC only if it looks bounded:
    when ‖θ_end‖ is at least GROWTH_FACTOR times the largest ‖θ_t‖ of the run's first half
    (``early_r2``, squared; sampled at t = 0 and at the checks), θ is being carried away and
    the run is DIVERGED.
    """
    norm2 = 0.0
    for i in range(DIM):
        norm2 += tangent[i] * tangent[i]
    lyap_sum = 0.5 * math.log(norm2) + log2_scale * LOG2
    if status == 4 and steps_done > 0 and lyap_sum / steps_done > 1e-3:
        status = 2
        end2 = theta[0] * theta[0]
        for i in range(1, DIM):
            end2 = fma(theta[i], theta[i], end2)
        if end2 >= GROWTH_FACTOR * GROWTH_FACTOR * early_r2:
            status = 3
    stats[0] = status
    stats[1] = stop
    stats[2] = period
    stats[5] = max_s if max_s > -np.inf else np.nan
    stats[6] = first
    stats[7] = eos_steps
    stats[8] = lyap_sum
    stats[9] = steps_done
    stats[10] = underflow[0]
    stats[11] = underflow[1]


@njit(cache=True, error_model="numpy")
def check_underflow(theta, theta0, tangent, eta, hess, t, underflow):
    """Record in ``underflow`` (step, index) the first check at which a coordinate of θ that
    started non-zero (index i), or a tangent component (index DIM + i), is exactly 0 while its
    multiplier |1 − η∂²L/∂θᵢ²| exceeds 1: float64 flushed it to zero where the linearised
    map would grow it, so an instability can no longer show (in θ or in the Lyapunov exponent).
    """
    if underflow[0] >= 0.0:
        return
    for i in range(DIM):
        if theta[i] == 0.0 and theta0[i] != 0.0 and abs(1.0 - eta * hess[i, i]) > 1.0:
            underflow[0], underflow[1] = t, i
            return
    for i in range(DIM):
        if tangent[i] == 0.0 and abs(1.0 - eta * hess[i, i]) > 1.0:
            underflow[0], underflow[1] = t, DIM + i
            return


@njit(cache=True, error_model="numpy", nogil=True)
def gd_core(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses, sharps,
            stats, theta_out, progress):
    """GD from theta0 with freshly allocated work buffers (see gd_core_in).

    Releases the GIL, so that a Python thread can show ``progress[0]`` (steps done, updated
    every 4096 steps) while it runs.
    """
    # np.int64, not a literal 2 (or 1 below): Numba compiles a callee once more for every
    # literal argument value it sees
    return gd_core_in(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses,
                      sharps, stats, theta_out, np.empty(DIM), np.empty((DIM, DIM)),
                      np.empty(DIM), np.empty(DIM), np.empty((kmax + 1, DIM)), np.empty(DIM),
                      np.empty(max(1, NREDUCE)), np.empty((DIM + 3, DIM)),
                      np.int64(2), progress)


@njit(cache=True, error_model="numpy")
def gd_core_in(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses, sharps,
               stats, theta_out, g, hess, tangent, work, history, theta, racc, eigwork,
               curvature, progress):
    """GD from theta0; status codes: 0 converged 1 period 2 chaotic 3 diverged 4 max_steps.

    ``stats`` holds NSTAT statistics, then the NREDUCE user reducers. ``eigwork``: the
    (DIM + 3, DIM) scratch of ``sharpness_of``, allocated once by the caller.

    ``curvature`` (what a sweep keeps asks for): 2 measures everything; 1 skips the sharpness
    (max sharpness, first unstable step, EoS steps are not measured) but iterates the tangent
    (Lyapunov sum, underflow); 0 runs bare GD (gradient only). The iterates, and so every other
    statistic, are the same; only a run out of steps needs its Lyapunov exponent (CHAOTIC or
    not): at level 0 it is run again at level 1, giving the full run's status exactly.
    """
    status = gd_pass(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses,
                     sharps, stats, theta_out, g, hess, tangent, work, history, theta, racc,
                     eigwork, curvature, progress)
    if status == 4 and curvature == 0:
        status = gd_pass(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas,
                         losses, sharps, stats, theta_out, g, hess, tangent, work, history,
                         theta, racc, eigwork, np.int64(1), progress)
    return status


@njit(cache=True, error_model="numpy")
def gd_pass(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses, sharps,
            stats, theta_out, g, hess, tangent, work, history, theta, racc, eigwork, curvature,
            progress):
    """One run of gd_core_in's loop, with or without the per-step curvature work."""
    ring = kmax + 1
    for i in range(DIM):
        theta[i] = theta0[i]
        tangent[i] = 1.0 / math.sqrt(DIM)
        history[0, i] = theta0[i]
    status, stop, period = 4, steps, 0
    max_s, first, eos_steps, log2_scale = -np.inf, -1.0, 0.0, 0.0
    underflow = np.full(2, -1.0)
    early_r2 = theta[0] * theta[0]
    for i in range(1, DIM):
        early_r2 = fma(theta[i], theta[i], early_r2)
    tol2 = tol * tol
    reduce_init(racc)
    if record:
        thetas[0, :] = theta
    t = 0
    s = np.nan
    # the window's candidate steps for max_s (dimension ≥ 3, see curvature_stats)
    cands, cand_s = np.empty((CHECK_EVERY, DIM)), np.empty(CHECK_EVERY)
    cand_order, cand_g, cand_hess = np.empty(CHECK_EVERY), np.empty(DIM), np.empty((DIM, DIM))
    nc = 0
    while t < steps:
        if curvature > 0:
            grad_hessian_into(theta, h, g, hess)
        else:
            grad_into(theta, h, g)
        gnorm2 = g[0] * g[0]
        for i in range(1, DIM):
            gnorm2 = fma(g[i], g[i], gnorm2)
        if not (gnorm2 - gnorm2 == 0.0):
            status, stop = 3, t
            break
        if curvature > 1 and (record or DIM <= 3):
            s = sharpness_of(hess, eigwork)
        if record:
            losses[t] = loss(theta, h)
            sharps[t] = s
        if gnorm2 < tol2:
            status, stop = 0, t
            break
        reduce_step(theta, h, racc)
        if curvature > 1:  # see eosmath.dynamics.curvature_stats
            max_s, first, eos_steps, candidate = curvature_stats(hess, eta, float(t), s, max_s,
                                                                 first, eos_steps)
            if candidate:
                cands[nc, :] = theta
                cand_s[nc] = s
                nc += 1
        if curvature > 0:
            for i in range(DIM):
                acc = tangent[i]
                for j in range(DIM):
                    acc = fma(-(eta * hess[i, j]), tangent[j], acc)
                work[i] = acc
            for i in range(DIM):
                tangent[i] = work[i]
        r2 = 0.0
        for i in range(DIM):
            new = fma(-eta, g[i], theta[i])
            theta[i] = new
            r2 = new * new if i == 0 else fma(new, new, r2)
        t += 1
        if t % 4096 == 0:
            progress[0] = t
        history[t % ring, :] = theta
        if record:
            thetas[t, :] = theta
        if not (r2 <= radius2):
            status, stop = 3, t
            break
        if t % CHECK_EVERY == 0:
            if curvature > 0:
                largest = 0.0
                for i in range(DIM):
                    a = abs(tangent[i])
                    largest = a if a > largest else largest
                if largest > SCALE_UP or largest < SCALE_DOWN:
                    factor = SCALE_DOWN if largest > SCALE_UP else SCALE_UP
                    for i in range(DIM):
                        tangent[i] = tangent[i] * factor
                    log2_scale += SCALE_EXP if largest > SCALE_UP else -SCALE_EXP
                check_underflow(theta, theta0, tangent, eta, hess, float(t), underflow)
            if nc > 0:
                max_s = resolve_window(cands, cand_s, nc, h, max_s, cand_g, cand_hess, eigwork,
                                       cand_order)
                nc = 0
            if 2 * t <= steps and r2 > early_r2:
                early_r2 = r2
            if t > kmax:
                period = find_period(theta, history, t, kmax, ptol, r2)
                if period > 0:
                    status, stop = 1, t
                    break
    progress[0] = t
    if nc > 0:
        max_s = resolve_window(cands, cand_s, nc, h, max_s, cand_g, cand_hess, eigwork,
                               cand_order)
    for i in range(DIM):
        theta_out[i] = theta[i]
    finish_cell(theta, h, status, stop, period, t, max_s, first, eos_steps, tangent, log2_scale,
                early_r2, underflow, hess, stats)
    final_values(theta, h, g, hess, eigwork, stats)
    classify_end(theta, g, stats)
    for k in range(NREDUCE):
        stats[NSTAT + k] = racc[k]
    return status


@njit(cache=True, error_model="numpy")
def find_period(theta, history, t, kmax, ptol, r2):
    """Smallest k in 2..kmax with θ_t ≈ θ_{t−k}, if θ_t still moves; 0 when none.

    An oscillation decaying onto a fixed point (EoS convergence) is not an orbit: consecutive
    iterates must stay MIN_AMPLITUDE·(1+‖θ‖) apart.
    """
    ring = kmax + 1
    scale = 1.0 + math.sqrt(r2)
    amplitude = MIN_AMPLITUDE * scale
    limit = ptol * scale
    prev = (t - 1) % ring
    step2 = 0.0
    for i in range(DIM):
        d = theta[i] - history[prev, i]
        step2 = step2 + d * d
    if not (step2 >= amplitude * amplitude):
        return 0
    found = 0
    for k in range(kmax, 1, -1):
        back = (t - k) % ring
        d2 = 0.0
        for i in range(DIM):
            d = theta[i] - history[back, i]
            d2 = d2 + d * d
        if d2 <= limit * limit:
            found = k
    return found


@njit(cache=True, error_model="numpy")
def sweep_cells_scalar(thetas0, etas, hs, order, steps, tol, radius2, kmax, ptol, stats,
                       theta_out, threads):
    """Every cell of a sweep with every statistic (see sweep_cells_curvature)."""
    sweep_cells_curvature(thetas0, etas, hs, order, steps, tol, radius2, kmax, ptol, stats,
                          theta_out, threads, 2)


@njit(cache=True, parallel=True, error_model="numpy")
def sweep_cells_curvature(thetas0, etas, hs, order, steps, tol, radius2, kmax, ptol, stats,
                          theta_out, threads, curvature):
    """Every cell of a sweep, one cell at a time per thread (models of dimension > 2).

    Same arguments as the lane kernel's ``sweep_cells`` (``threads`` is unused here), then
    ``curvature`` (2 every statistic, 1 no sharpness, 0 bare GD: see gd_core_in).

    ``order`` spreads cheap and expensive cells over the threads; cells run in blocks of 256
    sharing work buffers. Cell data is copied into them rather than passed as views of the
    shared arrays, whose atomic reference counts two threads would contend for.
    """
    n_cells = order.shape[0]
    n_blocks = (n_cells + 255) // 256
    for b in prange(n_blocks):
        dummy2 = np.empty((1, DIM))
        dummy1 = np.empty(1)
        g, hess = np.empty(DIM), np.empty((DIM, DIM))
        tangent, work, theta = np.empty(DIM), np.empty(DIM), np.empty(DIM)
        history = np.empty((kmax + 1, DIM))
        start, end, hrow = np.empty(DIM), np.empty(DIM), np.empty(NHYPER)
        row, progress = np.empty(NSTAT + NREDUCE), np.zeros(1, dtype=np.int64)
        racc, eigwork = np.empty(max(1, NREDUCE)), np.empty((DIM + 3, DIM))
        for n in range(b * 256, min(n_cells, (b + 1) * 256)):
            c = order[n]
            for i in range(DIM):
                start[i] = thetas0[c, i]
            for k in range(NHYPER):
                hrow[k] = hs[c, k]
            gd_core_in(start, etas[c], hrow, steps, tol, radius2, kmax, ptol, False, dummy2,
                       dummy1, dummy1, row, end, g, hess, tangent, work, history, theta,
                       racc, eigwork, curvature, progress)
            for q in range(NSTAT + NREDUCE):
                stats[c, q] = row[q]
            for i in range(DIM):
                theta_out[c, i] = end[i]
'''.replace("@NSTAT@", str(NSTAT))

register_template("gd_core", SOURCE)
register_template("reducers", reducers.reducers_source)
register_template("curvature_stats", curvature_stats.stats_function_source)
register_template("resolve_window", curvature_stats.resolve_function_source)
register_template("sweep_cells", lane_kernel.sweep_source)
