"""The PDF of the reproduce report: escaping, the generated LaTeX, the build, and no-TeX."""

import json
import shutil
import subprocess
import unicodedata

import pytest
import sympy as sp

from eosmath.errors import EosmathError
from eosmath.report import report_pdf
from eosmath.report.report_pdf import (
    compile_tex,
    latex_escape,
    linked_figures,
    report_tex,
    write_report_pdf,
)
from eosmath.theory.families import checks
from eosmath.theory.registry import KIND_TITLES

NO_TEX = shutil.which("pdflatex") is None
NO_PDFTOTEXT = shutil.which("pdftotext") is None
SPECIALS = "\\{}#$%&_~^<>|"


def _registry_rows():
    """Verdict-like dicts for every registered check (the text the report must typeset)."""
    rows = [{"name": c.name, "source": c.source, "statement": c.statement, "passed": i % 2 == 0,
             "kind": c.kind, "prediction_source": c.prediction_source,
             "tolerance_basis": c.tolerance_basis, "not_shown": c.not_shown,
             "predicted": 2 / 0.3, "measured": [1.5, "inf", None]}
            for i, c in enumerate(checks())]
    rows[0]["comparisons"] = [{"quantity": "x_t at step 10", "measured": 1.2345678e-12,
                               "predicted": 1e-12, "tolerance": 0.5, "relative": True,
                               "sense": "=="}]
    rows[1].update(predicted={"a": 1.0, "b_2": 2.0}, measured={"a": 1.0000001, "b_2": 2.5},
                   tolerance=1e-3)
    # SymPy values printed as code: a fraction, a list, and one far wider than its column
    wide = "(" + " + ".join(f"alpha{k}*exp(-x_{k}**2/sigma{k}**2)" for k in range(12)) + ")/(2*pi)"
    rows[2].update(predicted={"cubic": "(2*c2*c4 - 6*c3**2)/(3*c2**2)",
                              "fixed point": "[sqrt(2)*sqrt(alpha)/sqrt(beta), 0]",
                              "wide": wide},
                   measured={"cubic": "-4/3", "fixed point": "[1.4142135623730951, 0.0]",
                             "wide": "x.__class__"}, tolerance=0)
    return rows


def _registry_chars():
    text = "".join(c.name + c.source + c.statement for c in checks())
    return sorted({ch for ch in unicodedata.normalize("NFD", text)
                   if not ch.isascii() or ch in SPECIALS})


def _pdf_text(pdf):
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return "".join(out.split())


def test_escape_output_is_ascii_for_every_character_of_the_registry():
    chars = _registry_chars()
    assert "η" in chars and "_" in chars  # the registry really has symbols and specials
    for ch in chars:
        escaped = latex_escape("x" + ch if unicodedata.combining(ch) else ch)
        assert escaped.isascii(), ch
        assert "[U+" not in escaped, f"no LaTeX for {ch!r} (U+{ord(ch):04X})"


@pytest.mark.parametrize("ch, expected", [
    ("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"), ("#", r"\#"), ("$", r"\$"),
    ("%", r"\%"), ("&", r"\&"), ("_", r"\_"), ("~", r"\textasciitilde{}"),
    ("^", r"\textasciicircum{}"), ("η", r"\ensuremath{\eta}"), ("≈", r"\ensuremath{\approx}"),
    ("≤", r"\ensuremath{\leq}"), ("‖", r"\ensuremath{\|}"), ("→", r"\ensuremath{\to}"),
    ("∇", r"\ensuremath{\nabla}"), ("θ", r"\ensuremath{\theta}"), ("λ", r"\ensuremath{\lambda}"),
    ("²", r"\ensuremath{^{2}}"), ("—", "---"), ("–", "--")])
def test_escape_of_specials_and_symbols(ch, expected):
    assert latex_escape(f"a{ch}b") == f"a{expected}b"


def test_combining_marks_become_accents_on_their_base():
    assert latex_escape("θ̂") == r"\ensuremath{\hat{\theta}}"
    assert latex_escape("Ẋ") == r"\.{X}"  # precomposed: decomposed first
    assert latex_escape("x\u20dd") == "x"  # unknown combining mark is dropped
    assert latex_escape("\u0302a") == r"\^{}a"  # a mark with no base: the bare accent


def test_unknown_symbol_is_visible_not_fatal():
    assert latex_escape("☃") == r"\texttt{[U+2603]}"


