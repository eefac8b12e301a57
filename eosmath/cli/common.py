"""Helpers shared by the command modules: ``NAME=VALUE`` settings and loading a model."""

from __future__ import annotations

from pathlib import Path

from eosmath.errors import EosmathError


def parse_assignments(pairs) -> dict:
    """``["a=4", "ell=sqrt"]`` → ``{"a": 4.0, "ell": "sqrt"}`` (numbers where they parse).

    >>> parse_assignments(["a=4", "ell=sqrt", "b=0.5"])
    {'a': 4, 'ell': 'sqrt', 'b': 0.5}
    """
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise EosmathError(f"expected NAME=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        try:
            out[key.strip()] = int(value) if value.strip().lstrip("-").isdigit() else float(value)
        except ValueError:
            out[key.strip()] = value.strip()
    return out


def load_model(spec: str, settings=None):
    """A catalog name (with options) or a path to a TOML model file."""
    from eosmath import models
    from eosmath.symbolic.model import Model

    settings = parse_assignments(settings)
    if spec.endswith(".toml") or Path(spec).is_file():
        model = Model.from_file(spec)
        numeric = {k: v for k, v in settings.items() if isinstance(v, (int, float))}
        return model.with_hyper(**numeric) if numeric else model
    return models.get(spec, **settings)
