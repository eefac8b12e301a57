"""Does ``eosmath.kernels.native`` (Numba's object code linked through llvmlite) buy anything
besides start-up? Issue 16 keeps it only for a *throughput* gain.

Both ways of reaching the lane kernel's C entry points, each in fresh processes, interleaved
(native, numba, native, numba, ...) on W1 (product ℓ = log cosh, 512 × 512, ≤ 2000 steps):

- ``native``: saved object code linked with llvmlite (``EOSMATH_NATIVE_LINKER=1``);
- ``numba``: the same ``cfunc``s compiled by Numba and loaded from Numba's own cache.

Per process: the first ``eos.sweep`` call (start-up: loading the code) and the best of
``CALLS`` further calls (throughput); and, separately, the wall time of the whole
``eosmath sweep`` command writing W1 to a store. Both caches are warmed first.
Writes ``benchmarks/results/native_decision_<date>.{md,json}``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_sweep_all import machine  # noqa: E402
from common import write_results  # noqa: E402

ROUNDS, CALLS = 4, 3
CLI = ["product", "--set", "ell=logcosh", "--eta", "0.5:3:512", "--x", "0.1:2:512", "--y", "2",
       "--steps", "2000", "--quiet"]
IN_PROCESS = f"""
import json, time
t0 = time.perf_counter()
import numpy as np, eosmath as eos
m = eos.models.get("product", ell="logcosh")
grid = dict(eta=np.linspace(0.5, 3.0, 512), x=np.linspace(0.1, 2.0, 512), y=2.0)
def call():
    start = time.perf_counter()
    eos.sweep(m, steps=2000, tol=1e-10, radius=1e6, quiet=True, **grid)
    return time.perf_counter() - start
first = call()
calls = [call() for _ in range({CALLS})]
import sys
print(json.dumps({{"first_call_s": first, "calls_s": calls,
                  "numba_imported": "numba" in sys.modules}}))
"""


def env(way: str) -> dict:
    return {**os.environ, "EOSMATH_NATIVE_LINKER": "1" if way == "native" else "0"}


def in_process(way: str) -> dict:
    out = subprocess.run([sys.executable, "-c", IN_PROCESS], env=env(way), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cli(way: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "eosmath", "sweep", *CLI, "--out",
                        os.path.join(folder, "w1.zarr")], env=env(way), check=True,
                       capture_output=True)
        return time.perf_counter() - start


def main():
    info = machine()
    for way in ("native", "numba"):  # warm both caches (compile once)
        in_process(way)
        cli(way)
    rounds = []
    for _ in range(ROUNDS):
        row = {}
        for way in ("native", "numba"):
            r = in_process(way)
            row[way] = {**r, "best_call_s": min(r["calls_s"]), "cli_process_s": cli(way)}
        rounds.append(row)
        print(json.dumps(row), flush=True)
    info["load_average_end"] = os.getloadavg()
    best = {way: {k: min(r[way][k] for r in rounds)
                  for k in ("first_call_s", "best_call_s", "cli_process_s")}
            for way in ("native", "numba")}
    lines = [f"# Native linker or Numba's cache ({info['cpu']}, {info['cores']} cores)", "",
             f"Load average at start {info['load_average_start']}, at end "
             f"{info['load_average_end']}; Numba {info['numba']}, Python {info['python']}.", "",
             "W1 (512 × 512, ≤ 2000 steps), fresh processes, interleaved; best of "
             f"{ROUNDS} rounds (every round in the JSON file).", "",
             "| way | first `eos.sweep` call in a process (s) | later calls, best (s) "
             "| `eosmath sweep` process (s) |", "|---|---|---|---|"]
    for way, b in best.items():
        lines.append(f"| {way} | {b['first_call_s']:.3f} | {b['best_call_s']:.3f} | "
                     f"{b['cli_process_s']:.3f} |")
    ratio = best["numba"]["best_call_s"] / best["native"]["best_call_s"]
    lines += ["", f"Throughput (later calls): numba / native = {ratio:.3f}."]
    payload = {"machine": info, "rounds": rounds, "best": best,
               "throughput_ratio_numba_over_native": ratio}
    write_results("native_decision", payload, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
