"""The per-step sharpness statistics of the GD kernels, decided without an eigen-solve.

Three statistics read the sharpness S = λ_max(∇²L) at every step: the largest S, the first
step with S ≥ 2/η, and the number of steps with S in the EoS band [0.95, 1.05]·2/η. For models
of dimension ≤ 3, S has a closed form (for 3, :func:`eosmath.kernels.symeig.closed_form_3_lines`)
and is computed each step. For larger models an
eigen-solve per step would cost more than the step, yet the statistics only ask on which
side of a threshold x the sharpness lies, and that is an *inertia test*: S ≥ x exactly when
the symmetric matrix xI − H is not positive definite, i.e. when its LDLᵀ factorisation meets a
pivot ≤ 0 (Sylvester's law of inertia). One factorisation costs about d³/6 multiply-adds, no
iteration, no branch: it runs in the SIMD lanes of the sweep kernel.

Per step for dimension ≥ 4 (both kernels, the same operations, so a sweep cell equals
``run_gd`` bit for bit):

1. max S: a step is a *candidate* if S ≥ max_s by the test, max_s being the maximum as of the
   start of the step's 16-step window (the kernels' check interval). At the window's end (or
   the run's) the candidates are resolved by ``resolve_window``: the one with the largest
   ‖H‖_F first, each tested again against the updated max_s and solved (``sharpness_of``) only
   if it still passes. Where S grows through a window (progressive sharpening, divergence)
   that is one eigen-solve per window instead of one per step; the result is the largest
   solved S, as before.
2. EoS band: S ≥ 0.95·2/η and not S ≥ 1.05·2/η.
3. first unstable step: the first step with S ≥ 2/η (tested only while none was found and
   S ≥ 0.95·2/η).

The test is backward stable: it decides for a matrix within a few ulps of ‖H‖ of H, so a step
whose S lies within ~1e-15·‖H‖ of a threshold may fall on either side (as a computed
eigenvalue would). A NaN entry makes no pivot ≤ 0 unless an earlier pivot already is, so a
non-finite Hessian counts nowhere, as a NaN sharpness did.

>>> code = "\\n".join(above_lines(2, "x", "res", "_H{i}_{j}"))
>>> ns = {"fma": lambda a, b, c: a * b + c, "_H0_0": 2.0, "_H0_1": 1.0, "_H1_1": 2.0}
>>> for x in (2.9999999, 3.0, 3.0000001):      # the eigenvalues are 1 and 3
...     exec(code, ns | {"x": x}, out := {}); print(x, out["res"])
2.9999999 True
3.0 True
3.0000001 False
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eosmath.kernels.codegen import KernelParts

BAND_LO, BAND_HI = 0.95, 1.05


def above_lines(n: int, x: str, out: str, entry: str, tag: str = "") -> list[str]:
    """Lines setting ``out`` to True when λ_max(H) ≥ ``x`` (an expression), for the n×n
    symmetric H whose entry (i, j), i ≤ j, is the name ``entry.format(i=i, j=j)``.

    LDLᵀ of M = xI − H, unrolled: pivots p_k, multipliers l = M_ik/p_k, updates
    M_ij ← M_ij − l·M_jk (as fma). ``tag`` keeps the temporaries of two tests apart.
    """
    def h(i, j):
        return entry.format(i=min(i, j), j=max(i, j))

    def m(i, j):
        return f"_m{tag}{i}_{j}"

    lines = []
    for i in range(n):
        for j in range(i + 1):
            lines.append(f"{m(i, j)} = {x} - {h(i, i)}" if i == j else f"{m(i, j)} = -{h(j, i)}")
    pivots = []
    for k in range(n):
        pivots.append(f"({m(k, k)} <= 0.0)")
        if k == n - 1:
            break
        lines.append(f"_r{tag} = 1.0 / {m(k, k)}")
        for i in range(k + 1, n):
            lines.append(f"_l{tag} = {m(i, k)} * _r{tag}")
            for j in range(k + 1, i + 1):
                lines.append(f"{m(i, j)} = fma(-_l{tag}, {m(j, k)}, {m(i, j)})")
    lines.append(f"{out} = " + " or ".join(pivots))
    return lines


def stats_function_source(parts: KernelParts) -> str:
    """``curvature_stats(hess, eta, t, s, max_s, first, eos_steps)`` for ``gd_core``: the
    statistics after one step, from the exact sharpness ``s`` (dimension ≤ 2) or from inertia
    tests (dimension ≥ 3). Returns ``(max_s, first, eos_steps, candidate)``: for dimension ≥ 3
    max_s is left to :func:`resolve_function_source`'s ``resolve_window`` at the window's end
    and ``candidate`` says whether this step may raise it."""
    head = ["", "", "@njit(cache=True)",
            "def curvature_stats(hess, eta, t, s, max_s, first, eos_steps):"]
    if parts.dim <= 3:  # S solved at every step (closed form)
        body = ["if s > max_s:", "    max_s = s", "ratio = 0.5 * eta * s",
                "if ratio > 1.0 and first < 0.0:", "    first = t",
                f"if ratio >= {BAND_LO!r} and ratio <= {BAND_HI!r}:", "    eos_steps += 1.0",
                "return max_s, first, eos_steps, False"]
        return "\n".join(head + ["    " + line for line in body]) + "\n"
    n = parts.dim

    def test(x, out, tag, depth):
        return [" " * (4 * depth) + line for line in above_lines(n, x, out, "_H{i}_{j}", tag)]

    body = [f"_H{i}_{j} = hess[{i}, {j}]" for i in range(n) for j in range(i, n)]
    body += ["_crit = 2.0 / eta"] + test("max_s", "need", "a", 0)
    body += test(f"{BAND_LO!r} * _crit", "lo", "b", 0)
    body += ["if lo:"] + test(f"{BAND_HI!r} * _crit", "hi", "c", 1)
    body += ["    if not hi:", "        eos_steps += 1.0", "    if first < 0.0:"]
    body += test("_crit", "crit", "d", 2) + ["        if crit:", "            first = t"]
    body += ["return max_s, first, eos_steps, need"]
    return "\n".join(head + ["    " + line for line in body]) + "\n"


def resolve_function_source(parts: KernelParts) -> str:
    """``above_of(hess, x)`` (the inertia test as a function) and
    ``resolve_window(cands, cand_s, nc, h, max_s, g, hess, eigwork, order)``: max_s raised by
    the window's candidate steps ``cands[:nc]`` (their θ; ``cand_s[k]`` their solved S or NaN),
    largest ‖H‖_F first, each solved only if S ≥ max_s still holds (see the module docstring).
    ``g``, ``hess``, ``eigwork``, ``order`` (nc,) are scratch. Both kernels call it, so they
    solve the same candidates in the same order."""
    n = parts.dim
    if n <= 3:  # never a candidate: the sharpness is solved at every step
        return ('\n\n@njit(cache=True)\n'
                'def resolve_window(cands, cand_s, nc, h, max_s, g, hess, eigwork, order):\n'
                '    return max_s\n')
    loads = [f"_H{i}_{j} = hess[{i}, {j}]" for i in range(n) for j in range(i, n)]
    above = loads + above_lines(n, "x", "res", "_H{i}_{j}") + ["return res"]
    resolve = [
        "for k in range(nc):",
        "    grad_hessian_into(cands[k], h, g, hess)",
        "    f = 0.0",
        "    for i in range(DIM):",
        "        for q in range(DIM):",
        "            f = fma(hess[i, q], hess[i, q], f)",
        "    order[k] = f if f == f else -1.0  # NaN entries: last (their test cannot pass)",
        "for _ in range(nc):",
        "    best, top = 0, -3.0",
        "    for k in range(nc):",
        "        if order[k] > top:",
        "            best, top = k, order[k]",
        "    order[best] = -4.0",
        "    grad_hessian_into(cands[best], h, g, hess)",
        "    if above_of(hess, max_s):",
        "        s = cand_s[best]",
        "        if s != s:  # not already solved for the record (run_gd)",
        "            s = sharpness_of(hess, eigwork)",
        "        if s > max_s:",
        "            max_s = s",
        "return max_s",
    ]
    return "\n".join(
        ["", "", '@njit(cache=True, error_model="numpy")', "def above_of(hess, x):"]
        + ["    " + line for line in above]
        + ["", "", '@njit(cache=True, error_model="numpy")',
           "def resolve_window(cands, cand_s, nc, h, max_s, g, hess, eigwork, order):"]
        + ["    " + line for line in resolve]) + "\n"
