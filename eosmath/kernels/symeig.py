"""The largest eigenvalue of a small symmetric matrix, inlined in the kernels (no LAPACK).

A sweep computes the sharpness at every step of every cell. For a model with more than two
parameters a LAPACK call (``np.linalg.eigvalsh``) per step costs more than the step itself,
and it allocates. ``top_eigenvalue(a, work)`` instead

1. reduces ``a`` (n×n, symmetric, full storage) to tridiagonal form T = QᵀAQ by n − 2
   Householder reflections, in a caller-provided ``work`` array of shape (n + 3, n) (the copy
   of ``a`` and the diagonal, off-diagonal and a scratch vector): backward stable, so T's
   eigenvalues are A's to within a few ulps of ‖A‖;
2. finds T's largest eigenvalue inside the bracket [max diagᵢ, max Gershgorin bound] (the
   largest eigenvalue is at least the largest diagonal entry): Laguerre's method on
   det(λI − T) from the upper bound (monotone, as every root is real; cubic for a simple top
   eigenvalue, one step from far above), finished by bisection on Sturm counts when it is
   slow (a multiple top eigenvalue). No eigenvector is needed or tracked, so nothing can latch onto
   the wrong eigenvalue after a crossing.

Accuracy: within a few units of 1e-16·‖A‖ of LAPACK's value (tested against ``eigvalsh`` on
random, repeated-eigenvalue and ill-conditioned matrices). A non-finite entry gives NaN.
No allocation, no call out of the kernel.

For 3×3 matrices ``top_eigenvalue_3`` is a closed form first (:func:`closed_form_3_lines`,
also inlined in the SIMD sweep kernel, where a branch-free formula vectorises): with
q = tr A/3, p = ‖A − qI‖_F/√6 and r = det((A − qI)/p)/2 ∈ [−1, 1], λ_max = q + 2p·c where
c = cos(arccos(r)/3) is the largest root of 4c³ − 3c = r, found from a polynomial guess in
u = √((1 + r)/2) (c is smooth in u) and two Newton steps with the first slope. Where the top
two eigenvalues nearly coincide (1 + r < ``CLOSED_FORM_3_MARGIN``) the root is
ill-conditioned in r (an error ε in r moves c by ~ε/√(1 + r)): there
``top_eigenvalue_3_paired`` takes over (the well-separated smallest eigenvalue, its
eigenvector, and the 2×2 problem orthogonal to it; a few ulps of |q| + p), and for p outside
[1e-100, 1e100] or non-finite entries ``top_eigenvalue``. The closed form is within
~1e-13·‖A‖ of LAPACK wherever it is used. (A sweep of seed 002's model meets a near-double
top eigenvalue at ~0.3% of its steps: the solver's bisection made them 10% of the kernel.)

The source is text because every generated kernel module embeds it (see codegen), so the
kernel cache key covers it too.

>>> import numpy as np
>>> f = compiled()["top_eigenvalue"]
>>> a = np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]])
>>> bool(abs(f(a, np.empty((6, 3))) - (2 + np.sqrt(2))) < 1e-14)
True
"""

from __future__ import annotations

import math

