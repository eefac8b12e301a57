"""The report's figures section draws every figure with eosmath.plot and links each one."""

import pytest


@pytest.mark.slow  # a 96 × 96 sweep, an orbit diagram and 3000 steps of a network: ~15 s
def test_figures_section_writes_and_links_every_figure(tmp_path):
    from eosmath.report.reproduce import figures_section

    result = figures_section(tmp_path, full=False, quiet=True)
    assert result.passed and len(result.files) == 6
    for name in result.files:
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\x89PNG") and f"]({name})" in result.markdown
