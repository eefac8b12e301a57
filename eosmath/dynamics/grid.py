"""Sweep axes: which names are swept, and the ``start:stop:num`` grid syntax of the CLI.

>>> parse_grid("0.5:3:6").tolist()
[0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
>>> parse_grid("2")
2.0
"""

from __future__ import annotations

import numpy as np

from eosmath.errors import InvalidInputError


def parse_grid(text: str):
    """``start:stop:num`` → linspace array; a single number → float (a fixed value)."""
    parts = str(text).split(":")
    try:
        if len(parts) == 1:
            return float(parts[0])
        if len(parts) == 3:
            start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
            if num < 1:
                raise InvalidInputError(f"grid {text!r} has no points")
            return np.linspace(start, stop, num)
    except ValueError:
        pass
    raise InvalidInputError(f"expected a number or start:stop:num, got {text!r}")


def split_axes(model, values: dict):
    """Separate swept axes (1-D arrays, in the given order) from fixed values, and validate.

    Every parameter needs a start value (a grid or a number); hyper-parameters default to the
    model's values; ``eta`` is required.
    """
    params = [str(p) for p in model.params]
    hyper = list(model.hyper_names)
    known = {"eta", *params, *hyper}
    unknown = set(values) - known
    if unknown:
        raise InvalidInputError(f"unknown sweep names {sorted(unknown)}; this model takes "
                                f"eta, parameters {params} and hyper-parameters {hyper}")
    missing = [p for p in ["eta", *params] if p not in values]
    if missing:
        raise InvalidInputError(f"give a value or a grid for {missing}")
    axes, fixed = {}, {}
    for name, value in values.items():
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 0:
            fixed[name] = float(arr)
            if not np.isfinite(arr):
                raise InvalidInputError(f"{name} must be finite, got {value}")
        elif arr.ndim == 1:
            if arr.size == 0:
                raise InvalidInputError(f"the grid for {name} is empty")
            if not np.all(np.isfinite(arr)):
                raise InvalidInputError(f"the grid for {name} has non-finite values")
            axes[name] = arr
        else:
            raise InvalidInputError(f"{name} must be a number or a 1-D grid, got shape {arr.shape}")
    etas = axes.get("eta", np.array([fixed.get("eta", np.nan)]))
    if np.any(etas <= 0):
        raise InvalidInputError("every step size η must be > 0")
    for name in hyper:
        fixed.setdefault(name, float(model.hyper_values[hyper.index(name)]))
    return axes, fixed