SOURCE = '''

@njit(error_model="numpy")
def sturm_above(diag, off, n, x, tiny):
    """Eigenvalues of the tridiagonal (diag, off) above x: the positive pivots of T − x."""
    above = 0
    q = diag[0] - x
    if q == 0.0:
        q = -tiny
    if q > 0.0:
        above += 1
    for i in range(1, n):
        q = diag[i] - x - off[i - 1] * off[i - 1] / q
        if q == 0.0:
            q = -tiny
        if q > 0.0:
            above += 1
    return above


@njit(error_model="numpy")
def top_eigenvalue(a, work):
    """Largest algebraic eigenvalue of the symmetric matrix a (n×n); work: (n + 3, n)."""
    n = a.shape[0]
    for i in range(n):
        for j in range(n):
            v = a[i, j]
            if not math.isfinite(v):
                return np.nan
            work[i, j] = v
    if n == 1:
        return work[0, 0]
    diag = work[n]
    off = work[n + 1]
    p = work[n + 2]
    # Householder: column k below the diagonal becomes (alpha, 0, ..., 0)
    for k in range(n - 2):
        scale = 0.0
        for i in range(k + 1, n):
            scale += abs(work[i, k])
        diag[k] = work[k, k]
        if scale == 0.0:
            off[k] = 0.0
            continue
        norm2 = 0.0
        for i in range(k + 1, n):
            work[i, k] /= scale          # v lives in column k, scaled against overflow
            norm2 = fma(work[i, k], work[i, k], norm2)
        x0 = work[k + 1, k]
        alpha = -math.copysign(math.sqrt(norm2), x0)
        off[k] = alpha * scale
        work[k + 1, k] = x0 - alpha
        vtv = 0.0
        for i in range(k + 1, n):
            vtv = fma(work[i, k], work[i, k], vtv)
        beta = 2.0 / vtv
        # p = beta * A22 v, K = beta/2 * v.p, q = p - K v (stored in p)
        vp = 0.0
        for i in range(k + 1, n):
            s = 0.0
            for j in range(k + 1, n):
                s = fma(work[i, j], work[j, k], s)
            p[i] = beta * s
            vp = fma(work[i, k], p[i], vp)
        half = 0.5 * beta * vp
        for i in range(k + 1, n):
            p[i] = fma(-half, work[i, k], p[i])
        for i in range(k + 1, n):
            vi = work[i, k]
            qi = p[i]
            for j in range(k + 1, n):
                work[i, j] = fma(-vi, p[j], fma(-qi, work[j, k], work[i, j]))
    diag[n - 2] = work[n - 2, n - 2]
    diag[n - 1] = work[n - 1, n - 1]
    off[n - 2] = work[n - 1, n - 2]
    # bracket: max diag <= lambda_max <= max Gershgorin bound
    lo = diag[0]
    hi = diag[0] + abs(off[0])
    for i in range(1, n):
        lo = max(lo, diag[i])
        radius = abs(off[i - 1]) + (abs(off[i]) if i < n - 1 else 0.0)
        hi = max(hi, diag[i] + radius)
    # Laguerre's method on p(x) = det(xI - T) from the upper bound: with all roots real, its
    # iterates decrease monotonically to the largest root, cubically for a simple one (a
    # start far above costs one step; Newton needed about six). p, p' and p'' come from the
    # three-term recurrence of the leading minors, with two divisions per step in all: the
    # pivot form of the same recurrence divides at every row, and divisions set the pace.
    # T is first scaled by a power of two (exact) so that the minors stay near 1.
    big = math.ldexp(1.0, math.frexp(max(abs(lo), abs(hi)))[1])
    unit = 1.0 / big
    for i in range(n):
        diag[i] *= unit
        off[i] *= unit
    lo *= unit
    hi *= unit
    scale = max(abs(lo), abs(hi))
    x = hi
    step = np.inf
    for _ in range(12):
        pm, pm1, pm2 = 1.0, 0.0, 0.0                 # minor of order i - 1 and derivatives
        p0, p1, p2 = x - diag[0], 1.0, 0.0           # minor of order i
        for i in range(1, n):
            e2 = off[i - 1] * off[i - 1]
            c = x - diag[i]
            q0 = c * p0 - e2 * pm
            q1 = p0 + c * p1 - e2 * pm1
            q2 = 2.0 * p1 + c * p2 - e2 * pm2
            pm, pm1, pm2 = p0, p1, p2
            p0, p1, p2 = q0, q1, q2
        if not (p0 > 0.0 and p1 > 0.0):
            # rounding took x to (or below) the root: after a step of cubic convergence as
            # small as this, x is within rounding of it; else bisection decides below
            if step <= 1e-7 * scale:
                return x * big
            break
        g = p1 / p0
        h2 = g * g - p2 / p0
        disc = (n - 1) * (n * h2 - g * g)
        step = n / (g + math.sqrt(disc if disc > 0.0 else 0.0))
        if not (x - step >= lo):
            break
        x = x - step
        hi = x
        if step <= 4.4e-16 * scale:
            return x * big
    # Laguerre stopped where rounding dominates: if an eigenvalue lies within a few ulps
    # below x, the bracket is that narrow; bisection on Sturm counts finishes either way
    tiny = 1e-300 + 4.9e-32 * scale
    below = x - 16.0 * 2.2e-16 * scale
    if below > lo and sturm_above(diag, off, n, below, tiny) > 0:
        lo = below
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if not (lo < mid < hi):
            break
        if sturm_above(diag, off, n, mid, tiny) > 0:
            lo = mid
        else:
            hi = mid
    return hi * big
'''


CLOSED_FORM_3_MARGIN = 1e-5  # 1 + r below this: top two eigenvalues too close, fall back

# c(u) = cos(2·arccos(u)/3) on [0, 1], u = √((1 + r)/2): the Chebyshev interpolant of degree 8
# (error e₀ = 4e-9), in monomial form for Horner's rule. Newton with the first slope (chord)
# multiplies the error by K·e₀ per step, K = g''/g' ≤ 12/(4√3·u) ≈ 800 where the closed form
# is used (u ≥ 2.2e-3, see CLOSED_FORM_3_MARGIN): two steps leave ~K²e₀³ ≈ 3e-20, below
# rounding, so a third would only move c by rounding noise
_GUESS = (0.5000000037331834, 0.5773496613984853, -0.11109449276880778, 0.05327935086024303,
          -0.03192541218521355, 0.01960032102518762, -0.010237508432464154,
          0.003654119632233792, -0.0006260453394989179)


