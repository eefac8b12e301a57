"""The report's table page as a PNG: the page chosen, the image written, and no poppler."""

import json
import shutil

import pytest

from eosmath.report import page_image
from eosmath.report.page_image import TABLE_HEADER, table_page, write_table_page_png
from eosmath.report.report_pdf import compile_tex

NO_TOOLS = any(shutil.which(t) is None for t in ("pdflatex", "pdftotext", "pdftoppm"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

TWO_PAGES = r"""\documentclass{article}
\begin{document}
A title page, no table.
\newpage
\begin{tabular}{llll}
quantity & predicted & measured & tolerance\\
drift & 0 & 3e-11 & 1e-9\\
\end{tabular}
\end{document}
"""


def test_the_page_with_the_most_tables_is_chosen():
    header = " ".join(TABLE_HEADER)
    pages = ["title", f"{header}\nrow", f"{header}\nrow\n{header}\nrow", f"{header}"]
    assert table_page(pages) == 3
    assert table_page(["text mentioning quantity and measured only"]) is None
    assert table_page([]) is None


@pytest.mark.skipif(NO_TOOLS, reason="pdflatex or poppler-utils (pdftotext, pdftoppm) missing")
def test_the_table_page_of_a_pdf_is_rendered_to_png(tmp_path):
    tex = tmp_path / "two.tex"
    tex.write_text(TWO_PAGES)
    pdf = compile_tex(tex)
    png = tmp_path / "page.png"
    png.write_bytes(b"stale")
    note, ok, skipped = write_table_page_png(pdf, png)
    assert ok and not skipped and "Page 2" in note
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert height > width > 500          # a portrait page at a readable resolution


@pytest.mark.skipif(NO_TOOLS, reason="pdflatex or poppler-utils (pdftotext, pdftoppm) missing")
def test_a_pdf_without_a_table_is_a_failure_not_an_image(tmp_path):
    tex = tmp_path / "plain.tex"
    tex.write_text(TWO_PAGES.replace("tolerance", "bound"))
    note, ok, skipped = write_table_page_png(compile_tex(tex), tmp_path / "page.png")
    assert not ok and not skipped and "no page with a check table" in note
    assert not (tmp_path / "page.png").exists()


def test_without_poppler_the_step_is_skipped_and_says_why(tmp_path, monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(page_image.shutil, "which",
                        lambda tool: None if tool == "pdftoppm" else real_which(tool))
    png = tmp_path / "page.png"
    png.write_bytes(b"stale")                 # an earlier report's page must not survive
    note, ok, skipped = write_table_page_png(tmp_path / "report.pdf", png)
    assert ok and skipped == "pdftoppm not found (install poppler-utils)"
    assert "pdftoppm not found" in note and not png.exists()


@pytest.mark.skipif(NO_TOOLS, reason="pdflatex or poppler-utils (pdftotext, pdftoppm) missing")
def test_reproduce_pdf_step_writes_the_table_page_png(tmp_path):
    from eosmath.report.reproduce import SectionResult, _pdf_step

    check = {"name": "demo.drift", "source": "a paper", "statement": "g is conserved",
             "passed": True, "kind": "identity", "predicted": 0.0, "measured": 3.2e-11,
             "tolerance": 1e-9}
    (tmp_path / "checks.json").write_text(json.dumps({"checks": [check]}))
    result = _pdf_step(tmp_path, [SectionResult("checks", "", True)], quiet=True)
    assert result.passed and "report_table_page.png" in result.files
    assert (tmp_path / "report_table_page.png").read_bytes().startswith(PNG_SIGNATURE)
