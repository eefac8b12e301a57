"""The SIMD sweep kernel: cells run in lanes, a loop over lanes that LLVM vectorises.

Per block of cells, ``LANES`` cells advance together: the state of lane j lives at index j of
one array per quantity (θ_i, η, tangent, statistics), and one GD step of all lanes is one loop
over j without calls or branches (``vtanh`` instead of libm's tanh, selects instead of ifs), so
it compiles to AVX2/AVX-512 code. A lane whose cell stops is frozen (selects keep its state);
every ``CHECK_EVERY`` steps the block rescales tangents, looks for periods, writes out the
finished cells and refills their lanes with new cells. Refilling only then keeps every running
lane's step count a multiple of CHECK_EVERY at the checks, so the checks happen at the same
steps as in ``gd_core``, and the history ring can be indexed by the block's step counter. A
window in which every lane has stopped ends at once (cells that all diverge within a few steps
do not idle through the rest of it): no lane then runs, so the rule above still holds.
Once a block has no cells left to start, its running lanes are packed to the front (their
state and history moved) and the loops shrink to them, so a block's few long last cells do not
keep all LANES lanes busy.

Models of dimension ≤ 2 compute their sharpness in closed form in the step loop, models of
dimension 3 in a loop of their own (the closed form of :mod:`eosmath.kernels.symeig`, its
fallback solved lane by lane). Models of dimension 4 to ``LANE_MAX_DIM`` decide the sharpness
statistics by inertia tests in a loop of their own (:mod:`eosmath.dynamics.curvature_stats`),
marking the steps whose S may exceed the running maximum (a bit per step of the window in
``NEED``); at the check, each lane's marked steps are resolved from the history ring by
``resolve_window``, as ``gd_core`` resolves them; larger models use ``sweep_cells_scalar``.
The generated text is
specialised to the model: one variable per coordinate, the model's gradient and Hessian
expressions inlined.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING

from eosmath.dynamics.curvature_stats import BAND_HI, BAND_LO, above_lines
from eosmath.dynamics.reducers import REDUCER_INIT, REDUCER_UPDATE
from eosmath.kernels.symeig import CLOSED_FORM_3_CARRIED, closed_form_3_stages

if TYPE_CHECKING:
    from eosmath.kernels.codegen import KernelParts

LANES = 64
SHRINK_BY = 8  # the lane count shrinks in steps of one AVX-512 vector of doubles
LANE_MAX_DIM = 8  # beyond, the unrolled inertia tests (~d³/6 lines each) grow the code too much
UNROLLED_KMAX = 16


def _sharpness(dim: int) -> list[str]:
    # the same operations as sharpness_of() (codegen.SHARPNESS_CLOSED_FORM)
    if dim == 1:
        return ["s = _H0_0"]
    return ["mean = 0.5 * (_H0_0 + _H1_1)", "half = 0.5 * (_H0_0 - _H1_1)",
            "s = mean + math.sqrt(fma(half, half, _H0_1 * _H0_1))"]


def _hess(i: int, j: int) -> str:
    return f"_H{min(i, j)}_{max(i, j)}"


def _pairs(n: int):
    return [(i, j) for i in range(n) for j in range(i, n)]


def _model_body(parts: KernelParts) -> list[str]:
    """∇L and ∇²L of lane j into the lane arrays G{i}, A{i}_{j}.

    A loop of its own: split from the statistics loop, both bodies are short enough for the
    out-of-order core to overlap iterations (one fused loop was latency-bound, 25% slower).
    """
    return _grad_hessian_lines(parts, "X", "HY", "G", "A", "j")


def _grad_hessian_lines(parts: KernelParts, theta: str, hyper: str, grad: str, hess: str,
                        index: str) -> list[str]:
    """∇L and ∇²L (the expressions of ``grad_hessian_into``) at θ_i = ``{theta}{i}[index]``
    with hyper-parameters ``{hyper}{k}[index]``, into ``{grad}{i}[index]`` and
    ``{hess}{i}_{j}[index]`` (i ≤ j)."""
    n = parts.dim
    lines = [f"_p{i} = {theta}{i}[{index}]" for i in range(n)]
    lines += [f"_h{k} = {hyper}{k}[{index}]" for k in range(parts.nhyper)]
    lines += [f"{name} = {expr}" for name, expr in parts.grad_hessian]
    lines += [f"{grad}{i}[{index}] = _g{i}" for i in range(n)]
    lines += [f"{hess}{i}_{j}[{index}] = _H{i}_{j}" for i, j in _pairs(n)]
    return lines


def _step_body(parts: KernelParts, level: int = 2) -> list[str]:
    """One GD step of lane j given ∇L, ∇²L: the operations of gd_core_in, with selects
    (``level``: its ``curvature``, 2 every statistic, 1 no sharpness)."""
    n = parts.dim
    rng = range(n)
    lines = ["f = F[j]", "run = f == 0.0"]
    lines += [f"_p{i} = X{i}[j]" for i in rng] + ["e = ETA[j]"]
    lines += [f"_g{i} = G{i}[j]" for i in rng]
    lines += [f"_H{i}_{j} = A{i}_{j}[j]" for i, j in _pairs(n)]
    lines.append("gn2 = " + _sum_of_squares([f"_g{i}" for i in rng]))
    lines += ["bad = not (gn2 - gn2 == 0.0)", "conv = gn2 < tol2",
              "go = run and not bad and not conv", "t = TT[j]"]
    if n <= 2 and level == 2:  # closed-form sharpness; larger models: _curvature_loops
        lines += _sharpness(n) + _exact_stats("s", "go", "e", "t")
    if n == 3 and level == 2:  # S from _closed_form_3_loops
        lines += ["s = SS[j]"] + _exact_stats("s", "go", "e", "t")
    if n <= 2:
        lines += _tangent_lines(n)
    if parts.reducers:
        lines += [f"_h{k} = HY{k}[j]" for k in range(parts.nhyper)]
    for k, (op, expr) in enumerate(parts.reducers):
        lines += [f"v = {expr}", f"r = R{k}[j]",
                  f"R{k}[j] = (" + REDUCER_UPDATE[op].format(v="v", acc="r") + ") if go else r"]
    lines += [f"n{i} = fma(-e, _g{i}, _p{i})" for i in rng]
    lines += [f"X{i}[j] = n{i} if go else _p{i}" for i in rng]
    lines.append("r2 = " + _sum_of_squares([f"n{i}" for i in rng]))
    lines += [
        "tn = t + 1.0 if go else t",
        "TT[j] = tn",
        "div = not (r2 <= radius2)",
        "code = 2.0 if bad else (1.0 if conv else (3.0 if div else (5.0 if tn >= steps "
        "else 0.0)))",
        "F[j] = code if run else f",
        "live |= 1 if (run and code == 0.0) else 0",
    ]
    if n > 2:  # the tangent in a loop of its own (_tangent_body)
        lines.append("GOF[j] = 1.0 if go else 0.0")
    return lines


def _tangent_lines(n: int) -> list[str]:
    """v ← (I − η∇²L)v for lane j where the step is taken (``go``), ``e`` = η."""
    lines = [f"v{i} = TG{i}[j]" for i in range(n)]
    for i in range(n):
        acc = f"v{i}"
        for k in range(n):
            acc = f"fma(-(e * {_hess(i, k)}), v{k}, {acc})"
        lines.append(f"w{i} = {acc}")
    return lines + [f"TG{i}[j] = w{i} if go else v{i}" for i in range(n)]


def _tangent_body(parts: KernelParts) -> list[str]:
    """Dimension ≥ 3: the tangent step of lane j after the GD step (a loop of its own: with
    the d² products it made the step loop about 2% slower on W3), ``GOF`` the step's ``go``."""
    n = parts.dim
    if n <= 2:
        return []
    return (["e = ETA[j]", "go = GOF[j] > 0.0"]
            + [f"_H{i}_{j} = A{i}_{j}[j]" for i, j in _pairs(n)] + _tangent_lines(n))


