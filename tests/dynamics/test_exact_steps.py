"""``stop=False``: exactly N steps in sweeps too, cell by cell equal to ``run_gd``."""

import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.status import Status


@pytest.mark.parametrize("name, kwargs, start, rule", [
    ("quadratic", {"a": 4.0}, {"x": 1.0}, None),                        # lane kernel (dim 1)
    ("two_layer_minimal", {"sigma1": 1.0, "sigma2": 0.5},                # scalar kernel (dim 3)
     {"a": 0.6, "w1": 0.1, "w2": 1.0}, None),
    ("two_layer_minimal", {"sigma1": 1.0, "sigma2": 0.5},
     {"a": 0.6, "w1": 0.1, "w2": 1.0}, eos.rules.clip("a", 0.01)),
])
def test_sweep_without_early_stops_equals_run_gd(name, kwargs, start, rule):
    m = eos.models.get(name, **kwargs)
    etas = np.array([0.1, 0.3, 0.5, 0.55])
    steps = 300
    ds = eos.sweep(m, eta=etas, steps=steps, stop=False, rule=rule, quiet=True, **start)
    early = eos.sweep(m, eta=etas, steps=steps, rule=rule, quiet=True, **start)
    assert np.any(early["stop_step"].values < steps)        # the default rules did cut runs
    for k, eta in enumerate(etas):
        tr = eos.run_gd(m, eta, tuple(start.values()), steps, stop=False, rule=rule)
        assert int(ds["stop_step"][k]) == tr.stop_step
        assert Status(int(ds["status"][k])) == tr.status
        assert tr.status not in (Status.CONVERGED, Status.PERIOD)
        assert tr.status == Status.DIVERGED or tr.stop_step == steps
        final = [float(ds[f"final_{p}"][k]) for p in map(str, m.params)]
        assert np.array_equal(final, tr.theta[-1])
