"""A small Zarr (format 3) writer and reader for sweep stores, without zarr or xarray.

A sweep store is one group: coordinate arrays (1-D, one chunk) and data variables chunked
along the first axis, laid out as ``xarray.Dataset.to_zarr`` lays them out (``zarr.json`` per
node, ``dimension_names``, chunks at ``c/i/j``, bytes + zstd codecs, NaN fill and
``_FillValue`` for floats), so ``xarray.open_zarr`` and ``zarr`` read it. Importing zarr and
xarray costs a sweep process about half a second; this module needs NumPy and numcodecs' zstd.
Every file is written atomically (temporary file, then rename): a killed sweep never leaves
half a chunk or half a metadata file, and the same inputs give the same bytes.

>>> import numpy as np, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "s.zarr"
>>> create_store(path, {"eta": np.array([0.5, 1.0, 1.5])},
...              {"status": (("eta",), np.dtype("int8"), {})}, {"note": "demo"}, {"eta": 2})
>>> write_region(path, "status", np.array([0, 3], dtype=np.int8), (0,))
>>> read_array(path, "status").tolist(), read_attrs(path)["note"]   # unwritten cells: fill 0
([0, 3, 0], 'demo')
"""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import numpy as np

from eosmath.kernels.cache import write_atomic

ZSTD_LEVEL = 1  # zarr's default is 0 (zstd's level 3): level 1 encodes 30% faster, as small


def _codec(meta: dict | None = None):
    """The zstd codec, at the level an array's metadata records (else ZSTD_LEVEL)."""
    from numcodecs.zstd import Zstd

    level = ZSTD_LEVEL
    for codec in (meta or {}).get("codecs", []):
        if codec["name"] != "bytes":
            if codec["name"] != "zstd":
                raise ValueError(f"unsupported Zarr codec {codec['name']!r} (this writer: zstd)")
            level = codec.get("configuration", {}).get("level", ZSTD_LEVEL)
    return Zstd(level=level)


def _dump(path: Path, document: dict) -> None:
    write_atomic(path / "zarr.json", json.dumps(document, indent=2).encode())


def _array_document(shape, dtype: np.dtype, chunk_shape, attrs: dict, dims) -> dict:
    dtype = np.dtype(dtype)
    floating = np.issubdtype(dtype, np.floating)
    attributes = dict(attrs)
    if floating:  # what xarray writes: the NaN fill, also as a CF attribute
        nan = np.array(np.nan, dtype=dtype).tobytes()
        attributes["_FillValue"] = base64.b64encode(nan).decode()
    byte_codec = {"name": "bytes"}
    if dtype.itemsize > 1:
        byte_codec["configuration"] = {"endian": "little"}
    return {
        "shape": list(shape), "data_type": dtype.name,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunk_shape)}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": "NaN" if floating else 0,
        "codecs": [byte_codec, {"name": "zstd",
                                "configuration": {"level": ZSTD_LEVEL, "checksum": False}}],
        "attributes": attributes, "dimension_names": list(dims), "zarr_format": 3,
        "node_type": "array", "storage_transformers": [],
    }


def create_store(path, coords: dict, variables: dict, attrs: dict, chunks: dict) -> None:
    """Lay out a store: ``coords`` (name → 1-D array, written now), ``variables`` (name →
    (dims, dtype, attrs), no chunk written: they read as the fill value), group ``attrs``;
    ``chunks[dim]`` is the chunk length along ``dim`` (the whole axis when absent)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for name, values in coords.items():
        values = np.asarray(values)
        _dump(path / name, _array_document(values.shape, values.dtype, values.shape, {},
                                           (name,)))
        write_region(path, name, values, (0,))
    for name, (dims, dtype, var_attrs) in variables.items():
        shape = [len(coords[d]) for d in dims]
        chunk_shape = [min(chunks.get(d, n), n) for d, n in zip(dims, shape, strict=True)]
        _dump(path / name, _array_document(shape, dtype, chunk_shape, var_attrs, dims))
    _dump(path, {"attributes": attrs, "zarr_format": 3, "node_type": "group"})


def _meta(path: Path, name: str) -> dict:
    return json.loads((path / name / "zarr.json").read_text())


def write_region(path, name: str, values: np.ndarray, start: tuple) -> None:
    """Write ``values`` into array ``name`` at index ``start``: whole chunks only (the last
    chunk along an axis may be partial where the array ends)."""
    path = Path(path)
    meta = _meta(path, name)
    shape = meta["shape"]
    chunk_shape = meta["chunk_grid"]["configuration"]["chunk_shape"]
    values = np.ascontiguousarray(values, dtype=np.dtype(meta["data_type"]).newbyteorder("<"))
    if values.ndim != len(shape) or len(start) != len(shape):
        raise ValueError(f"{name}: expected {len(shape)}-D data at a {len(shape)}-D start")
    for axis, (s, n, c, total) in enumerate(zip(start, values.shape, chunk_shape, shape,
                                                strict=True)):
        if s % c or (n % c and s + n != total) or s + n > total:
            raise ValueError(f"{name}: the region starting at {s} with length {n} along axis "
                             f"{axis} is not made of whole chunks of {c} (axis length {total})")
    codec = _codec(meta)
    grid = [range(s // c, math.ceil((s + n) / c))
            for s, n, c in zip(start, values.shape, chunk_shape, strict=True)]
    for index in np.ndindex(*(len(r) for r in grid)):
        chunk_index = [grid[a][i] for a, i in enumerate(index)]
        lo = [ci * c - s for ci, c, s in zip(chunk_index, chunk_shape, start, strict=True)]
        block = values[tuple(slice(a, a + c) for a, c in zip(lo, chunk_shape, strict=True))]
        if block.shape != tuple(chunk_shape):  # an edge chunk is stored at full chunk size
            full = np.full(chunk_shape, np.nan if block.dtype.kind == "f" else 0, block.dtype)
            full[tuple(slice(0, n) for n in block.shape)] = block
            block = full
        key = path / name / "c" / Path(*[str(i) for i in chunk_index])
        write_atomic(key, bytes(codec.encode(np.ascontiguousarray(block).tobytes())))


def read_array(path, name: str) -> np.ndarray:
    """The whole array ``name`` (unwritten chunks read as the fill value)."""
    path = Path(path)
    meta = _meta(path, name)
    dtype = np.dtype(meta["data_type"]).newbyteorder("<")
    shape = meta["shape"]
    chunk_shape = meta["chunk_grid"]["configuration"]["chunk_shape"]
    out = np.full(shape, np.nan if dtype.kind == "f" else 0, dtype=dtype)
    codec = _codec(meta)
    for index in np.ndindex(*(math.ceil(n / c) for n, c in zip(shape, chunk_shape,
                                                                strict=True))):
        key = path / name / "c" / Path(*[str(i) for i in index])
        if not key.exists():
            continue
        block = np.frombuffer(codec.decode(key.read_bytes()), dtype=dtype).reshape(chunk_shape)
        region = tuple(slice(i * c, min((i + 1) * c, n))
                       for i, c, n in zip(index, chunk_shape, shape, strict=True))
        out[region] = block[tuple(slice(0, r.stop - r.start) for r in region)]
    return out.astype(dtype.newbyteorder("="))


def read_attrs(path) -> dict:
    """The group's attributes."""
    return json.loads((Path(path) / "zarr.json").read_text())["attributes"]


def update_attrs(path, **attrs) -> None:
    """Set some group attributes, keeping the others."""
    path = Path(path)
    document = json.loads((path / "zarr.json").read_text())
    document["attributes"].update(attrs)
    _dump(path, document)
