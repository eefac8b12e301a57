"""Compiled kernels are cached on disk: a second process loads them without recompiling."""

import json
import os
import subprocess
import sys

import numpy as np

import eosmath as eos
from eosmath.kernels import cache as disk
from eosmath.kernels.compiled import kernel_key

PROBE = """
import json, sys, numpy as np, eosmath as eos
k = eos.models.get("product", ell="sqrt").compile()
g = k.grad(np.array([0.5, 2.0]))
stats = k.module.grad.stats
hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
print(json.dumps({"hits": hits, "misses": misses, "grad": g.tolist()}))
"""


def run_probe(cache_dir):
    env = dict(os.environ, EOSMATH_CACHE_DIR=str(cache_dir))
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_second_process_hits_the_numba_cache(tmp_path):
    first = run_probe(tmp_path)
    second = run_probe(tmp_path)
    assert first["misses"] >= 1 and first["hits"] == 0
    assert second["hits"] >= 1 and second["misses"] == 0
    assert first["grad"] == second["grad"]


def test_cache_key_ignores_hyper_values_but_not_structure():
    a = eos.models.get("quadratic", a=1.0)
    b = eos.models.get("quadratic", a=7.0)
    c = eos.models.get("soft_quadratic")
    assert kernel_key(a) == kernel_key(b) and a.fingerprint() != b.fingerprint()
    assert kernel_key(a) != kernel_key(c)
    # one compiled module serves both hyper-parameter values
    ka, kb = a.compile(), b.compile()
    assert ka.module is kb.module
    assert kb.grad(np.array([2.0]))[0] == 14.0 and ka.grad(np.array([2.0]))[0] == 2.0


def test_unchanged_source_is_not_rewritten(tmp_path, monkeypatch):
    # A rewritten file gets a new mtime, which would invalidate Numba's cache.
    monkeypatch.setenv("EOSMATH_CACHE_DIR", str(tmp_path))
    path = disk.write_module("k1", "x = 1\n")
    mtime = path.stat().st_mtime_ns
    os.utime(path, ns=(mtime - 10**9, mtime - 10**9))
    disk.write_module("k1", "x = 1\n")
    assert path.stat().st_mtime_ns == mtime - 10**9
    disk.write_module("k1", "x = 2\n")
    assert path.read_text() == "x = 2\n"


def test_kernel_names_cannot_be_shadowed_by_parameter_names():
    m = eos.Model.from_string("np*h + theta**2 + out*math", params="np h theta out math")
    k = m.compile()
    np.testing.assert_allclose(k.grad(np.array([1.0, 2.0, 3.0, 4.0, 5.0])), [2, 1, 6, 5, 4])
