"""One page of the report PDF as a PNG: evidence that the check table reads well, viewable
without a PDF reader.

poppler's ``pdftotext`` finds the page showing the most check tables (their header row
``quantity predicted measured tolerance``) and ``pdftoppm`` renders it. Without poppler the
step is skipped, and says so.

>>> table_page(["title", "quantity predicted measured tolerance", "x"], TABLE_HEADER)
2
>>> table_page(["no table here"], TABLE_HEADER) is None
True
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from eosmath.errors import EosmathError

TABLE_HEADER = ("quantity", "predicted", "measured", "tolerance")
"""The header row of every check table of :mod:`eosmath.report.report_pdf`."""


def poppler_missing() -> str:
    """Why a page cannot be rendered here (the missing tool), or "" when it can."""
    missing = [tool for tool in ("pdftotext", "pdftoppm") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not found (install poppler-utils)" if missing else ""


def table_page(pages: list[str], header=TABLE_HEADER) -> int | None:
    """The 1-based number of the page (text per page) showing the most table headers, the
    first such page on ties; None when no page shows one."""
    counts = [_header_count(text, header) for text in pages]
    best = max(counts, default=0)
    return counts.index(best) + 1 if best else None


def _header_count(text: str, header) -> int:
    return sum(all(word in line.split() for word in header) for line in text.splitlines())


def _run(command: list[str], timeout: float) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        raise EosmathError(f"{command[0]} took more than {timeout:g} s") from None
    if result.returncode != 0:
        raise EosmathError(f"{command[0]} failed: {result.stderr.strip()[-400:]}")
    return result.stdout


def render_table_page(pdf, png, dpi: int = 120, timeout: float = 60) -> int:
    """Write the page of ``pdf`` with the most check tables to ``png``; return its number.

    Raises :class:`EosmathError` when poppler is missing, fails, or no page has a table.
    """
    missing = poppler_missing()
    if missing:
        raise EosmathError(missing)
    pdf, png = Path(pdf), Path(png)
    text = _run(["pdftotext", "-layout", str(pdf), "-"], timeout)
    page = table_page(text.split("\f"))
    if page is None:
        raise EosmathError(f"{pdf.name} has no page with a check table")
    # pdftoppm appends ".png" to the prefix it is given (-singlefile: no page number)
    _run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
          str(pdf), str(png.with_suffix(""))], timeout)
    if not png.exists():
        raise EosmathError(f"pdftoppm wrote no {png.name}")
    return page


def write_table_page_png(pdf, png) -> tuple[str, bool, str]:
    """The report step: render the table page of ``pdf`` to ``png`` when poppler exists.

    Returns (markdown note, success, why skipped: "" when it ran). A stale PNG is removed
    first, so the file never shows a page of an earlier report.
    """
    png = Path(png)
    if png.exists():
        png.unlink()
    missing = poppler_missing()
    if missing:
        return f"No PNG of a table page: {missing}.", True, missing
    try:
        page = render_table_page(pdf, png)
    except EosmathError as err:
        return f"No PNG of a table page: {err}.", False, ""
    return (f"Page {page} of the PDF, with its check tables, as an image: "
            f"[{png.name}]({png.name}).", True, "")
