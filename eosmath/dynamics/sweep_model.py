"""What a sweep needs to know about a model, derived once with SymPy and kept on disk.

A sweep uses a model's names, its kernel, its conserved quantities (as NumPy code), its
gradient-flow limit and its provenance strings; everything else about the model is SymPy work
(0.3–0.5 s of imports and derivation per process). :class:`SweepModel` holds exactly those
things. ``SweepModel.from_model`` derives them; :func:`saved` / :func:`save` keep them under
the kernel cache keyed by the command-line model spec and the eosmath source files, so a warm
``eosmath sweep`` runs without importing SymPy (its kernels come from Numba's cache: see
:mod:`eosmath.dynamics.lane_runner`).

>>> import eosmath as eos
>>> sm = SweepModel.from_model(eos.models.get("product", ell="logcosh"))
>>> sm.params, sm.conserved[0][0]
(('x', 'y'), 'x**2 - y**2')
>>> float(sm.conserved_functions()[0](3.0, 1.0))
8.0
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FIELDS = ("name", "params", "hyper_names", "hyper_values", "key", "fingerprint",
          "structure_hash", "source", "loss_text", "conserved", "gf_limit_path", "reducers")


@dataclass(frozen=True)
class SweepModel:
    """The model as a sweep sees it (all plain data, saved as JSON).

    ``conserved``: (SymPy text, NumPy code) of each conserved quantity of gradient flow;
    ``gf_limit_path``: ``"module:function"`` of the closed-form gradient-flow limit (None if
    there is none, or if it is not a module-level function: then the SweepModel is not saved);
    ``reducers``: (name, op, expression text) of the user statistics; ``key``: the kernel cache
    key (reducers included). Not saved: ``load_kernels`` compiles the kernels when saved machine
    code is missing (it needs SymPy and Numba), ``gf_limit`` the limit function itself.
    """

    name: str
    params: tuple[str, ...]
    hyper_names: tuple[str, ...]
    hyper_values: tuple[float, ...]
    key: str
    fingerprint: str
    structure_hash: str
    source: str
    loss_text: str
    conserved: tuple[tuple[str, str], ...]
    gf_limit_path: str | None
    reducers: tuple[tuple[str, str, str], ...]
    load_kernels: Callable | None = field(default=None, compare=False, repr=False)
    gf_limit: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def dim(self) -> int:
        return len(self.params)

    @classmethod
    def from_model(cls, model, reducers=None) -> SweepModel:
        """Derive everything from a :class:`~eosmath.symbolic.Model` (SymPy runs here).

        ``reducers``: ``{"name": "op: expression"}`` as for :func:`~eosmath.sweep`.
        """
        from sympy.printing.numpy import NumPyPrinter

        from eosmath.dynamics.reducers import kernel_reducers, parse_reducers
        from eosmath.kernels.compiled import kernel_key

        parsed = parse_reducers(model, reducers)
        printer = NumPyPrinter()
        conserved = tuple((str(q), printer.doprint(q.subs(model.hyper)))
                          for q in model.conserved_quantities(max_degree=2))
        return cls(
            name=model.name, params=tuple(str(p) for p in model.params),
            hyper_names=tuple(model.hyper_names),
            hyper_values=tuple(float(v) for v in model.hyper_values),
            key=kernel_key(model, kernel_reducers(parsed)), fingerprint=model.fingerprint(),
            structure_hash=model.structure_hash(), source=model.source,
            loss_text=str(model.loss), conserved=conserved,
            gf_limit_path=_function_path(model.gf_limit),
            reducers=tuple((r.name, r.op, str(r.expression)) for r in parsed),
            load_kernels=_Compiler(model, kernel_reducers(parsed)),
            gf_limit=model.gf_limit)

    def conserved_functions(self) -> list[Callable]:
        """The conserved quantities as NumPy functions of the parameters (positionally)."""
        import math

        import numpy

        out = []
        for _, code in self.conserved:
            text = f"lambda {', '.join(self.params)}: {code}"
            out.append(eval(text, {"numpy": numpy, "math": math}))  # noqa: S307 (printed by us)
        return out

    def gf_limit_function(self) -> Callable | None:
        if self.gf_limit is not None or self.gf_limit_path is None:
            return self.gf_limit
        import importlib

        module, _, name = self.gf_limit_path.partition(":")
        return getattr(importlib.import_module(module), name)

    def to_json(self) -> str:
        return json.dumps({k: getattr(self, k) for k in FIELDS}, indent=1)

    @classmethod
    def from_json(cls, text: str, load_kernels=None) -> SweepModel:
        data = json.loads(text)
        values = {k: (tuple(tuple(v) if isinstance(v, list) else v for v in data[k])
                      if isinstance(data[k], list) else data[k]) for k in FIELDS}
        return cls(**values, load_kernels=load_kernels)


class _Compiler:
    """``model.compile(reducers=...)``, called once per process: each call hashes the SymPy
    loss again (~5 ms), and a sweep asks for its kernels once per chunk. Pickled (to a Dask
    worker) without the compiled kernels, whose generated module only this process has."""

    def __init__(self, model, reducers):
        self.model, self.reducers, self.compiled = model, tuple(reducers), None

    def __call__(self):
        if self.compiled is None:
            self.compiled = self.model.compile(reducers=self.reducers)
        return self.compiled

    def __getstate__(self):
        return {**self.__dict__, "compiled": None}


def _function_path(fn) -> str | None:
    """``module:name`` of a module-level function, else None (lambdas, closures, methods)."""
    name = getattr(fn, "__qualname__", "")
    module = getattr(fn, "__module__", None)
    if fn is None or not name.isidentifier() or module in (None, "__main__"):
        return None
    return f"{module}:{name}"


def _code_stamp() -> str:
    """Changes whenever an eosmath source file does (path, size, modification time)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def _plan_path(spec: str, settings: dict, reducers: dict) -> Path:
    from eosmath.kernels.cache import cache_dir

    content = ""
    if spec.endswith(".toml") or Path(spec).is_file():
        content = hashlib.sha256(Path(spec).read_bytes()).hexdigest()
    text = json.dumps([spec, content, sorted(settings.items()), sorted(reducers.items()),
                       _code_stamp()], default=str)
    return cache_dir() / "sweep_models" / (hashlib.sha256(text.encode()).hexdigest()[:24]
                                           + ".json")


def saved(spec: str, settings: dict, reducers: dict, load_kernels=None) -> SweepModel | None:
    """The SweepModel saved for this model spec (catalog name or TOML path), settings and
    reducers by the current eosmath source, or None."""
    path = _plan_path(spec, settings, reducers)
    try:
        return SweepModel.from_json(path.read_text(), load_kernels)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(sweep_model: SweepModel, spec: str, settings: dict, reducers: dict) -> None:
    from eosmath.kernels.cache import write_atomic

    if sweep_model.gf_limit is not None and sweep_model.gf_limit_path is None:
        return  # a limit function that cannot be found again by name: derive it each time
    try:
        text = sweep_model.to_json()
    except TypeError:  # a value JSON cannot hold: not saved, derived again next time
        return
    write_atomic(_plan_path(spec, settings, reducers), text.encode())


__all__ = ["SweepModel", "save", "saved"]
