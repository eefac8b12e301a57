"""run_flow(..., t_eval=...): the gradient-flow trajectory at requested times, against closed
forms (quadratic: θ₀e^{−at}) and the conserved x² − y² of the product model."""

import numpy as np
import pytest

import eosmath as eos
from eosmath.errors import InvalidInputError


@pytest.mark.parametrize("method", ["auto", "DOP853", "Radau"])
def test_quadratic_flow_matches_the_exponential(method):
    times = np.linspace(0.0, 5.0, 26)
    r = eos.run_flow(eos.models.get("quadratic", a=4.0), (1.5,), t_eval=times, method=method)
    assert np.array_equal(r.t, times) and r.trajectory.shape == (26, 1)
    # solver tolerances rtol 1e-12, atol 1e-14 bound the error at each time
    np.testing.assert_allclose(r.trajectory[:, 0], 1.5 * np.exp(-4.0 * times), rtol=1e-8,
                               atol=1e-13)
    assert r.time == 5.0 and r.theta[0] == r.trajectory[-1, 0]


def test_product_flow_keeps_x2_minus_y2_and_runs_past_convergence():
    m = eos.models.get("product", ell="logcosh")
    times = np.concatenate([np.linspace(0, 50, 101), [500.0]])
    r = eos.run_flow(m, (0.8, 1.9), t_eval=times)
    q = r.trajectory[:, 0] ** 2 - r.trajectory[:, 1] ** 2
    np.testing.assert_allclose(q, 0.8**2 - 1.9**2, rtol=0, atol=1e-9)
    end = eos.run_flow(m, (0.8, 1.9))              # the limit, by the default (event) run
    assert r.converged and len(r.t) == len(times)  # every requested time, even after the event
    np.testing.assert_allclose(r.trajectory[-1], end.theta, atol=1e-8)
    assert end.t is None and end.trajectory is None


def test_bad_times_are_refused():
    m = eos.models.get("quadratic", a=4.0)
    for times in ([1.0, 0.5], [], [-1.0, 1.0], [0.0], [1.0, 2e4]):
        with pytest.raises(InvalidInputError, match="t_eval"):
            eos.run_flow(m, (1.0,), t_eval=times)
