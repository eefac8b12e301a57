"""Memory and disk a job needs, checked before it starts rather than discovered by a crash.

>>> format_bytes(3.2e9), format_bytes(512)
('3.2 GB', '512 B')
>>> check_resources(memory=1e3, disk=None, what="a tiny sweep")   # fits: nothing happens
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from eosmath.errors import ResourceError


def format_bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"


def available_memory() -> float | None:
    """Bytes of memory available to a new allocation without swapping (None if unknown)."""
    try:
        import psutil

        return float(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def free_disk(path) -> float | None:
    """Free bytes on the file system that holds ``path`` (or would, once created)."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return float(shutil.disk_usage(path).free)
    except OSError:
        return None


def check_resources(*, memory: float | None, disk: float | None, what: str, store=None,
                    memory_hint: str = "", force: bool = False) -> None:
    """Refuse (:class:`ResourceError`, one line with the estimates) a job whose ``memory``
    or ``disk`` need (bytes, None: not asked) exceeds what is available, unless ``force``."""
    if force:
        return
    if memory is not None:
        available = available_memory()
        if available is not None and memory > available:
            raise ResourceError(
                f"{what} needs about {format_bytes(memory)} of memory and "
                f"{format_bytes(available)} is available{memory_hint}; --force "
                "(force=True) runs it anyway")
    if disk is not None and store is not None:
        free = free_disk(store)
        if free is not None and disk > free:
            raise ResourceError(
                f"{what} writes up to {format_bytes(disk)} (uncompressed) to {store} and "
                f"{format_bytes(free)} is free there; choose another --out, a smaller grid, "
                "or --force (force=True) to run it anyway")
