import numpy as np

import eosmath as eos


def test_phase_diagram_legend_names_the_statuses_present(tmp_path):
    m = eos.models.get("quadratic")
    ds = eos.sweep(m, eta=np.linspace(0.5, 3, 11), a=np.linspace(0.5, 1.5, 5), x=1.0,
                   steps=300, quiet=True)
    fig = eos.plot.phase_diagram(ds, "status", overlays={"η = 2/a": lambda eta: 2 / eta})
    names = dict(zip(ds["status"].attrs["flag_values"],
                     ds["status"].attrs["flag_meanings"].split(), strict=True))
    present = {names[c] for c in np.unique(ds["status"].values)}
    labels = {t.get_text() for t in fig.axes[0].get_legend().get_texts()}
    assert labels == present | {"η = 2/a"}          # the outcomes present, then the curves
    fig.savefig(tmp_path / "status.png")
    fig2 = eos.plot.phase_diagram(ds, "final_sharpness")
    assert len(fig2.axes) == 2            # the colour bar
    fig2.savefig(tmp_path / "sharpness.png")


def test_sharpness_trace_draws_the_two_over_eta_line():
    tr = eos.run_gd(eos.models.get("product"), 0.5, (0.3, 2.5), steps=400)
    fig = eos.plot.sharpness_trace(tr.sharpness, 0.5, loss=tr.loss)
    ys = [line.get_ydata()[0] for line in fig.axes[0].get_lines()[1:]]
    assert 4.0 in ys


def test_plot_cli(tmp_path):
    from eosmath.cli import main

    store = tmp_path / "s.zarr"
    assert main(["sweep", "product", "--eta", "0.5:3:5", "--x", "0.1:2:4", "--y", "2",
                 "--steps", "200", "--out", str(store), "--quiet"]) == 0
    out = tmp_path / "status.png"
    assert main(["plot", str(store), "status", "--out", str(out)]) == 0
    assert out.stat().st_size > 1000
    assert main(["plot", str(store), "nonsense"]) == 2


def _product_sweep():
    import eosmath as eos

    m = eos.models.get("product", ell="logcosh")
    return eos.sweep(m, eta=np.linspace(0.5, 3.0, 12), x=np.linspace(0.2, 2.0, 8), y=2.0,
                     steps=300, quiet=True)


def test_continuous_maps_mask_diverged_cells_and_use_math_labels():
    import eosmath as eos

    ds = _product_sweep()
    diverged = (ds["status"] == 3).values
    assert diverged.any() and (~diverged).any()
    fig = eos.plot.phase_diagram(ds, "final_eos_ratio")
    ax = fig.axes[0]
    shown = ax.collections[0].get_array()
    assert np.ma.getmaskarray(shown).reshape(ds["status"].T.shape)[diverged.T].all()
    valid_max = float(ds["final_eos_ratio"].where(~diverged).max())
    assert ax.collections[0].get_clim()[1] <= valid_max + 1e-12
    assert ax.get_xlabel() == r"step size $\eta$" and ax.get_ylabel() == "$x_0$"
    assert "$y_0 = 2$" in ax.get_title()


def test_sweep_variables_and_axes_carry_cf_long_name_and_units():
    ds = _product_sweep()
    for name in [*ds.data_vars, *ds.coords]:
        assert ds[name].attrs.get("long_name") and ds[name].attrs.get("units") == "1", name


def _text_outside_math(text: str) -> str:
    return "".join(part for i, part in enumerate(text.split("$")) if i % 2 == 0)


def _house_style(fig):
    """Every axes labelled in words or mathtext (no Python identifiers), every line drawn in
    Okabe–Ito or black, every legend outside the axes it explains."""
    from matplotlib.colors import to_hex

    from eosmath.plot.figures import OKABE_ITO

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    for ax in axes:
        for text in (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()):
            assert "_" not in _text_outside_math(text), text
        for line in ax.get_lines():
            assert to_hex(line.get_color()) in {c.lower() for c in OKABE_ITO}, line.get_label()
        legend = ax.get_legend()
        if legend is not None:
            box, frame = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
            assert box.x0 >= frame.x1 or box.y1 <= frame.y0, "legend over the data"
    assert axes[0].get_title() and axes[-1].get_xlabel()


def test_every_plotting_function_follows_the_house_style():
    tr = eos.run_gd(eos.models.get("product"), 0.5, (0.3, 2.5), steps=400)
    figures = [eos.plot.sharpness_trace(tr.sharpness, 0.5, loss=tr.loss),
               eos.plot.sharpness_trace(tr.sharpness, 0.5, panels={"$|x_t|$": tr.theta[:-1, 0]}),
               eos.plot.eigenvalue_trace(np.arange(5), np.ones((5, 3)), 0.5),
               eos.plot.phase_portrait(np.cos(np.arange(9)), np.sin(np.arange(9)), "$X$", "$Y$",
                                       points={"centre": (0.0, 0.0)}, path_label="orbit",
                                       title="a cycle"),
               eos.plot.orbit_diagram_plot(eos.orbit_diagram(
                   eos.models.get("soft_quadratic"), np.array([0.5, 1.5]), theta0=(0.7,),
                   keep=8, transient=200))]
    m = eos.models.get("quadratic")
    ds = eos.sweep(m, eta=np.linspace(0.5, 3, 6), a=np.linspace(0.5, 1.5, 3), x=1.0, steps=100,
                   quiet=True)
    curve = {r"$\eta = 2/a$": lambda eta: 2 / eta}
    figures += [eos.plot.phase_diagram(ds, v, overlays=curve)
                for v in ("status", "final_sharpness", "period")]
    for fig in figures:
        _house_style(fig)