def _exact_stats(s: str, go: str, eta: str, t: str) -> list[str]:
    """The statistics of lane j from its exact sharpness ``s`` (the operations of
    ``curvature_stats`` for dimension ≤ 3), where ``go`` (the step is taken)."""
    return ["_ms = MAXS[j]", f"MAXS[j] = {s} if ({go} and {s} > _ms) else _ms",
            "_fs = FIRST[j]", f"_ratio = 0.5 * {eta} * {s}",
            f"FIRST[j] = {t} if ({go} and _ratio > 1.0 and _fs < 0.0) else _fs",
            f"EOSN[j] += 1.0 if ({go} and _ratio >= {BAND_LO!r} and _ratio <= {BAND_HI!r}) "
            "else 0.0"]


def _closed_form_3_loops() -> list[str]:
    """Dimension 3: S of every running lane by the closed form of ``symeig`` into ``SS``
    (vectorised, in loops of their own: in the model loop it stopped LLVM from vectorising
    that loop; and in two, one per stage of ``closed_form_3_stages``, the second reading what
    the first left in lane arrays); the lanes where it falls back get S from ``sharpness_of``,
    one at a time, as gd_core does. The statistics are applied in the step loop, which knows
    whether the step is taken (``go``): here only "does the lane run?" is needed."""
    pairs = _pairs(3)
    load = [f"_H{i}_{j} = A{i}_{j}[j]" for i, j in pairs]
    head, tail = closed_form_3_stages("_H{i}_{j}", "_s", "_fb")
    carried = [f"CF{k}[j] = {name}" for k, name in enumerate(CLOSED_FORM_3_CARRIED)]
    first = (load + head + carried
             + ["_fb = _fb and F[j] == 0.0", "FB[j] = 1.0 if _fb else 0.0",
                "_anyfb |= 1 if _fb else 0"])
    second = ([f"{name} = CF{k}[j]" for k, name in enumerate(CLOSED_FORM_3_CARRIED)] + tail
              + ["SS[j] = _s"])
    one = _hess_from_lanes(3, "A{i}_{j}[j]") + ["SS[j] = sharpness_of(hess, eigwork)"]
    # "any lane?" as an integer or over the lanes: a float sum is a serial chain (no
    # reassociation without fast-math), one per step
    return ["_anyfb = 0", "for j in range(nl):", *_indent(first, 1), "for j in range(nl):",
            *_indent(second, 1),
            "if _anyfb != 0:", "    for j in range(nl):", "        if FB[j] > 0.0:",
            *_indent(one, 3)]


