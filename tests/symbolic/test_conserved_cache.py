"""The conserved-quantity search is kept on disk: a second search reads it back, equal."""

import sympy as sp

import eosmath as eos
from eosmath.symbolic import conserved


def test_second_search_reads_the_kept_result(tmp_path, monkeypatch):
    monkeypatch.setenv("EOSMATH_CACHE_DIR", str(tmp_path))
    model = eos.models.get("scalar_network", depth=3)
    first = conserved.polynomial_first_integrals(model, max_degree=2)
    w1, w2, w3 = model.params
    assert {sp.expand(q) for q in first} == {w1**2 - w3**2, w2**2 - w3**2}
    kept = list((tmp_path / "conserved").glob("*.txt"))
    assert len(kept) == 1

    def no_search(*args):
        raise AssertionError("searched again")

    monkeypatch.setattr(conserved, "_search", no_search)
    assert conserved.polynomial_first_integrals(model, max_degree=2) == first
    # another degree is another search
    monkeypatch.undo()
    monkeypatch.setenv("EOSMATH_CACHE_DIR", str(tmp_path))
    conserved.polynomial_first_integrals(model, max_degree=3)
    assert len(list((tmp_path / "conserved").glob("*.txt"))) == 2


def test_a_search_not_made_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("EOSMATH_CACHE_DIR", str(tmp_path))
    model = eos.models.get("scalar_network", depth=2)
    monkeypatch.setattr(conserved, "_search", lambda *args: None)
    assert conserved.polynomial_first_integrals(model) == ()
    assert not list((tmp_path / "conserved").glob("*.txt"))
