import pytest

import eosmath as eos
from eosmath.derivations import derive
from eosmath.derivations.regenerate import catalog_variants


@pytest.fixture(scope="session")
def catalog_derivations():
    """(model, Derivation) for every catalog document (built once per test session)."""
    out = []
    for name, options in catalog_variants():
        model = eos.models.get(name, **options)
        out.append((model, derive(model)))
    return out