def _curvature_loops(parts: KernelParts) -> list[str]:
    """The sharpness statistics of a step for dimension ≥ 3, by inertia tests in the lanes (the
    operations of ``curvature_stats`` in gd_core): S ≥ max_s and S ≥ 0.95·2/η for every lane;
    the 1.05·2/η and 2/η tests only when some lane is in or above the band. A step with
    S ≥ max_s sets bit ``sub`` of ``NEED`` (resolved at the check: :func:`_resolve_lines`).

    Every name assigned here starts with ``_`` (or is a lane array): the code is inlined in
    ``lane_block``, whose own variables (``lo``, ``hi``, ``c``, ``n`` …) it must not overwrite.
    """
    n = parts.dim
    if n <= 2:
        return []
    if n == 3:
        return _closed_form_3_loops()
    pairs = _pairs(n)
    load = [f"_H{i}_{j} = A{i}_{j}[j]" for i, j in pairs] + ["_crit = 2.0 / ETA[j]"]
    first = (["_f = F[j]", "_gn2 = " + _sum_of_squares([f"G{i}[j]" for i in range(n)]),
              "_go = _f == 0.0 and (_gn2 - _gn2 == 0.0) and not (_gn2 < tol2)"] + load
             + above_lines(n, "MAXS[j]", "_need", "_H{i}_{j}", "a")
             + above_lines(n, f"{BAND_LO!r} * _crit", "_lo", "_H{i}_{j}", "b")
             + ["NEED[j] += _bit if (_go and _need) else 0.0",
                "LO[j] = 1.0 if (_go and _lo) else 0.0", "_anylo |= 1 if (_go and _lo) else 0"])
    band = (load + above_lines(n, f"{BAND_HI!r} * _crit", "_hi", "_H{i}_{j}", "c")
            + above_lines(n, "_crit", "_at_crit", "_H{i}_{j}", "d")
            + ["_lo = LO[j] > 0.0", "EOSN[j] += 1.0 if (_lo and not _hi) else 0.0",
               "_fs = FIRST[j]", "FIRST[j] = TT[j] if (_lo and _fs < 0.0 and _at_crit) else _fs"])
    return ["_bit = float(1 << sub)", "_anylo = 0", "for j in range(nl):",
            *_indent(first, 1), "if _anylo != 0:", "    for j in range(nl):", *_indent(band, 2)]


