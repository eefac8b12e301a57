"""The GD loop, written once as Numba source and appended to every model's kernel module.

One function, ``gd_core``, runs GD from one start and fills per-cell statistics; ``run_gd``
calls it with per-step recording on, ``sweep`` calls it for every cell in parallel. Sharing the
loop is what makes a sweep cell equal to the step-by-step trajectory bit for bit.

Statistics layout (``STAT_*`` indices): status, stop step, period, final loss, final
sharpness, max sharpness, first step with S > 2/η (−1 if never), steps with η·S/2 in
[0.95, 1.05], sum of log growth of the tangent vector, number of tangent steps, number of
steps whose iterate changed sign in its first coordinate (oscillation).
"""

from eosmath.kernels.codegen import register_template

STAT_NAMES = ("status", "stop_step", "period", "final_loss", "final_sharpness", "max_sharpness",
              "first_unstable_step", "eos_steps", "lyapunov_sum", "lyapunov_steps",
              "sign_flips")
NSTAT = len(STAT_NAMES)
STAT = {name: i for i, name in enumerate(STAT_NAMES)}

SOURCE = '''
NSTAT = @NSTAT@
MIN_AMPLITUDE = 1e-6
PERIOD_CHECK_EVERY = 8  # returns are looked for every 8 steps: 1/8 of the cost


@njit(cache=True)
def gd_core(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses, sharps,
            stats, theta_out):
    """GD from theta0 with freshly allocated work buffers (see gd_core_in)."""
    return gd_core_in(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses,
                      sharps, stats, theta_out, np.empty(DIM), np.empty((DIM, DIM)),
                      np.empty(DIM), np.empty(DIM), np.empty((kmax + 1, DIM)), np.empty(DIM))


@njit(cache=True)
def gd_core_in(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses, sharps,
               stats, theta_out, g, hess, tangent, work, history, theta):
    """GD from theta0; status codes: 0 converged 1 period 2 chaotic 3 diverged 4 max_steps.

    A period-k verdict needs θ_t within ptol·(1+‖θ‖) of θ_{t-k} while consecutive iterates stay
    at least MIN_AMPLITUDE·(1+‖θ‖) apart: an oscillation decaying onto a fixed point (EoS
    convergence) is not an orbit.
    """
    for i in range(DIM):
        theta[i] = theta0[i]
        tangent[i] = 1.0 / math.sqrt(DIM)
    for i in range(NSTAT):
        stats[i] = 0.0
    stats[6] = -1.0
    status, stop, period = 4, steps, 0
    max_s = -np.inf
    growth = 1.0
    if record:
        thetas[0, :] = theta
    for t in range(steps):
        grad_hessian_into(theta, h, g, hess)
        gnorm2 = 0.0
        for i in range(DIM):
            gnorm2 += g[i] * g[i]
        if not np.isfinite(gnorm2):
            status, stop = 3, t
            break
        s = sharpness_of(hess)
        if record:
            losses[t] = loss(theta, h)
            sharps[t] = s
        if gnorm2 < tol * tol:
            status, stop = 0, t
            break
        if s > max_s:
            max_s = s
        if s > 2.0 / eta and stats[6] < 0:
            stats[6] = t
        ratio = 0.5 * eta * s
        if ratio >= 0.95 and ratio <= 1.05:
            stats[7] += 1.0
        # tangent map I - eta*H applied to a unit vector: growth rate -> Lyapunov exponent
        norm2 = 0.0
        for i in range(DIM):
            acc = tangent[i]
            for j in range(DIM):
                acc -= eta * hess[i, j] * tangent[j]
            work[i] = acc
            norm2 += acc * acc
        norm = math.sqrt(norm2)
        if norm > 0.0 and np.isfinite(norm):
            # log of a running product every 32 steps: the same sum, one log instead of 32
            growth *= norm
            stats[9] += 1.0
            if stats[9] % 32.0 == 0.0 or growth > 1e150 or growth < 1e-150:
                stats[8] += math.log(growth)
                growth = 1.0
            for i in range(DIM):
                tangent[i] = work[i] / norm
        r2 = 0.0
        for i in range(DIM):
            new = theta[i] - eta * g[i]
            if i == 0 and new * theta[i] < 0.0:
                stats[10] += 1.0
            theta[i] = new
            r2 += new * new
        if record:
            thetas[t + 1, :] = theta
        if not np.isfinite(r2) or r2 > radius2:
            status, stop = 3, t + 1
            break
        slot = (t + 1) % (kmax + 1)
        history[slot, :] = theta
        if t + 1 > kmax and (t + 1) % PERIOD_CHECK_EVERY == 0:
            scale = 1.0 + math.sqrt(r2)
            prev = t % (kmax + 1)
            step2 = 0.0
            for i in range(DIM):
                diff = theta[i] - history[prev, i]
                step2 += diff * diff
            for k in range(2, kmax + 1 if math.sqrt(step2) >= MIN_AMPLITUDE * scale else 2):
                back = (t + 1 - k) % (kmax + 1)
                d2 = 0.0
                for i in range(DIM):
                    diff = theta[i] - history[back, i]
                    d2 += diff * diff
                if math.sqrt(d2) <= ptol * scale:
                    period = k
                    break
            if period > 0:
                status, stop = 1, t + 1
                break
    stats[8] += math.log(growth)
    if status == 4 and stats[9] > 0 and stats[8] / stats[9] > 1e-3:
        status = 2
    for i in range(DIM):
        theta_out[i] = theta[i]
    stats[0] = status
    stats[1] = stop
    stats[2] = period
    finite = True
    for i in range(DIM):
        if not np.isfinite(theta[i]):
            finite = False
    if finite:
        stats[3] = loss(theta, h)
        hessian_into(theta, h, hess)
        stats[4] = sharpness_of(hess)
    else:
        stats[3] = np.nan
        stats[4] = np.nan
    stats[5] = max_s if max_s > -np.inf else np.nan
    return status


@njit(cache=True, parallel=True)
def sweep_cells(thetas0, etas, hs, order, steps, tol, radius2, kmax, ptol, stats, theta_out):
    """Every cell of a sweep; ``order`` spreads cheap and expensive cells over the threads.

    Cells run in blocks of 256 that share work buffers (allocation per cell was measurable).
    """
    n_cells = order.shape[0]
    n_blocks = (n_cells + 255) // 256
    for b in prange(n_blocks):
        dummy2 = np.empty((1, DIM))
        dummy1 = np.empty(1)
        g, hess = np.empty(DIM), np.empty((DIM, DIM))
        tangent, work, theta = np.empty(DIM), np.empty(DIM), np.empty(DIM)
        history = np.empty((kmax + 1, DIM))
        for n in range(b * 256, min(n_cells, (b + 1) * 256)):
            c = order[n]
            gd_core_in(thetas0[c], etas[c], hs[c], steps, tol, radius2, kmax, ptol, False,
                       dummy2, dummy1, dummy1, stats[c], theta_out[c], g, hess, tangent, work,
                       history, theta)
'''.replace("@NSTAT@", str(NSTAT))

register_template("gd_core", SOURCE)
