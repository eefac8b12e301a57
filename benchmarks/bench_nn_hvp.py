"""Workload W2 of issues 5 and 16: MLP 64→256→256→1 tanh, MSE, 2000 examples, float64
(82,689 parameters). Times per gradient and per Hessian-vector product, time to the top
eigenvalue with eigsh(which="LA"), and the finite-difference error against an exact HVP.

Contenders: eosmath (central-difference HVP, one batched gradient call), torch CPU double
backward (exact HVP) and JAX jvp-of-grad, each when installed. Timings alternate between
contenders for ``--rounds`` rounds (who goes first alternates too); each round keeps the best
of ``--repeats`` calls, every round is recorded, and the ratios use each contender's best
round (the per-round ratios show the noise). ``--cores N`` pins the process to N cores
before NumPy or torch start (their thread pools follow). Run:
``python benchmarks/bench_nn_hvp.py [--rounds 5] [--cores 1]``.
Writes benchmarks/results/nn_hvp_<date>[_<N>core].json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path


def _pin(cores: int | None) -> None:
    """Restrict this process to ``cores`` cores; must run before NumPy/torch are imported."""
    if cores is None:
        return
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(cores)


if __name__ == "__main__":
    _ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    _ARGS.add_argument("--rounds", type=int, default=6)
    _ARGS.add_argument("--repeats", type=int, default=20)
    _ARGS.add_argument("--cores", type=int, default=None)
    _ARGS = _ARGS.parse_args()
    _pin(_ARGS.cores)

import numpy as np  # noqa: E402
from scipy.sparse.linalg import LinearOperator, eigsh  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eosmath import nn  # noqa: E402
from eosmath.provenance import machine_info  # noqa: E402

SIZES = [64, 256, 256, 1]
N_EXAMPLES = 2000
EIG_TOL = 1e-12


def best_ms(fn, repeats):
    """Best of ``repeats`` calls in ms (after one warm-up call)."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return 1e3 * best


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> list:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{k: row.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for row in threadpool_info()]


def top_eigenvalue(matvec, size, v0):
    count = [0]

    def counted(v):
        count[0] += 1
        return matvec(v)

    start = time.perf_counter()
    value = eigsh(LinearOperator((size, size), matvec=counted, dtype=np.float64), k=1,
                  which="LA", v0=v0, tol=EIG_TOL)[0][0]
    return float(value), time.perf_counter() - start, count[0]


def workload(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N_EXAMPLES, SIZES[0]))
    Y = np.sin(X[:, :1] + X[:, 1:2])  # a smooth target: residuals O(1), Hessian not Gauss-Newton
    net = nn.MLP(SIZES, activation="tanh")
    return net, nn.Objective(net, (X, Y)), net.init(seed=seed), X, Y


def torch_contender(net, theta, X, Y):
    import torch

    torch.set_default_dtype(torch.float64)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    shapes = [(W.shape, None if b is None else b.shape) for W, b in net.unflatten(theta)]

    def loss_of(flat):
        out, offset = Xt, 0
        for index, (w_shape, b_shape) in enumerate(shapes):
            size = w_shape[0] * w_shape[1]
            W = flat[offset:offset + size].view(w_shape)
            offset += size
            b = flat[offset:offset + b_shape[0]]
            offset += b_shape[0]
            out = out @ W.T + b
            if index < len(shapes) - 1:
                out = torch.tanh(out)
        return 0.5 * ((out - Yt) ** 2).sum() / Xt.shape[0]

    p = torch.from_numpy(theta.copy()).requires_grad_(True)

    def grad():
        return torch.autograd.grad(loss_of(p), p)[0]

    def hvp(v):
        g = torch.autograd.grad(loss_of(p), p, create_graph=True)[0]
        return torch.autograd.grad(g, p, grad_outputs=torch.from_numpy(v))[0].numpy()

    return {"name": f"torch {torch.__version__} double backward (exact)",
            "threads": torch.get_num_threads(), "grad": grad, "hvp": hvp}


def jax_contender(net, theta, X, Y):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    Xj, Yj = jnp.asarray(X), jnp.asarray(Y)
    shapes = [(W.shape, b.shape) for W, b in net.unflatten(theta)]

    def loss_of(flat):
        out, offset = Xj, 0
        for index, (w_shape, b_shape) in enumerate(shapes):
            size = w_shape[0] * w_shape[1]
            W = flat[offset:offset + size].reshape(w_shape)
            offset += size
            b = flat[offset:offset + b_shape[0]]
            offset += b_shape[0]
            out = out @ W.T + b
            if index < len(shapes) - 1:
                out = jnp.tanh(out)
        return 0.5 * jnp.sum((out - Yj) ** 2) / Xj.shape[0]

    p = jnp.asarray(theta)
    grad_fn = jax.jit(jax.grad(loss_of))
    hvp_fn = jax.jit(lambda v: jax.jvp(jax.grad(loss_of), (p,), (v,))[1])
    return {"name": f"jax {jax.__version__} jvp-of-grad (exact)", "threads": None,
            "grad": lambda: grad_fn(p).block_until_ready(),
            "hvp": lambda v: np.asarray(hvp_fn(jnp.asarray(v)).block_until_ready())}


