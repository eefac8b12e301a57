"""Comparator checks (Zhu et al., Kreisler et al.): pass on defaults; failure details.

Hypothesis violations (other normalisation, starts outside the region, too large steps) are
declared in the registry and run by tests/theory/test_evidence.py.
"""

import numpy as np
import pytest

import eosmath as eos
import eosmath.theory as th
from eosmath.theory.comparators import _phi, eos_minimum, gfs_sharpness


@pytest.mark.parametrize("name", [c.name for c in th.checks() if c.family == "comparators"])
def test_passes_on_defaults(name, verdict):
    v = verdict(name)
    assert v.passed, v
    assert v.kind != "unclassified"


def test_eos_minimum_has_sharpness_two_over_eta():
    model = eos.models.get("zhu_slice")
    for eta in (0.1, 0.2, 0.45):
        x, y = eos_minimum(eta)
        top = max(np.linalg.eigvalsh(model.compile().hessian(np.array([x, y]))))
        assert abs(eta * top / 2 - 1) < 1e-12 and abs(x * y - 1) < 1e-15


def test_stability_boundary_is_resolved_far_below_its_tolerance(verdict):
    for row in verdict("comparators.zhu_eos_minimum_gd").evidence["rows"]:
        assert abs(row["boundary"] / row["c_eta"] - 1) < 1e-8


def test_zhu_gap_is_second_order_in_eta(verdict):
    # Not the verdict (K is calibrated): the pilot's gap/η² stays between 0.1 and 0.25.
    for row in verdict("comparators.zhu_gd_sharpness").evidence["rows"]:
        assert 0.1 < row["gap_over_eta2"] < 0.25


def test_zhu_failure_outside_the_region_is_confirmed_at_high_precision():
    v = th.verify("comparators.zhu_gd_sharpness", cases=[((4.0, 0.2), 0.2)])
    assert not v.passed and v.recheck.verdict == "confirmed counterexample"


def test_vectorised_gfs_sharpness_matches_the_brentq_root():
    ws = np.random.default_rng(0).uniform(0.1, 2.5, (100, 3))
    expected = np.array([_phi(w) for w in ws])
    assert np.max(np.abs(gfs_sharpness(ws) / expected - 1)) < 1e-13


def test_kreisler_sharpness_fails_for_a_too_large_step_with_a_sharp_limit():
    v = th.verify("comparators.kreisler_sharpness", cases=[((0.5, 1.0, 2.2), 0.7)])
    assert not v.passed
    row = v.evidence["rows"][0]
    assert row["final_sharpness"] > row["2/eta"]


def test_kreisler_sharpness_reports_divergence():
    v = th.verify("comparators.kreisler_sharpness", cases=[((0.5, 1.0, 2.2), 0.9)])
    assert not v.passed and v.witness["diverged"]
