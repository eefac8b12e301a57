"""The plotting functions; each returns its matplotlib Figure."""

from __future__ import annotations

import numpy as np

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008).
STATUS_COLOURS = {"converged": "#0072B2", "period": "#009E73", "chaotic": "#D55E00",
                  "diverged": "#999999", "max_steps": "#E69F00", "invalid": "#000000",
                  "not_computed": "#FFFFFF"}
VALID_STATUSES = ("converged", "period", "chaotic", "max_steps")
"""Outcomes whose end-of-run statistics are numbers about the dynamics (the others are
masked in maps of continuous variables)."""


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.5), layout="constrained")
        return fig, ax
    return ax.figure, ax


def _label(ds, name: str, kind: str) -> str:
    """A variable's or axis's plot label: its ``label`` attribute, else long_name, else name."""
    from eosmath.dynamics.variables import axis_attrs, variable_attrs

    attrs = ds[name].attrs
    if "label" in attrs:
        return attrs["label"]
    params = _sweep_config(ds).get("params", ())
    default = axis_attrs(name, params) if kind == "axis" else variable_attrs(name)
    return default["label"]


def _sweep_config(ds) -> dict:
    import json

    try:
        return json.loads(ds.attrs.get("sweep_config", "{}"))
    except ValueError:
        return {}


def held_fixed(ds) -> str:
    """The values a sweep held fixed, as mathtext (e.g. ``$y_0 = 2$``), for titles."""
    from eosmath.dynamics.variables import math_symbol

    config = _sweep_config(ds)
    params = config.get("params", ())
    return ", ".join(f"${math_symbol(k)}{'_0' if k in params else ''} = {v:g}$"
                     for k, v in config.get("fixed", {}).items() if isinstance(v, (int, float)))


def valid_cells(ds):
    """Boolean mask of the cells whose status is one of :data:`VALID_STATUSES`."""
    status = ds["status"]
    names = status.attrs.get("flag_meanings", "").split()
    codes = list(status.attrs.get("flag_values", range(len(names))))
    good = [c for c, n in zip(codes, names, strict=True) if n in VALID_STATUSES]
    return status.isin(good)


def phase_diagram(ds, variable: str = "status", ax=None, overlays=None, title=None):
    """A 2-D sweep variable over its two axes, η horizontal when η is swept.

    ``status`` is drawn with one colour per outcome (colour-blind-safe) and a legend beside
    the axes naming the outcomes present (from the CF ``flag_meanings``); ``period`` with a
    discrete colour map; other variables with a colour bar, their diverged, invalid and
    not-computed cells masked (grey) so they neither paint values nor set the colour scale.
    Axis labels and the title are in mathematical notation, with the values held fixed.
    ``overlays`` maps a label to a callable of the horizontal coordinate (e.g.
    ``{"η = 2/S₀": lambda eta: ...}``) or to an (x, y) pair of arrays; curves are drawn on top.
    """
    import matplotlib as mpl
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    da = ds[variable]
    if da.ndim != 2:
        raise ValueError(f"{variable} has {da.ndim} dimensions; a phase diagram needs 2 "
                         "(select a slice first, e.g. ds.sel(a=1.0))")
    if "eta" in da.dims and da.dims[0] != "eta":
        da = da.transpose("eta", ...)
    xdim, ydim = da.dims
    x, y = ds[xdim].values, ds[ydim].values
    fig, ax = _axes(ax)
    if variable == "status":
        values = da.values.T
        names = da.attrs.get("flag_meanings", "").split()
        codes = [int(c) for c in da.attrs.get("flag_values", range(len(names)))]
        colours = [STATUS_COLOURS.get(n, "#CC79A7") for n in names]
        # codes need not be sorted nor 0..n-1 (not_computed is −1): draw each code's position
        position = np.full(values.shape, np.nan)
        for i, code in enumerate(codes):
            position[values == code] = i
        cmap = ListedColormap(colours)
        ax.pcolormesh(x, y, position, cmap=cmap,
                      norm=BoundaryNorm(np.arange(len(codes) + 1) - 0.5, cmap.N),
                      shading="auto")
        present = sorted({int(i) for i in np.unique(position[np.isfinite(position)])})
        handles = [Patch(facecolor=colours[i], edgecolor="k", linewidth=0.3,
                         label=names[i].replace("_", " ")) for i in present]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  frameon=False)
    else:
        masked = da.where(valid_cells(ds)) if "status" in ds else da
        values = np.ma.masked_invalid(masked.transpose(*da.dims).values.T.astype(float))
        if variable == "period":
            ks = sorted(int(k) for k in np.unique(values.compressed()))
            ks = ks or [0]
            cmap = mpl.colormaps["tab10"].resampled(max(len(ks), 2)).with_extremes(
                bad="#999999")
            norm = BoundaryNorm(np.arange(len(ks) + 1) - 0.5, cmap.N)
            index = np.ma.array(np.searchsorted(ks, values.filled(ks[0])), mask=values.mask)
            mesh = ax.pcolormesh(x, y, index, cmap=cmap, norm=norm, shading="auto")
            bar = fig.colorbar(mesh, ax=ax, ticks=range(len(ks)), label=_label(ds, variable,
                                                                                 "variable"))
            bar.ax.set_yticklabels([str(k) for k in ks])
        else:
            cmap = mpl.colormaps["viridis"].with_extremes(bad="#999999")
            mesh = ax.pcolormesh(x, y, values, cmap=cmap, shading="auto")
            fig.colorbar(mesh, ax=ax, label=_label(ds, variable, "variable"))
    for label, curve in (overlays or {}).items():
        xs, ys = (x, curve(x)) if callable(curve) else curve
        ax.plot(xs, ys, "w--", lw=1.5, label=label)
        ax.annotate(label, (xs[len(xs) // 2], ys[len(ys) // 2]), color="white", fontsize=8)
    ax.set_ylim(y.min(), y.max())
    ax.set_xlabel(_label(ds, xdim, "axis"))
    ax.set_ylabel(_label(ds, ydim, "axis"))
    if title is None:
        name = da.attrs.get("long_name", variable) if variable != "status" else "outcome of GD"
        fixed = held_fixed(ds)
        name = name[0].upper() + name[1:] if name[0].isascii() else name
        title = name + (f" ({fixed})" if fixed else "")
    ax.set_title(title, fontsize=10)
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
