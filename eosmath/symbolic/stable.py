"""Numerically stable forms of expressions, and proofs that a rewrite changed nothing.

SymPy differentiates ``log(cosh(u))`` into ``sinh(u)/cosh(u)``, which overflows to NaN once
|u| > ~710 and costs a second transcendental per evaluation. Before differentiation a loss is
rewritten with the functions below, whose derivatives are tanh-based; afterwards every rewrite
is checked to be equal to the original expression (:func:`prove_equal`).

>>> import sympy as sp
>>> u = sp.Symbol("u", real=True)
>>> stabilize(sp.log(sp.cosh(u)))
LogCosh(u)
>>> sp.diff(stabilize(sp.log(sp.cosh(u))), u)
tanh(u)
>>> stabilize(sp.sinh(u) / sp.cosh(u))
tanh(u)
"""

from __future__ import annotations

import random

import mpmath
import sympy as sp


class LogCosh(sp.Function):
    """log(cosh(u)), evaluated as |u| + log1p(exp(−2|u|)) − log 2 (no overflow); d/du = tanh(u)."""

    nargs = 1

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.S.Zero
        if u.could_extract_minus_sign():
            return cls(-u)
        return None

    def fdiff(self, argindex=1):
        return sp.tanh(self.args[0])

    def _eval_rewrite_as_log(self, u, **kwargs):
        return sp.log(sp.cosh(u))

    _eval_rewrite_as_cosh = _eval_rewrite_as_log

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return sp.log(sp.cosh(self.args[0]))._eval_evalf(prec)

    def _latex(self, printer):
        return r"\log\cosh\left(%s\right)" % printer._print(self.args[0])

    def _numpycode(self, printer):
        u = printer._print(self.args[0])
        a = f"{printer._module_format('numpy.abs')}({u})"
        return (f"({a} + {printer._module_format('numpy.log1p')}("
                f"{printer._module_format('numpy.exp')}(-2*{a})) - {printer._print(sp.log(2))})")

    def _mpmathcode(self, printer):
        u, mp = printer._print(self.args[0]), printer._module_format
        return f"{mp('mpmath.log')}({mp('mpmath.cosh')}({u}))"


class Softplus(sp.Function):
    """log(1 + exp(u)) without overflow; d/du = (1 + tanh(u/2))/2, the logistic sigmoid."""

    nargs = 1

    def fdiff(self, argindex=1):
        return (1 + sp.tanh(self.args[0] / 2)) / 2

    def _eval_rewrite_as_log(self, u, **kwargs):
        return sp.log(1 + sp.exp(u))

    _eval_rewrite_as_exp = _eval_rewrite_as_log

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return sp.log(1 + sp.exp(self.args[0]))._eval_evalf(prec)

    def _latex(self, printer):
        return r"\log\left(1 + e^{%s}\right)" % printer._print(self.args[0])

    def _numpycode(self, printer):
        return f"{printer._module_format('numpy.logaddexp')}(0.0, {printer._print(self.args[0])})"

    def _mpmathcode(self, printer):
        u, mp = printer._print(self.args[0]), printer._module_format
        return f"{mp('mpmath.log')}(1 + {mp('mpmath.exp')}({u}))"


STABLE_FUNCTIONS = {"LogCosh": LogCosh, "Softplus": Softplus}


def _is_log_of_cosh(e) -> bool:
    if not isinstance(e, sp.log):
        return False
    arg = e.args[0]
    if isinstance(arg, sp.cosh):
        return True
    return (isinstance(arg, sp.Mul) and len(arg.args) == 2 and arg.args[0].is_positive
            and arg.args[0].is_number and isinstance(arg.args[1], sp.cosh))


def _log_of_cosh(e):
    arg = e.args[0]
    if isinstance(arg, sp.cosh):
        return LogCosh(arg.args[0])
    const, ch = arg.args
    return sp.log(const) + LogCosh(ch.args[0])


