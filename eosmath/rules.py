"""Update rules for ``run_gd``, ``sweep`` and ``nn.train_gd``: small transforms composed by
:func:`chain`, like optax (defined in :mod:`eosmath.dynamics.update_rules`).

>>> import eosmath as eos
>>> rule = eos.rules.chain(eos.rules.clip("a", 0.002), eos.rules.project(w1=0))
>>> str(rule)
"chain(clip(('a',), 0.002), project(('w1', '==', '0.0')))"
"""

from eosmath.dynamics.update_rules import (
    Rule,
    Transform,
    adam,
    chain,
    clip,
    heavy_ball,
    nesterov,
    project,
    rmsprop,
)

__all__ = ["Rule", "Transform", "adam", "chain", "clip", "heavy_ball", "nesterov", "project",
           "rmsprop"]
