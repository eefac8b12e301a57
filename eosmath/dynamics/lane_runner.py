"""Running the lane kernel's blocks on threads, through C entry points cached by Numba.

The sweep's hot loop is ``lane_block`` (:mod:`eosmath.dynamics.lane_kernel`), a block of cells
advanced in SIMD lanes. Its C-callable form (a ``numba.cfunc``, in a small module written beside
the kernel module) is compiled by Numba once and loaded from Numba's own cache afterwards.
Blocks are handed to threads as each finishes its last: ctypes releases the GIL during each
call, and taking the next block when one finishes balances the very uneven cells (a cell may
stop at step 1 or run all its steps) better than a fixed split (see :func:`block_bounds`).

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
import hashlib
import itertools
import sys
import threading
from dataclasses import dataclass

import numpy as np

from eosmath.dynamics.lane_kernel import LANES

MIN_BLOCK = 8 * LANES  # the shortest block: eight cells per lane, see block_bounds

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
                        nstats: int, level: int = 2) -> LaneBlock:
    """``lane_block`` of kernel ``key`` (a model with ``dim`` parameters, ``nhyper``
    hyper-parameters, ``nstats`` statistics per cell) as a ctypes function; ``level``: the
    curvature work per step (2 every statistic, 1 no sharpness, 0 bare GD: see
    ``gd_core_in``), each level its own function, compiled the first time it is asked for.

    ``load_kernels()`` (a callable giving the
    :class:`~eosmath.kernels.compiled.CompiledModel`) is called only when the kernel module
    is not on disk yet.
    """
    function = _c_function(_entries(key, load_kernels, level).lane_block_c, _ARGTYPES)
    return LaneBlock(function, dim, nhyper, nstats)


_ENTRIES = "eosmath_entries"  # module stem of the C entry points beside each kernel module
_ENTRIES_LOCK = threading.Lock()

_ENTRIES_SOURCE = '''"""C entry points of kernel module {kernels}, for threads driven
from Python (ctypes releases the GIL during a call): written by eosmath.dynamics.lane_runner,
compiled once by Numba and kept in Numba's own cache (cache=True) beside this file."""

# the kernel module this file was written for, by content: Numba's cache of this file is
# invalidated only by this file changing, so a changed kernel module must change it
# kernels sha256: {digest}

from numba import carray, cfunc, types

from {kernels} import DIM, NHYPER, NREDUCE, NSTAT, sharpness_points
from {kernels} import {block} as lane_block

f8p, i8p = types.CPointer(types.float64), types.CPointer(types.int64)
i8, f8 = types.int64, types.float64


@cfunc(types.void(f8p, f8p, f8p, i8p, i8, i8, i8, i8, f8, f8, i8, f8, f8p, f8p), cache=True,
       error_model="numpy")
def lane_block_c(thetas0, etas, hs, order, n, lo, hi, steps, tol, radius2, kmax, ptol, stats,
                 theta_out):
    lane_block(carray(thetas0, (n, DIM)), carray(etas, (n,)), carray(hs, (n, NHYPER)),
               carray(order, (n,)), lo, hi, steps, tol, radius2, kmax, ptol,
               carray(stats, (n, NSTAT + NREDUCE)), carray(theta_out, (n, DIM)))


@cfunc(types.void(f8p, i8, f8p, types.CPointer(types.uint8), f8p), cache=True,
       error_model="numpy")
def sharpness_points_c(cols, n, h, skip, out):
    sharpness_points(carray(cols, (DIM, n)), carray(h, (NHYPER,)), carray(skip, (n,)),
                     carray(out, (n,)))
