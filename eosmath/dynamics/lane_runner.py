"""Running the lane kernel's blocks on threads, from machine code loaded without Numba.

The sweep's hot loop is ``lane_block`` (:mod:`eosmath.dynamics.lane_kernel`), a block of cells
advanced in SIMD lanes. Its C-callable form is compiled by Numba once and its object code saved
(:mod:`eosmath.kernels.native`); later processes link that code and never start Numba's
compiler. Blocks are handed to threads from a shared counter: ctypes releases the GIL during
each call, and taking the next block when one finishes balances the very uneven cells (a cell
may stop at step 1 or run all its steps) better than a fixed split.

>>> import numpy as np, eosmath as eos
>>> from eosmath.dynamics.kernel_template import NSTAT
>>> m = eos.models.get("quadratic", a=1.0)
>>> block = lane_block_function(m.compile().key, m.compile, dim=1, nhyper=1, nstats=NSTAT)
>>> stats, final = np.empty((2, NSTAT)), np.empty((2, 1))
>>> run_blocks(block, np.array([[1.0], [1.0]]), np.array([0.5, 2.5]), np.ones((2, 1)),
...            np.arange(2), 500, 1e-10, 1e12, 16, 1e-10, stats, final, threads=2)
>>> stats[:, 0].tolist()     # status: converged, diverged
[0.0, 3.0]
"""

from __future__ import annotations

import ctypes
import itertools
import threading
from dataclasses import dataclass

import numpy as np

from eosmath.dynamics.lane_kernel import LANES
from eosmath.kernels import native

BLOCKS_PER_THREAD = 16  # many blocks balance uneven cores; tails are cheap (lanes are packed)

_P, _I, _D = ctypes.c_void_p, ctypes.c_int64, ctypes.c_double
_ARGTYPES = (_P, _P, _P, _P, _I, _I, _I, _I, _D, _D, _I, _D, _P, _P)


@dataclass(frozen=True)
class LaneBlock:
    """The C function ``lane_block`` of one kernel and the array widths it was compiled for."""

    function: object
    dim: int
    nhyper: int
    nstats: int


def lane_block_function(key: str, load_kernels, *, dim: int, nhyper: int,
                        nstats: int) -> LaneBlock:
    """``lane_block`` of kernel ``key`` (a model with ``dim`` parameters, ``nhyper``
    hyper-parameters, ``nstats`` statistics per cell) as a ctypes function.

    Saved machine code is used when present; otherwise ``load_kernels()`` (a callable giving
    the :class:`~eosmath.kernels.compiled.CompiledModel`) compiles it with Numba and saves it.
    """
    function = native.entry(key, "lane_block", lambda: load_kernels().module.make_lane_block_c(),
                            None, *_ARGTYPES)
    return LaneBlock(function, dim, nhyper, nstats)


def thread_count() -> int:
    """Threads for the blocks: Numba's setting when Numba is loaded (``set_num_threads``),
    else ``NUMBA_NUM_THREADS`` or the CPUs this process may use."""
    import os
    import sys

    if "numba" in sys.modules and hasattr(sys.modules["numba"], "get_num_threads"):
        return int(sys.modules["numba"].get_num_threads())
    configured = os.environ.get("NUMBA_NUM_THREADS", "")
    return int(configured) if configured.isdigit() else len(os.sched_getaffinity(0))


def run_blocks(block: LaneBlock, thetas0, etas, hs, order, steps, tol, radius2, kmax, ptol, stats,
               theta_out, threads: int) -> None:
    """Every cell of ``order``: the arguments of ``sweep_cells``. The C code trusts every
    shape, so they are all checked here: thetas0 and theta_out (n, dim), etas (n,),
    hs (n, nhyper), order (n,) int64 (a permutation of the cells), stats (n, nstats)."""
    n = len(etas)
    arrays = {"thetas0": (thetas0, (n, block.dim)), "etas": (etas, (n,)),
              "hs": (hs, (n, block.nhyper)), "order": (order, (n,)),
              "stats": (stats, (n, block.nstats)), "theta_out": (theta_out, (n, block.dim))}
    for name, (a, shape) in arrays.items():
        dtype = np.int64 if name == "order" else np.float64
        if a.shape != shape or a.dtype != dtype or not a.flags.c_contiguous:
            raise ValueError(f"run_blocks: {name} must be a C-contiguous {dtype.__name__} array "
                             f"of shape {shape}, got {a.dtype} {a.shape}")
    if n and (order.min() < 0 or order.max() >= n):
        raise ValueError("run_blocks: order must index the cells 0..n-1")
    arrays = [a for a, _ in arrays.values()]
    n_blocks = max(1, min(BLOCKS_PER_THREAD * threads, n // (8 * LANES)))
    pointers = [a.ctypes.data for a in arrays]
    fixed = (int(steps), float(tol), float(radius2), int(kmax), float(ptol))
    counter, call = itertools.count(), block.function

    def worker():
        while (b := next(counter)) < n_blocks:
            call(*pointers[:4], n, b * n // n_blocks, (b + 1) * n // n_blocks, *fixed,
                 *pointers[4:])

    workers = [threading.Thread(target=worker) for _ in range(min(threads, n_blocks) - 1)]
    for w in workers:
        w.start()
    worker()
    for w in workers:
        w.join()


def sharpness_points_function(key: str, load_kernels, *, dim: int, nhyper: int):
    """``f(points, h) -> sharpness``: largest Hessian eigenvalue at each row of ``points``
    (N, dim), hyper-parameter values ``h``; the saved machine code of kernel ``key``."""
    function = native.entry(key, "sharpness_points",
                            lambda: load_kernels().module.make_sharpness_points_c(), None,
                            _P, _I, _P, _P)

    def sharpness_points(points, h):
        points = np.ascontiguousarray(points, dtype=np.float64)
        h = np.ascontiguousarray(h, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != dim or h.shape != (nhyper,):
            raise ValueError(f"sharpness_points: points (N, {dim}) and h ({nhyper},) expected, "
                             f"got {points.shape} and {h.shape}")
        out = np.empty(len(points))
        function(points.ctypes.data, len(points), h.ctypes.data, out.ctypes.data)
        return out

    return sharpness_points
