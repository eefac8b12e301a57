"""SweepModel: what a sweep needs from a model, saved as JSON and used without SymPy."""

import json
import subprocess
import sys

import numpy as np
import sympy as sp

import eosmath as eos
from eosmath.dynamics import sweep_model
from eosmath.dynamics.sweep_model import SweepModel


def test_fields_agree_with_the_model():
    m = eos.models.get("two_layer_minimal")
    sm = SweepModel.from_model(m, {"peak": "max: a*w2"})
    assert sm.params == tuple(str(p) for p in m.params) and sm.dim == m.dim
    assert sm.hyper_names == m.hyper_names
    np.testing.assert_array_equal(sm.hyper_values, m.hyper_values)
    assert sm.fingerprint == m.fingerprint() and sm.structure_hash == m.structure_hash()
    assert sm.reducers == (("peak", "max", "a*w2"),)
    assert sm.gf_limit_path == "eosmath.dynamics.gf_limits:two_layer_minimal_limit"
    theta0 = np.array([0.7, 0.4, 0.2])
    np.testing.assert_array_equal(sm.gf_limit_function()(theta0, {}), m.gf_limit(theta0, {}))


def test_conserved_code_matches_sympy_at_random_points():
    rng = np.random.default_rng(0)
    for m in (eos.models.get("product", ell="logcosh"), eos.models.get("two_layer_minimal")):
        sm = SweepModel.from_model(m)
        quantities = m.conserved_quantities(max_degree=2)
        assert len(sm.conserved) == len(quantities) >= 1
        for (text, _), fn, q in zip(sm.conserved, sm.conserved_functions(), quantities,
                                     strict=True):
            assert text == str(q)
            exact = sp.lambdify(m.params, q.subs(m.hyper), "mpmath")
            for _ in range(5):
                point = rng.normal(size=m.dim)
                assert abs(fn(*point) - float(exact(*point))) <= 1e-12 * (1 + abs(fn(*point)))


def test_json_round_trip_and_keyed_saving(tmp_path, monkeypatch):
    monkeypatch.setenv("EOSMATH_CACHE_DIR", str(tmp_path))
    sm = SweepModel.from_model(eos.models.get("product", ell="sqrt"), {"s": "sum: x"})
    back = SweepModel.from_json(sm.to_json())
    assert back == sm and json.loads(back.to_json()) == json.loads(sm.to_json())
    assert sweep_model.saved("product", {"ell": "sqrt"}, {"s": "sum: x"}) is None
    sweep_model.save(sm, "product", {"ell": "sqrt"}, {"s": "sum: x"})
    assert sweep_model.saved("product", {"ell": "sqrt"}, {"s": "sum: x"}) == sm
    # another option, other reducers, or a changed eosmath source: not the same entry
    assert sweep_model.saved("product", {"ell": "logcosh"}, {"s": "sum: x"}) is None
    assert sweep_model.saved("product", {"ell": "sqrt"}, {}) is None
    monkeypatch.setattr(sweep_model, "_code_stamp", lambda: "edited")
    assert sweep_model.saved("product", {"ell": "sqrt"}, {"s": "sum: x"}) is None


def test_a_limit_that_cannot_be_named_is_not_saved(tmp_path, monkeypatch):
    monkeypatch.setenv("EOSMATH_CACHE_DIR", str(tmp_path))
    q = eos.models.get("quadratic")
    m = eos.Model(q.loss, q.params, q.hyper, name="q", gf_limit=lambda theta0, h: 0 * theta0)
    sm = SweepModel.from_model(m)
    assert sm.gf_limit is not None and sm.gf_limit_path is None
    sweep_model.save(sm, "q", {}, {})
    assert sweep_model.saved("q", {}, {}) is None
    # every catalog limit is a named, NumPy-only function
    for name in eos.models.names():
        model = eos.models.get(name)
        if getattr(model, "gf_limit", None) is not None:
            assert SweepModel.from_model(model).gf_limit_path.startswith(
                "eosmath.dynamics.gf_limits:"), name


WARM_CLI = """
import sys
from eosmath.cli import main
rc = main(["sweep", "product", "--eta", "0.5:3:40", "--x", "0.1:2:30", "--y", "2",
           "--steps", "500", "--out", sys.argv[1], "--quiet"])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"sympy", "xarray", "dask"})
entries = [m for name, m in sys.modules.items() if name.startswith("eosmath_entries_")]
# a cfunc loaded from Numba's cache counts one hit; one compiled in this process none
hits = sorted(f.cache_hits for m in entries for f in (m.lane_block_c, m.sharpness_points_c))
print(rc, heavy, hits)
"""


def test_warm_cli_sweep_runs_without_sympy_xarray_or_compiling(tmp_path):
    # zarr writes the store (issue 15 accepted its import time); SymPy, xarray and Dask stay
    # out of a warm sweep, and its C entry points come from Numba's cache, not its compiler
    import xarray as xr

    # the first run saves the SweepModel and compiles the entry points if none has before
    first = subprocess.run([sys.executable, "-c", WARM_CLI, str(tmp_path / "a.zarr")],
                           capture_output=True, text=True, check=True)
    warm = subprocess.run([sys.executable, "-c", WARM_CLI, str(tmp_path / "b.zarr")],
                          capture_output=True, text=True, check=True)
    assert warm.stdout.strip().splitlines()[-1] == "0 [] [1, 1]"
    counts = [run.stdout.splitlines()[0].split(":", 1)[1] for run in (first, warm)]
    assert counts[0] == counts[1] and "converged" in counts[0]
    a = xr.open_zarr(tmp_path / "a.zarr").load()
    b = xr.open_zarr(tmp_path / "b.zarr").load()
    xr.testing.assert_identical(a, b)
    ref = eos.sweep(eos.models.get("product"), eta=np.linspace(0.5, 3, 40),
                    x=np.linspace(0.1, 2, 30), y=2.0, steps=500, quiet=True)
    for name in ref.data_vars:
        np.testing.assert_array_equal(ref[name].values, b[name].values)
