"""Comparator checks (Zhu et al., Kreisler et al.): pass on defaults, fail on broken inputs."""

import pytest
import sympy as sp

import eosmath as eos
import eosmath.theory as th


@pytest.mark.parametrize("name", [c.name for c in th.checks() if c.family == "comparators"])
def test_passes_on_defaults(name):
    v = th.verify(name)
    assert v.passed, v


def test_zhu_spectrum_fails_for_another_normalisation():
    x, y = sp.symbols("x y", real=True)
    other = eos.Model((x**2 * y**2 - 1) ** 2 / 2, (x, y), name="zhu_half")
    assert not th.verify("comparators.zhu_eos_minimum", model=other).passed


def test_zhu_gd_fails_outside_the_region():
    # (4, 0.2) at η = 0.2 diverges (spec §3).
    v = th.verify("comparators.zhu_gd_sharpness", cases=[((4.0, 0.2), 0.2, 0.99274)])
    assert not v.passed


def test_kreisler_gfs_fails_for_the_wrong_target():
    assert not th.verify("comparators.kreisler_gfs", target_claim=1.1).passed


def test_kreisler_sharpness_fails_for_a_too_large_step():
    # η = 0.7: GD settles where the sharpness exceeds 2/η (outside the theorem's conditions).
    v = th.verify("comparators.kreisler_sharpness", cases=[((0.5, 1.0, 2.2), 0.7, None)])
    assert not v.passed
    row = v.evidence["rows"][0]
    assert row["final_sharpness"] > row["2/eta"]


def test_kreisler_sharpness_fails_when_gd_diverges():
    v = th.verify("comparators.kreisler_sharpness", cases=[((0.5, 1.0, 2.2), 0.9, None)])
    assert not v.passed and v.witness["diverged"]


def test_zhu_recheck_agrees_with_float64():
    from eosmath.theory.comparators import _recheck_zhu

    assert _recheck_zhu(eos.models.get("zhu_slice"), (3.0, 0.2), 0.2, 0.99274).passed
    v = th.verify("comparators.zhu_gd_sharpness", cases=[((4.0, 0.2), 0.2, 0.99274)])
    assert v.recheck.verdict == "confirmed counterexample"
