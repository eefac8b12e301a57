"""Learning-rate schedules: callables ``step -> factor`` multiplying the base η.

>>> schedule = step_decay(at_step=100)
>>> schedule(99), schedule(100)
(1.0, 0.25)
"""

from __future__ import annotations

from eosmath.errors import InvalidInputError


def constant():
    """η unchanged."""
    return lambda step: 1.0


def step_decay(at_step: int, factor: float = 0.25):
    """η → factor·η from ``at_step`` on (seed 004 divides η by 4)."""
    if at_step < 0 or not factor > 0:
        raise InvalidInputError("step_decay needs at_step ≥ 0 and factor > 0")
    return lambda step: float(factor) if step >= at_step else 1.0
