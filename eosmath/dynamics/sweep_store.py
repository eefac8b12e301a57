"""A sweep's Zarr store (format 3), written with zarr: laid out whole before any cell is
computed, filled block by block, marked complete last.

The layout is what ``xarray.Dataset.to_zarr`` writes (coordinates as 1-D arrays, ``_FillValue``
on floats, consolidated metadata), so ``xarray.open_zarr`` reads it without a warning.
Every variable is chunked along the first axis with the sweep's block length and whole along
the others: writing one block is one chunk file per variable, which zarr writes atomically
(temporary ``*.partial`` file, then rename), so a killed run never leaves half a chunk.

Completeness is visible to every reader: ``status`` is filled with ``not_computed`` until its
block is written, and ``status`` is the last variable written for a block, so a block is done
exactly when its status chunk exists; the group attribute ``complete`` is false from creation
and set true as the last write.

>>> import numpy as np, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "s.zarr"
>>> create(path, {"eta": np.array([0.5, 1.0, 1.5])},
...        {"status": (("eta",), np.dtype("int8"), {})}, {"note": "demo"}, block=2)
>>> write_block(path, {"status": np.array([0, 3], dtype=np.int8)}, 0)
>>> import zarr; zarr.open_array(path / "status")[:].tolist(), is_complete(path)
([0, 3, -1], False)
>>> done_blocks(path, block=2)
[0]
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import warnings
from pathlib import Path

import numpy as np
import zarr
from zarr.codecs import ZstdCodec

from eosmath.dynamics.status import Status
from eosmath.dynamics.store_lock import LOCK_NAME, check_not_held
from eosmath.errors import StoreError
from eosmath.output_paths import check_writable_folder, existing_ancestor

COMPLETE = "complete"
STATUS = "status"
ZSTD_LEVEL = 1  # zarr's default is zstd's level 3: level 1 encodes 30% faster, as small
TEMPORARY_SUFFIX = ".partial"  # zarr's LocalStore writes <key>.<uuid>.partial, then renames


def is_store(path) -> bool:
    return (Path(path) / "zarr.json").is_file()


def check_target(path, resume: bool) -> None:
    """Refuse, before any computing, an output path that cannot become or continue a store."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise StoreError(f"--out {path} is an existing file, not a sweep store; choose a new "
                         "path for the store (a folder, e.g. runs/sweep.zarr)")
    if path.is_dir():
        check_not_held(path)
        if not is_store(path) and not _layout_cut_short(path):
            raise StoreError(f"--out {path} is a folder that is not a sweep store; choose a "
                             "new path for the store")
        if is_store(path) and not resume:
            raise StoreError(f"{path} exists; pass --resume (resume=True) to continue it, or "
                             "choose a new --out")
        check_writable_folder(path, "the store", target=path)
    else:
        check_writable_folder(existing_ancestor(path.parent), "the store", target=path)


def _layout_cut_short(path: Path) -> bool:
    """A folder holding nothing but our lock and arrays: a run killed while laying out."""
    return all(p.name == LOCK_NAME or (p / "zarr.json").is_file() for p in path.iterdir())


def _fill(dtype: np.dtype, name: str):
    if name == STATUS:
        return int(Status.NOT_COMPUTED)
    return np.nan if dtype.kind == "f" else 0


def create(path, coords: dict, variables: dict, attrs: dict, block: int) -> None:
    """Lay out the store: ``coords`` (name → 1-D array, or (array, attrs), written now,
    once), ``variables``
    (name → (dims, dtype, attrs); unwritten blocks read as the fill value: NaN for floats,
    ``not_computed`` for status, 0 for other integers), group ``attrs`` with ``complete``
    false; ``block`` is the chunk length along the first axis (the others are whole)."""
    with _interrupt_after():
        _create(Path(path), coords, variables, attrs, block)


def _create(path: Path, coords: dict, variables: dict, attrs: dict, block: int) -> None:
    # the arrays first, the group's zarr.json after them: a folder is a store (is_store) only
    # once its layout is whole, so a run killed while laying it out is simply started again
    coords = {n: c if isinstance(c, tuple) else (c, {}) for n, c in coords.items()}
    for name, (values, coord_attrs) in coords.items():
        values = np.asarray(values)
        _create_array(path, name, values.shape, values.shape, values.dtype, coord_attrs,
                      (name,))
        zarr.open_array(path / name, mode="r+")[...] = values
    for name, (dims, dtype, var_attrs) in variables.items():
        shape = [len(coords[d][0]) for d in dims]
        chunks = [min(block, shape[0])] + shape[1:]
        _create_array(path, name, shape, chunks, np.dtype(dtype), var_attrs, dims)
    zarr.create_group(path, zarr_format=3, overwrite=False, attributes={**attrs, COMPLETE: False})
    _consolidate(path)


