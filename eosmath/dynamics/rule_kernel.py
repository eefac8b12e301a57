"""The GD loop with an update rule, written once as Numba source and added to every model's
kernel module (beside the plain loop of :mod:`eosmath.dynamics.kernel_template`, untouched).

``gd_rule_core`` runs one start (``run_gd(..., rule=...)``); ``sweep_rule_cells`` runs every
cell of a sweep through the same ``gd_rule_core_in``, so a sweep cell equals the trajectory
bit for bit. The rule arrives as data (:class:`~eosmath.dynamics.update_rules.CompiledRule`):
operation codes, coefficients, clip bounds per coordinate, and the projection box.

One step at θ_t:

1. g, H = ∇L(θ_t), ∇²L(θ_t); DIVERGED if ‖g‖² is not finite.
2. u = g, transformed by each operation in turn (state: momentum m, second moment s, and the
   preconditioner P for rmsprop/adam).
3. S = λ_max(H), or λ_max(P^{-1/2} H P^{-1/2}) = λ_max(P⁻¹H) for a preconditioned rule.
4. CONVERGED if the step would be shorter than η·tol (‖u‖ < tol without a projection).
5. Statistics against the rule's threshold c/η: ratio = η·S/c.
6. θ ← Proj(θ − ηu) (fma, as the plain loop); DIVERGED if ‖θ‖² is not finite or > radius².
7. Every 16 steps, once t > kmax: PERIOD k from θ alone (the plain loop's ``find_period``).

No tangent map is iterated (a rule's state and its clip/projection kinks make it another
map): the Lyapunov sum is NaN, and a run without a verdict ends MAX_STEPS, never CHAOTIC.
With no operation and no projection the iterates equal the plain loop's bit for bit.
"""

from eosmath.kernels.codegen import register_template