def rel(a, b) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def main(args) -> int:
    net, obj, theta, X, Y = workload()
    rng = np.random.default_rng(1)
    directions = [rng.normal(size=net.n_params) for _ in range(5)]
    v0 = rng.normal(size=net.n_params)
    now = dt.datetime.now(dt.UTC)
    machine = machine_info()
    machine.update(cpu_model=cpu_model(), cores_usable=len(os.sched_getaffinity(0)),
                   load_average_at_start=os.getloadavg(), blas=blas_info())
    results = {"workload": {"sizes": SIZES, "n_examples": N_EXAMPLES, "n_params": net.n_params,
                            "activation": "tanh", "loss": "mse = 1/(2n)·Σ(f−y)²",
                            "dtype": "float64", "target": "sin(x1 + x2)"},
               "date": now.date().isoformat(), "started_utc": now.isoformat(timespec="seconds"),
               "machine": machine, "cores_pinned": args.cores, "rounds": args.rounds,
               "repeats_per_round": args.repeats, "timing": "best of repeats per round; "
               "contenders alternate within each round, first mover alternates by round",
               "eig_tol": EIG_TOL, "contenders": {}}

    cores = len(os.sched_getaffinity(0))
    contenders = {"eosmath": {"name": "eosmath central-difference HVP",
                              "threads": f"work units (stencil points, or blocks of examples "
                                         f"for one gradient) on {cores} thread(s), BLAS 1 "
                                         "thread each" if cores > 1 else "1 (sequential)",
                              "grad": lambda: obj.grad(theta),
                              "hvp": lambda v: obj.hvp(theta, v)}}
    for label, factory in (("torch", torch_contender), ("jax", jax_contender)):
        try:
            contenders[label] = factory(net, theta, X, Y)
        except ImportError:
            results["contenders"][label] = {"skipped": "not installed"}
    rounds = {label: [] for label in contenders}
    labels = list(contenders)
    for r in range(args.rounds):
        order = labels if r % 2 == 0 else labels[::-1]
        for label in order:
            c = contenders[label]
            rounds[label].append({
                "grad_ms": best_ms(c["grad"], args.repeats),
                "hvp_ms": best_ms(lambda c=c: c["hvp"](directions[0]), args.repeats)})
        print(f"round {r}: " + "; ".join(
            f"{k} grad {v[-1]['grad_ms']:.1f} ms, hvp {v[-1]['hvp_ms']:.1f} ms"
            for k, v in rounds.items()), flush=True)

    for label, c in contenders.items():
        row = {"name": c["name"], "threads": c["threads"], "rounds": rounds[label],
               "grad_ms": min(x["grad_ms"] for x in rounds[label]),
               "hvp_ms": min(x["hvp_ms"] for x in rounds[label])}
        value, seconds, matvecs = top_eigenvalue(c["hvp"], net.n_params, v0)
        row.update(top_eigenvalue=value, top_eigenvalue_seconds=seconds,
                   top_eigenvalue_matvecs=matvecs)
        results["contenders"][label] = row
    eos = results["contenders"]["eosmath"]
    eos["hvp_richardson_ms"] = best_ms(lambda: obj.hvp(theta, directions[0], richardson=True),
                                       args.repeats)
    estimates = [obj.hvp_with_error(theta, v).relative_error_estimate for v in directions]
    eos["fd_relative_error_estimate_max"] = max(estimates)

    reference = next((k for k in ("torch", "jax") if k in contenders), None)
    if reference is not None:
        exact = [contenders[reference]["hvp"](v) for v in directions]
        pairs = list(zip(directions, exact, strict=True))
        eos["fd_relative_error_vs_exact_max"] = max(rel(obj.hvp(theta, v), e) for v, e in pairs)
        eos["fd_richardson_relative_error_vs_exact_max"] = max(
            rel(obj.hvp(theta, v, richardson=True), e) for v, e in pairs)
        # the alternative rejected for accuracy: a forward difference reusing ∇L(θ), at its
        # best step √u·max(1, ‖θ‖)/‖v‖ (one gradient per HVP instead of two)
        g0 = obj.grad(theta)
        u = np.finfo(np.float64).eps / 2
        scale = np.sqrt(u) * max(1.0, float(np.linalg.norm(theta)))
        eos["forward_difference_relative_error_vs_exact_max"] = max(
            rel((obj.grad(theta + (scale / np.linalg.norm(v)) * v) - g0)
                / (scale / np.linalg.norm(v)), e) for v, e in pairs)
        ref = results["contenders"][reference]
        paired = [a["hvp_ms"] / b["hvp_ms"]
                  for a, b in zip(eos["rounds"], ref["rounds"], strict=True)]
        paired_grad = [a["grad_ms"] / b["grad_ms"]
                       for a, b in zip(eos["rounds"], ref["rounds"], strict=True)]
        results["reference"] = reference
        results["ratios"] = {
            "eosmath_hvp_over_reference_hvp": eos["hvp_ms"] / ref["hvp_ms"],
            "eosmath_grad_over_reference_grad": eos["grad_ms"] / ref["grad_ms"],
            "hvp_ratio_per_round_min": min(paired), "hvp_ratio_per_round_max": max(paired),
            "grad_ratio_per_round_min": min(paired_grad),
            "grad_ratio_per_round_max": max(paired_grad),
            "eosmath_eig_time_over_reference": eos["top_eigenvalue_seconds"]
            / ref["top_eigenvalue_seconds"],
            "top_eigenvalue_relative_difference": abs(eos["top_eigenvalue"] - ref["top_eigenvalue"])
            / abs(ref["top_eigenvalue"]),
        }
        results["target"] = {
            "hvp_time_ratio_le_0.67": results["ratios"]["eosmath_hvp_over_reference_hvp"] <= 0.67,
            "hvp_relative_error_le_1e-9": eos["fd_relative_error_vs_exact_max"] <= 1e-9,
            "top_eigenvalue_within_1e-9": results["ratios"]["top_eigenvalue_relative_difference"]
            <= 1e-9,
        }
    machine["load_average_at_end"] = os.getloadavg()

    out_dir = Path(__file__).resolve().parent / "results"
    out_dir.mkdir(exist_ok=True)
    suffix = "" if args.cores is None else f"_{args.cores}core"
    stem = out_dir / f"nn_hvp_{results['date']}{suffix}"
    run = 1
    while stem.with_suffix(".json").exists():  # keep earlier runs of the same day
        run += 1
        stem = out_dir / f"nn_hvp_{results['date']}{suffix}_run{run}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2))
    stem.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))
    return 0


