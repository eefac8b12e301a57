"""Machine code of a compiled entry point, saved once and linked later without Numba.

Loading a kernel through Numba's own cache starts Numba's compiler first: about half a second
per process, longer than a whole W1 sweep. For the sweep's hot entry points the object code
Numba produced for a C-callable function (a ``numba.cfunc``) is saved beside the kernel module
(``<key>/<name>.o`` plus ``<name>.json``); a later process links it in memory with llvmlite and
calls it through ctypes. The code still needs Numba's two small C runtimes (the helper library
and the memory system, ~1 ms to load), never its compiler.

The saved code is tied to the machine and toolchain that made it: the sidecar records the host
CPU, its features and the Numba, llvmlite and Python versions, and :func:`load` refuses (returns
``None``, and the caller compiles with Numba again) on any difference.

>>> import eosmath.kernels.native as native
>>> native.load("no-such-key", "lane_block") is None
True
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import threading

from eosmath.kernels.cache import cache_dir, write_atomic

_LOCK = threading.Lock()
_STATE: dict = {}        # the execution engine and runtime registration, made once per process
_ADDRESSES: dict = {}    # (key, name) → address of code already linked in this process


def _paths(key: str, name: str):
    folder = cache_dir() / key
    return folder / f"{name}.o", folder / f"{name}.json"


def _toolchain() -> dict:
    """What the saved machine code depends on: CPU, its features, Numba, llvmlite, Python."""
    if "toolchain" not in _STATE:
        import llvmlite
        import llvmlite.binding as llvm

        _STATE["toolchain"] = {"cpu": llvm.get_host_cpu_name(),
                               "features": llvm.get_host_cpu_features().flatten(),
                               "numba": _numba_version(), "llvmlite": llvmlite.__version__,
                               "python": "%d.%d" % sys.version_info[:2]}
    return _STATE["toolchain"]


def _numba_version() -> str:
    """Numba's version without importing Numba (its installed metadata folder, else the
    slower importlib.metadata)."""
    import importlib.util
    from pathlib import Path

    site = Path(importlib.util.find_spec("numba").origin).parent.parent
    found = sorted(site.glob("numba-*.dist-info"))
    if len(found) == 1:
        return found[0].name[len("numba-"):-len(".dist-info")]
    from importlib.metadata import version

    return version("numba")


def save(key: str, name: str, compiled_cfunc) -> bool:
    """Save the object code of a compiled ``numba.cfunc`` as entry point ``name`` of ``key``.

    Returns False (and saves nothing) when this Numba cannot hand out object code or targets a
    CPU other than the host (``NUMBA_CPU_NAME``): the caller then keeps using Numba.
    """
    if os.environ.get("NUMBA_CPU_NAME") or os.environ.get("NUMBA_CPU_FEATURES"):
        return False
    try:
        _, _, (object_code, _) = compiled_cfunc._library.serialize_using_object_code()
    except (AttributeError, TypeError, ValueError):
        return False
    code_path, meta_path = _paths(key, name)
    meta = {"symbol": compiled_cfunc.native_name, **_toolchain()}
    write_atomic(code_path, object_code)
    write_atomic(meta_path, json.dumps(meta, indent=1).encode())
    return True


def load(key: str, name: str) -> int | None:
    """Address of entry point ``name`` of ``key`` linked into this process, or None if there
    is no saved code for this machine and toolchain."""
    with _LOCK:
        if (key, name) in _ADDRESSES:
            return _ADDRESSES[key, name]
        code_path, meta_path = _paths(key, name)
        if not (code_path.exists() and meta_path.exists()):
            return None
        try:
            meta = json.loads(meta_path.read_text())
            if {k: meta.get(k) for k in _toolchain()} != _toolchain():
                return None
            engine = _engine()
            import llvmlite.binding as llvm

            engine.add_object_file(llvm.ObjectFileRef.from_data(code_path.read_bytes()))
            engine.finalize_object()
            address = engine.get_function_address(meta["symbol"]) or None
        except (OSError, ValueError, KeyError, RuntimeError):
            return None
        _ADDRESSES[key, name] = address
        return address


def _engine():
    """One llvmlite execution engine per process, with Numba's C runtimes' symbols known."""
    if "engine" not in _STATE:
        import llvmlite.binding as llvm

        helpers = _numba_extension("numba._helperlib", ("_helperlib",))
        memsys = _numba_extension("numba.core.runtime._nrt_python",
                                  ("core", "runtime", "_nrt_python"))
        for py_name, address in helpers.c_helpers.items():
            llvm.add_symbol("numba_" + py_name, address)
        for py_name, address in memsys.c_helpers.items():
            llvm.add_symbol(py_name if py_name.startswith("_") else "NRT_" + py_name, address)
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        machine = llvm.Target.from_default_triple().create_target_machine(codemodel="jitdefault")
        _STATE["engine"] = llvm.create_mcjit_compiler(llvm.parse_assembly(""), machine)
    return _STATE["engine"]


def _numba_extension(module_name: str, parts: tuple[str, ...]):
    """A C extension module of Numba, imported without importing the numba package.

    Importing ``numba`` itself costs ~0.2 s; these two extensions need only NumPy. They are
    entered in ``sys.modules`` under their own names, so a later ``import numba`` reuses them
    (one memory system per process).
    """
    if module_name in sys.modules or "numba" in sys.modules:
        import importlib

        return importlib.import_module(module_name)
    import importlib.machinery
    import importlib.util

    package = importlib.util.find_spec("numba")
    folder = os.path.join(os.path.dirname(package.origin), *parts[:-1])
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(folder, parts[-1] + suffix)
        if os.path.exists(path):
            break
    else:
        raise OSError(f"no compiled extension {module_name} in {folder}")
    loader = importlib.machinery.ExtensionFileLoader(module_name, path)
    spec = importlib.util.spec_from_file_location(module_name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[module_name] = module
    return module


def c_function(address: int, restype, *argtypes):
    """A ctypes callable for the C function at ``address`` (it releases the GIL when called)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_KEEP_ALIVE: list = []  # cfuncs compiled in this process: their code must outlive the calls


def entry(key: str, name: str, compile_cfunc, restype, *argtypes):
    """Entry point ``name`` of kernel ``key`` as a ctypes function: the saved machine code if
    there is some for this machine, else ``compile_cfunc()`` (Numba) compiles it and it is
    saved for the next process."""
    address = load(key, name)
    if address is None:
        compiled = compile_cfunc()
        save(key, name, compiled)
        _KEEP_ALIVE.append(compiled)
        address = compiled.address
    return c_function(address, restype, *argtypes)
