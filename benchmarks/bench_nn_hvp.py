"""Workload W2 of issue 5: MLP 64→256→256→1 tanh, MSE, 2000 examples, float64 (82,689
parameters). Times per gradient and per Hessian-vector product, time to the top eigenvalue
with eigsh(which="LA"), and the finite-difference error against an exact HVP.

Contenders: eosmath (FD-HVP, one batched gradient pass), torch CPU double backward (exact
HVP) and JAX jvp-of-grad, each when installed. Run: ``python benchmarks/bench_nn_hvp.py``.
Writes benchmarks/results/nn_hvp_<date>.json and .md.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eosmath import nn  # noqa: E402
from eosmath.provenance import machine_info  # noqa: E402

SIZES = [64, 256, 256, 1]
N_EXAMPLES = 2000
REPEATS = 30
EIG_TOL = 1e-12


def timed(fn, repeats=REPEATS):
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return 1e3 * statistics.median(samples)


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


def main() -> int:
    net, obj, theta, X, Y = workload()
    rng = np.random.default_rng(1)
    directions = [rng.normal(size=net.n_params) for _ in range(5)]
    v0 = rng.normal(size=net.n_params)
    results = {"workload": {"sizes": SIZES, "n_examples": N_EXAMPLES, "n_params": net.n_params,
                            "activation": "tanh", "loss": "mse = 1/(2n)·Σ(f−y)²",
                            "dtype": "float64", "target": "sin(x1 + x2)"},
               "date": dt.date.today().isoformat(), "machine": machine_info(),
               "repeats": REPEATS, "eig_tol": EIG_TOL, "contenders": {}}

    eos = {"grad_ms": timed(lambda: obj.grad(theta)),
           "hvp_ms": timed(lambda: obj.hvp(theta, directions[0])),
           "hvp_richardson_ms": timed(lambda: obj.hvp(theta, directions[0], richardson=True))}
    value, seconds, matvecs = top_eigenvalue(lambda v: obj.hvp(theta, v), net.n_params, v0)
    eos.update(top_eigenvalue=value, top_eigenvalue_seconds=seconds, top_eigenvalue_matvecs=matvecs)
    value_r, seconds_r, matvecs_r = top_eigenvalue(
        lambda v: obj.hvp(theta, v, richardson=True), net.n_params, v0)
    eos.update(top_eigenvalue_richardson=value_r, top_eigenvalue_richardson_seconds=seconds_r)
    estimates = [obj.hvp_with_error(theta, v).relative_error_estimate for v in directions]
    eos["fd_relative_error_estimate_max"] = max(estimates)
    results["contenders"]["eosmath"] = eos

    exact_hvp = None
    for label, factory in (("torch", torch_contender), ("jax", jax_contender)):
        try:
            contender = factory(net, theta, X, Y)
        except ImportError:
            results["contenders"][label] = {"skipped": "not installed"}
            continue
        row = {"name": contender["name"], "threads": contender["threads"],
               "grad_ms": timed(contender["grad"]),
               "hvp_ms": timed(lambda c=contender: c["hvp"](directions[0]))}
        value, seconds, matvecs = top_eigenvalue(contender["hvp"], net.n_params, v0)
        row.update(top_eigenvalue=value, top_eigenvalue_seconds=seconds,
                   top_eigenvalue_matvecs=matvecs)
        results["contenders"][label] = row
        if exact_hvp is None:
            exact_hvp, reference = contender["hvp"], label

    if exact_hvp is not None:
        exact = [exact_hvp(v) for v in directions]

        def rel(a, b):
            return float(np.linalg.norm(a - b) / np.linalg.norm(b))

        eos["fd_relative_error_vs_exact_max"] = max(
            rel(obj.hvp(theta, v), e) for v, e in zip(directions, exact, strict=True))
        eos["fd_richardson_relative_error_vs_exact_max"] = max(
            rel(obj.hvp(theta, v, richardson=True), e)
            for v, e in zip(directions, exact, strict=True))
        ref = results["contenders"][reference]
        results["reference"] = reference
        results["ratios"] = {
            "eosmath_hvp_over_reference_hvp": eos["hvp_ms"] / ref["hvp_ms"],
            "eosmath_grad_over_reference_grad": eos["grad_ms"] / ref["grad_ms"],
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

    out_dir = Path(__file__).resolve().parent / "results"
    out_dir.mkdir(exist_ok=True)
    stem = out_dir / f"nn_hvp_{results['date']}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2))
    stem.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))
    return 0


def markdown(results) -> str:
    lines = [f"# W2 HVP benchmark ({results['date']})", "",
             f"MLP {'→'.join(map(str, results['workload']['sizes']))} tanh, MSE, "
             f"{results['workload']['n_examples']} examples, float64, "
             f"{results['workload']['n_params']} parameters; "
             f"{results['machine']['cpu_count']} CPUs, median of {results['repeats']} runs.", "",
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
        lines += [f"FD relative error vs exact (max over 5 v): plain "
                  f"{eos['fd_relative_error_vs_exact_max']:.2e}, Richardson "
                  f"{eos['fd_richardson_relative_error_vs_exact_max']:.2e}", "",
                  "Ratios: " + ", ".join(f"{k} = {v:.3g}" for k, v in results["ratios"].items()),
                  "Target met: " + ", ".join(f"{k}: {v}" for k, v in results["target"].items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