def _resolve_lines(parts: KernelParts) -> list[str]:
    """At a check: each lane's marked steps of the window just run (θ from the history ring)
    through ``resolve_window``, which raises MAXS as ``gd_core`` does at the same step."""
    n = parts.dim
    if n <= 3:
        return []
    gather = [f"cands[nc, {i}] = HIST{i}[sl, j]" for i in range(n)]
    return ["if NEED[:nl].sum() > 0.0:", "    for j in range(nl):", "        m = int(NEED[j])",
            "        if m == 0:", "            continue", "        nc = 0",
            "        for sub in range(CHECK_EVERY):", "            if (m >> sub) & 1:",
            "                sl = (G - ran + sub) % ring",
            *_indent(gather, 4), "                cand_s[nc] = np.nan", "                nc += 1",
            *[f"        hrow[{k}] = HY{k}[j]" for k in range(parts.nhyper)],
            "        MAXS[j] = resolve_window(cands, cand_s, nc, hrow, MAXS[j], gtmp, hess, "
            "eigwork, cand_order)",
            "        NEED[j] = 0.0"]


def _final_values_gather(parts: KernelParts) -> list[str]:
    """For :func:`_final_values_batch`: the end point θ = ``theta`` and hyper-parameters
    ``hrow`` of finished cell number nf, and its loss (what ``final_values`` computes one cell
    at a time; gradient, Hessian and sharpness follow in the batch)."""
    n = parts.dim
    return (["FCELL[nf] = c",
             "_fin = " + " and ".join(f"np.isfinite(theta[{i}])" for i in range(n)),
             "FFIN[nf] = 1.0 if _fin else 0.0",
             "if _fin:", "    FLOSS[nf] = loss(theta, hrow)"]
            + [f"FX{i}[nf] = theta[{i}]" for i in range(n)]
            + [f"FH{k}[nf] = hrow[{k}]" for k in range(parts.nhyper)]
            + ["nf += 1"])


def _final_values_batch(parts: KernelParts) -> list[str]:
    """Dimension 3: ``final_values`` and ``classify_end`` of the nf cells a check finished:
    the gradient and Hessian (the model loop's expressions, those of ``grad_hessian_into``)
    and the closed-form sharpness of all of them in one vectorised loop (one cell at a time,
    the calls and the closed form's chain of square roots and divisions left the core idle;
    the same operations, so the same values). The finishing loop wrote the rest of their
    ``stats`` rows."""
    n = parts.dim
    model = _grad_hessian_lines(parts, "FX", "FH", "FG", "FA", "k")
    head, tail = closed_form_3_stages("_H{i}_{j}", "_s", "_fb")
    gather = _hess_from_lanes(n, "FA{i}_{j}[k]")
    return (["for k in range(nf):", *_indent(model + head + tail, 1),
             "    FFIN[k] = (2.0 if _fb else 1.0) if FFIN[k] > 0.0 else 0.0",
             "    FS[k] = _s",
             "for k in range(nf):", "    c = FCELL[k]",
             "    if FFIN[k] == 2.0:  # the closed form's fallback, as in sharpness_of",
             *_indent(gather, 2), "        FS[k] = sharpness_of(hess, eigwork)"]
            + [f"    theta[{i}] = FX{i}[k]" for i in range(n)]
            + [f"    gtmp[{i}] = FG{i}[k]" for i in range(n)]
            + ["    row[0] = stats[c, 0]",
               "    row[3] = FLOSS[k] if FFIN[k] > 0.0 else np.nan",
               "    row[4] = FS[k] if FFIN[k] > 0.0 else np.nan",
               "    classify_end(theta, gtmp, row)",
               "    stats[c, 0] = row[0]", "    stats[c, 3] = row[3]", "    stats[c, 4] = row[4]"])


