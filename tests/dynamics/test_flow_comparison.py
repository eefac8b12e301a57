"""GD against the central flow and gradient flow: gradient flow against its closed form, the
window averages, and bad input."""

import numpy as np
import pytest

import eosmath as eos
from eosmath.dynamics.central_flow import central_flow, time_average
from eosmath.dynamics.flow_comparison import compare_with_flows, gradient_flow_path
from eosmath.errors import InvalidInputError
from eosmath.theory._iterate import trajectory


def test_gradient_flow_path_matches_the_closed_form_on_a_quadratic():
    m = eos.models.get("quadratic", a=2.0)
    times = np.linspace(0, 3, 31)
    path = gradient_flow_path(m, (1.5,), times)
    assert np.allclose(path[:, 0], 1.5 * np.exp(-2 * times), rtol=1e-9, atol=1e-12)


def test_below_the_edge_both_flows_agree_and_gd_is_first_order_close():
    m = eos.models.get("quadratic", a=2.0)
    eta = 0.05                                     # ηa/2 = 0.05: far below the edge
    gd = trajectory(m, (1.0,), eta, 40)
    cf = central_flow(m, eta, (1.0,), steps=40, substeps=64)
    c = compare_with_flows(m, eta, gd, cf)
    assert np.all(np.abs(c.to_central - c.to_gradient_flow) < 2e-3)  # flows: Euler error
    assert c.to_gradient_flow.max() < eta                           # GD − GF = O(η)
    assert np.all(cf.sigma2 == 0)                                   # so L̄ = L
    assert np.allclose(c.predicted_loss, time_average(cf.loss[:41], 2))


def test_window_averages_remove_the_period_two_oscillation():
    m = eos.models.get("product", ell="logcosh")
    gd = trajectory(m, (1.0, 5.0), 0.1, 300)
    c = compare_with_flows(m, 0.1, gd, central_flow(m, 0.1, (1.0, 5.0), steps=300))
    assert len(c.steps) == 300 and c.steps[0] == 0.5
    assert np.abs(c.gd_theta[150:, 0]).max() < 1e-3 < np.abs(gd[150:, 0]).max()
    assert c.to_central[-1] < 0.05 * c.to_gradient_flow[-1]


def test_bad_input():
    m = eos.models.get("product", ell="logcosh")
    gd = trajectory(m, (1.0, 5.0), 0.1, 20)
    with pytest.raises(InvalidInputError, match="samples"):
        compare_with_flows(m, 0.1, gd, central_flow(m, 0.1, (1.0, 5.0), steps=5))
    with pytest.raises(InvalidInputError, match="once per GD step"):
        compare_with_flows(m, 0.1, gd, central_flow(m, 0.1, (1.0, 5.0), steps=20,
                                                    record_every=1))
    with pytest.raises(InvalidInputError, match="different points"):
        compare_with_flows(m, 0.1, gd, central_flow(m, 0.1, (1.0, 5.1), steps=20))
