"""What happened to one GD run (one sweep cell): a status code, never a bare NaN.

Codes are stable integers stored in sweep datasets with CF-convention attributes
(``flag_values``, ``flag_meanings``); ``period`` cells also record their period k.
``NOT_COMPUTED`` (−1) is never a run's outcome: it is the fill value of a sweep store's
``status``, so the cells of a sweep that stopped early say so instead of reading as a verdict.

>>> Status.DIVERGED.name.lower(), int(Status.DIVERGED)
('diverged', 3)
>>> cf_attributes()["flag_meanings"]
'converged period chaotic diverged max_steps invalid not_computed'
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    CONVERGED = 0   # ‖∇L‖ < tol (checked before the update)
    PERIOD = 1      # settled on a period-k orbit (k ≥ 2 stored separately)
    CHAOTIC = 2     # bounded, not converged, no period found: quasi-periodic or chaotic
    DIVERGED = 3    # iterate non-finite, beyond the divergence radius, or growing geometrically
    MAX_STEPS = 4   # ran out of steps while still moving (no verdict)
    INVALID = 5     # invalid input, or a point where L is undefined / ∇L is singular
    NOT_COMPUTED = -1  # a store's cell whose chunk was never written (the store's fill value)


DESCRIPTIONS = {
    Status.CONVERGED: "gradient norm fell below tol",
    Status.PERIOD: "settled on a period-k orbit (k in the 'period' variable)",
    Status.CHAOTIC: "bounded but aperiodic: quasi-periodic or chaotic",
    Status.DIVERGED: "iterate became non-finite, left the divergence radius or kept growing",
    Status.MAX_STEPS: "step budget exhausted before any verdict",
    Status.INVALID: "invalid input (non-finite start, non-positive step size), or an iterate "
                    "where the loss is undefined or the gradient singular (NaN from finite values)",
    Status.NOT_COMPUTED: "not computed: the sweep writing the store stopped before this cell",
}


def cf_attributes() -> dict:
    """CF-convention flag attributes for an integer ``status`` variable."""
    return {
        "flag_values": [int(s) for s in Status],
        "flag_meanings": " ".join(s.name.lower() for s in Status),
        "long_name": "outcome of the GD run",
        "flag_descriptions": "; ".join(f"{s.name.lower()}: {DESCRIPTIONS[s]}" for s in Status),
    }
