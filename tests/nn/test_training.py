import numpy as np
import pytest

from eosmath import nn
from eosmath.cli import main


def chebyshev(hidden=100):
    net = nn.MLP([1, hidden, 1], activation="tanh", bias=[True, False])
    return nn.Objective(net, nn.datasets.chebyshev(3, 20)), net.init(seed=0, scheme="chebyshev")


def test_progressive_sharpening_then_edge_of_stability():
    obj, theta = chebyshev()
    eta = 0.2
    run = nn.train_gd(obj, theta, eta=eta, steps=2400, sharpness_every=20, top_k=1, quiet=True)
    assert run.status == "completed" and run.eig_converged.all()
    ratio = run.eos_ratio
    assert ratio[0] < 0.5                                  # starts far below 2/η
    first = int(np.argmax(ratio >= 0.9))                   # rises to within 10 % of 2/η
    assert ratio[first] >= 0.9 and run.eig_steps[first] > 200
    after = ratio[first:]
    assert after.min() >= 0.8 and after.max() <= 1.25     # then hovers in a band around 1
    assert 0.9 <= np.median(after) <= 1.1
    crossing = run.eig_steps[first]
    assert run.loss[-1] < 0.8 * run.loss[crossing]         # loss keeps decreasing overall …
    assert np.any(np.diff(run.loss[crossing:]) > 0)        # … but not monotonically


def test_flow_baseline_tracks_gd_at_small_eta():
    obj, theta = chebyshev(hidden=20)
    small = nn.train_gd(obj, theta, eta=0.01, steps=100, sharpness_every=25, top_k=1,
                        flow_baseline=True, quiet=True)
    larger = nn.train_gd(obj, theta, eta=0.04, steps=25, sharpness_every=25, top_k=1,
                         flow_baseline=True, quiet=True)
    assert small.gd_gf_distance[0] == 0.0 and small.gf_sharpness.shape == (5,)
    # both reach time 1; GD's deviation from GF is O(η)
    assert 0 < small.gd_gf_distance[-1] < larger.gd_gf_distance[-1]
    assert small.gd_gf_distance[-1] < 1e-2 * np.linalg.norm(theta)


def test_divergence_is_a_status_and_goals_stop_early():
    obj, theta = chebyshev(hidden=20)
    diverged = nn.train_gd(obj, theta, eta=1e3, steps=200, sharpness_every=50, top_k=1,
                           quiet=True)
    assert diverged.status == "diverged" and diverged.steps_done < 200
    assert np.all(np.isfinite(diverged.loss))
    goal = nn.train_gd(obj, theta, eta=0.1, steps=2000, sharpness_every=50, top_k=1,
                       loss_goal=0.1, quiet=True)
    assert goal.status == "goal_reached" and goal.loss[-1] <= 0.1 < goal.loss[-2]


def test_step_decay_schedule_and_accuracy_goal():
    data = nn.datasets.digits(n=100, two_class=True)
    net = nn.MLP([64, 16, 1], activation="tanh")
    obj = nn.Objective(net, data)
    run = nn.train_gd(obj, net.init(seed=0), eta=0.05, steps=60, sharpness_every=30, top_k=2,
                      lr_schedule=nn.lr_schedules.step_decay(20), quiet=True, method="lobpcg")
    assert np.allclose(run.eta[:20], 0.05) and np.allclose(run.eta[20:], 0.0125)
    assert np.all((run.accuracy >= 0) & (run.accuracy <= 1))
    goal = nn.train_gd(obj, net.init(seed=0), eta=0.05, steps=500, sharpness_every=100,
                       top_k=1, acc_goal=0.99, quiet=True)
    assert goal.status == "goal_reached" and goal.accuracy[-1] >= 0.99


@pytest.mark.parametrize("suffix", [".nc", ".npz"])
def test_save_round_trip(tmp_path, suffix):
    obj, theta = chebyshev(hidden=10)
    run = nn.train_gd(obj, theta, eta=0.1, steps=20, sharpness_every=10, top_k=2,
                      flow_baseline=True, quiet=True)
    path = run.save(tmp_path / f"run{suffix}")
    if suffix == ".nc":
        import xarray as xr

        with xr.open_dataset(path) as ds:
            assert np.allclose(ds["loss"].values, run.loss)
            assert ds.attrs["status"] == "completed" and "eosmath_version" in ds.attrs
    else:
        with np.load(path) as f:
            assert np.allclose(f["eigenvalues"], run.eigenvalues)


def test_float32_training_keeps_dtype():
    obj, theta = chebyshev(hidden=10)
    run = nn.train_gd(obj, theta.astype(np.float32), eta=0.1, steps=10, sharpness_every=5,
                      top_k=1, quiet=True)
    assert run.theta.dtype == np.float32 and run.attrs["dtype"] == "float32"


def test_cli_train_writes_netcdf(tmp_path, capsys):
    out = tmp_path / "cheb.nc"
    code = main(["train", "--data", "chebyshev", "--arch", "1-20-1", "--act", "tanh",
                 "--eta", "0.1", "--steps", "30", "--sharpness-every", "10", "--top-k", "2",
                 "--out", str(out)])
    assert code == 0 and out.exists()
    assert "completed" in capsys.readouterr().out
    assert main(["train", "--arch", "1-x-1", "--eta", "0.1", "--out", str(out), "--quiet"]) == 2