SOURCE = '''

@njit(cache=True, error_model="numpy")
def rule_sharpness(hess, pre, preconditioned, scaled, eigwork):
    """λ_max(H), or λ_max(P^{-1/2} H P^{-1/2}) (the spectrum of P⁻¹H) for diagonal P."""
    if not preconditioned:
        return sharpness_of(hess, eigwork)
    for i in range(DIM):
        for j in range(DIM):
            scaled[i, j] = hess[i, j] / math.sqrt(pre[i] * pre[j])
    return sharpness_of(scaled, eigwork)


@njit(cache=True, error_model="numpy")
def apply_rule(u, t, ops, coef, clipvec, mom, sec, pre):
    """Transform the update u in place; mom, sec, pre are the rule's state."""
    for k in range(ops.shape[0]):
        op = ops[k]
        if op == 1:
            for i in range(DIM):
                c = clipvec[k, i]
                u[i] = min(max(u[i], -c), c)
        elif op == 2:
            beta = coef[k, 0]
            for i in range(DIM):
                mom[i] = fma(beta, mom[i], u[i])
                u[i] = mom[i]
        elif op == 3:
            beta = coef[k, 0]
            for i in range(DIM):
                mom[i] = fma(beta, mom[i], u[i])
                u[i] = fma(beta, mom[i], u[i])
        elif op == 4:
            beta2, eps = coef[k, 0], coef[k, 1]
            for i in range(DIM):
                sec[i] = fma(beta2, sec[i], (1.0 - beta2) * (u[i] * u[i]))
                pre[i] = math.sqrt(sec[i]) + eps
                u[i] = u[i] / pre[i]
        elif op == 5:
            beta1, beta2, eps = coef[k, 0], coef[k, 1], coef[k, 2]
            bc1 = 1.0 - beta1 ** (t + 1)
            bc2 = 1.0 - beta2 ** (t + 1)
            for i in range(DIM):
                mom[i] = fma(beta1, mom[i], (1.0 - beta1) * u[i])
                sec[i] = fma(beta2, sec[i], (1.0 - beta2) * (u[i] * u[i]))
                pre[i] = math.sqrt(sec[i] / bc2) + eps
                u[i] = (mom[i] / bc1) / pre[i]


@njit(cache=True, error_model="numpy", nogil=True)
def gd_rule_core(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses,
                 sharps, stats, theta_out, ops, coef, clipvec, lo, hi, project, factor,
                 preconditioned, progress):
    """GD with a rule from theta0, with freshly allocated work buffers."""
    return gd_rule_core_in(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas,
                           losses, sharps, stats, theta_out, ops, coef, clipvec, lo, hi, project,
                           factor, preconditioned, np.empty(DIM), np.empty((DIM, DIM)),
                           np.empty((DIM, DIM)), np.empty(DIM), np.empty(DIM), np.empty(DIM),
                           np.empty(DIM), np.empty((kmax + 1, DIM)), np.empty(DIM),
                           np.empty(max(1, NREDUCE)), np.empty((DIM + 3, DIM)), progress)


@njit(cache=True, error_model="numpy")
def gd_rule_core_in(theta0, eta, h, steps, tol, radius2, kmax, ptol, record, thetas, losses,
                    sharps, stats, theta_out, ops, coef, clipvec, lo, hi, project, factor,
                    preconditioned, g, hess, scaled, u, mom, sec, pre, history, theta, racc,
                    eigwork, progress):
    """Status codes as gd_core_in: 0 converged 1 period 3 diverged 4 max_steps."""
    ring = kmax + 1
    for i in range(DIM):
        x = theta0[i]
        if project:
            x = min(max(x, lo[i]), hi[i])
        theta[i] = x
        history[0, i] = x
        mom[i] = 0.0
        sec[i] = 0.0
        pre[i] = 1.0
    status, stop, period = 4, steps, 0
    max_s, first, eos_steps = -np.inf, -1.0, 0.0
    tol2 = tol * tol
    etatol2 = (eta * tol) * (eta * tol)
    reduce_init(racc)
    if record:
        thetas[0, :] = theta
    s = np.nan
    t = 0
    while t < steps:
        grad_hessian_into(theta, h, g, hess)
        gnorm2 = g[0] * g[0]
        for i in range(1, DIM):
            gnorm2 = fma(g[i], g[i], gnorm2)
        if not (gnorm2 - gnorm2 == 0.0):
            status, stop = 3, t
            break
        for i in range(DIM):
            u[i] = g[i]
        apply_rule(u, t, ops, coef, clipvec, mom, sec, pre)
        s = rule_sharpness(hess, pre, preconditioned, scaled, eigwork)
        if record:
            losses[t] = loss(theta, h)
            sharps[t] = s
        if project:
            d2 = 0.0
            for i in range(DIM):
                d = min(max(fma(-eta, u[i], theta[i]), lo[i]), hi[i]) - theta[i]
                d2 = fma(d, d, d2)
            if d2 < etatol2:
                status, stop = 0, t
                break
        else:
            unorm2 = u[0] * u[0]
            for i in range(1, DIM):
                unorm2 = fma(u[i], u[i], unorm2)
            if unorm2 < tol2:
                status, stop = 0, t
                break
        reduce_step(theta, h, racc)
        if s > max_s:
            max_s = s
        ratio = eta * s / factor
        if ratio > 1.0 and first < 0.0:
            first = t
        if ratio >= 0.95 and ratio <= 1.05:
            eos_steps += 1.0
        r2 = 0.0
        for i in range(DIM):
            new = fma(-eta, u[i], theta[i])
            if project:
                new = min(max(new, lo[i]), hi[i])
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
        if t % 16 == 0 and t > kmax:
            period = find_period(theta, history, t, kmax, ptol, r2)
            if period > 0:
                status, stop = 1, t
                break
    progress[0] = t
    for i in range(DIM):
        theta_out[i] = theta[i]
    stats[0] = status
    stats[1] = stop
    stats[2] = period
    stats[5] = max_s if max_s > -np.inf else np.nan
    stats[6] = first
    stats[7] = eos_steps
    stats[8] = np.nan
    stats[9] = t
    stats[10] = -1.0  # underflow is not tracked under a rule (no tangent map)
    stats[11] = -1.0
    final_values(theta, h, g, hess, eigwork, stats)
    if preconditioned and stats[4] == stats[4]:
        # the final iterate's Hessian (final_values left it in hess) with the last P
        stats[4] = rule_sharpness(hess, pre, preconditioned, scaled, eigwork)
    for k in range(NREDUCE):
        stats[NSTAT + k] = racc[k]
    return status


@njit(cache=True, parallel=True, error_model="numpy")
def sweep_rule_cells(thetas0, etas, hs, order, steps, tol, radius2, kmax, ptol, stats,
                     theta_out, ops, coef, clipvec, los, his, project, factor, preconditioned):
    """Every cell of a sweep with a rule, one cell at a time per thread, in blocks of 256."""
    n_cells = order.shape[0]
    n_blocks = (n_cells + 255) // 256
    for b in prange(n_blocks):
        dummy2 = np.empty((1, DIM))
        dummy1 = np.empty(1)
        g, hess, scaled = np.empty(DIM), np.empty((DIM, DIM)), np.empty((DIM, DIM))
        u, mom, sec, pre, theta = (np.empty(DIM), np.empty(DIM), np.empty(DIM),
                                   np.empty(DIM), np.empty(DIM))
        history = np.empty((kmax + 1, DIM))
        start, end, hrow = np.empty(DIM), np.empty(DIM), np.empty(NHYPER)
        lo, hi = np.empty(DIM), np.empty(DIM)
        row, progress = np.empty(NSTAT + NREDUCE), np.zeros(1, dtype=np.int64)
        racc, eigwork = np.empty(max(1, NREDUCE)), np.empty((DIM + 3, DIM))
        for n in range(b * 256, min(n_cells, (b + 1) * 256)):
            c = order[n]
            for i in range(DIM):
                start[i] = thetas0[c, i]
                lo[i] = los[c, i]
                hi[i] = his[c, i]
            for k in range(NHYPER):
                hrow[k] = hs[c, k]
            gd_rule_core_in(start, etas[c], hrow, steps, tol, radius2, kmax, ptol, False,
                            dummy2, dummy1, dummy1, row, end, ops, coef, clipvec, lo, hi,
                            project, factor, preconditioned, g, hess, scaled, u, mom, sec, pre,
                            history, theta, racc, eigwork, progress)
            for q in range(NSTAT + NREDUCE):
                stats[c, q] = row[q]
            for i in range(DIM):
                theta_out[c, i] = end[i]
'''

register_template("gd_rule_core", SOURCE)