def closed_form_3_lines(entry: str, out: str, fallback: str) -> list[str]:
    """Numba lines setting ``out`` to λ_max of the symmetric 3×3 matrix whose entry (i, j),
    i ≤ j, is the name ``entry.format(i=i, j=j)``, and ``fallback`` to True where the closed
    form does not hold to ~1e-13·‖A‖ (see the module docstring); every temporary starts
    with ``_t3``. No branch, no call: it vectorises in a loop over SIMD lanes."""
    head, tail = closed_form_3_stages(entry, out, fallback)
    return head + tail


CLOSED_FORM_3_CARRIED = ("_t3q", "_t3p", "_t3r")  # what the second stage reads of the first


def closed_form_3_stages(entry: str, out: str, fallback: str) -> tuple[list[str], list[str]]:
    """:func:`closed_form_3_lines` in two stages: the first (invariants q, p, r and
    ``fallback``) and the second (the root c and ``out``), which reads of the first only the
    names in :data:`CLOSED_FORM_3_CARRIED`. Each stage is a long chain of dependent
    operations (square roots, divisions, the polynomial, Newton); in two loops over the lanes
    the core overlaps more lanes of each than in one."""
    def h(i, j):
        return entry.format(i=min(i, j), j=max(i, j))

    head = [
        f"_t3q = ({h(0, 0)} + {h(1, 1)} + {h(2, 2)}) * {1 / 3!r}",
        f"_t3b0 = {h(0, 0)} - _t3q",
        f"_t3b1 = {h(1, 1)} - _t3q",
        f"_t3b2 = {h(2, 2)} - _t3q",
        f"_t3o = fma({h(0, 1)}, {h(0, 1)}, fma({h(0, 2)}, {h(0, 2)}, {h(1, 2)} * {h(1, 2)}))",
        "_t3p = math.sqrt(fma(_t3b0, _t3b0, fma(_t3b1, _t3b1, fma(_t3b2, _t3b2, 2.0 * _t3o)))"
        f" * {1 / 6!r})",
        f"_t3det = fma(_t3b0, fma(_t3b1, _t3b2, -({h(1, 2)} * {h(1, 2)})), "
        f"fma(-{h(0, 1)}, fma({h(0, 1)}, _t3b2, -({h(1, 2)} * {h(0, 2)})), "
        f"{h(0, 2)} * fma({h(0, 1)}, {h(1, 2)}, -(_t3b1 * {h(0, 2)}))))",
        "_t3ip = 1.0 / _t3p",
        "_t3r = 0.5 * _t3det * (_t3ip * _t3ip * _t3ip)",
        f"{fallback} = not (_t3r >= {CLOSED_FORM_3_MARGIN - 1.0!r} and _t3p > 1e-100 "
        "and _t3p < 1e100)",
        "_t3r = (_t3r if _t3r < 1.0 else 1.0) if _t3r == _t3r else 0.0",
    ]
    tail = [*_cubic_root_lines("_t3r"), f"{out} = fma(2.0 * _t3p, _t3c, _t3q)"]
    return head, tail


def _cubic_root_lines(r: str) -> list[str]:
    """Lines setting ``_t3c`` to the largest root of 4c³ − 3c = ``r`` (r ∈ [−1, 1]): the
    polynomial guess in u = √((1 + r)/2) and two Newton steps with its slope."""
    horner = repr(_GUESS[-1])
    for coefficient in reversed(_GUESS[:-1]):
        horner = f"fma({horner}, _t3u, {coefficient!r})"
    newton = ["_t3c2 = _t3c * _t3c",
              f"_t3c = _t3c - fma(fma(4.0, _t3c2, -3.0), _t3c, -{r}) * _t3d"]
    return [f"_t3u = math.sqrt(fma(0.5, {r}, 0.5))", f"_t3c = {horner}",
            "_t3d = 1.0 / fma(12.0, _t3c * _t3c, -3.0)", *newton, *newton]


