"""The central flow stops integrating once it is at rest, without changing what it returns."""

import numpy as np

import eosmath as eos
from eosmath.dynamics.central_flow import central_flow


def test_rest_shortcut_keeps_the_samples_and_the_rest_point():
    m = eos.models.get("product", ell="logcosh")
    long = central_flow(m, 0.25, (0.3, 3.5), steps=4000)
    short = central_flow(m, 0.25, (0.3, 3.5), steps=200)
    rest = long.diagnostics["rest_from_t"]
    assert rest is not None and rest < 200 * 0.25
    assert len(long.t) == 4001 and np.allclose(long.t, 0.25 * np.arange(4001))
    after = long.t >= rest
    assert np.all(long.theta[after] == long.theta[-1])           # nothing moves after rest
    # The same path: what the shortcut skips moves θ by less than 1e-16·(1 + ‖θ‖).
    assert np.abs(long.theta[:201] - short.theta).max() <= 1e-16 * (1 + 3.5)
    assert abs(long.theta[-1][1] ** 2 - 8.0) < 1e-12                 # y² = 2/η