@pytest.mark.parametrize("text", [
    "max-steps", "period-2", "inf", "-inf", "0.5", "x", "a b", "x.__class__",
    "__import__('os').system('true')", "exp(__import__)", "(lambda: 1)()", "x**2000",
    "[x, y]", "3c3^2 - c2c4"])
def test_text_that_is_not_an_expression_stays_text(text):
    assert report_pdf.symbolic(text) is None
    assert "fitmath" not in report_pdf.number(text)


@pytest.mark.parametrize("text, latex", [
    ("(2*c2*c4 - 6*c3**2)/(3*c2**2)", r"\frac{2 c_{2} c_{4} - 6 c_{3}^{2}}{3 c_{2}^{2}}"),
    ("2*pi*x_0^2", r"2 \pi x_{0}^{2}"),
    ("sqrt(2*eta)/beta", r"\frac{\sqrt{2} \sqrt{\eta}}{\beta}")])
def test_sympy_code_becomes_the_latex_of_the_same_expression(text, latex):
    # the oracle: SymPy's own printer on SymPy's own reading of this trusted test string
    names = {n: sp.Symbol(n) for n in ("beta", "eta")}  # not SymPy's beta function
    assert latex == sp.latex(sp.sympify(text.replace("^", "**"), locals=names))
    assert report_pdf.symbolic(text).startswith(rf"\fitmath{{{latex}}}{{")


def test_linked_figures_reads_image_links_in_order_without_duplicates():
    md = "![cap one](figures/a.png)\n\n*cap*\n![cap two](figures/b.pdf) [link](c.png)"
    assert linked_figures(md + md) == [("figures/a.png", "cap one"), ("figures/b.pdf", "cap two")]


def test_report_tex_has_a_block_per_check_grouped_by_kind_and_every_figure():
    rows = _registry_rows()
    tex = report_tex(rows, [("figures/a.png", "η = 0.1")], ["derivations/product.pdf"])
    assert tex.isascii()
    assert tex.count(r"\begin{longtable}") == len(rows)  # one number table per check
    assert tex.count(r"\textbf{FAIL}") == sum(not r["passed"] for r in rows)
    kinds = [k for k in ("identity", "theorem", "reconstruction", "regression")
             if any(r["kind"] == k for r in rows)]
    positions = [tex.index(r"\subsubsection*{" + KIND_TITLES[k].split(" ")[0]) for k in kinds]
    assert positions == sorted(positions)
    assert r"$1.23457\times10^{-12}$" in tex and "(rel.)" in tex  # a comparison row
    assert r"\ensuremath{b_{2}} & 2 & 2.5 &" in tex  # one row per quantity of a dict
    assert r"\fitmath{\frac{2 c_{2} c_{4} - 6 c_{3}^{2}}{3 c_{2}^{2}}}{(2*" in tex  # code → math
    assert r"[\fitmath{\frac{\sqrt{2} \sqrt{\alpha}}{\sqrt{\beta}}}{" in tex
    assert r"[1.41421,\allowbreak{} 0]" in tex  # a list printed as text: to the digits that matter
    assert r"x.\_\_class\_\_" in tex  # refused by the parser: stays escaped text
    assert r"{figures/a.png}" in tex and r"\caption{\ensuremath{\eta} = 0.1}" in tex
    assert r"\href{derivations/product.pdf}" in tex


