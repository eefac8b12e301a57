"""Text shown to users cites the papers, never eosmath's internal notes (``spec/…``) or "seed 00x".

Collected: every registered check's declaration (``eosmath verify --list``, the report), what
``eosmath models`` prints for every catalog and numeric model (summary, source, description,
hyper-parameter docs, the builder's docstring), and, by reading the source, every string literal
that is not a docstring in the derivation statements (``eosmath derive``) and in the check and
model modules (the evidence and notes that checks build at run time are too costly to produce
for every check, so their literals are read instead). Developer docstrings and comments may keep
spec references.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import eosmath
from eosmath import models
from eosmath.models.registry import _CATALOG, _NUMERIC
from eosmath.theory import families

INTERNAL = re.compile(r"\bspec\b|seed 00\d|\bthe seed(?:'s)?\b(?! of| ?\d)|\bslides'",
                      re.IGNORECASE)
"""What a user cannot look up: eosmath's own spec notes, the seed documents (by number or as
"the seed") and the slides they came with."""

PACKAGE = Path(eosmath.__file__).parent

# eosmath/theory/central_flow_networks.py is being rewritten on another branch; its texts are
# left out until that work lands (then drop this exclusion).
EXCLUDED_MODULES = {"eosmath.theory.central_flow_networks"}
EXCLUDED_FILES = {PACKAGE / "theory" / "central_flow_networks.py"}


def _assert_cites_papers(texts: dict[str, str]) -> None:
    bad = [f"{where}: {text!r}" for where, text in texts.items()
           if text and INTERNAL.search(text)]
    assert not bad, "internal references in user-visible text:\n" + "\n".join(bad)


def test_the_pattern_catches_what_it_must():
    for bad in ("(spec §3.3)", "spec/simple_maps.md", "the spec's 15 digits", "spec v06",
                "Seed 004 App. A.1", "SPEC B.5",
                "the seed's Fig. 3", "The seed draws this", "the slides' reduction"):
        assert INTERNAL.search(bad), bad
    for fine in ("init seed 0", "seeds 1, 2, 3", "specific heat", "inspection", "gap_spec",
                 "the seed of the data draw", "the seed 0 run", "the flow slides along"):
        assert not INTERNAL.search(fine), fine


def test_check_declarations_cite_papers():
    texts = {}
    for info in families.checks():
        if info.function.__module__ in EXCLUDED_MODULES:
            continue
        for field in ("statement", "source", "prediction_source", "tolerance_basis",
                      "not_shown"):
            texts[f"{info.name}.{field}"] = getattr(info, field)
        for label in info.violations:
            texts[f"{info.name}.violations[{label!r}]"] = label
    assert len(texts) > 100
    _assert_cites_papers(texts)


def test_model_descriptions_cite_papers():
    texts = {}
    for name in (*models.names(), *models.numeric_names()):
        info = models.describe(name)
        for key in ("summary", "source", "why_not_symbolic"):
            texts[f"{name}.{key}"] = info.get(key, "")
    for name in models.names():
        model = models.get(name)
        texts[f"{name}.description"] = getattr(model, "description", "")
        texts[f"{name}.model.source"] = getattr(model, "source", "")
        for symbol, doc in getattr(model, "hyper_doc", {}).items():
            texts[f"{name}.hyper_doc[{symbol}]"] = doc
        texts[f"{name}.__doc__"] = inspect.getdoc(_CATALOG[name].builder) or ""
    for name, entry in _NUMERIC.items():
        texts[f"{name}.__doc__"] = inspect.getdoc(entry.builder()) or ""
    _assert_cites_papers(texts)


def _string_literals(path: Path) -> dict[str, str]:
    """Every string literal of ``path`` that is not a docstring (f-string parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
        else:
            continue
        for i, stmt in enumerate(body):
            # The first statement of a body, and the attribute docstring after an assignment.
            previous = body[i - 1] if i else None
            if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                    and isinstance(stmt.value.value, str)
                    and (i == 0 or isinstance(previous, ast.Assign | ast.AnnAssign))):
                docstrings.add(id(stmt.value))
    return {f"{path.relative_to(PACKAGE.parent)}:{node.lineno}": node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings}


USER_TEXT_FILES = sorted(
    {*PACKAGE.glob("derivations/*statements*.py"), PACKAGE / "derivations" / "theory_facts.py",
     *PACKAGE.glob("theory/*.py"), *PACKAGE.glob("models/*.py"),
     PACKAGE / "report" / "report_pdf.py"} - EXCLUDED_FILES)


@pytest.mark.parametrize("path", USER_TEXT_FILES, ids=lambda p: p.name)
def test_literals_shown_at_run_time_cite_papers(path):
    _assert_cites_papers(_string_literals(path))


def test_generated_derivations_cite_papers():
    tex = sorted((PACKAGE.parent / "derivations").glob("*.tex"))
    if not tex:
        pytest.skip("no generated derivations beside the package (installed without them)")
    _assert_cites_papers({p.name: p.read_text(encoding="utf-8") for p in tex})
