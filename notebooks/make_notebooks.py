"""Write the notebooks of this folder from their cell sources (outputs stripped).

Notebooks are kept in git without outputs; editing them here keeps diffs readable:
``python notebooks/make_notebooks.py`` rewrites every ``*.ipynb`` listed in :data:`NOTEBOOKS`.
Papers are cited from :mod:`eosmath.references`, so the notebooks name the same works as the
models, the checks and the report.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

from eosmath.references import cite

HERE = Path(__file__).parent

AHN = cite("ahn2023")
DAMIAN = cite("damian2023")
LIU = cite("liu2025")
BLOG = cite("blog2025")
SHALLOW = cite("shallow_relu")
COHEN = cite("cohen2021")


def md(text: str) -> tuple[str, str]:
    return "md", textwrap.dedent(text).strip()


def code(text: str) -> tuple[str, str]:
    return "code", textwrap.dedent(text).strip()


TOUR = [
    md(f"""
    # A tour of eosmath

    One SymPy definition of a model gives its derivations, three numerical backends and the
    dynamics of gradient descent. This notebook walks through the minimalist product model
    f(x, y) = ℓ(xy) of

    > {AHN}.
    """),
    code("""
    import numpy as np

    import eosmath as eos

    m = eos.models.get("product", ell="logcosh")
    m
    """),
    md("""
    ## Derived objects
    The gradient is in stable form (tanh, not sinh/cosh); the rewrite is proven equal to
    SymPy's plain derivative.
    """),
    code("m.gradient(), m.rewrite_proof().all_symbolic"),
    code("m.hessian()"),
    md("""
    Gradient flow conserves x² − y² (found by a polynomial ansatz and verified), and the axes
    and diagonals are invariant under every GD map.
    """),
    code("m.conserved_quantities(), [str(s) for s in m.invariant_subspaces()]"),
    code("m.fixed_points()"),
    md("""
    ## Compiled kernels
    On the y-axis the sharpness is ℓ''(0)·y²: GD with step η is stable there iff y² < 2/η.
    """),
    code("""
    k = m.compile()
    [float(k.sharpness(np.array([0.0, y]))) for y in (0.5, 1.0, 2.0)]
    """),
    code("""
    # GD in the edge-of-stability regime: y0² − x0² = 35.75 > 2/η = 20.
    theta, eta = np.array([0.5, 6.0]), 0.1
    for _ in range(4000):
        theta = k.gd_step(theta, eta)
    theta, theta[1] ** 2, 2 / eta
    """),
    md("""
    The limit sits just below the stability threshold, whatever the start once
    y0² − x0² > 2/η: Ahn et al. bound it by 2/η − O(η) ≤ y∞² ≤ 2/η; the sharper
    y∞² ≈ 2/η − η/(2β), with β = 1/3 for log cosh, is eosmath's own quasi-static derivation
    (a reconstruction, checked by `product.eos_limit`).
    """),
    code("""
    beta = m.meta["beta"]
    float(2 / eta - eta / (2 * beta))
    """),
    md("## Backends agree\nNumba and NumPy against mpmath at 50 digits:"),
    code("""
    from eosmath.kernels.crosscheck import cross_check_backends

    cross_check_backends(m, points=8)
    """),
    md("## Your own model, parsed safely"),
    code("""
    user = eos.Model.from_string("x**2/sqrt(1 + x**2)", params="x")
    user.hessian()[0, 0].subs(user.params[0], 0)
    """),
]

SEED000_PRODUCT = [
    md(f"""
    # The minimalist model ℓ(xy): two regimes of gradient descent

    > {AHN}.

    Gradient flow conserves y² − x², and its limit on the y-axis has sharpness
    ℓ''(0)(y0² − x0²) (= y0² − x0² for log cosh). GD with step η tracks gradient flow when that
    sharpness is below 2/η, and runs at the edge of stability above it: for y0 = 2 the boundary
    is x0 = √(y0² − 2/η) (dashed), with the edge-of-stability regime below the curve.
    """),
    code(r"""
    import numpy as np

    import eosmath as eos

    m = eos.models.get("product", ell="logcosh")
    ds = eos.sweep(m, eta=np.linspace(0.5, 3, 64), x=np.linspace(0.1, 2, 64), y=2.0,
                   steps=2000, quiet=True)


    def boundary_x0(eta, y0=2.0):  # x0 with y0² − x0² = 2/η (none where y0² < 2/η)
        gap = y0**2 - 2 / eta
        return np.sqrt(np.where(gap > 0, gap, np.nan))


    boundary = {r"$x_0 = \sqrt{y_0^2 - 2/\eta}$": boundary_x0}
    eos.plot.phase_diagram(ds, "status", overlays=boundary);
    """),
    md("""
    η·S/2 at the last iterate, diverged cells masked (grey): every run that converges ends
    below the edge of stability (η·S/2 < 1).
    """),
    code('eos.plot.phase_diagram(ds, "final_eos_ratio", overlays=boundary);'),
    md("""
    One run in the edge-of-stability regime (y0² − x0² = 63.75 > 2/η = 40): the sharpness is
    driven down to just below 2/η. The limit y∞² ≈ 2/η − η/(2β) is eosmath's own quasi-static
    derivation (a reconstruction, checked by `product.eos_limit`), sharper than the paper's
    2/η − O(η) ≤ y∞² ≤ 2/η.
    """),
    code(r"""
    tr = eos.run_gd(m, 0.05, (0.5, 8.0), steps=20000)
    title = r"$\ell(xy) = \log\cosh(xy)$, $(x_0, y_0) = (0.5, 8)$, $\eta = 0.05$"
    eos.plot.sharpness_trace(tr.sharpness, 0.05, loss=tr.loss, title=title)
    tr.theta[-1, 1] ** 2, 2 / 0.05 - 0.05 / (2 * float(m.meta["beta"]))
    """),
    code("""
    checks = ["product.eos_limit", "product.gd_identity", "product.regime_switch"]
    print(eos.verify_all(names=checks).table())
    """),
]

SEED001_SELF_STABILIZATION = [
    md(f"""
    # Self-stabilization

    > {DAMIAN}.

    The reduced map (eq. 3) x⁺ = −(1 + ηy)x, y⁺ = y + η(α − βx²/2) cycles around the fixed
    point (δ, 0), δ = √(2α/β); its ODE (eq. 4) conserves g (Lemma 3). The toy loss below is
    eosmath's reconstruction of the paper's Appendix B toy (the paper's formula was not
    recovered): GD on it is exactly the reduced map in (x, √β·y), while z drifts by η per step
    along the constrained trajectory.
    """),
    code("""
    import numpy as np

    import eosmath as eos

    system = eos.models.get("self_stabilization_reduced")
    system.map(), system.meta["conserved"]
    """),
    md("""
    ## The four stages
    Setting: α = β = 1, η = 0.01, x0 = 0.01·δ, y0 = −0.5 (sharpness 2/η − 0.5). The paper's
    analysis needs ε = η√α small (Definition 6) and couples GD to the ODE only for O(1/ε)
    steps, i.e. a few cycles, because the discrete map is not conservative: explicit Euler on a
    centre spirals outward, g growing by O(ε) relative per cycle. Here ε = 0.01, and 3000
    steps are four cycles with g rising from 8.5 to 14 (printed below). With η = 0.05 from
    x0 = 10⁻³ (ε five times larger, g0 = 13.8) the spiral compounds: |x| dips to 10⁻¹⁶⁰ and
    the run diverges at step 1784, a property of the map (3) itself, not of the code.

    Stage 1: the sharpness rises linearly (ηα per step) while |x| is tiny; stage 2: once
    S > 2/η, |x| grows geometrically, flipping sign each step; stage 3: when |x| > δ the
    sharpness falls; stage 4: below 2/η, |x| decays.
    """),
    code(r"""
    eta, alpha, beta = 0.01, 1.0, 1.0
    delta = np.sqrt(2 * alpha / beta)
    toy = eos.models.get("self_stabilization_toy", eta0=eta, alpha=alpha, beta=beta)
    tr = eos.run_gd(toy, eta, (0.01 * delta, -0.5, 0.0), steps=3000, tol=0)
    x, Y = tr.theta[:-1, 0], np.sqrt(beta) * tr.theta[:-1, 1]
    title = r"Toy loss (reconstruction of Appendix B), $\alpha = \beta = 1$, $\eta = 0.01$"
    eos.plot.sharpness_trace(tr.sharpness, eta, panels={r"$|x_t|$": np.abs(x)}, title=title);
    """),
    md("""
    The same run in the plane (|x|, y): a Lotka–Volterra-like cycle around (δ, 0), slowly
    spiralling outward. (`run_gd` labels the run *diverged*: the toy's loss is unbounded below
    through −z, and z grows by η each step; (x, y) stay bounded.)
    """),
    code(r"""
    def h(z):
        return z - np.log(z) - 1


    g = h(beta * x**2 / (2 * alpha)) + Y**2 / alpha
    eos.plot.phase_portrait(
        np.abs(x), Y, r"$|x_t|$ (along the top eigenvector $u$)",
        r"$y_t \approx S(\theta_t) - 2/\eta$", points={r"fixed point $(\delta, 0)$": (delta, 0)},
        path_label="GD on the toy loss",
        title=r"Reduced dynamics, $\alpha = \beta = 1$, $\eta = 0.01$")
    print(f"g: {g[0]:.2f} at the start, {g[-1]:.2f} after {len(g)} steps")
    """),
    code("""
    checks = ["self_stabilization.lv_conserved", "self_stabilization.corollary1",
              "self_stabilization.four_stages", "self_stabilization.theorem1"]
    print(eos.verify_all(names=checks).table())
    """),
]

SEED002_TWO_LAYER = [
    md(f"""
    # A minimalist example of edge of stability and progressive sharpening

    > {LIU}.

    The paper's figure settings were not recovered; eosmath's canonical setting reproduces
    their qualitative features: σ1 = 1, σ2 = 0.02, η = 4 (2/η = 0.5),
    θ0 = (a, w1, w2) = (0.67, 0.01, 1.0), ∂L/∂a clipped at C = 0.002. The sharpness (largest
    eigenvalue of the 3×3 Hessian, closed form) rises above 2/η again and again in
    self-stabilising cycles, with a loss spike at each, and settles just below 2/η.
    """),
    code(r"""
    import numpy as np

    import eosmath as eos
    from eosmath.theory.minimalist_two_layer import clipped_gd

    run = clipped_gd(1.0, 0.02, 4.0, (0.67, 0.01, 1.0), 0.002, steps=10000)
    sharpness = np.linalg.eigvalsh(run.hessians())[:, -1]
    title = r"Clipped GD, $\sigma_1 = 1$, $\sigma_2 = 0.02$, $\eta = 4$, $C = 0.002$"
    eos.plot.sharpness_trace(sharpness, 4.0, loss=run.loss(), title=title)
    above = sharpness > 2 / 4.0
    print(f"{np.sum(~above[:-1] & above[1:])} up-crossings of 2/η; "
          f"final η·S/2 = {4.0 * sharpness[-1] / 2:.6f}")
    """),
    code("""
    checks = ["two_layer_minimal.phases", "two_layer_minimal.gfs_bounds",
              "two_layer_minimal.pgd_rate"]
    print(eos.verify_all(names=checks).table())
    """),
]

SEED003_BLOG = [
    md(f"""
    # The quadratic and the soft quadratic x²/√(1+x²)

    > {BLOG}.

    Regimes of GD on a/2·x²; the soft quadratic's period-2 orbit with secant curvature exactly
    2/η, symmetry breaking at η = 3√3/2 and period doubling at η = 5.6629 (both computed here
    from the cycles' multipliers).
    """),
    code("""
    import numpy as np

    import eosmath as eos

    soft = eos.models.get("soft_quadratic")
    d = eos.orbit_diagram(soft, np.linspace(0.5, 8, 200), theta0=(0.7,), keep=64)
    eos.plot.orbit_diagram_plot(d);
    """),
    code("""
    (orbit,) = eos.periodic_orbits(soft, eta=1.5, period=2, guesses=[[0.7]])
    orbit.points.ravel(), orbit.multipliers, orbit.stable
    """),
    code('print(eos.verify_all(names=["quadratic", "soft_quadratic"]).table())'),
]

SEED004_SHALLOW_RELU = [
    md(f"""
    # Shallow networks at the edge of stability

    > {SHALLOW}: Lemma 2.1's balance identity, Theorem 3.1's phases (λ+ before λ−).

    > {COHEN}: the Chebyshev tanh network, where GD sharpens progressively up to 2/η and then
    > stays at the edge of stability.

    A 1–100–1 tanh network fitted to the degree-3 Chebyshev polynomial on 20 points (MSE),
    η = 0.2: the top three Hessian eigenvalues (Lanczos on finite-difference Hessian–vector
    products, every 20 steps).
    """),
    code(r"""
    import eosmath as eos
    from eosmath import nn

    net = nn.MLP([1, 100, 1], activation="tanh", bias=[True, False])
    obj = nn.Objective(net, nn.datasets.chebyshev(degree=3, n=20))
    run = nn.train_gd(obj, net.init(seed=0, scheme="chebyshev"), eta=0.2, steps=3000,
                      sharpness_every=20, top_k=3, quiet=True)
    title = r"Chebyshev tanh network (1–100–1), $\eta = 0.2$: top 3 Hessian eigenvalues"
    eos.plot.eigenvalue_trace(run.eig_steps, run.eigenvalues, 0.2, title=title);
    """),
    code("""
    checks = ["shallow_relu.balance_identity", "shallow_relu.phases",
              "shallow_relu.lr_decay_ends_oscillation", "progressive_sharpening.chebyshev_eos"]
    print(eos.verify_all(names=checks).table())
    """),
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