@pytest.mark.tex
@pytest.mark.skipif(NO_TEX or NO_PDFTOTEXT, reason="needs pdflatex and pdftotext")
def test_report_with_every_registered_statement_compiles_and_names_each_check(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    (tmp_path / "figures").mkdir()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    fig.savefig(tmp_path / "figures" / "line.png")
    plt.close(fig)
    rows = _registry_rows()
    (tmp_path / "checks.json").write_text(json.dumps({"checks": rows}, ensure_ascii=False))
    markdown = "![A line; ℓ(xy) ≈ 2/η — 100% & more](figures/line.png)\n\n" \
               "![missing](figures/gone.png)"
    note, ok = write_report_pdf(tmp_path, markdown)
    assert ok, note
    assert "[report.pdf](report.pdf)" in note and "0 overfull boxes" in note
    assert report_pdf.overfull_boxes(tmp_path / "report.log") == 0
    text = _pdf_text(tmp_path / "report.pdf")
    for row in rows:
        assert row["name"] in text, row["name"]
    assert "Figure1:Aline;" in text and "Figure2" not in text  # the missing PNG is skipped
    assert (tmp_path / "report.tex").read_text().count(r"\includegraphics") == 1


@pytest.mark.tex
@pytest.mark.skipif(NO_TEX, reason="needs pdflatex")
def test_latex_error_surfaces_with_the_log_tail(tmp_path):
    tex = tmp_path / "broken.tex"
    tex.write_text("\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n"
                   "\\end{document}\n")
    with pytest.raises(EosmathError) as err:
        compile_tex(tex)
    message = str(err.value)
    assert "Undefined control sequence" in message and "log tail" in message
    assert not (tmp_path / "broken.pdf").exists()


@pytest.mark.tex
@pytest.mark.skipif(NO_TEX, reason="needs pdflatex")
def test_write_report_pdf_reports_a_failed_build_in_the_note(tmp_path, monkeypatch):
    monkeypatch.setattr(report_pdf, "report_tex", lambda *a: "\\documentclass{article}\n"
                        "\\begin{document}\\undefinedmacro\\end{document}\n")
    note, ok = write_report_pdf(tmp_path, "")
    assert not ok and "Undefined control sequence" in note
    assert not (tmp_path / "report.pdf").exists()


def test_without_tex_no_pdf_and_a_clear_note(tmp_path, monkeypatch):
    monkeypatch.setattr(report_pdf, "tex_engine", lambda: None)
    (tmp_path / "report.pdf").write_text("stale")
    (tmp_path / "checks.json").write_text(json.dumps({"checks": _registry_rows()}))
    note, ok = write_report_pdf(tmp_path, "")
    assert ok and "pdflatex was not found" in note
    assert (tmp_path / "report.tex").exists() and not (tmp_path / "report.pdf").exists()
    with pytest.raises(EosmathError, match="pdflatex not found"):
        compile_tex(tmp_path / "report.tex")


def test_run_report_without_tex_writes_index_and_no_pdf(tmp_path, monkeypatch):
    from eosmath.report import reproduce
    from eosmath.report.reproduce import SectionResult

    def fake_checks(out_dir, full, quiet):
        (out_dir / "checks.json").write_text(json.dumps({"checks": _registry_rows()[:3]}))
        return SectionResult("Theorem checks", "3 checks", True, files=["checks.json"])

    monkeypatch.setattr(reproduce, "SECTIONS", [reproduce.Section("checks", fake_checks)])
    monkeypatch.setattr(report_pdf, "tex_engine", lambda: None)
    assert reproduce.run_report(tmp_path, quiet=True)
    index = (tmp_path / "index.md").read_text()
    assert "| PDF of this report | SKIPPED (pdflatex not found) |" in index
    assert "pdflatex was not found" in index
    assert (tmp_path / "report.tex").exists() and not (tmp_path / "report.pdf").exists()


@pytest.mark.tex
@pytest.mark.skipif(NO_TEX, reason="needs pdflatex")
def test_run_report_links_the_pdf_as_its_last_step(tmp_path, monkeypatch):
    from eosmath.report import reproduce
    from eosmath.report.reproduce import SectionResult

    def fake_checks(out_dir, full, quiet):
        (out_dir / "checks.json").write_text(json.dumps({"checks": _registry_rows()[:3]}))
        return SectionResult("Theorem checks", "3 checks", True, files=["checks.json"])

    monkeypatch.setattr(reproduce, "SECTIONS", [reproduce.Section("checks", fake_checks)])
    assert reproduce.run_report(tmp_path, quiet=True)
    index = (tmp_path / "index.md").read_text()
    assert "(LaTeX source [report.tex](report.tex); " in index.rsplit("\n## ", 1)[1]
    assert "[report.pdf](report.pdf)" in index and (tmp_path / "report.pdf").stat().st_size > 0


@pytest.mark.tex
@pytest.mark.skipif(NO_TEX, reason="needs pdflatex")
def test_overfull_boxes_are_counted_from_the_kept_log(tmp_path):
    tex = tmp_path / "wide.tex"
    tex.write_text("\\documentclass{article}\n\\begin{document}\n"
                   "\\noindent\\hbox to 2\\textwidth{x\\hfil}\n\n"
                   "\\begin{tabular}{p{1cm}}\\rule{3cm}{1pt}\\end{tabular}\n\\end{document}\n")
    compile_tex(tex)
    assert report_pdf.overfull_boxes(tmp_path / "wide.log") == 2