# Near a double top eigenvalue the smallest one, q − 2p·c(−r), is well conditioned (c'(1) =
# 1/9) and well separated (by ~3p), so its eigenvector v is too: the rows of C = A − λ₃I are
# orthogonal to v, their largest cross product is parallel to it. On the plane orthogonal to
# v (an orthonormal pair from C's longest row) C is a 2×2 matrix whose larger eigenvalue
# comes without cancellation (a hypot); λ₁ = λ₃ + that. C is scaled by 1/p (its entries
# O(1)) so that the products stay in range. Errors: a few ulps of |q| + p, as LAPACK's.
_PAIRED = """

@njit(error_model="numpy")
def top_eigenvalue_3_paired(a, q, p, r, work):
    \"\"\"top_eigenvalue of a 3×3 matrix with invariants q, p, r (see closed_form_3_lines) whose
    top two eigenvalues nearly coincide (1 + r small).\"\"\"
    _t3r = min(-r, 1.0)
{root}
    ip = 1.0 / p
    diag = 2.0 * _t3c
    c00 = fma(a[0, 0] - q, ip, diag)
    c11 = fma(a[1, 1] - q, ip, diag)
    c22 = fma(a[2, 2] - q, ip, diag)
    c01 = a[0, 1] * ip
    c02 = a[0, 2] * ip
    c12 = a[1, 2] * ip
    rows = ((c00, c01, c02), (c01, c11, c12), (c02, c12, c22))
    vx, vy, vz, vn = 0.0, 0.0, 0.0, 0.0
    for i, k in ((0, 1), (0, 2), (1, 2)):
        x0, x1, x2 = rows[i]
        y0, y1, y2 = rows[k]
        cx = fma(x1, y2, -(x2 * y1))
        cy = fma(x2, y0, -(x0 * y2))
        cz = fma(x0, y1, -(x1 * y0))
        n2 = fma(cx, cx, fma(cy, cy, cz * cz))
        if n2 > vn:
            vx, vy, vz, vn = cx, cy, cz, n2
    tx, ty, tz, tn = 0.0, 0.0, 0.0, 0.0
    for i in range(3):
        x0, x1, x2 = rows[i]
        n2 = fma(x0, x0, fma(x1, x1, x2 * x2))
        if n2 > tn:
            tx, ty, tz, tn = x0, x1, x2, n2
    if not (vn > 0.0 and tn > 0.0):
        return top_eigenvalue(a, work)
    s = 1.0 / math.sqrt(vn)
    vx, vy, vz = vx * s, vy * s, vz * s
    s = 1.0 / math.sqrt(tn)
    ax, ay, az = tx * s, ty * s, tz * s
    bx = fma(vy, az, -(vz * ay))
    by = fma(vz, ax, -(vx * az))
    bz = fma(vx, ay, -(vy * ax))
    s = 1.0 / math.sqrt(fma(bx, bx, fma(by, by, bz * bz)))
    bx, by, bz = bx * s, by * s, bz * s
    cax = fma(c00, ax, fma(c01, ay, c02 * az))
    cay = fma(c01, ax, fma(c11, ay, c12 * az))
    caz = fma(c02, ax, fma(c12, ay, c22 * az))
    cbx = fma(c00, bx, fma(c01, by, c02 * bz))
    cby = fma(c01, bx, fma(c11, by, c12 * bz))
    cbz = fma(c02, bx, fma(c12, by, c22 * bz))
    m11 = fma(ax, cax, fma(ay, cay, az * caz))
    m22 = fma(bx, cbx, fma(by, cby, bz * cbz))
    m12 = fma(ax, cbx, fma(ay, cby, az * cbz))
    half = 0.5 * (m11 - m22)
    top = 0.5 * (m11 + m22) + math.sqrt(fma(half, half, m12 * m12))
    return fma(p, top - diag, q)
"""


def _paired_source() -> str:
    root = "".join(f"    {line}\n" for line in _cubic_root_lines("_t3r")).rstrip("\n")
    return _PAIRED.replace("{root}", root)


def _top_eigenvalue_3_source() -> str:
    loads = [f"_A{i}_{j} = a[{i}, {j}]" for i in range(3) for j in range(i, 3)]
    body = loads + closed_form_3_lines("_A{i}_{j}", "top", "fallback") + [
        "if fallback:",
        f"    if _t3r < {CLOSED_FORM_3_MARGIN - 1.0!r} and _t3p > 1e-100 and _t3p < 1e100:",
        "        return top_eigenvalue_3_paired(a, _t3q, _t3p, _t3r, work)",
        "    return top_eigenvalue(a, work)", "return top"]
    return ('\n\n@njit(error_model="numpy")\ndef top_eigenvalue_3(a, work):\n'
            '    """top_eigenvalue of a 3×3 matrix: the closed form, else the solver."""\n'
            + "".join(f"    {line}\n" for line in body))


SOURCE += _paired_source() + _top_eigenvalue_3_source()


def compiled() -> dict:
    """The functions of :data:`SOURCE`, compiled in a scratch namespace (tests, doctests)."""
    import numpy as np
    from numba import njit

    from eosmath.kernels import vector_math

    namespace = vector_math.compiled()
    namespace.update({"math": math, "np": np, "njit": njit})
    exec(compile(SOURCE, "<eosmath symeig>", "exec"), namespace)  # our own source text
    return namespace
