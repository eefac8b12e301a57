"""The branch-free rewrite of generated kernel source: the same values bit for bit (against
the source as written, compiled and in plain Python), only harmless expressions rewritten,
and far fewer basic blocks for Numba in the lane kernel it exists for."""

import itertools

import numpy as np
import pytest
from numba import njit

import eosmath as eos
from eosmath.kernels import branch_free, vector_math

BODY = """\
go = run and not bad and not (g < tol)
code = 2.0 if bad else (1.0 if g < tol else (3.0 if not (r <= big) else 0.0))
w = fma(-e, g, r) if go else r
lo, hi = (w, 0.0) if (go or bad) else (r, e)
n = 1 if (g == g and e > 0.0) else 0
flag = True if g != g else False
clipped = (g if g < 1.0 else 1.0) if g == g else 0.0
"""
OUTPUTS = "go, code, w, lo, hi, n, flag, clipped"


def _function(body: str):
    text = ("def f(run, bad, g, tol, r, big, e):\n"
            + "".join(f"    {line}\n" for line in body.splitlines())
            + f"    return {OUTPUTS}\n")
    namespace = dict(vector_math.compiled())
    exec(compile(text, "<test>", "exec"), namespace)  # test source
    return namespace["f"]


def _python_select(c, x, y):
    return x if c else y


SPECIALS = [0.0, -0.0, 0.5, 2.0, -3.0, np.nan, np.inf, -np.inf]


def test_rewritten_expressions_give_the_same_values_bit_for_bit():
    rewritten = branch_free.rewrite(BODY)
    assert "select(" in rewritten and " & " in rewritten and " if " not in rewritten
    plain, fast = njit(_function(BODY)), njit(_function(rewritten))
    python, python_plain = _function(rewritten), _function(BODY)  # interpreted, as a check
    for f in (python, python_plain):                                # of the rewrite itself
        f.__globals__.update(select=_python_select, fma=lambda a, b, c: a * b + c)
    for run, bad in itertools.product([False, True], repeat=2):
        for g, r, e in itertools.product(SPECIALS, [1.0, np.nan, -0.0], [0.1, np.nan]):
            args = (run, bad, g, 1e-3, r, 10.0, e)
            expected = plain(*args)
            got = fast(*args)
            assert np.array(got, dtype=float).tobytes() == np.array(expected,
                                                                    dtype=float).tobytes()
            assert [type(v) for v in got] == [type(v) for v in expected]
            assert np.array(python(*args), dtype=float).tobytes() == np.array(
                python_plain(*args), dtype=float).tobytes()


@pytest.mark.parametrize("line", [
    "x = a[k] if k < n else 0.0",             # the condition may guard the index
    "x = thetas0[c, 0] if ok else 0.0",        # an index other than the lane's
    "x = sharpness_of(h, w) if ok else 0.0",   # a call: evaluated only when needed
    "x = (a / b) if b != 0.0 else 0.0",        # division: may trap (integers), long latency
    "x = q % m if m > 0 else 0",
    "if a and b:",                             # a statement's branch stays a branch
    "x = a if b else c  # a comment",
    "for i in range(n):",
])
def test_anything_not_harmless_is_left_as_written(line):
    assert branch_free.rewrite_line(line) == line


def test_a_guarded_part_keeps_its_short_circuit_while_the_rest_is_rewritten():
    line = "    hit = look and X0[j] == 0.0 and thetas0[c, 0] != 0.0"
    assert branch_free.rewrite_line(line) == line
    inner = "    y = (a if go else b) * fn(z)"
    assert branch_free.rewrite_line(inner) == "    y = select(go, a, b) * fn(z)"


def test_select_follows_python_truthiness_and_unifies_types():
    select = vector_math.compiled()["select"]
    f = njit(lambda c, x, y: select(c, x, y))
    assert f(np.nan, 1.0, 2.0) == 1.0           # NaN is true, as in `x if nan else y`
    assert f(0.0, 1.0, 2.0) == 2.0 and f(-0.0, 1.0, 2.0) == 2.0
    assert f(True, 1, 2.5) == 1.0 and isinstance(f(True, 1, 2.5), float)
    assert f(False, 1, 2) == 2 and isinstance(f(False, 1, 2), int)


def test_the_lane_kernel_compiles_with_far_fewer_blocks():
    # the reason for the rewrite: Numba's compile passes scale with blocks × variables
    from numba.core.compiler import run_frontend

    model = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.5)
    module = model.compile().module
    blocks = len(run_frontend(module.lane_block.py_func).blocks)
    assert blocks < 150, blocks   # 383 as written (3 parameters), 99 rewritten
