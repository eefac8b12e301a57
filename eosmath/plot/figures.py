"""The plotting functions; each returns its matplotlib Figure."""

from __future__ import annotations

import numpy as np

STATUS_COLOURS = {"converged": "#4c72b0", "period": "#55a868", "chaotic": "#c44e52",
                  "diverged": "#8c8c8c", "max_steps": "#dd8452", "invalid": "#000000",
                 "not_computed": "#ffffff"}


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4.5))
        return fig, ax
    return ax.figure, ax


def phase_diagram(ds, variable: str = "status", ax=None, overlays=None, title=None):
    """A 2-D sweep variable over its two axes (first axis horizontal).

    ``status`` is drawn with one colour per outcome and a legend naming the outcomes present
    (from the CF ``flag_meanings``); numeric variables get a colour bar. ``overlays`` maps a
    label to a callable of the horizontal coordinate (e.g. ``{"η = 2/S₀": lambda eta: ...}``)
    or to an (x, y) pair of arrays; the curves are drawn on top.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    da = ds[variable]
    if da.ndim != 2:
        raise ValueError(f"{variable} has {da.ndim} dimensions; a phase diagram needs 2")
    xdim, ydim = da.dims
    x, y = ds[xdim].values, ds[ydim].values
    fig, ax = _axes(ax)
    values = da.values.T
    if variable == "status":
        names = da.attrs.get("flag_meanings", "").split()
        codes = [int(c) for c in da.attrs.get("flag_values", range(len(names)))]
        colours = [STATUS_COLOURS.get(n, "#999999") for n in names]
        # codes need not be 0..n-1 (not_computed is −1): draw the position of each code
        position = np.full(values.shape, np.nan)
        for i, code in enumerate(codes):
            position[values == code] = i
        cmap = ListedColormap(colours)
        norm = BoundaryNorm(np.arange(-0.5, len(codes) + 0.5), cmap.N)
        ax.pcolormesh(x, y, position, cmap=cmap, norm=norm, shading="auto")
        present = sorted({int(i) for i in np.unique(position[np.isfinite(position)])})
        ax.legend(handles=[Patch(facecolor=colours[i], edgecolor="#555555", label=names[i])
                           for i in present], loc="upper right", fontsize=8)
    else:
        mesh = ax.pcolormesh(x, y, values, shading="auto")
        fig.colorbar(mesh, ax=ax, label=da.attrs.get("long_name", variable))
    for label, curve in (overlays or {}).items():
        xs, ys = (x, curve(x)) if callable(curve) else curve
        ax.plot(xs, ys, "w--", lw=1.5, label=label)
        ax.annotate(label, (xs[len(xs) // 2], ys[len(ys) // 2]), color="white", fontsize=8)
    ax.set_ylim(y.min(), y.max())
    ax.set_xlabel(xdim)
    ax.set_ylabel(ydim)
    ax.set_title(title or f"{variable} ({ds.attrs.get('model_loss', '')})")
    return fig


def sharpness_trace(sharpness, eta: float, loss=None, ax=None, title=None):
    """Sharpness along a run with the stability threshold 2/η; loss on a second panel."""
    import matplotlib.pyplot as plt

    if loss is not None and ax is None:
        fig, (ax, ax_loss) = plt.subplots(2, 1, figsize=(6, 5), sharex=True)
        ax_loss.semilogy(np.asarray(loss))
        ax_loss.set_ylabel("loss")
        ax_loss.set_xlabel("step")
    else:
        fig, ax = _axes(ax)
        ax.set_xlabel("step")
    ax.plot(np.asarray(sharpness), label="sharpness S(θ_t)")
    ax.axhline(2.0 / eta, color="k", ls="--", label="2/η")
    ax.set_ylabel("sharpness")
    ax.legend(fontsize=8)
    ax.set_title(title or f"η = {eta:g}")
    return fig


def orbit_diagram_plot(result, ax=None, title=None):
    """The iterates kept for each η of an :func:`~eosmath.dynamics.orbits.orbit_diagram`."""
    fig, ax = _axes(ax)
    eta = np.repeat(result.eta, result.iterates.shape[1])
    ax.plot(eta, result.iterates.ravel(), ",k", alpha=0.6)
    ax.set_xlabel("η")
    ax.set_ylabel(f"θ[{result.coordinate}] on the attractor")
    ax.set_title(title or f"orbit diagram: {result.model_name}")
    return fig
