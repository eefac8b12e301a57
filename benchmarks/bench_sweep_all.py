"""What users run: the whole ``eos.sweep(...)`` call returning the Dataset, against a NumPy
vectorised contender (bare GD, finished cells compacted out, the same stop rules).

Workloads (η is the first axis, the start coordinate the second):

- W1: product ℓ = log cosh, 512 η ∈ [0.5, 3] × 512 x₀ ∈ [0.1, 2], y₀ = 2, ≤ 2000 steps.
- W3: two_layer_minimal (σ₁ = 1, σ₂ = 0.5), 256 η ∈ [0.5, 6] × 256 a₀ ∈ [0.1, 2], w₁ = 0.3,
  w₂ = 0.5, ≤ 2000 steps.
- W5: the depth-8 scalar network ½(w₁⋯w₈ − 1)² (8 parameters), 128 η ∈ [0.05, 0.4] × 128
  w₁ ∈ [0.5, 1.5], wᵢ = 1 + 0.05(i − 1), ≤ 2000 steps.

eosmath runs with its default statistics (every variable: sharpness, EoS band, Lyapunov,
underflow, conserved-quantity drift, GF-limit sharpness) and, as a second line, with
``stats=("stop_step",)``. The NumPy contender computes status and stop step only: stop
converged when ‖∇L‖ < tol before the update, diverged when an iterate is non-finite or
‖θ‖² > radius², period k ∈ 2..16 checked every 16 steps as eosmath does (θ_t within
ptol·(1 + ‖θ_t‖) of θ_{t−k}, consecutive iterates ≥ 1e-6·(1 + ‖θ_t‖) apart). Between checks
stopped cells are frozen by a mask; every 16 steps they are compacted out.

Beside the whole call, in the same rounds: the bare kernel call (the step loop on inputs built
beforehand, all cells in one call, no per-cell variables, no Dataset) and, for W1, the whole
``eosmath sweep`` process (a subprocess writing the Zarr store: interpreter start-up, imports,
loading the cached kernels, the sweep and the store), each as a ratio against the same NumPy
contender.

Rounds alternate eosmath and NumPy, each timed ``ROUNDS`` times; the best of each is compared.
Threads: W1 and W3 (whole call, default statistics) with 1 and with 2 Numba threads, in
alternation. The machine (CPU model, cores), date, load average and every round are recorded
in ``benchmarks/results/sweep_all_<date>.{md,json}``.
Run: ``python benchmarks/bench_sweep_all.py`` (``--quick`` for a smoke run on small grids).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import write_results  # noqa: E402

import eosmath as eos  # noqa: E402

TOL, RADIUS, KMAX, PTOL = 1e-10, 1e6, 16, 1e-10
ROUNDS = 3


def product_grad(th):
    x, y = th
    t = np.tanh(x * y)
    return np.array([t * y, t * x])


def two_layer_grad(th, s1=1.0, s2=0.5):
    a, w1, w2 = th
    r = a * w2 - 1.0
    return np.array([s1 * s1 * a * w1 * w1 + s2 * s2 * r * w2, s1 * s1 * a * a * w1,
                     s2 * s2 * r * a])


def scalar_network_grad(th, target=1.0):
    prefix = np.cumprod(np.vstack([np.ones_like(th[:1]), th[:-1]]), axis=0)
    suffix = np.cumprod(np.vstack([np.ones_like(th[:1]), th[:0:-1]]), axis=0)[::-1]
    return (prefix[-1] * th[-1] - target) * prefix * suffix


def numpy_sweep(grad, thetas0, etas, steps):
    """Status (0 converged, 1 period, 3 diverged, 4 out of steps) and stop step of every cell;
    thetas0 (dim, n). Returns (status, stop, useful cell-steps)."""
    n = etas.size
    status, stop = np.full(n, 4, np.int8), np.full(n, steps, np.int64)
    idx, th, eta = np.arange(n), thetas0.copy(), etas.copy()
    ring = np.empty((KMAX + 1,) + th.shape)
    ring[0] = th
    live = np.ones(n, bool)
    for t in range(steps):
        g = grad(th)
        gn2 = np.sum(g * g, axis=0)
        conv = live & (gn2 < TOL * TOL)
        bad = live & ~np.isfinite(gn2)
        for mask, code in ((conv, 0), (bad, 3)):
            status[idx[mask]], stop[idx[mask]] = code, t
        live &= ~(conv | bad)
        th = np.where(live, th - eta * g, th)
        r2 = np.sum(th * th, axis=0)
        gone = live & ~(r2 <= RADIUS * RADIUS)
        status[idx[gone]], stop[idx[gone]] = 3, t + 1
        live &= ~gone
        ring[(t + 1) % (KMAX + 1)] = th
        if (t + 1) % 16 == 0:
            if t + 1 > KMAX:
                scale = 1.0 + np.sqrt(r2)
                d = th - ring[t % (KMAX + 1)]
                moving = live & (np.sum(d * d, axis=0) >= (1e-6 * scale) ** 2)
                period = np.zeros(th.shape[1], np.int64)
                for k in range(KMAX, 1, -1):
                    d = th - ring[(t + 1 - k) % (KMAX + 1)]
                    period = np.where(np.sum(d * d, axis=0) <= (PTOL * scale) ** 2, k, period)
                hit = moving & (period > 0)
                status[idx[hit]], stop[idx[hit]] = 1, t + 1
                live &= ~hit
            idx, th, eta, ring = idx[live], th[:, live], eta[live], ring[:, :, live]
            live = np.ones(idx.size, bool)
            if idx.size == 0:
                break
    return status, stop, int(stop.sum())


def workloads(quick: bool):
    n1, n3, n5 = (64, 48, 24) if quick else (512, 256, 128)
    return {
        "W1": dict(model=eos.models.get("product", ell="logcosh"), grad=product_grad,
                   axes={"eta": np.linspace(0.5, 3.0, n1), "x": np.linspace(0.1, 2.0, n1)},
                   fixed={"y": 2.0}, steps=2000, cli_model=["product", "--set", "ell=logcosh"]),
        "W3": dict(model=eos.models.get("two_layer_minimal", sigma1=1.0, sigma2=0.5),
                   grad=two_layer_grad,
                   axes={"eta": np.linspace(0.5, 6.0, n3), "a": np.linspace(0.1, 2.0, n3)},
                   fixed={"w1": 0.3, "w2": 0.5}, steps=2000),
        "W5": dict(model=eos.models.get("scalar_network", depth=8), grad=scalar_network_grad,
                   axes={"eta": np.linspace(0.05, 0.4, n5), "w1": np.linspace(0.5, 1.5, n5)},
                   fixed={f"w{i}": 1.0 + 0.05 * (i - 1) for i in range(2, 9)}, steps=2000),
    }


def cells(w):
    names = [str(p) for p in w["model"].params]
    mesh = np.meshgrid(*w["axes"].values(), indexing="ij")
    grid = dict(zip(w["axes"], (m.ravel() for m in mesh), strict=True))
    n = grid["eta"].size
    thetas = np.array([grid[p] if p in grid else np.full(n, w["fixed"][p]) for p in names])
    return thetas, grid["eta"].copy()


def time_eos(w, stats=None):
    start = time.perf_counter()
    ds = eos.sweep(w["model"], steps=w["steps"], tol=TOL, radius=RADIUS, quiet=True,
                   stats=stats, **w["axes"], **w["fixed"])
    return time.perf_counter() - start, ds


def time_kernel(w):
    """The bare kernel call: every cell in one call, inputs built before the clock starts."""
    from eosmath.dynamics import sweep as sweep_module
    from eosmath.dynamics.grid import split_axes
    from eosmath.dynamics.sweep_model import SweepModel

    sm = SweepModel.from_model(w["model"])
    axes, fixed = split_axes(sm, {**w["axes"], **w["fixed"]})
    inputs = sweep_module._cell_inputs(sm, axes, fixed, slice(None))
    start = time.perf_counter()
    sweep_module._run_chunk(sm, axes, fixed, slice(None), w["steps"], TOL, RADIUS, KMAX, PTOL,
                            inputs=inputs)
    return time.perf_counter() - start


def cli_command(w) -> list[str] | None:
    """``eosmath sweep`` arguments for a workload of a catalog model (W1), else None."""
    if w.get("cli_model") is None:
        return None
    args = ["sweep", *w["cli_model"]]
    for name, values in w["axes"].items():
        args += [f"--{name}", f"{float(values[0])!r}:{float(values[-1])!r}:{len(values)}"]
    for name, value in w["fixed"].items():
        args += [f"--{name}", repr(value)]
    return args + ["--steps", str(w["steps"]), "--tol", repr(TOL), "--radius", repr(RADIUS),
                   "--quiet"]


def time_cli(w) -> float:
    """Wall time of the whole ``eosmath sweep`` process writing the workload to a store."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "eosmath", *cli_command(w), "--out",
                        os.path.join(folder, "sweep.zarr")], check=True, capture_output=True)
        return time.perf_counter() - start