def _sharpness_points_source(parts: KernelParts) -> str:
    """``sharpness_points(cols, h, skip, out)``: ``sharpness_of`` of the Hessian at each
    column of ``cols`` (DIM, N), NaN where ``skip`` (uint8) is set or the point has a
    non-finite coordinate (the sweep's GF-limit sharpness: a limit that is not a point has
    none). The Hessian comes from the lines of ``hessian_into``, inlined, so the same bits.
    For dimension 3 the closed form runs on LANES points at a time in a vectorised loop, with
    the same operations as ``sharpness_of``, so the same values."""
    n = parts.dim
    head = ["", "", '@njit(cache=True, error_model="numpy")',
            "def sharpness_points(cols, h, skip, out):",
            "    hess, work = np.empty((DIM, DIM)), np.empty((DIM + 3, DIM))",
            "    npts = cols.shape[1]"]
    finite = " & ".join(f"(_p{i} - _p{i} == 0.0)" for i in range(n))
    hyper = [f"_h{q} = h[{q}]" for q in range(parts.nhyper)]
    hessian = [f"{name} = {expr}" for name, expr in parts.hessian]
    if n != 3:
        body = (["for k in range(npts):"]
                + _indent([f"_p{i} = cols[{i}, k]" for i in range(n)], 1)
                + [f"    if skip[k] != 0 or not ({finite}):", "        out[k] = np.nan",
                   "        continue"]
                + _indent(hyper + hessian + _hess_from_lanes(n, "_H{i}_{j}"), 1)
                + ["    out[k] = sharpness_of(hess, work)"])
        return "\n".join(head + _indent(body, 1)) + "\n"
    pairs = _pairs(n)
    stage, tail = closed_form_3_stages("_H{i}_{j}", "_s", "_fb")
    gather = _hess_from_lanes(n, "PA{i}_{j}[k]")
    body = ([f"PA{i}_{j} = np.empty(LANES)" for i, j in pairs]
            + ["PFB = np.empty(LANES)", "POK = np.empty(LANES)", *hyper,
               "for lo in range(0, npts, LANES):", "    m = min(LANES, npts - lo)",
               "    for k in range(m):"]
            + _indent([f"_p{i} = cols[{i}, lo + k]" for i in range(n)] + hessian
                      + [f"PA{i}_{j}[k] = _H{i}_{j}" for i, j in pairs]
                      + ["_sk = skip[lo + k]",
                         f"POK[k] = 1.0 if _sk == 0 and {finite} else 0.0"], 2)
            + ["    for k in range(m):"]
            + _indent([f"_H{i}_{j} = PA{i}_{j}[k]" for i, j in pairs] + stage + tail, 2)
            + ["        out[lo + k] = _s if POK[k] > 0.0 else np.nan",
               "        PFB[k] = 1.0 if _fb and POK[k] > 0.0 else 0.0",
               "    for k in range(m):", "        if PFB[k] > 0.0:", *_indent(gather, 3),
               "            out[lo + k] = sharpness_of(hess, work)"])
    return "\n".join(head + _indent(body, 1)) + "\n"


def _underflow_check(n: int) -> list[str]:
    """check_underflow of gd_core for lane j at a check (selects instead of early returns)."""
    lines = ["ufs = UFS[j]", "ufi = UFI[j]", "e = ETA[j]", "c = CELL[j]",
             "look = elig and t > 0.0 and ufs < 0.0"]
    for i in range(n):
        lines += [f"hit = look and X{i}[j] == 0.0 and thetas0[c, {i}] != 0.0 and "
                  f"abs(1.0 - e * A{i}_{i}[j]) > 1.0",
                  f"ufs, ufi = (t, {float(i)!r}) if hit else (ufs, ufi)",
                  "look = look and not hit"]
    for i in range(n):
        lines += [f"hit = look and TG{i}[j] == 0.0 and abs(1.0 - e * A{i}_{i}[j]) > 1.0",
                  f"ufs, ufi = (t, {float(n + i)!r}) if hit else (ufs, ufi)",
                  "look = look and not hit"]
    return lines + ["UFS[j] = ufs", "UFI[j] = ufi"]


def _hess_from_lanes(n: int, entry: str) -> list[str]:
    """Lines filling the full symmetric ``hess`` from the lane entries (i ≤ j) named
    ``entry.format(i=i, j=j)``, for ``sharpness_of`` where the closed form falls back."""
    lines = []
    for i, j in _pairs(n):
        lines.append(f"hess[{i}, {j}] = {entry.format(i=i, j=j)}")
        if i != j:
            lines.append(f"hess[{j}, {i}] = {entry.format(i=i, j=j)}")
    return lines


def _sum_of_squares(names) -> str:
    """x0² + x1² + … as gd_core sums it: x0·x0, then one fma per further term."""
    acc = f"{names[0]} * {names[0]}"
    for name in names[1:]:
        acc = f"fma({name}, {name}, {acc})"
    return acc


def _indent(lines, depth):
    return [" " * (4 * depth) + line for line in lines]