'''


def _entries(key: str, load_kernels, level: int = 2):
    """The module of C entry points of kernel ``key`` (its ``lane_block`` at curvature
    ``level``): Numba compiles its ``cfunc``s the first time and loads them from its cache
    afterwards (public API only)."""
    from eosmath.kernels import cache

    stem = _ENTRIES if level == 2 else f"{_ENTRIES}_l{level}"
    with _ENTRIES_LOCK:
        if f"{stem}_{key}" in sys.modules:  # loaded in this process: no file to check
            return sys.modules[f"{stem}_{key}"]
        if cache.module_path(key).exists():
            cache.load_module(key)  # the kernels, imported by name from the entry module
        else:
            load_kernels()
        cache.write_module(key, _entries_source(key, level), stem)
        return cache.load_module(key, stem)


def _entries_source(key: str, level: int = 2) -> str:
    """The entry module of kernel ``key`` at curvature ``level``, naming the kernel module's
    content."""
    from eosmath.kernels import cache

    digest = hashlib.sha256(cache.module_path(key).read_bytes()).hexdigest()
    return _ENTRIES_SOURCE.format(kernels=f"eosmath_kernels_{key}", digest=digest,
                                  block="lane_block" if level == 2 else f"lane_block_l{level}")


def _c_function(compiled_cfunc, argtypes):
    """A ctypes callable for a compiled ``numba.cfunc`` (which stays referenced by its
    module, so its code outlives the callable)."""
    return ctypes.CFUNCTYPE(None, *argtypes)(compiled_cfunc.address)


def thread_count() -> int:
    """Threads for the blocks: Numba's setting when Numba is loaded (``set_num_threads``),
    else ``NUMBA_NUM_THREADS`` or the CPUs this process may use."""
    import os

    if "numba" in sys.modules and hasattr(sys.modules["numba"], "get_num_threads"):
        return int(sys.modules["numba"].get_num_threads())
    configured = os.environ.get("NUMBA_NUM_THREADS", "")
    return int(configured) if configured.isdigit() else len(os.sched_getaffinity(0))


def run_blocks(block: LaneBlock, thetas0, etas, hs, order, steps, tol, radius2, kmax, ptol, stats,
               theta_out, threads: int, after_block=None) -> None:
    """Every cell of ``order``: the arguments of ``sweep_cells``. The C code trusts every
    shape, so they are all checked here: thetas0 and theta_out (n, dim), etas (n,),
    hs (n, nhyper), order (n,) int64 (a permutation of the cells), stats (n, nstats).
    ``after_block(cells)``, if given, is called by the thread that ran each block, with the
    block's cells, as soon as it is done (their rows are still in that core's cache)."""
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
    pointers = [a.ctypes.data for a in arrays]
    fixed = (int(steps), float(tol), float(radius2), int(kmax), float(ptol))
    bounds = block_bounds(n, threads)
    counter, call = itertools.count(), block.function

    errors = []

    def worker():
        try:
            while not errors and (b := next(counter)) < len(bounds):
                call(*pointers[:4], n, *bounds[b], *fixed, *pointers[4:])
                if after_block is not None:
                    after_block(order[bounds[b][0]:bounds[b][1]])
        except BaseException as error:  # noqa: BLE001 (re-raised in the calling thread)
            errors.append(error)

    workers = [threading.Thread(target=worker) for _ in range(min(threads, len(bounds)) - 1)]
    for w in workers:
        w.start()
    worker()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]


def block_bounds(n: int, threads: int) -> list[tuple[int, int]]:
    """``(lo, hi)`` of the blocks of ``n`` cells, in the order threads take them: shrinking
    (each a quarter of what is left per thread) down to ``MIN_BLOCK`` cells.

    A thread that finds no block left idles until the others finish theirs, so the last
    blocks must be short: with the cells shuffled (``_balanced_order`` in the sweep) a block's
    time is about proportional to its size, and the block taken last ends at most one
    ``MIN_BLOCK`` of work after the others. The first blocks are long, so a chunk needs few
    calls and few lane drains (at its end a block's lanes empty one by one).

    >>> block_bounds(10_000, 2)[:3], block_bounds(10_000, 2)[-1]
    ([(0, 1250), (1250, 2343), (2343, 3300)], (9655, 10000))
    >>> block_bounds(100, 4)
    [(0, 100)]
    """
    bounds, lo = [], 0
    while lo < n:
        size = max(MIN_BLOCK, (n - lo) // (4 * max(1, threads)))
        hi = n if n - lo - size < MIN_BLOCK // 2 else lo + size  # no sliver at the end
        bounds.append((lo, hi))
        lo = hi
    return bounds


def sharpness_points_function(key: str, load_kernels, *, dim: int, nhyper: int):
    """``f(cols, h, skip) -> sharpness``: the largest Hessian eigenvalue at each column of
    ``cols`` (dim, N), hyper-parameter values ``h``; NaN where ``skip`` (N booleans) is set or
    a coordinate is not finite. The saved machine code of kernel ``key``; the points as
    columns, the layout in which a vectorised limit function returns them."""
    function = _c_function(_entries(key, load_kernels).sharpness_points_c,
                           (_P, _I, _P, _P, _P))

    def sharpness_points(cols, h, skip):
        cols = np.ascontiguousarray(cols, dtype=np.float64)
        h = np.ascontiguousarray(h, dtype=np.float64)
        skip = np.ascontiguousarray(skip, dtype=np.bool_)
        n = cols.shape[1] if cols.ndim == 2 else -1
        if cols.ndim != 2 or cols.shape[0] != dim or h.shape != (nhyper,) or skip.shape != (n,):
            raise ValueError(f"sharpness_points: cols ({dim}, N), h ({nhyper},) and skip (N,) "
                             f"expected, got {cols.shape}, {h.shape} and {skip.shape}")
        out = np.empty(n)
        function(cols.ctypes.data, n, h.ctypes.data, skip.ctypes.data, out.ctypes.data)
        return out

    return sharpness_points
