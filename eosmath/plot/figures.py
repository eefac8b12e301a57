"""The plotting functions; each returns its matplotlib Figure.

The house style lives here and nowhere else: labels and titles in mathtext (η, x₀, S, ηS/2),
η on the horizontal axis, Okabe & Ito's colour-blind-safe colours, legends beside the axes
(never over the data), and the stability threshold 2/η drawn wherever a sharpness is.
"""

from __future__ import annotations

import numpy as np

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Line colours, in order: blue, vermillion, bluish green, reddish purple, orange, sky blue."""
STATUS_COLOURS = {"converged": "#0072B2", "period": "#009E73", "chaotic": "#D55E00",
                  "diverged": "#999999", "max_steps": "#E69F00", "invalid": "#000000",
                  "not_computed": "#FFFFFF"}
ETA_LABEL = r"step size $\eta$"
STEP_LABEL = r"step $t$"
THRESHOLD_LABEL = r"$2/\eta$"
VALID_STATUSES = ("converged", "period", "chaotic", "max_steps")
"""Outcomes whose end-of-run statistics are numbers about the dynamics (the others are
masked in maps of continuous variables)."""


def _axes(ax, figsize=(6.4, 4.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def legend_beside(ax, handles=None, **kwargs):
    """A legend to the right of ``ax``, outside it, so that it never covers data."""
    options = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8,
               "frameon": False, "borderaxespad": 0.0, **kwargs}
    return ax.legend(handles=handles, **options) if handles is not None else ax.legend(**options)


def threshold_line(ax, eta: float, **kwargs):
    """The stability threshold S = 2/η as a dashed horizontal line (labelled ``2/η``)."""
    return ax.axhline(2.0 / eta, color="k", ls="--", lw=1.0, label=THRESHOLD_LABEL, **kwargs)


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
    # a swept name is not fixed (the config keeps its default); an axis cut by .sel() is
    fixed = {k: v for k, v in config.get("fixed", {}).items() if k not in ds.dims}
    fixed.update({k: float(ds[k]) for k in config.get("axes", {})
                  if k in ds.coords and ds[k].ndim == 0})
    return ", ".join(f"${math_symbol(k)}{'_0' if k in params else ''} = {v:g}$"
                     for k, v in fixed.items() if isinstance(v, (int, float)))


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
    ``overlays`` maps a label to a callable of the horizontal coordinate (η when η is swept:
    e.g. ``{r"$x_0 = \\sqrt{y_0^2 - 2/\\eta}$": lambda eta: ...}``) or to an (x, y) pair of
    arrays; curves are drawn on top, dashed, and named in the legend (NaN leaves a gap).
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
    import matplotlib.patheffects as pe

    curves = []
    for label, curve in (overlays or {}).items():
        xs, ys = (x, curve(x)) if callable(curve) else curve
        # black dash on a white halo: visible on every cell colour and in the legend
        curves += ax.plot(xs, ys, color="k", ls="--", lw=1.4, label=label,
                          path_effects=[pe.withStroke(linewidth=3.2, foreground="white")])
    if variable == "status":
        legend_beside(ax, handles=handles + curves)
    elif curves:  # the colour bar is on the right: the curves' legend goes under the axes
        ax.legend(handles=curves, loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8,
                  frameon=False)
    ax.set_ylim(y.min(), y.max())
    ax.set_xlabel(_label(ds, xdim, "axis"))
    ax.set_ylabel(_label(ds, ydim, "axis"))
    if title is None:
        name = da.attrs.get("long_name", variable) if variable != "status" else "outcome of GD"
        fixed = held_fixed(ds)
        name = name[0].upper() + name[1:] if name[0].isascii() else name
        title = name + (f" — {fixed}" if fixed else "")
    ax.set_title(title, fontsize=10)
    return fig


def sharpness_trace(sharpness, eta: float, loss=None, ax=None, title=None, panels=None,
                    label=r"$S(\theta_t)$"):
    r"""Sharpness along a run with the stability threshold 2/η; loss and ``panels`` below.

    ``panels`` maps a mathtext label to a series (same steps) drawn in its own panel under the
    sharpness, on a log scale when it is non-negative (``loss`` is the panel ``$L(\theta_t)$``).

    >>> import numpy as np
    >>> fig = sharpness_trace(np.linspace(1, 4, 50), 0.5, panels={"$|x_t|$": np.ones(50)})
    >>> [a.get_ylabel() for a in fig.axes], fig.axes[-1].get_xlabel()
    (['sharpness $S(\\theta_t)$', '$|x_t|$'], 'step $t$')
    """
    import matplotlib.pyplot as plt

    from eosmath.errors import InvalidInputError

    below = dict(panels or {})
    if loss is not None:
        below = {r"loss $L(\theta_t)$": loss, **below}
    if below and ax is not None:
        raise InvalidInputError("sharpness_trace: the loss and panels get axes of their own; "
                                "leave ax=None, or plot them on your axes yourself")
    if below:
        fig, axes = plt.subplots(1 + len(below), 1, figsize=(6.4, 2.2 + 1.8 * len(below)),
                                 sharex=True, layout="constrained",
                                 height_ratios=[1.4] + [1.0] * len(below))
        ax = axes[0]
        for i, (panel, (name, values)) in enumerate(zip(axes[1:], below.items(), strict=True)):
            values = np.asarray(values, dtype=float)
            finite = values[np.isfinite(values)]
            # log scale for a non-negative series (a loss); exact zeros leave gaps
            plot = panel.semilogy if (finite >= 0).all() and (finite > 0).any() else panel.plot
            plot(np.arange(len(values)), values, color=OKABE_ITO[1 + i % 5], lw=0.9)
            panel.set_ylabel(name)
        axes[-1].set_xlabel(STEP_LABEL)
    else:
        fig, ax = _axes(ax)
        ax.set_xlabel(STEP_LABEL)
    sharpness = np.asarray(sharpness, dtype=float)
    ax.plot(np.arange(len(sharpness)), sharpness, color=OKABE_ITO[0], lw=1.0, label=label)
    threshold_line(ax, eta)
    ax.set_ylabel(r"sharpness $S(\theta_t)$")
    legend_beside(ax)
    ax.set_title(title or rf"Sharpness along GD, $\eta = {eta:g}$", fontsize=10)
    return fig


def eigenvalue_trace(steps, eigenvalues, eta: float, ax=None, title=None):
    r"""The top Hessian eigenvalues λ₁ ≥ λ₂ ≥ … along a run (columns of ``eigenvalues``,
    measured at ``steps``), with the stability threshold 2/η.

    >>> import numpy as np
    >>> fig = eigenvalue_trace(np.arange(3), np.array([[3.0, 1.0]] * 3), eta=0.5)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['$\\lambda_{1}$', '$\\lambda_{2}$', '$2/\\eta$']
    """
    from eosmath.errors import InvalidInputError

    values = np.asarray(eigenvalues, dtype=float)
    values = values.reshape(len(values), -1) if values.ndim else values.reshape(1, 1)
    if len(values) != len(steps):
        raise InvalidInputError(f"eigenvalue_trace: {len(values)} rows of eigenvalues for "
                                f"{len(steps)} steps; give one row per step")
    fig, ax = _axes(ax)
    for j in range(values.shape[1]):
        ax.plot(steps, values[:, j], color=OKABE_ITO[j % len(OKABE_ITO)], lw=1.0,
                label=rf"$\lambda_{{{j + 1}}}$")
    threshold_line(ax, eta)
    ax.set_xlabel(STEP_LABEL)
    ax.set_ylabel(r"Hessian eigenvalue $\lambda_i(\nabla^2 L(\theta_t))$")
    legend_beside(ax)
    ax.set_title(title or rf"Top {values.shape[1]} Hessian eigenvalues, $\eta = {eta:g}$",
                 fontsize=10)
    return fig


def phase_portrait(x, y, xlabel: str, ylabel: str, points=None, ax=None, title=None,
                   path_label=None):
    """A trajectory in a plane (``x`` against ``y``), with marked ``points`` on top.

    ``points`` maps a label to an (x, y) pair, e.g. ``{"fixed point $(\\delta, 0)$": (d, 0)}``;
    the legend is beside the axes, so it never hides a marked point.

    >>> import numpy as np
    >>> t = np.linspace(0, 6.3, 50)
    >>> fig = phase_portrait(np.cos(t), np.sin(t), "$X$", "$Y$", points={"centre": (0, 0)})
    >>> fig.axes[0].get_legend().get_texts()[-1].get_text()
    'centre'
    """
    fig, ax = _axes(ax, figsize=(6.0, 4.5))
    ax.plot(x, y, color=OKABE_ITO[0], lw=0.7, label=path_label)
    markers = "o^sD"
    for i, (name, (px, py)) in enumerate((points or {}).items()):
        ax.plot([px], [py], markers[i % len(markers)], color=OKABE_ITO[1 + i % 6],
                markeredgecolor="k", markersize=7, zorder=5, label=name, ls="none")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if path_label or points:
        legend_beside(ax)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def orbit_diagram_plot(result, ax=None, title=None):
    """The iterates kept for each η of an :func:`~eosmath.dynamics.orbits.orbit_diagram`."""
    fig, ax = _axes(ax)
    eta = np.repeat(result.eta, result.iterates.shape[1])
    ax.plot(eta, result.iterates.ravel(), ",", color="k", alpha=0.6)
    name, description = _catalog_names(result.model_name, result.coordinate)
    ax.set_xlabel(ETA_LABEL)
    ax.set_ylabel(f"${name}$ on the attractor")
    ax.set_title(title or f"Orbit diagram of GD on {description}", fontsize=10)
    return fig


def _catalog_names(model_name: str, coordinate: int) -> tuple[str, str]:
    """(mathtext name of the coordinate, the model's formula) from the catalog, where it is
    there (parameter names do not depend on hyper-parameters); else θ_i and the name."""
    from eosmath import models
    from eosmath.dynamics.variables import math_symbol
    from eosmath.errors import EosmathError

    try:
        model = models.get(model_name)
        return math_symbol(str(model.params[coordinate])), model.description or model_name
    except (EosmathError, AttributeError, IndexError):  # a user's model: not in the catalog
        return rf"\theta_{{{coordinate}}}", model_name.replace("_", " ")