def _lane_block_lines(parts: KernelParts, level: int, name: str) -> list[str]:
    """The source of ``lane_block`` at curvature ``level`` (see :func:`_step_body`)."""
    n, rng = parts.dim, range(parts.dim)
    hyper = range(parts.nhyper)
    arrays = ([f"X{i}" for i in rng] + [f"TG{i}" for i in rng] + [f"HY{k}" for k in hyper]
              + [f"G{i}" for i in rng] + [f"A{i}_{j}" for i, j in _pairs(n)]
              + [f"R{k}" for k in range(len(parts.reducers))]
              + ["ETA", "TT", "MAXS", "FIRST", "EOSN", "L2S", "PER", "NEED", "LO", "FB",
                 "LIM2", "CHK", "EARLY", "UFS", "UFI", "GOF"]
              + (["SS"] + [f"CF{k}" for k in range(len(CLOSED_FORM_3_CARRIED))]
                 if n == 3 else []))
    # the finished cells' end points of one check (dimension 3: _final_values_batch)
    finals = ([f"FA{i}_{j}" for i, j in _pairs(n)] + [f"FX{i}" for i in rng]
              + [f"FG{i}" for i in rng] + [f"FH{k}" for k in hyper]
              + ["FLOSS", "FS", "FFIN"]) if n == 3 else []
    load = ([f"X{i}[j] = thetas0[c, {i}]" for i in rng]
            + [f"HY{k}[j] = hs[c, {k}]" for k in hyper]
            + [f"TG{i}[j] = 1.0 / math.sqrt(DIM)" for i in rng]
            + ["ETA[j] = etas[c]", "TT[j] = 0.0",
               "F[j] = 0.0 if steps > 0 else 5.0", "MAXS[j] = -np.inf", "FIRST[j] = -1.0",
               "EOSN[j] = 0.0", "L2S[j] = 0.0", "CELL[j] = c",
               "EARLY[j] = " + _sum_of_squares([f"thetas0[c, {i}]" for i in rng]),
               "UFS[j] = -1.0", "UFI[j] = -1.0"]
            + [f"R{k}[j] = {REDUCER_INIT[op]}" for k, (op, _) in enumerate(parts.reducers)])
    largest = ["largest = 0.0"]
    for i in rng:
        largest += [f"a = abs(TG{i}[j])", "largest = a if a > largest else largest"]
    boundary = [
        "f = F[j]",
        "t = TT[j]",
        "elig = (f == 0.0 or f == 5.0) and t - CHECK_EVERY * math.floor(t * (1.0 / CHECK_EVERY)) "
        "== 0.0",
        *largest,
        "up = elig and largest > SCALE_UP",
        "down = elig and largest < SCALE_DOWN",
        "factor = SCALE_DOWN if up else (SCALE_UP if down else 1.0)",
        *[f"TG{i}[j] = TG{i}[j] * factor" for i in rng],
        "L2S[j] += SCALE_EXP if up else (-SCALE_EXP if down else 0.0)",
        *_underflow_check(n),
        "r2 = " + _sum_of_squares([f"X{i}[j]" for i in rng]),
        "er = EARLY[j]",
        "EARLY[j] = r2 if (elig and t > 0.0 and 2.0 * t <= steps and r2 > er) else er",
        "scale = 1.0 + math.sqrt(r2)",
        "amplitude = MIN_AMPLITUDE * scale",
        "limit = ptol * scale",
        "LIM2[j] = limit * limit",
        "step2 = 0.0",
        *[f"d = X{i}[j] - HIST{i}[prev, j]\nstep2 = step2 + d * d" for i in rng],
        "chk = 1 if (elig and t > kmax and step2 >= amplitude * amplitude) else 0",
        "CHK[j] = float(chk)",
        "checks |= chk",
        "PER[j] = 0.0",
    ]
    boundary = "\n".join(boundary).split("\n")
    compare = ["d2 = 0.0"]
    compare += [f"d = X{i}[j] - HIST{i}[back, j]\nd2 = d2 + d * d" for i in rng]
    compare += ["PER[j] = kf if (CHK[j] > 0.0 and d2 <= LIM2[j]) else PER[j]"]
    compare = "\n".join(compare).split("\n")
    # kmax ≤ UNROLLED_KMAX: all k in one pass over the lanes (k unrolled, k > kmax masked);
    # the same arithmetic per k as the per-k passes used for larger kmax
    fused = ["per = 0.0", "limit2 = LIM2[j]"] + [f"x{i} = X{i}[j]" for i in rng]
    for k in range(UNROLLED_KMAX, 1, -1):
        fused.append("d2 = 0.0")
        fused += [f"d = x{i} - HIST{i}[back{k}, j]\nd2 = d2 + d * d" for i in rng]
        fused.append(f"per = {float(k)!r} if ({k} <= kmax and d2 <= limit2) else per")
    fused.append("PER[j] = per if CHK[j] > 0.0 else 0.0")
    fused = "\n".join(fused).split("\n")
    batched = n == 3  # final values of the cells a check finishes: see _final_values_batch
    finish = (
        [f"theta[{i}] = X{i}[j]" for i in rng] + [f"tangent[{i}] = TG{i}[j]" for i in rng]
        + [f"theta_out[c, {i}] = X{i}[j]" for i in rng]
        + [f"hrow[{k}] = hs[c, {k}]" for k in hyper]
        + ["status = STATUS_OF_FLAG[int(f)]",
           "underflow[0], underflow[1] = UFS[j], UFI[j]",
           "finish_cell(theta, hrow, status, TT[j] if status != 4 else steps, PER[j], TT[j], "
           "MAXS[j], FIRST[j], EOSN[j], tangent, L2S[j], EARLY[j], underflow, hess, row)",
           *([] if batched else ["final_values(theta, hrow, gtmp, hess, eigwork, row)",
                                 "classify_end(theta, gtmp, row)"]),
           *[f"row[NSTAT + {k}] = R{k}[j]" for k in range(len(parts.reducers))],
           "for q in range(NSTAT + NREDUCE):",
           "    stats[c, q] = row[q]"]
        + (_final_values_gather(parts) if batched else []))
    return [
        '@njit(cache=True, error_model="numpy")',
        f"def {name}(thetas0, etas, hs, order, lo, hi, steps, tol, radius2, kmax, ptol, "
        "stats, theta_out):",
        f'    """Cells order[lo:hi] through LANES lanes, curvature level {level} (see '
        'eosmath.dynamics.lane_kernel)."""',
        "    L = LANES",
        # the ring holds the window's iterates too (for resolve_window), however small kmax
        "    ring = max(kmax + 1, CHECK_EVERY)",
        *_indent([f"{a} = np.zeros(L)" for a in arrays], 1),
        *_indent([f"{a} = np.zeros(L)" for a in finals], 1),
        "    FCELL = np.zeros(L, dtype=np.int64)",
        "    F = np.full(L, 9.0)  # 9: idle lane",
        "    CELL = np.full(L, -1, dtype=np.int64)",
        *_indent([f"HIST{i} = np.zeros((ring, L))" for i in rng], 1),
        "    theta, tangent, hess = np.empty(DIM), np.empty(DIM), np.empty((DIM, DIM))",
        "    eigwork = np.empty((DIM + 3, DIM))",
        "    underflow = np.empty(2)",
        "    cands, cand_s = np.empty((CHECK_EVERY, DIM)), np.empty(CHECK_EVERY)",
        "    cand_order, gtmp = np.empty(CHECK_EVERY), np.empty(DIM)",
        "    # per-block copies: views of the shared arrays (hs[c], stats[c]) would update their",
        "    # reference counts atomically, and two threads doing so contend for one cache line",
        "    hrow, row = np.empty(NHYPER), np.empty(NSTAT + NREDUCE)",
        "    tol2 = tol * tol",
        "    nl = L  # lanes in use: 0 .. nl-1",
        "    G = 0",
        "    nxt = lo",
        "    active = 0",
        "    for j in range(L):",
        "        if nxt < hi:",
        "            c = order[nxt]",
        "            nxt += 1",
        "            active += 1",
        *_indent(load, 3),
        "    while active > 0:",
        "        ran = 0  # steps of this window",
        "        for sub in range(CHECK_EVERY):",
        "            slot = G % ring",
        "            for j in range(nl):",
        *_indent(_model_body(parts), 4),
        # θ_G enters the history ring where the model loop reads it. The ring is 2-D so that
        # [slot, j] is contiguous in j: a flat [slot * L + j] may be negative as far as LLVM
        # knows, and Numba's wraparound for negative indices turned every access into a
        # gather or scatter (the period checks alone took 16% of the time)
        *[f"                HIST{i}[slot, j] = _p{i}" for i in rng],
        *_indent(_curvature_loops(parts) if level == 2 else [], 3),
        "            live = 0",
        "            for j in range(nl):",
        *_indent(_step_body(parts, level), 4),
        *(["            for j in range(nl):"] + _indent(_tangent_body(parts), 4)
          if parts.dim > 2 else []),
        "            G += 1",
        "            ran += 1",
        # every lane stopped (diverged at once, say): the window's other steps would change
        # nothing, and the check finishes the lanes and refills them, each from its step 0
        "            if live == 0:",
        "                break",
        *_indent(_resolve_lines(parts) if level == 2 else [], 2),
        "        prev = (G - 1) % ring",
        "        checks = 0",
        "        for j in range(nl):",
        *_indent(boundary, 3),
        "        if checks != 0 and kmax <= UNROLLED_KMAX:",
        *[f"            back{k} = (G - {k}) % ring" for k in range(2, UNROLLED_KMAX + 1)],
        "            for j in range(nl):",
        *_indent(fused, 4),
        "        elif checks != 0:",
        "            for k in range(kmax, 1, -1):",
        "                back = (G - k) % ring",
        "                kf = float(k)",
        "                for j in range(nl):",
        *_indent(compare, 5),
        "        nf = 0",
        "        for j in range(nl):",
        "            f = 4.0 if PER[j] > 0.0 else F[j]",
        "            if f == 0.0 or f == 9.0:",
        "                continue",
        "            c = CELL[j]",
        *_indent(finish, 3),
        "            active -= 1",
        "            F[j] = 9.0",
        "            if nxt < hi:",
        "                c = order[nxt]",
        "                nxt += 1",
        "                active += 1",
        *_indent(load, 4),
        *_indent(_final_values_batch(parts) if batched else [], 2),
        # no cells left: pack the running lanes to the front and loop over fewer lanes, so a
        # block's last long cells do not drag LANES lanes along
        "        if nxt >= hi and active <= nl - SHRINK_BY:",
        "            dst = 0",
        "            for src in range(nl):",
        "                if F[src] == 9.0:",
        "                    continue",
        "                if src != dst:",
        *_indent([f"{a}[dst] = {a}[src]" for a in arrays + ["F", "CELL"]], 5),
        "                    for q in range(ring):",
        *_indent([f"HIST{i}[q, dst] = HIST{i}[q, src]" for i in rng], 6),
        "                    F[src] = 9.0",
        "                dst += 1",
        "            nl = -(-dst // SHRINK_BY) * SHRINK_BY",
    ]


