"""The lane kernel's C entry points (cfuncs cached by Numba) driven from Python threads: the
same bits as Numba's own parallel kernel, in a fresh process loading from the cache, with any
thread count and any block split; shapes are checked before the C code runs."""

import subprocess
import sys

import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.kernel_template import NSTAT
from eosmath.dynamics.lane_runner import block_bounds, lane_block_function, run_blocks
from eosmath.dynamics.sweep import _balanced_order

FRESH_PROCESS = """
import sys
import numpy as np
from eosmath.dynamics.lane_runner import lane_block_function, run_blocks

key, folder, nstats = sys.argv[1], sys.argv[2], int(sys.argv[3])
block = lane_block_function(key, None, dim=2, nhyper=0, nstats=nstats)  # no compiling
inputs = np.load(folder + "/inputs.npz")
stats = np.empty((len(inputs["etas"]), nstats)); final = np.empty_like(inputs["thetas"])
run_blocks(block, inputs["thetas"], inputs["etas"], inputs["hs"], inputs["order"], 800, 1e-10,
           1e12, 16, 1e-10, stats, final, threads=2)
np.savez(folder + "/out.npz", stats=stats, final=final)
entries = [m for name, m in sys.modules.items() if name.startswith("eosmath_entries_")]
print(entries[0].lane_block_c.cache_hits, "sympy" in sys.modules)
"""


def _grid():
    E, X = np.meshgrid(np.linspace(0.5, 3.0, 48), np.linspace(0.1, 2.0, 40), indexing="ij")
    thetas = np.ascontiguousarray(np.column_stack([X.ravel(), np.full(E.size, 2.0)]))
    return thetas, E.ravel().copy(), np.zeros((E.size, 0)), _balanced_order(E.size, run=16)


@pytest.fixture(scope="module")
def kernels():
    return eos.models.get("product", ell="logcosh").compile()


def _reference(kernels, thetas, etas, hs, order):
    stats, final = np.empty((len(etas), NSTAT)), np.empty_like(thetas)
    kernels.module.sweep_cells(thetas, etas, hs, order, 800, 1e-10, 1e12, 16, 1e-10, stats,
                               final, 2)
    return stats, final