def _is_log_one_plus_exp(e) -> bool:
    if not isinstance(e, sp.log) or not isinstance(e.args[0], sp.Add):
        return False
    terms = e.args[0].args
    return len(terms) == 2 and sp.S.One in terms and any(isinstance(t, sp.exp) for t in terms)


def _log_one_plus_exp(e):
    exp_term = next(t for t in e.args[0].args if isinstance(t, sp.exp))
    return Softplus(exp_term.args[0])


def _is_inverse_even_cosh_power(e) -> bool:
    return (isinstance(e, sp.Pow) and isinstance(e.base, sp.cosh) and e.exp.is_integer
            and e.exp.is_negative and e.exp.is_even)


def _inverse_even_cosh_power(e):
    return (1 - sp.tanh(e.base.args[0]) ** 2) ** (-e.exp / 2)


def stabilize(expr: sp.Expr) -> sp.Expr:
    """Rewrite ``expr`` into forms that neither overflow nor cost extra transcendentals.

    log cosh u → LogCosh(u); log(1 + e^u) → Softplus(u); sinh u → tanh u · cosh u (so that
    sinh/cosh cancels to tanh); cosh(u)^(−2k) → (1 − tanh² u)^k. The result is equal to the
    input as a function; :func:`prove_equal` checks it.
    """
    expr = sp.sympify(expr)
    expr = expr.replace(_is_log_of_cosh, _log_of_cosh)
    expr = expr.replace(_is_log_one_plus_exp, _log_one_plus_exp)
    if expr.has(sp.sinh):
        expr = expr.replace(lambda e: isinstance(e, sp.sinh),
                            lambda e: sp.tanh(e.args[0]) * sp.cosh(e.args[0]))
    expr = expr.replace(_is_inverse_even_cosh_power, _inverse_even_cosh_power)
    return expr


def unstabilize(expr: sp.Expr) -> sp.Expr:
    """Replace the stable helper functions by their textbook definitions (for display, proofs)."""
    return sp.sympify(expr).replace(
        lambda e: isinstance(e, (LogCosh, Softplus)), lambda e: e.rewrite(sp.log))


def prove_equal(a: sp.Expr, b: sp.Expr, symbols=None, samples: int = 12, dps: int = 50,
                seed: int = 0) -> str:
    """Show that ``a`` and ``b`` are the same function; return how ("symbolic" or "numeric").

    Tries SymPy simplification (also after rewriting hyperbolic functions as exponentials);
    where SymPy cannot decide, evaluates both at ``samples`` random points with ``dps`` digits
    and requires agreement to 10^(−dps+10). Raises ``AssertionError`` if they differ.

    >>> import sympy as sp
    >>> u = sp.Symbol("u", real=True)
    >>> prove_equal(sp.tanh(u), sp.sinh(u) / sp.cosh(u))
    'symbolic'
    """
    a, b = unstabilize(a), unstabilize(b)
    diff = sp.expand(a - b)
    if diff == 0:
        return "symbolic"
    for attempt in (lambda d: sp.simplify(d), lambda d: sp.simplify(d.rewrite(sp.exp))):
        try:
            if attempt(diff) == 0:
                return "symbolic"
        except Exception:  # SymPy may fail on exotic forms; the numeric test decides then
            pass
    symbols = sorted(diff.free_symbols, key=str) if symbols is None else list(symbols)
    rng = random.Random(seed)
    f = sp.lambdify(symbols, diff, modules="mpmath")
    scale = sp.lambdify(symbols, sp.Abs(a) + sp.Abs(b) + 1, modules="mpmath")
    with mpmath.workdps(dps):
        for _ in range(samples):
            point = [mpmath.mpf(rng.uniform(-2, 2)) for _ in symbols]
            if abs(f(*point)) > mpmath.mpf(10) ** (-dps + 10) * scale(*point):
                raise AssertionError(f"rewrite changed the function: {a} != {b} at {point}")
    return "numeric"
