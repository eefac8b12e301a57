"""User models from TOML files.

Format (every key but ``loss`` and ``params`` optional)::

    name = "tilted_product"
    params = ["x", "y"]
    loss = "log(cosh(x*y)) + c*x**2"
    source = "my notes, eq. (2)"
    description = "product model with a small ridge on x"

    [hyper]          # hyper-parameters with their default values
    c = 0.01

The loss text is parsed by :func:`eosmath.symbolic.parsing.parse_expression`: only the names
declared here and whitelisted functions are accepted.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from eosmath.errors import ModelSyntaxError

ALLOWED_KEYS = {"name", "params", "loss", "source", "description", "hyper"}


def read_model_file(path) -> dict:
    """Read and validate a TOML model file: the arguments of
    :meth:`~eosmath.symbolic.Model.from_string` (``Model.from_file`` builds the model)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ModelSyntaxError(f"model file not found: {path}") from None
    except tomllib.TOMLDecodeError as err:
        raise ModelSyntaxError(f"{path}: not valid TOML ({err})") from None
    unknown = set(data) - ALLOWED_KEYS
    if unknown:
        raise ModelSyntaxError(
            f"{path}: unknown keys {sorted(unknown)}; allowed {sorted(ALLOWED_KEYS)}")
    for key in ("loss", "params"):
        if key not in data:
            raise ModelSyntaxError(f"{path}: missing required key {key!r}")
    hyper = data.get("hyper", {})
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in hyper.values()
                  ) if isinstance(hyper, dict) else False
    if not numbers:
        raise ModelSyntaxError(f"{path}: [hyper] must map names to numbers")
    return {"text": data["loss"], "params": data["params"], "hyper": hyper,
            "name": str(data.get("name", path.stem)),
            "source": str(data.get("source", f"model file {path.name}")),
            "description": str(data.get("description", ""))}