def _inline_constant_entries(lines: list[str], parts: KernelParts) -> list[str]:
    """``lines`` with each constant entry of ∇²L (W3's ∂²L/∂w₁∂w₂ ≡ 0) read as its literal,
    not stored into and reloaded from its lane array at every step (1.5% of W3's kernel).
    The same value either way, so the same bits."""
    constants = {}
    for name, expr in parts.grad_hessian:
        if name.startswith("_H"):
            with contextlib.suppress(ValueError):
                constants["A" + name[2:]] = (name, repr(float(expr)))
    if not constants:
        return lines
    reads = re.compile(r"\b(" + "|".join(constants) + r")\[j\]")
    out = []
    for line in lines:
        store = line.strip().split(" = ")
        if len(store) == 2 and store[0][:-3] in constants and store[0].endswith("[j]") \
                and store[1] == constants[store[0][:-3]][0]:
            continue  # A{i}_{j}[j] = _H{i}_{j}: nothing to store
        out.append(reads.sub(lambda m: constants[m.group(1)][1], line))
    return out


def sweep_source(parts: KernelParts) -> str:
    """Numba source defining ``sweep_cells`` for a model (see the module docstring), and its
    blocks ``lane_block`` (every statistic) and ``lane_block_l1`` (no sharpness), each
    compiled only when first called."""
    if parts.dim > LANE_MAX_DIM:
        return "\nsweep_cells = sweep_cells_scalar\n" + _sharpness_points_source(parts)
    src = [
        "", "", f"LANES = {LANES}", f"UNROLLED_KMAX = {UNROLLED_KMAX}",
        f"SHRINK_BY = {SHRINK_BY}",
        "# lane flag → status: 1 converged, 2 and 3 diverged, 4 period, 5 out of steps",
        "STATUS_OF_FLAG = (4, 0, 3, 3, 1, 4)",
        "", "",
        *_inline_constant_entries(_lane_block_lines(parts, 2, "lane_block"), parts), "", "",
        *_inline_constant_entries(_lane_block_lines(parts, 1, "lane_block_l1"), parts), "",
        "",
        '@njit(cache=True, parallel=True, error_model="numpy")',
        "def sweep_cells(thetas0, etas, hs, order, steps, tol, radius2, kmax, ptol, stats, "
        "theta_out, threads):",
        '    """Every cell of a sweep: blocks of cells in parallel, lanes within a block."""',
        "    n_cells = order.shape[0]",
        # few blocks: at a block's end its lanes idle until its longest cell finishes
        "    n_blocks = max(1, min(2 * threads, n_cells // (8 * LANES)))",
        "    for b in prange(n_blocks):",
        "        lane_block(thetas0, etas, hs, order, b * n_cells // n_blocks, "
        "(b + 1) * n_cells // n_blocks, steps, tol, radius2, kmax, ptol, stats, theta_out)",
    ]
    return "\n".join(src) + "\n" + _sharpness_points_source(parts)