def test_phase_portrait_marks_its_points_inside_the_axes_and_names_them_beside():
    fig = eos.plot.phase_portrait([0.1, 3.0, 1.0], [-2.0, 0.5, 2.0], "$|x|$", "$y$",
                                  points={r"fixed point $(\delta, 0)$": (1.4, 0.0)})
    ax = fig.axes[0]
    (marker,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("fixed point")]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < marker.get_xdata()[0] < x1 and y0 < marker.get_ydata()[0] < y1
    assert marker.get_zorder() > ax.get_lines()[0].get_zorder()    # drawn over the path
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [r"fixed point $(\delta, 0)$"]


def test_sharpness_trace_panels_and_log_scale_for_a_loss():
    s = np.linspace(1.0, 3.0, 20)
    loss = np.r_[np.geomspace(1.0, 1e-12, 19), 0.0]              # an exact zero: a gap
    fig = eos.plot.sharpness_trace(s, 0.8, loss=loss, panels={"$|x_t|$": -s})
    top, loss_ax, other = fig.axes
    assert loss_ax.get_yscale() == "log" and other.get_yscale() == "linear"   # −s: not ≥ 0
    assert loss_ax.get_ylabel() == r"loss $L(\theta_t)$"
    assert 2 / 0.8 in [ln.get_ydata()[0] for ln in top.get_lines()]
    assert other.get_xlabel() == "step $t$" and top.get_xlabel() == ""


def test_eigenvalue_trace_draws_each_eigenvalue_and_the_threshold():
    fig = eos.plot.eigenvalue_trace([0, 10, 20], [[3.0, 2.0], [4.0, 2.5], [5.0, 2.7]], 0.25)
    lines = fig.axes[0].get_lines()
    assert [ln.get_label() for ln in lines] == [r"$\lambda_{1}$", r"$\lambda_{2}$", r"$2/\eta$"]
    np.testing.assert_array_equal(lines[1].get_ydata(), [2.0, 2.5, 2.7])
    assert lines[2].get_ydata()[0] == 8.0


def test_orbit_diagram_labels_come_from_the_catalog():
    diagram = eos.orbit_diagram(eos.models.get("soft_quadratic"), np.array([0.5, 1.5]),
                                theta0=(0.7,), keep=8, transient=200)
    ax = eos.plot.orbit_diagram_plot(diagram).axes[0]
    assert ax.get_ylabel() == "$x$ on the attractor"
    assert ax.get_title() == "Orbit diagram of GD on f(x) = x²/√(1+x²)"


def test_overlay_curves_are_named_in_the_legend_and_drawn_where_defined():
    m = eos.models.get("quadratic")
    ds = eos.sweep(m, eta=np.linspace(0.5, 3, 6), a=np.linspace(0.5, 1.5, 3), x=1.0, steps=50,
                   quiet=True)
    fig = eos.plot.phase_diagram(ds, "final_sharpness",
                                 overlays={"gap": lambda eta: np.where(eta > 1, 1.0, np.nan)})
    ax = fig.axes[0]
    (curve,) = ax.get_lines()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["gap"]
    np.testing.assert_array_equal(np.isnan(curve.get_ydata()), ds["eta"].values <= 1)


def test_title_names_what_was_held_fixed_not_what_was_swept():
    m = eos.models.get("quadratic")
    ds = eos.sweep(m, eta=np.linspace(0.5, 3, 4), a=np.linspace(0.5, 1.5, 3),
                   x=np.linspace(0.5, 1.0, 2), steps=50, quiet=True)
    title = eos.plot.phase_diagram(ds.sel(x=1.0), "status").axes[0].get_title()
    assert title == "Outcome of GD — $x_0 = 1$"         # a swept: its default is not "fixed"


def test_plotting_refuses_what_it_cannot_draw_with_a_clear_error():
    import matplotlib.pyplot as plt
    import pytest

    from eosmath.errors import InvalidInputError

    _, ax = plt.subplots()
    with pytest.raises(InvalidInputError, match="axes of their own"):
        eos.plot.sharpness_trace(np.ones(5), 0.5, loss=np.ones(5), ax=ax)   # loss not dropped
    with pytest.raises(InvalidInputError, match="3 rows of eigenvalues for 4 steps"):
        eos.plot.eigenvalue_trace(np.arange(4), np.ones((3, 2)), 0.5)
