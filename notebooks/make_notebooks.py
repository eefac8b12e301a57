"""Write the notebooks of this folder from their cell sources (outputs stripped).

Notebooks are kept in git without outputs; editing them here keeps diffs readable:
``python notebooks/make_notebooks.py`` rewrites every ``*.ipynb`` listed in :data:`NOTEBOOKS`.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).parent

TOUR = [
    ("md", "# A tour of eosmath\n\nOne SymPy definition of a model gives its derivations, "
           "three numerical backends and the dynamics of gradient descent. This notebook walks "
           "through the minimalist product model f(x, y) = ℓ(xy) of Ahn et al. (NeurIPS 2023)."),
    ("code", "import numpy as np\nimport sympy as sp\nimport eosmath as eos\n\n"
             "m = eos.models.get(\"product\", ell=\"logcosh\")\nm"),
    ("md", "## Derived objects\nThe gradient is in stable form (tanh, not sinh/cosh); the "
           "rewrite is proven equal to SymPy's plain derivative."),
    ("code", "m.gradient(), m.rewrite_proof().all_symbolic"),
    ("code", "m.hessian()"),
    ("md", "Gradient flow conserves x² − y² (found by a polynomial ansatz and verified), and the "
           "axes and diagonals are invariant under every GD map."),
    ("code", "m.conserved_quantities(), [str(s) for s in m.invariant_subspaces()]"),
    ("code", "m.fixed_points()"),
    ("md", "## Compiled kernels\nOn the y-axis the sharpness is ℓ''(0)·y²: GD with step η is "
           "stable there iff y² < 2/η."),
    ("code", "k = m.compile()\n[float(k.sharpness(np.array([0.0, y]))) for y in (0.5, 1.0, 2.0)]"),
    ("code", "# GD in the edge-of-stability regime: y0² − x0² = 35.75 > 2/η = 20.\n"
             "theta, eta = np.array([0.5, 6.0]), 0.1\n"
             "for _ in range(4000):\n    theta = k.gd_step(theta, eta)\n"
             "theta, theta[1] ** 2, 2 / eta"),
    ("md", "The limit sits just below the stability threshold: y∞² ≈ 2/η − η/(2β) with β = 1/3 "
           "for log cosh (spec/minimalist_product.md A.7), whatever the start once "
           "y0² − x0² > 2/η."),
    ("code", "beta = m.meta[\"beta\"]\nfloat(2 / eta - eta / (2 * beta))"),
    ("md", "## Backends agree\nNumba and NumPy against mpmath at 50 digits:"),
    ("code", "from eosmath.kernels.crosscheck import cross_check_backends\n"
             "cross_check_backends(m, points=8)"),
    ("md", "## Your own model, parsed safely"),
    ("code", "user = eos.Model.from_string(\"x**2/sqrt(1 + x**2)\", params=\"x\")\n"
             "user.hessian()[0, 0].subs(user.params[0], 0)"),
]

SEED000_PRODUCT = [
    ("md", "# Seed 000: the minimalist model ℓ(xy) (Ahn et al., NeurIPS 2023)\n\n"
           "GF regime when y0² − x0² < 2/η, edge-of-stability regime above it "
           "(spec/minimalist_product.md A)."),
    ("code", "import numpy as np\nimport eosmath as eos\n"
             "m = eos.models.get(\"product\", ell=\"logcosh\")\n"
             "ds = eos.sweep(m, eta=np.linspace(0.5, 3, 64), x=np.linspace(0.1, 2, 64), y=2.0, "
             "steps=2000, quiet=True)\n"
             "eos.plot.phase_diagram(ds.transpose(\"x\", \"eta\"), \"status\", "
             "overlays={\"η = 2/(y0² − x0²)\": lambda x: 2 / np.maximum(4 - x**2, 1e-9)});"),
    ("code", "tr = eos.run_gd(m, 0.05, (0.5, 8.0), steps=20000)\n"
             "eos.plot.sharpness_trace(tr.sharpness, 0.05, loss=tr.loss);\n"
             "tr.theta[-1, 1] ** 2, 2 / 0.05 - 0.05 / (2 * float(m.meta[\"beta\"]))"),
    ("code", "for name in (\"product.eos_limit\", \"product.gd_identity\", "
             "\"product.regime_switch\"):\n    print(eos.verify(name))"),
]

SEED001_SELF_STABILIZATION = [
    ("md", "# Seed 001: self-stabilization (Damian, Nichani & Lee, ICLR 2023)\n\n"
           "The reduced map (eq. 3) cycles around (δ, 0); the ODE (eq. 4) conserves g "
           "(Lemma 3). The toy loss (a reconstruction of Appendix B) runs through the four "
           "stages."),
    ("code", "import numpy as np\nimport matplotlib.pyplot as plt\nimport eosmath as eos\n"
             "system = eos.models.get(\"self_stabilization_reduced\")\n"
             "system.map(), system.meta[\"conserved\"]"),
    ("code", "toy = eos.models.get(\"self_stabilization_toy\", eta0=0.05)\n"
             "tr = eos.run_gd(toy, 0.05, (1e-3, -0.5, 0.0), steps=3000, tol=0)\n"
             "fig, ax = plt.subplots(2, 1, sharex=True)\n"
             "ax[0].plot(tr.sharpness); ax[0].axhline(2 / 0.05, ls=\"--\", c=\"k\")\n"
             "ax[1].semilogy(np.abs(tr.theta[:, 0])); ax[1].set_xlabel(\"step\");"),
    ("code", "for name in (\"self_stabilization.lv_conserved\", "
             "\"self_stabilization.corollary1\", \"self_stabilization.theorem1\"):\n"
             "    print(eos.verify(name))"),
]

SEED002_TWO_LAYER = [
    ("md", "# Seed 002: a minimalist example of EoS and progressive sharpening (Liu et al., "
           "NeurIPS 2025)\n\nCanonical setting of spec/minimalist_two_layer.md §8: σ1 = 1, "
           "σ2 = 0.02, η = 4, θ0 = (0.67, 0.01, 1.0), clipping C = 0.002."),
    ("code", "import numpy as np\nimport matplotlib.pyplot as plt\nimport eosmath as eos\n"
             "from eosmath.theory.minimalist_two_layer import clipped_gd\n"
             "run = clipped_gd(1.0, 0.02, 4.0, (0.67, 0.01, 1.0), 0.002, steps=10000)\n"
             "plt.plot(4.0 * run.a**2 / 2, label=\"η σ1² a² / 2\"); plt.axhline(1, c=\"k\", "
             "ls=\"--\"); plt.legend();"),
    ("code", "for name in (\"two_layer_minimal.phases\", \"two_layer_minimal.gfs_bounds\", "
             "\"two_layer_minimal.pgd_rate\"):\n    print(eos.verify(name))"),
]

SEED003_BLOG = [
    ("md", "# Seed 003: the quadratic and the soft quadratic x²/√(1+x²)\n\n"
           "Regimes of GD on a/2·x²; the soft quadratic's period-2 orbit with secant curvature "
           "exactly 2/η, symmetry breaking at 3√3/2 and period doubling at 5.6629."),
    ("code", "import numpy as np\nimport eosmath as eos\n"
             "soft = eos.models.get(\"soft_quadratic\")\n"
             "d = eos.orbit_diagram(soft, np.linspace(0.5, 8, 200), theta0=(0.7,), keep=64)\n"
             "eos.plot.orbit_diagram_plot(d);"),
    ("code", "(orbit,) = eos.periodic_orbits(soft, eta=1.5, period=2, guesses=[[0.7]])\n"
             "orbit.points.ravel(), orbit.multipliers, orbit.stable"),
    ("code", "print(eos.verify_all(names=[\"quadratic\", \"soft_quadratic\"]).table())"),
]

SEED004_SHALLOW_RELU = [
    ("md", "# Seed 004: shallow ReLU networks on orthogonal inputs, and progressive "
           "sharpening\n\nLemma 2.1's balance identity, Theorem 3.1's phases (λ+ before λ−), "
           "and Cohen et al.'s Chebyshev tanh network at the edge of stability."),
    ("code", "import numpy as np\nimport matplotlib.pyplot as plt\nimport eosmath as eos\n"
             "from eosmath import nn\n"
             "obj = nn.Objective(nn.MLP([1, 100, 1], activation=\"tanh\", "
             "bias=[True, False]), nn.datasets.chebyshev(degree=3, n=20))\n"
             "run = nn.train_gd(obj, obj.net.init(seed=0, scheme=\"chebyshev\"), eta=0.2, "
             "steps=3000, sharpness_every=20, top_k=3, quiet=True)\n"
             "plt.plot(run.eig_steps, run.eigenvalues); plt.axhline(10, c=\"k\", ls=\"--\");"),
    ("code", "for name in (\"shallow_relu.balance_identity\", \"shallow_relu.phases\", "
             "\"shallow_relu.lr_decay_ends_oscillation\", "
             "\"progressive_sharpening.chebyshev_eos\"):\n    print(eos.verify(name))"),
]

NOTEBOOKS = {
    "tour.ipynb": TOUR,
    "seed000_product.ipynb": SEED000_PRODUCT,
    "seed001_self_stabilization.ipynb": SEED001_SELF_STABILIZATION,
    "seed002_two_layer.ipynb": SEED002_TWO_LAYER,
    "seed003_quadratic_maps.ipynb": SEED003_BLOG,
    "seed004_shallow_relu.ipynb": SEED004_SHALLOW_RELU,
}


def build(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for kind, source in cells:
        maker = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(maker(source))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def main():
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(cells), HERE / name)


if __name__ == "__main__":
    main()