def test_fresh_process_loads_the_cached_entry_point_and_gives_the_same_bits(kernels, tmp_path):
    lane_block_function(kernels.key, lambda: kernels, dim=2, nhyper=0, nstats=NSTAT)  # cached
    thetas, etas, hs, order = _grid()
    np.savez(tmp_path / "inputs.npz", thetas=thetas, etas=etas, hs=hs, order=order)
    ref_stats, ref_final = _reference(kernels, thetas, etas, hs, order)
    run = subprocess.run([sys.executable, "-c", FRESH_PROCESS, kernels.key, str(tmp_path),
                          str(NSTAT)], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "1 False"  # from Numba's cache; SymPy never imported
    out = np.load(tmp_path / "out.npz")
    np.testing.assert_array_equal(out["stats"], ref_stats)
    np.testing.assert_array_equal(out["final"], ref_final)
    assert len(set(ref_stats[:, 0].astype(int))) >= 3  # several statuses, not a trivial grid


@pytest.mark.parametrize("threads", [1, 2, 3, 16])
def test_any_thread_count_gives_the_same_bits(kernels, threads):
    block = lane_block_function(kernels.key, lambda: kernels, dim=2, nhyper=0, nstats=NSTAT)
    thetas, etas, hs, order = _grid()
    ref_stats, ref_final = _reference(kernels, thetas, etas, hs, order)
    stats, final = np.full((len(etas), NSTAT), np.nan), np.full_like(thetas, np.nan)
    run_blocks(block, thetas, etas, hs, order, 800, 1e-10, 1e12, 16, 1e-10, stats, final,
               threads=threads)
    np.testing.assert_array_equal(stats, ref_stats)
    np.testing.assert_array_equal(final, ref_final)


@pytest.mark.parametrize("n, threads", [(0, 2), (1, 1), (511, 2), (512, 2), (769, 2),
                                        (65_536, 2), (65_536, 16), (262_144, 16), (10**6, 3)])
def test_blocks_cover_every_cell_once_and_shrink_to_the_minimum(n, threads):
    from eosmath.dynamics.lane_runner import MIN_BLOCK

    bounds = block_bounds(n, threads)
    starts = [lo for lo, _ in bounds]
    ends = [hi for _, hi in bounds]
    assert starts[:1] == ([0] if n else []) and ends[-1:] == ([n] if n else [])
    assert starts[1:] == ends[:-1] and all(hi > lo for lo, hi in bounds)
    sizes = [hi - lo for lo, hi in bounds]
    assert all(a >= b for a, b in zip(sizes, sizes[1:-1], strict=False))  # shrinking
    # the last block taken, the only one a thread may wait on alone, is short
    assert len(sizes) <= 1 or sizes[-1] < 1.5 * MIN_BLOCK


def test_shapes_are_checked_before_the_c_code_runs(kernels):
    block = lane_block_function(kernels.key, lambda: kernels, dim=2, nhyper=0, nstats=NSTAT)
    thetas, etas, hs, order = _grid()
    stats, final = np.empty((len(etas), NSTAT)), np.empty_like(thetas)
    bad = [("hs", (thetas, etas, np.zeros((len(etas), 1)), order)),
           ("order", (thetas, etas, hs, order.astype(np.int32))),
           ("order must index", (thetas, etas, hs, order + 1)),
           ("thetas0", (thetas[:, :1].copy(), etas, hs, order))]
    for message, (t, e, h, o) in bad:
        with pytest.raises(ValueError, match=message):
            run_blocks(block, t, e, h, o, 10, 1e-10, 1e12, 16, 1e-10, stats, final, threads=2)


def test_a_changed_kernel_module_changes_its_entry_module(kernels, tmp_path, monkeypatch):
    # Numba invalidates a cached cfunc only when its own file changes; the entry module names
    # the kernel module's content, so a kernel module rewritten under the same key changes it
    import shutil

    from eosmath.dynamics.lane_runner import _entries_source
    from eosmath.kernels import cache

    source = cache.module_path(kernels.key)
    monkeypatch.setenv("EOSMATH_CACHE_DIR", str(tmp_path))
    copy = cache.module_path(kernels.key)
    copy.parent.mkdir(parents=True)
    shutil.copy(source, copy)
    before = _entries_source(kernels.key)
    assert before == _entries_source(kernels.key)  # nothing changed: the same file, kept
    copy.write_text(copy.read_text() + "\n# regenerated\n")
    assert _entries_source(kernels.key) != before


def _sharpness_models():
    # kernels the default suite compiles anyway (two_layer_minimal, product; a·I in
    # test_lane_kernel): no compile of their own
    return {"d2": eos.models.get("product", ell="logcosh"),
            "d3": eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.5),
            "d3_fallback": eos.Model.from_string("a*(x**2 + y**2 + z**2)/2", "x y z",
                                                 hyper={"a": 3.0})}


@pytest.mark.parametrize("n", [1, 63, 64, 200])
@pytest.mark.parametrize("which", ["d2", "d3", "d3_fallback"])
def test_sharpness_points_equal_sharpness_of_point_by_point(which, n):
    # dimension 3 runs the closed form on 64 points at a time (vectorised), dimension 2 one
    # point at a time, both with the Hessian's lines inlined: the same bits as the one-point
    # sharpness, also where the closed form falls back (a·I: p = 0, S = a); NaN where the
    # point is skipped or not finite (a GF limit that is not a point has no sharpness)
    from eosmath.dynamics.lane_runner import sharpness_points_function

    model = _sharpness_models()[which]
    kernels = model.compile()
    h = np.asarray(model.hyper_values, dtype=float)
    rng = np.random.default_rng(n)
    points = rng.normal(size=(n, model.dim))
    points[3::11, 1] = np.nan
    points[4::17, 0] = -np.inf
    skip = np.zeros(n, dtype=bool)
    skip[5::13] = True
    f = sharpness_points_function(kernels.key, lambda: kernels, dim=model.dim, nhyper=len(h))
    got = f(points.T, h, skip)
    shown = ~skip & np.isfinite(points).all(axis=1)
    expected = np.array([kernels.module.sharpness(p, h) if ok else np.nan
                         for p, ok in zip(points, shown, strict=True)])
    np.testing.assert_array_equal(got, expected)
    assert np.isfinite(got[shown]).all()
    if which == "d3_fallback":  # ∇²L = a·I wherever θ is
        assert (got[shown] == 3.0).all()
    with pytest.raises(ValueError, match="cols"):
        f(points, h, skip)  # rows, not columns