def time_numpy(w):
    thetas, etas = cells(w)
    start = time.perf_counter()
    status, stop, useful = numpy_sweep(w["grad"], thetas, etas, w["steps"])
    return time.perf_counter() - start, status, stop, useful


def machine() -> dict:
    model = platform.processor()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "load_average_start": os.getloadavg(),
            "numba_threads": numba.get_num_threads(), "numpy": np.__version__,
            "numba": numba.__version__, "python": platform.python_version()}


def main(quick: bool = False):
    info = machine()
    results, lines = {}, []
    for name, w in workloads(quick).items():
        time_eos(w)  # warm: compile or load the kernels, import xarray
        time_eos(w, ("stop_step",))
        if cli_command(w):
            time_cli(w)  # warm: the SweepModel saved for the command line
        rounds = []
        for _ in range(ROUNDS):
            t_full, ds = time_eos(w)
            t_bare, _ = time_eos(w, ("stop_step",))
            row = {"eos_full_s": t_full, "eos_stop_step_only_s": t_bare,
                   "kernel_call_s": time_kernel(w)}
            if cli_command(w):
                row["cli_process_s"] = time_cli(w)
            t_np, status, stop, useful = time_numpy(w)
            rounds.append({**row, "numpy_s": t_np})
        agree = float(np.mean(ds["stop_step"].values.ravel() == stop))
        best = {k: min(r[k] for r in rounds) for k in rounds[0]}
        results[name] = {"rounds": rounds, "best": best, "cells": int(stop.size),
                         "useful_cell_steps": useful, "stop_step_agreement": agree,
                         "ratio_full": best["numpy_s"] / best["eos_full_s"],
                         "ratio_stop_step_only": best["numpy_s"] / best["eos_stop_step_only_s"],
                         "ratio_kernel_call": best["numpy_s"] / best["kernel_call_s"]}
        if "cli_process_s" in best:
            results[name]["ratio_cli_process"] = best["numpy_s"] / best["cli_process_s"]
        print(name, results[name]["best"], f"full {results[name]['ratio_full']:.2f}x NumPy, "
              f"stop_step only {results[name]['ratio_stop_step_only']:.2f}x, kernel call "
              f"{results[name]['ratio_kernel_call']:.2f}x", flush=True)
    threads = {}
    for name in ("W1", "W3"):
        w = workloads(quick)[name]
        rounds = []
        for _ in range(ROUNDS):
            row = {}
            for n in (1, 2):
                numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
                row[f"{n}_threads_s"] = time_eos(w)[0]
            rounds.append(row)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        best = {k: min(r[k] for r in rounds) for k in rounds[0]}
        threads[name] = {"rounds": rounds, "best": best,
                         "speedup_1_to_2": best["1_threads_s"] / best["2_threads_s"]}
        print(name, "threads", best, f"{threads[name]['speedup_1_to_2']:.2f}x", flush=True)
    info["load_average_end"] = os.getloadavg()
    lines = [f"# Whole `eos.sweep` call vs NumPy vectorised ({info['cpu']}, "
             f"{info['cores']} cores)", "",
             f"Load average at start {info['load_average_start']}, at end "
             f"{info['load_average_end']} (a shared machine: ratios, not absolute times, "
             "compare).", "",
             "| workload | cells | eosmath, all statistics (s) | eosmath, stop_step only (s) "
             "| NumPy bare GD (s) | NumPy / eosmath all | NumPy / eosmath stop_step |",
             "|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        b = r["best"]
        lines.append(f"| {name} | {r['cells']:,} | {b['eos_full_s']:.3f} | "
                     f"{b['eos_stop_step_only_s']:.3f} | {b['numpy_s']:.3f} | "
                     f"{r['ratio_full']:.2f}× | {r['ratio_stop_step_only']:.2f}× |")
    lines += ["", "Beside the whole call: the bare kernel call (all cells in one call, inputs "
              "built beforehand, no per-cell variables, no Dataset) and the whole `eosmath "
              "sweep` process (subprocess, writing the store), against the same NumPy time.", "",
              "| workload | kernel call (s) | NumPy / kernel call | `eosmath sweep` process (s) "
              "| NumPy / process |", "|---|---|---|---|---|"]
    for name, r in results.items():
        b = r["best"]
        cli = (f"{b['cli_process_s']:.3f} | {r['ratio_cli_process']:.2f}×"
               if "cli_process_s" in b else "— | —")
        lines.append(f"| {name} | {b['kernel_call_s']:.3f} | {r['ratio_kernel_call']:.2f}× | "
                     f"{cli} |")
    lines += ["", "| workload | 1 thread (s) | 2 threads (s) | speed-up |", "|---|---|---|---|"]
    for name, r in threads.items():
        b = r["best"]
        lines.append(f"| {name} | {b['1_threads_s']:.3f} | {b['2_threads_s']:.3f} | "
                     f"{r['speedup_1_to_2']:.2f}× |")
    lines += ["", "Every round is in the JSON file. `stop_step_agreement`: fraction of cells "
              "whose NumPy stop step equals eosmath's (chaotic cells can differ in the last "
              "bits of tanh)."]
    payload = {"machine": info, "workloads": results, "threads": threads, "quick": quick}
    stem = "sweep_all_quick" if quick else "sweep_all"
    path = write_results(stem, payload, "\n".join(lines))
    print("\n".join(lines))
    print("wrote", path)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
