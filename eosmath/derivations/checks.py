"""Checks behind every statement of a derivation: an identity is shown, or reported as failed.

A :class:`Check` records what was claimed, whether it holds, and how that was established:
``"symbolic"`` (SymPy reduced the difference to 0), ``"numeric"`` (SymPy could not decide; the
difference vanished to 50 digits at 12 seeded random points), ``"sampled"`` (compared with an
independent numerical computation, e.g. an eigen-solver, at sample points), ``"failed"`` or
``"skipped"``.
SymPy calls that can run for a very long time are cut off by :func:`time_limit`.

>>> import sympy as sp
>>> u = sp.Symbol("u", real=True)
>>> verify_zero(sp.tanh(u) - sp.sinh(u) / sp.cosh(u), "tanh = sinh/cosh").method
'symbolic'
>>> verify_zero(u**2 - u, "u^2 = u").passed
False
"""

from __future__ import annotations

import contextlib
import random
import signal
import threading
from dataclasses import dataclass

import mpmath
import sympy as sp

from eosmath.symbolic.domain import sample_in_domain
from eosmath.symbolic.stable import unstabilize

SIMPLIFY_SECONDS = 20
"""Longest a single ``simplify`` may run before the numeric test decides instead."""

NUMERIC_DIGITS = 50
NUMERIC_SAMPLES = 12


@dataclass(frozen=True)
class Check:
    """The outcome of checking one claim (``claim`` is LaTeX text shown in the document)."""

    claim: str
    method: str  # "symbolic" | "numeric" | "sampled" | "failed" | "skipped"
    detail: str = ""

    @property
    def passed(self) -> bool | None:
        """True if verified, False if refuted, None if not checked."""
        if self.method == "skipped":
            return None
        return self.method in ("symbolic", "numeric", "sampled")

    def to_latex(self) -> str:
        if self.method == "symbolic":
            head = r"\textbf{Verified} (symbolically, SymPy):"
        elif self.method == "numeric":
            head = (rf"\textbf{{Verified}} (numerically: {NUMERIC_DIGITS} digits at "
                    rf"{NUMERIC_SAMPLES} random points; SymPy could not simplify it):")
        elif self.method == "sampled":
            head = r"\textbf{Verified} (numerically, by an independent computation):"
        elif self.method == "failed":
            head = r"\textbf{CHECK FAILED:}"
        else:
            head = r"\textbf{Not checked:}"
        tail = f" ({self.detail})" if self.detail else ""
        return rf"\noindent {head} {self.claim}{tail}."


class _TimeUp(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`TimeoutError` in the block after ``seconds`` (main thread, POSIX only).

    Elsewhere the block runs unguarded: SymPy cannot be interrupted from another thread.
    """
    usable = (hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
              and seconds > 0)
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TimeUp:
        raise TimeoutError(f"SymPy took longer than {seconds} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _symbolic_zero(expr: sp.Expr) -> bool:
    if sp.expand(expr) == 0:
        return True
    for attempt in (sp.simplify, lambda e: sp.simplify(e.rewrite(sp.exp))):
        try:
            with time_limit(SIMPLIFY_SECONDS):
                if attempt(expr) == 0:
                    return True
        except TimeoutError:
            return False
        except Exception:  # SymPy fails on some exotic forms; the numeric test decides then
            continue
    return False


def _numeric_zero(expr: sp.Expr, scale: sp.Expr) -> tuple[str, str]:
    """("numeric", "") if expr vanishes at NUMERIC_SAMPLES random points inside the domain
    where it and ``scale`` are real, ("failed", where) if not, ("skipped", why) if the
    domain holds too few sample points."""
    symbols = sorted(expr.free_symbols | scale.free_symbols, key=str)
    f = sp.lambdify(symbols, expr, modules="mpmath")
    size = sp.lambdify(symbols, scale, modules="mpmath")
    signs = [1 if s.is_positive else -1 if s.is_negative else 0 for s in symbols]
    with mpmath.workdps(NUMERIC_DIGITS):
        points = sample_in_domain([f, size], len(symbols), NUMERIC_SAMPLES, random.Random(0),
                                  half_width=2.0, signs=signs)
        if len(points) < NUMERIC_SAMPLES:
            return "skipped", (f"real at only {len(points)} of {NUMERIC_SAMPLES} sample points "
                               "(restricted domain); not checked")
        for point in points:
            value, magnitude = f(*point), abs(size(*point)) + 1
            if abs(value) > mpmath.mpf(10) ** (-NUMERIC_DIGITS + 10) * magnitude:
                where = ", ".join(f"{s}={mpmath.nstr(p, 6)}" for s, p in
                                  zip(symbols, point, strict=True))
                return "failed", f"nonzero at {where}: {mpmath.nstr(value, 6)}"
    return "numeric", ""


def verify_zero(expr, claim: str, scale=None) -> Check:
    """Check that ``expr`` is identically 0 (symbolically, else numerically at 50 digits).

    ``scale`` (default |expr| + 1) sets the size the numeric residual is measured against.
    """
    expr = sp.sympify(expr)
    if isinstance(expr, sp.MatrixBase):
        return verify_all([verify_zero(e, f"entry {k}") for k, e in enumerate(expr)], claim)
    expr = unstabilize(expr)
    if _symbolic_zero(expr):
        return Check(claim, "symbolic")
    method, detail = _numeric_zero(expr, sp.Abs(expr) if scale is None else unstabilize(scale))
    return Check(claim, method, detail)


def verify_equal(a, b, claim: str) -> Check:
    """Check that ``a`` and ``b`` are the same function (see :func:`verify_zero`)."""
    a, b = sp.sympify(a), sp.sympify(b)
    return verify_zero(a - b, claim, scale=sp.Abs(unstabilize(a)) + sp.Abs(unstabilize(b)))


def verify_all(checks: list[Check], claim: str) -> Check:
    """Combine several checks of one statement into one (the weakest method wins)."""
    failed = [c for c in checks if c.passed is False]
    if failed:
        return Check(claim, "failed", "; ".join(f"{c.claim}: {c.detail}" for c in failed))
    if any(c.method == "skipped" for c in checks):
        return Check(claim, "skipped", "; ".join(c.detail for c in checks if c.detail))
    method = next((m for m in ("sampled", "numeric") if any(c.method == m for c in checks)),
                  "symbolic")
    return Check(claim, method)
