"""run_flow(..., precision=digits): mpmath's Taylor integrator against closed forms, a
conserved quantity and the float64 flow."""

import mpmath
import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.precise_flow import PreciseFlow
from eosmath.errors import InvalidInputError


def test_quadratic_flow_is_the_exponential_to_30_digits():
    fl = eos.run_flow(eos.models.get("quadratic", a=4.0), ("1.5",),
                      t_eval=["0.25", "0.5", "1"], precision=30)
    assert isinstance(fl, PreciseFlow) and fl.precision == 30
    with mpmath.workdps(30):
        for t, (theta,) in zip(fl.t, fl.trajectory, strict=True):
            assert abs(theta - mpmath.mpf("1.5") * mpmath.exp(-4 * t)) < mpmath.mpf("1e-28")


def test_product_flow_conserves_x2_minus_y2_and_matches_float64():
    m = eos.models.get("product", ell="logcosh")
    times = [0.5, 1.0]
    fl = eos.run_flow(m, ("0.8", "1.9"), t_eval=times, precision=25)
    with mpmath.workdps(25):
        q0 = mpmath.mpf("0.8") ** 2 - mpmath.mpf("1.9") ** 2
        for x, y in fl.trajectory:
            assert abs((x**2 - y**2) - q0) < mpmath.mpf("1e-23")
    fast = eos.run_flow(m, (0.8, 1.9), t_eval=times)
    np.testing.assert_allclose(fl.to_numpy(), fast.trajectory, rtol=0, atol=1e-10)


def test_bad_input_is_refused():
    m = eos.models.get("quadratic", a=4.0)
    for kwargs, words in [({"precision": 30}, "needs t_eval"),
                          ({"precision": 30, "t_eval": [1.0, 0.5]}, "increasing"),
                          ({"precision": 30, "t_eval": []}, "non-empty"),
                          ({"precision": 0, "t_eval": [1.0]}, "precision")]:
        with pytest.raises(InvalidInputError, match=words):
            eos.run_flow(m, (1.0,), **kwargs)