def _create_array(path, name, shape, chunks, dtype, attrs, dims) -> None:
    attributes = dict(attrs)
    if dtype.kind == "f":  # what xarray writes: the NaN fill also as the CF attribute
        attributes["_FillValue"] = "AAAAAAAA+H8=" if dtype.itemsize == 8 else "AADAfw=="
    # status blocks are always written (a block is done when its status chunk exists)
    config = {"write_empty_chunks": True} if name == STATUS else None
    zarr.create_array(str(path / name), shape=tuple(shape), chunks=tuple(chunks), dtype=dtype,
                      fill_value=_fill(dtype, name), dimension_names=tuple(dims),
                      compressors=ZstdCodec(level=ZSTD_LEVEL), attributes=attributes,
                      config=config, zarr_format=3, overwrite=True)


def _consolidate(path) -> None:
    with warnings.catch_warnings():  # "not yet part of the Zarr format 3 specification"
        warnings.simplefilter("ignore")
        zarr.consolidate_metadata(str(path))


def read_attrs(path) -> dict:
    """The group's attributes (read directly: no array is opened)."""
    return json.loads((Path(path) / "zarr.json").read_text())["attributes"]


def is_complete(path_or_dataset) -> bool:
    """Whether a store (path) or a sweep's Dataset holds every cell of its sweep.

    Stores written before this flag existed have none and are not vouched for: False.
    """
    attrs = (path_or_dataset.attrs if hasattr(path_or_dataset, "attrs")
             else read_attrs(path_or_dataset))
    return attrs.get(COMPLETE) is True


def done_blocks(path, block: int) -> list[int]:
    """First-axis starts of the blocks whose status chunk is on disk (their data are too)."""
    folder = Path(path) / STATUS / "c"
    if not folder.is_dir():
        return []
    ndim = len(json.loads((Path(path) / STATUS / "zarr.json").read_text())["shape"])
    rest = Path(*["0"] * (ndim - 1)) if ndim > 1 else Path()
    return sorted(int(p.name) * block for p in folder.iterdir()
                  if p.name.isdigit() and (p / rest).is_file())


def clean_temporary(path) -> list[Path]:
    """Remove the temporary files a killed writer left (call only while holding the lock)."""
    stale = [p for p in Path(path).rglob(f"*{TEMPORARY_SUFFIX}") if p.is_file()]
    for p in stale:
        p.unlink()
    return stale


class Writer:
    """Writes blocks into an existing store; each variable's block is one chunk file."""

    def __init__(self, path):
        self.path = Path(path)
        self.group = zarr.open_group(self.path, mode="r+", use_consolidated=False)
        self.arrays = {}

    def _array(self, name):
        if name not in self.arrays:  # opened by name: listing the group would meet the lock
            self.arrays[name] = self.group[name]
        return self.arrays[name]

    def write(self, data: dict, start: int) -> None:
        """Write ``data`` (name → block array) at first-axis index ``start``, status last.
        A Ctrl-C meanwhile takes effect once the block is written."""
        with _interrupt_after():
            self._write(data, start)

    def _write(self, data: dict, start: int) -> None:
        for name in sorted(data, key=lambda n: n == STATUS):
            array = self._array(name)
            block = array.chunks[0]
            values = data[name]
            if start % block or (len(values) != block and start + len(values) != array.shape[0]):
                raise ValueError(f"{name}: a block of {len(values)} at {start} is not one chunk "
                                 f"of {block}")
            array[start:start + len(values)] = values

    def finish(self) -> None:
        """Mark the store complete: consolidated metadata, then ``complete`` as the last
        write."""
        with _interrupt_after():
            clean_temporary(self.path)
            _consolidate(self.path)
            group = zarr.open_group(self.path, mode="r+")
            group.attrs[COMPLETE] = True


@contextlib.contextmanager
def _interrupt_after():
    """Hold back SIGINT until the block ends (zarr writes from an event loop thread: an
    interrupt in the middle leaves its coroutines unfinished and warning at exit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        if callable(previous):
            previous(signal.SIGINT, None)  # Python's default raises KeyboardInterrupt
        elif previous == signal.SIG_DFL:
            raise KeyboardInterrupt


def write_block(path, data: dict, start: int) -> None:
    """One block into the store at ``path`` (see :class:`Writer` for many)."""
    Writer(path).write(data, start)
