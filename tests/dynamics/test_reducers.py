"""User reducers of a sweep against the same expression evaluated on run_gd's iterates."""

import numpy as np
import pytest

import eosmath as eos
from eosmath.errors import InvalidInputError

REDUCERS = {"peak_xy": "max: x*y", "low_x": "min: x", "energy": "sum: x^2 + y^2",
            "mean_tanh": "mean: tanh(x*y)"}


@pytest.fixture(scope="module")
def product():
    return eos.models.get("product", ell="logcosh")


@pytest.mark.parametrize("axes", [
    {"eta": np.linspace(0.5, 2.6, 9), "x": np.linspace(0.2, 1.9, 5), "y": 2.0},  # lane kernel
])
def test_reducers_equal_the_expression_on_the_trajectory(product, axes):
    ds = eos.sweep(product, steps=800, quiet=True, reducers=REDUCERS, **axes)
    for i, eta in enumerate(axes["eta"]):
        for j, x in enumerate(axes["x"]):
            tr = eos.run_gd(product, eta, (x, 2.0), steps=800, record=())
            th = tr.theta[: tr.stop_step]  # the iterates whose step was taken
            cell = ds.isel(eta=i, x=j)
            if len(th) == 0:
                assert np.isnan(float(cell.peak_xy))
                continue
            xs, ys = th[:, 0], th[:, 1]
            assert float(cell.peak_xy) == np.max(xs * ys)
            assert float(cell.low_x) == np.min(xs)
            np.testing.assert_allclose(float(cell.energy), np.sum(xs**2 + ys**2), rtol=1e-12)
            np.testing.assert_allclose(float(cell.mean_tanh), np.mean(np.tanh(xs * ys)),
                                       rtol=1e-12, atol=1e-15)


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_reducers_with_a_hyper_parameter_on_the_scalar_kernel():
    m = eos.models.get("scalar_network")  # three parameters: the one-cell-at-a-time kernel
    names = [str(p) for p in m.params]
    expr = f"max: {names[0]}*{names[1]}*{names[2]} - y"
    ds = eos.sweep(m, eta=np.array([0.05, 0.2]), steps=300, quiet=True,
                   reducers={"gap": expr}, **{n: 0.9 for n in names})
    for i, eta in enumerate([0.05, 0.2]):
        tr = eos.run_gd(m, eta, (0.9, 0.9, 0.9), steps=300, record=())
        th = tr.theta[: tr.stop_step]
        want = np.max(np.prod(th, axis=1) - m.hyper_values[0])
        assert float(ds.gap.isel(eta=i)) == want


@pytest.mark.parametrize("spec, message", [
    ({"a": "median: x"}, "unknown operation"),
    ({"a": "max: z"}, "reducer 'a'"),
    ({"a": "max x"}, "op: expression"),
    ({"not a name": "max: x"}, "identifier"),
    ({"a": "max: __import__('os')"}, "reducer 'a'"),
])
def test_bad_reducers_are_refused_before_running(product, spec, message):
    with pytest.raises(InvalidInputError, match=message):
        eos.sweep(product, eta=np.array([1.0]), x=0.5, y=2.0, steps=10, quiet=True,
                  reducers=spec)
