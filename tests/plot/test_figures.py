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
