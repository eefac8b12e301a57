"""Kernel compile cost (cold vs warm disk cache) per catalog model, and compiled-gradient
throughput against SymPy's ``lambdify(..., "numpy")`` on 10⁶ points.

Run: ``python benchmarks/bench_kernels.py`` (writes benchmarks/results/kernels_<date>.*).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import best_of, write_results  # noqa: E402

import eosmath as eos  # noqa: E402
from eosmath.report.reproduce import catalog_models  # noqa: E402

PROBE = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np, eosmath as eos, eosmath.models  # eosmath imports lazily: load SymPy here
t1 = time.perf_counter()
m = eos.models.get({name!r}, **{options!r})
k = m.compile()
th = np.full(m.dim, 0.3)
k.loss(th); k.grad(th); k.hessian(th); k.sharpness(th); k.gd_step(th, 0.1)
t2 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "kernels_s": t2 - t1}}))
"""


def probe(name, options, cache_dir):
    env = dict(os.environ, EOSMATH_CACHE_DIR=cache_dir)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PROBE.format(name=name, options=options)],
                         env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def compile_times():
    rows = []
    for name, options, _ in catalog_models():
        with tempfile.TemporaryDirectory() as cache_dir:
            cold = probe(name, options, cache_dir)
            warm = probe(name, options, cache_dir)
        rows.append({"model": name, "options": options, "cold_kernels_s": cold["kernels_s"],
                     "warm_kernels_s": warm["kernels_s"], "cold_process_s": cold["process_s"],
                     "warm_process_s": warm["process_s"],
                     "speedup": cold["kernels_s"] / warm["kernels_s"]})
        print(f"{name} {options}: cold {cold['kernels_s']:.2f}s warm {warm['kernels_s']:.3f}s")
    return rows


def gradient_throughput(n_points=1_000_000):
    m = eos.models.get("product", ell="logcosh")
    k, f = m.compile(), m.lambdify("numpy")
    rng = np.random.default_rng(0)
    points = rng.uniform(-2, 2, size=(n_points, 2))
    columns = np.ascontiguousarray(points.T)
    k.grad_many(points[:10])
    compiled = best_of(lambda: k.grad_many(points))
    numpy_time = best_of(lambda: f.grad(columns))
    np.testing.assert_allclose(k.grad_many(points), f.grad(columns).T, rtol=1e-13, atol=1e-15)
    return {"model": "product(logcosh)", "points": n_points, "compiled_s": compiled,
            "lambdify_numpy_s": numpy_time, "ratio_numpy_over_compiled": numpy_time / compiled}


def main():
    rows = compile_times()
    throughput = gradient_throughput()
    md = ["# Kernel benchmark", "", "| model | cold compile (s) | warm load (s) | cold/warm |",
          "|---|---|---|---|"]
    md += [f"| {r['model']} {r['options'] or ''} | {r['cold_kernels_s']:.2f} | "
           f"{r['warm_kernels_s']:.3f} | {r['speedup']:.0f}× |" for r in rows]
    md += ["", f"Gradient on 10⁶ points ({throughput['model']}): compiled "
               f"{throughput['compiled_s'] * 1e3:.1f} ms, lambdify-numpy "
               f"{throughput['lambdify_numpy_s'] * 1e3:.1f} ms → "
               f"{throughput['ratio_numpy_over_compiled']:.1f}× faster compiled."]
    path = write_results("kernels", {"compile": rows, "gradient_throughput": throughput},
                         "\n".join(md))
    print("\n".join(md))
    print(f"written {path}")


if __name__ == "__main__":
    main()