def markdown(results) -> str:
    m = results["machine"]
    pinned = results["cores_pinned"]
    lines = [f"# W2 HVP benchmark ({results['started_utc']})", "",
             f"MLP {'→'.join(map(str, results['workload']['sizes']))} tanh, MSE, "
             f"{results['workload']['n_examples']} examples, float64, "
             f"{results['workload']['n_params']} parameters.", "",
             f"Machine: {m['cpu_model']}, {m['cpu_count']} CPUs"
             + (f", process pinned to {pinned} core(s)" if pinned else "")
             + f"; load average {m['load_average_at_start'][0]:.1f} at start, "
             f"{m['load_average_at_end'][0]:.1f} at end; BLAS "
             + ", ".join(f"{b['internal_api']} {b['version']} ({b['architecture']}, "
                         f"{b['num_threads']} threads)" for b in m["blas"]) + ".", "",
             f"{results['rounds']} rounds, contenders alternating, best of "
             f"{results['repeats_per_round']} calls per round; the table shows each "
             "contender's best round, the JSON file every round.", "",
             "| contender | grad ms | HVP ms | top eigenvalue | eig time s | matvecs |",
             "|---|---|---|---|---|---|"]
    for label, row in results["contenders"].items():
        if "skipped" in row:
            lines.append(f"| {label} | skipped: {row['skipped']} | | | | |")
            continue
        lines.append(f"| {row.get('name', label)} | {row['grad_ms']:.1f} | {row['hvp_ms']:.1f} | "
                     f"{row['top_eigenvalue']:.12g} | {row['top_eigenvalue_seconds']:.2f} | "
                     f"{row['top_eigenvalue_matvecs']} |")
    eos = results["contenders"]["eosmath"]
    lines += ["", f"eosmath Richardson HVP: {eos['hvp_richardson_ms']:.1f} ms; "
              "own relative error estimate (max over 5 v): "
              f"{eos['fd_relative_error_estimate_max']:.2e}"]
    if "ratios" in results:
        r = results["ratios"]
        lines += [f"FD relative error vs exact (max over 5 v): central "
                  f"{eos['fd_relative_error_vs_exact_max']:.2e}, Richardson "
                  f"{eos['fd_richardson_relative_error_vs_exact_max']:.2e}, forward difference "
                  f"(not used) {eos['forward_difference_relative_error_vs_exact_max']:.2e}", "",
                  f"HVP time ratio {r['eosmath_hvp_over_reference_hvp']:.3f} (per round "
                  f"{r['hvp_ratio_per_round_min']:.3f}–{r['hvp_ratio_per_round_max']:.3f}); "
                  f"gradient {r['eosmath_grad_over_reference_grad']:.3f} (per round "
                  f"{r['grad_ratio_per_round_min']:.3f}–{r['grad_ratio_per_round_max']:.3f}); "
                  f"top-eigenvalue time {r['eosmath_eig_time_over_reference']:.3f}; top "
                  f"eigenvalue relative difference {r['top_eigenvalue_relative_difference']:.2e}",
                  "Target met: " + ", ".join(f"{k}: {v}" for k, v in results["target"].items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main(_ARGS))
