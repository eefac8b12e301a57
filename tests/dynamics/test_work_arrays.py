"""Scratch arrays kept between sweep chunks: lent to one caller at a time, and a sweep's
result does not depend on what the kept arrays held before."""

import numpy as np

import eosmath as eos
from eosmath.dynamics import work_arrays


def test_a_lent_set_is_not_lent_twice_and_large_sets_are_not_kept(monkeypatch):
    spec = {"a": ((8,), "f8"), "b": ((2, 3), "i8")}
    with work_arrays.lend(spec) as first, work_arrays.lend(spec) as second:
        assert first["a"] is not second["a"]  # concurrent chunks: their own arrays
    with work_arrays.lend(spec) as again:
        assert again["a"] is second["a"] or again["a"] is first["a"]
        assert again["b"].shape == (2, 3) and again["b"].dtype == np.int64
    monkeypatch.setattr(work_arrays, "LIMIT_BYTES", 10)
    work_arrays.release()
    with work_arrays.lend(spec) as big:
        pass
    with work_arrays.lend(spec) as after:
        assert after["a"] is not big["a"]


def test_sweep_results_do_not_depend_on_the_kept_arrays():
    m = eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.5)
    grid = {"eta": np.linspace(0.5, 6.0, 12), "a": np.linspace(0.1, 2.0, 10), "w1": 0.3,
            "w2": 0.5}
    work_arrays.release()
    fresh = eos.sweep(m, **grid, steps=300, quiet=True)
    eos.sweep(m, **{**grid, "w1": -1.7, "w2": 2.5}, steps=77, quiet=True)  # same size: reused
    again = eos.sweep(m, **grid, steps=300, quiet=True)
    for name in fresh.data_vars:
        np.testing.assert_array_equal(again[name].values, fresh[name].values, err_msg=name)


def test_packed_result_arrays_are_separate_aligned_and_writable():
    arrays = work_arrays.packed_empty((3, 5), {"status": "i1", "period": "i2", "x": "f8",
                                               "n": "i8"})
    for name, a in arrays.items():
        a[...] = 7
        assert a.flags.c_contiguous and a.flags.writeable and a.shape == (3, 5)
        assert a.__array_interface__["data"][0] % 64 == 0, name
    assert all((a == 7).all() for a in arrays.values())  # no overlap: each kept its value
    assert work_arrays.packed_empty((), {"x": "f8"})["x"].shape == ()
