"""Saved machine code of the lane kernel: linked in a fresh process without Numba, it gives the
same bits as Numba's own kernel; code made for another machine or toolchain is refused."""

import json
import shutil
import subprocess
import sys

import numpy as np

import eosmath as eos
from eosmath.dynamics.kernel_template import NSTAT
from eosmath.dynamics.lane_runner import lane_block_function, run_blocks
from eosmath.dynamics.sweep import _balanced_order
from eosmath.kernels import cache, native

FRESH_PROCESS = """
import sys
import numpy as np
from eosmath.dynamics.lane_runner import LaneBlock, run_blocks
from eosmath.kernels import native

key, folder = sys.argv[1], sys.argv[2]
address = native.load(key, "lane_block")
assert address is not None, "no saved code"
from eosmath.dynamics.lane_runner import _ARGTYPES
block = LaneBlock(native.c_function(address, None, *_ARGTYPES), 2, 0, int(sys.argv[3]))
inputs = np.load(folder + "/inputs.npz")
stats = np.empty((len(inputs["etas"]), block.nstats)); final = np.empty_like(inputs["thetas"])
run_blocks(block, inputs["thetas"], inputs["etas"], inputs["hs"], inputs["order"], 800, 1e-10,
           1e12, 16, 1e-10, stats, final, threads=2)
np.savez(folder + "/out.npz", stats=stats, final=final)
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in ("numba", "sympy"))))
"""


def _grid():
    E, X = np.meshgrid(np.linspace(0.5, 3.0, 48), np.linspace(0.1, 2.0, 40), indexing="ij")
    thetas = np.ascontiguousarray(np.column_stack([X.ravel(), np.full(E.size, 2.0)]))
    return thetas, E.ravel().copy(), np.zeros((E.size, 0)), _balanced_order(E.size, run=16)


def test_fresh_process_links_saved_code_without_numba(tmp_path):
    m = eos.models.get("product", ell="logcosh")
    kernels = m.compile()
    block = lane_block_function(kernels.key, lambda: kernels, dim=2, nhyper=0, nstats=NSTAT)
    thetas, etas, hs, order = _grid()
    np.savez(tmp_path / "inputs.npz", thetas=thetas, etas=etas, hs=hs, order=order)
    ref_stats, ref_final = np.empty((len(etas), NSTAT)), np.empty_like(thetas)
    kernels.module.sweep_cells(thetas, etas, hs, order, 800, 1e-10, 1e12, 16, 1e-10, ref_stats,
                               ref_final, 2)
    assert block is not None
    run = subprocess.run([sys.executable, "-c", FRESH_PROCESS, kernels.key, str(tmp_path),
                          str(NSTAT)], capture_output=True, text=True, check=True)
    # only Numba's two C runtimes were loaded, never its compiler (nor SymPy)
    assert run.stdout.strip() == "numba._helperlib,numba.core.runtime._nrt_python"
    out = np.load(tmp_path / "out.npz")
    np.testing.assert_array_equal(out["stats"], ref_stats)
    np.testing.assert_array_equal(out["final"], ref_final)
    assert len(set(ref_stats[:, 0].astype(int))) >= 3  # several statuses, not a trivial grid


def test_code_for_another_cpu_or_toolchain_is_refused(tmp_path, monkeypatch):
    m = eos.models.get("product", ell="logcosh")
    kernels = m.compile()
    lane_block_function(kernels.key, lambda: kernels, dim=2, nhyper=0, nstats=NSTAT)
    source = cache.cache_dir() / kernels.key
    monkeypatch.setenv("EOSMATH_CACHE_DIR", str(tmp_path))
    for field, value in [("cpu", "i386"), ("numba", "0.1"), ("llvmlite", "0.1"),
                         ("python", "2.7")]:
        key = f"copy_{field}"
        (tmp_path / key).mkdir()
        shutil.copy(source / "lane_block.o", tmp_path / key / "lane_block.o")
        meta = json.loads((source / "lane_block.json").read_text())
        meta[field] = value
        (tmp_path / key / "lane_block.json").write_text(json.dumps(meta))
        assert native.load(key, "lane_block") is None
    assert native.load("never_saved", "lane_block") is None
    # the control: the same files, unmodified, load (in a process that has not linked them yet)
    (tmp_path / "same").mkdir()
    for name in ("lane_block.o", "lane_block.json"):
        shutil.copy(source / name, tmp_path / "same" / name)
    probe = "from eosmath.kernels import native; print(native.load('same', 'lane_block') > 0)"
    env = {**__import__("os").environ, "EOSMATH_CACHE_DIR": str(tmp_path)}
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, check=True).stdout.strip() == "True"


def test_shapes_are_checked_before_the_c_code_runs():
    m = eos.models.get("product", ell="logcosh")
    kernels = m.compile()
    block = lane_block_function(kernels.key, lambda: kernels, dim=2, nhyper=0, nstats=NSTAT)
    thetas, etas, hs, order = _grid()
    stats, final = np.empty((len(etas), NSTAT)), np.empty_like(thetas)
    bad = [("hs", (thetas, etas, np.zeros((len(etas), 1)), order)),
           ("order", (thetas, etas, hs, order.astype(np.int32))),
           ("order must index", (thetas, etas, hs, order + 1)),
           ("thetas0", (thetas[:, :1].copy(), etas, hs, order))]
    for message, (t, e, h, o) in bad:
        try:
            run_blocks(block, t, e, h, o, 10, 1e-10, 1e12, 16, 1e-10, stats, final, threads=2)
        except ValueError as err:
            assert message in str(err)
        else:
            raise AssertionError(f"accepted bad {message}")
