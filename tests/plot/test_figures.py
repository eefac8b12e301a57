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
    assert labels == present
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
