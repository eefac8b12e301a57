"""Memory for a sweep: scratch arrays of a chunk, kept for the next chunk of the same size,
and the result's arrays in one allocation.

A chunk needs a few arrays only while it runs: the cells' start points, η and
hyper-parameters, the kernel's per-cell rows and end points (about 180 bytes a cell for a
3-parameter model). Fresh from the allocator, their pages are mapped by the first write, one
page fault per 4 KiB (about 2 µs each on a virtual machine: 6–8% of a 3-parameter sweep's
whole call). A sweep's chunks have one size but the last, and users sweep again, so the set
of the last chunk is kept (one set, at most ``LIMIT_BYTES``) and handed to the next chunk of
the same size. A set is lent to one caller at a time: concurrent chunks (threads, Dask) each
get their own.

The result's variables (a dozen arrays of one element per cell) are fresh memory on every
call: allocated one by one, each is mapped page by page as the kernel writes it (8000 page
faults for a 512 × 512 sweep, ~15 ms). :func:`packed_empty` carves them out of one block,
which NumPy asks the kernel to back with 2 MiB pages (it does so for blocks of 4 MiB and
more), so a few hundred faults at most map it.

>>> with lend({"a": ((4,), "f8")}) as first:
...     first["a"][:] = 1.0
>>> with lend({"a": ((4,), "f8")}) as second:
...     second["a"] is first["a"]          # the same memory, not zeroed
True
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

LIMIT_BYTES = 64 * 2**20  # larger sets are not kept: they pay the page faults each time

_LOCK = threading.Lock()
_KEPT: dict = {}  # at most one entry: spec key → arrays


@contextlib.contextmanager
def lend(spec: dict):
    """Arrays by name for ``spec`` (name → (shape, dtype)), uninitialised, for the ``with``
    block; the kept set if it matches (taken out while lent), else new arrays."""
    key = tuple(sorted((name, tuple(shape), np.dtype(dtype).str)
                       for name, (shape, dtype) in spec.items()))
    with _LOCK:
        arrays = _KEPT.pop(key, None)
    if arrays is None:
        arrays = {name: np.empty(shape, dtype) for name, (shape, dtype) in spec.items()}
    try:
        yield arrays
    finally:
        if sum(a.nbytes for a in arrays.values()) <= LIMIT_BYTES:
            with _LOCK:
                _KEPT.clear()
                _KEPT[key] = arrays


def packed_empty(shape: tuple, dtypes: dict) -> dict:
    """Uninitialised C-contiguous arrays of ``shape``, one per name of ``dtypes`` (name →
    dtype), views of one block of memory (each starting on a 64-byte boundary).

    >>> a = packed_empty((2, 3), {"s": "i1", "x": "f8"})
    >>> a["s"].shape, a["x"].dtype.name, a["x"].flags.c_contiguous
    ((2, 3), 'float64', True)
    """
    n = int(np.prod(shape)) if shape else 1
    layout, total = [], 0
    for name, dtype in dtypes.items():
        dtype = np.dtype(dtype)
        total = -(-total // 64) * 64
        layout.append((name, dtype, total))
        total += n * dtype.itemsize
    raw = np.empty(total + 64, np.uint8)
    block = raw[(-raw.ctypes.data) % 64:]
    return {name: block[start:start + n * dtype.itemsize].view(dtype).reshape(shape)
            for name, dtype, start in layout}


def release() -> None:
    """Drop the kept set (its memory goes back to the allocator)."""
    with _LOCK:
        _KEPT.clear()
