"""Where generated kernel modules live on disk, and how they are loaded.

Numba's ``cache=True`` needs file-backed source: each model's module is written once to
``<cache dir>/<key>/eosmath_kernels_<key>.py`` and imported from there, so Numba's own cache
(``__pycache__`` beside it) lets a second process skip compilation. The file is never rewritten
when its content is unchanged, because a new modification time would invalidate Numba's cache.

The cache directory is ``$EOSMATH_CACHE_DIR`` if set, else ``~/.cache/eosmath/kernels``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    root = os.environ.get("EOSMATH_CACHE_DIR")
    path = Path(root) if root else Path.home() / ".cache" / "eosmath" / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def module_path(key: str, stem: str = "eosmath_kernels") -> Path:
    """File of the module ``stem`` of kernel ``key`` (the kernels themselves by default;
    other stems hold code built on them, e.g. C entry points)."""
    return cache_dir() / key / f"{stem}_{key}.py"


def write_module(key: str, source: str, stem: str = "eosmath_kernels") -> Path:
    """Write ``source`` for ``key`` unless an identical file is already there (atomic)."""
    path = module_path(key, stem)
    if path.exists() and path.read_text() == source:
        return path
    write_atomic(path, source.encode())
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except FileNotFoundError:  # first file of its folder (checked only then: mkdir is slow)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def load_module(key: str, stem: str = "eosmath_kernels"):
    """Import the module ``stem`` of ``key`` (once per process), under its file's name: Numba's
    cache finds a cached function's module again by that name."""
    name = f"{stem}_{key}"
    if name in sys.modules:
        return sys.modules[name]
    path = module_path(key, stem)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
