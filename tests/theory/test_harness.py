"""The harness: registry, unknown names, Verdict fields, JSON report, CLI exit codes."""

import json
import re

import pytest

import eosmath.theory as th
from eosmath.cli.verify import register
from eosmath.errors import EosmathError
from eosmath.theory.harness import Report


def test_registry_lists_name_source_statement():
    infos = th.checks()
    names = [c.name for c in infos]
    assert names == sorted(names) and len(names) == len(set(names))
    for info in infos:
        assert "." in info.name and info.source and info.statement
        assert info.statement.endswith("(reconstruction)") == info.reconstruction
        assert info.reconstruction == (info.kind == "reconstruction")


def test_unknown_name_lists_close_matches():
    with pytest.raises(th.UnknownCheckError) as err:
        th.verify("quadratic.regime")
    assert isinstance(err.value, EosmathError)
    assert "quadratic.regimes" in str(err.value)


def test_verdict_carries_mode_and_evidence():
    v = th.verify("quadratic.regimes")
    assert v.passed and v.mode == "quick" and v.witness is None and v.recheck is None
    assert v.seconds > 0 and "grid_spacing" in v.evidence


def test_failing_check_keeps_witness_and_rechecks_in_mpmath():
    v = th.verify("soft_quadratic.secant_curvature", steps=5)   # not yet on the 2-cycle
    assert not v.passed and v.witness["steps"] == 5
    assert v.recheck is not None and v.recheck.dps == 50
    assert not v.recheck.passed and v.recheck.verdict == "confirmed counterexample"


def test_json_format():
    report = th.verify_all(names=["quadratic.factor", "quadratic.regimes"])
    data = json.loads(report.to_json())
    assert set(data) == {"checks", "eosmath_version", "mode"} and data["mode"] == "quick"
    keys = {"name", "kind", "source", "statement", "prediction_source", "tolerance_basis",
            "not_shown", "passed", "predicted", "measured", "tolerance", "comparisons",
            "seconds"}
    assert [set(c) for c in data["checks"]] == [keys, keys]
    assert data["checks"][0]["name"] == "quadratic.factor"


def test_family_name_selects_its_checks():
    report = th.verify_all(names=["quadratic"])
    assert {v.name.split(".")[0] for v in report.verdicts} == {"quadratic"}
    assert len(report.verdicts) == len([c for c in th.checks() if c.family == "quadratic"])


def _cli(argv):
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["verify", *argv])
    return args.func(args)


def test_cli_exit_codes_and_json(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert _cli(["quadratic.factor", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["checks"][0]["passed"] is True
    assert "quadratic.factor" in capsys.readouterr().out


def test_cli_exit_code_one_on_failure(monkeypatch):
    failing = Report((th.verify("quadratic.regimes", a_claim=2.5),), "quick", "x")
    monkeypatch.setattr("eosmath.theory.harness.verify_all", lambda **kw: failing)
    assert _cli(["quadratic.regimes"]) == 1


def test_cli_unknown_name_raises_eosmath_error():
    with pytest.raises(th.UnknownCheckError):
        _cli(["quadratic.factr"])


def test_unknown_override_is_an_eosmath_error():
    with pytest.raises(EosmathError, match="a_claim"):
        th.verify("quadratic.regimes", a_clam=2.0)


def test_crashing_check_is_reported_as_failed(monkeypatch):
    from eosmath.theory import registry

    def broken(quick=True):
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(registry._REGISTRY, "demo.crash",
                        registry.CheckInfo("demo.crash", "test", "crashes", broken))
    v = th.verify("demo.crash")
    assert not v.passed and "ZeroDivisionError" in v.evidence["error"]


def test_cli_without_names_lists_the_checks(capsys):
    assert _cli([]) == 0
    assert "product.eos_limit" in capsys.readouterr().out


def test_every_check_cites_a_paper_not_the_projects_notes():
    from eosmath.references import REFERENCES

    cited = [str(ref) for ref in REFERENCES.values()]
    for info in th.checks():
        assert any(info.source.startswith(c) for c in cited), info.name
        assert "spec/" not in info.source and "seed 00" not in info.source, info.name


def test_markdown_table_has_one_row_per_check():
    report = th.verify_all(names=["quadratic"])
    md = report.to_markdown().splitlines()
    rows = [line for line in md if line.startswith("| `")
            and re.search(r"\| (pass|\*\*FAIL\*\*)[^|]* \| \d+\.\d\d \|$", line)]
    assert len(rows) == len(report.verdicts) and all("pass" in r for r in rows)
