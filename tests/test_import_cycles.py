"""The package's modules import one another without circles, and the command line sits on top.

Edges are read from the source with ``ast``: every ``import``/``from … import`` of an eosmath
module, at module level *and* inside functions. A deferred import still ties two modules
together (each needs the other to work), and it is how every circle of issue 18 was hidden:
counting module-level imports only, the package shows none.
"""

import ast
from pathlib import Path

import pytest

import eosmath

ROOT = Path(eosmath.__file__).resolve().parent

KNOWN_CYCLES: set = set()  # none: keep it so


def module_files(root: Path, package: str) -> dict[str, Path]:
    """``{"eosmath.symbolic.model": path, ...}`` for every module under ``root``."""
    out = {}
    for path in root.rglob("*.py"):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def import_graph(files: dict[str, Path], package: str) -> dict[str, set[str]]:
    """Module → the package's modules it imports (anywhere in its source)."""

    def resolve(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for module, path in files.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {resolve(a.name) for a in node.names
                            if a.name.split(".")[0] == package}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                    node.module.split(".")[0] == package:
                for alias in node.names:  # `from pkg import submodule` imports the submodule
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in files else resolve(node.module))
        graph[module] = targets - {module, None}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.fixture(scope="module")
def graph():
    return import_graph(module_files(ROOT, "eosmath"), "eosmath")


def test_the_detector_finds_a_circle_through_a_deferred_import(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import f\n")
    (pkg / "b.py").write_text("def f():\n    from pkg import a\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    found = cycles(import_graph(module_files(pkg, "pkg"), "pkg"))
    assert found == [frozenset({"pkg.a", "pkg.b"})]


def test_no_import_circles_but_the_known_ones(graph):
    assert "eosmath.symbolic.model" in graph and len(graph) > 100  # the whole package was read
    unexpected = [sorted(c) for c in cycles(graph) if c not in KNOWN_CYCLES]
    assert unexpected == []


def test_no_module_imports_the_command_line(graph):
    """Only the entry points (``python -m eosmath``) stand above the command line."""
    upward = sorted(m for m, targets in graph.items() if not m.startswith("eosmath.cli")
                    and not m.endswith("__main__")
                    and any(t.startswith("eosmath.cli") for t in targets))
    assert upward == []


def test_command_modules_import_helpers_not_each_other_nor_the_dispatcher(graph):
    from eosmath.cli import COMMAND_MODULES

    above = {"eosmath.cli", *COMMAND_MODULES.values()}
    for module in COMMAND_MODULES.values():
        assert not graph[module] & above, module
    helpers = {t for m in COMMAND_MODULES.values() for t in graph[m]
               if t.startswith("eosmath.cli.")}
    assert helpers and all(not graph[h] & above for h in helpers)


def test_every_module_that_registers_checks_is_a_listed_family(graph):
    from eosmath.theory.families import FAMILIES

    registering = {m for m, targets in graph.items() if "eosmath.theory.registry" in targets
                   and m.startswith("eosmath.theory.") and m not in
                   ("eosmath.theory.families", "eosmath.theory.harness", "eosmath.theory")}
    assert registering == set(FAMILIES)
    assert not any(t.startswith("eosmath.theory.families")
                   for t in graph["eosmath.theory.registry"])
