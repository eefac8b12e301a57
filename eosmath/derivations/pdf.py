"""Compile a standalone derivation with pdflatex (stops at the first LaTeX error)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from eosmath.errors import EosmathError


def pdflatex_available() -> bool:
    return shutil.which("pdflatex") is not None


def build_pdf(tex_path, out_dir=None, timeout: float = 120) -> Path:
    """Run ``pdflatex -halt-on-error`` on ``tex_path``; return the PDF (next to it by default).

    Raises :class:`~eosmath.errors.EosmathError` with LaTeX's error lines when the build fails,
    or when no pdflatex is installed (Debian: ``apt-get install texlive-latex-base
    texlive-latex-recommended``).
    """
    tex_path = Path(tex_path).resolve()
    out_dir = Path(out_dir).resolve() if out_dir else tex_path.parent
    if not pdflatex_available():
        raise EosmathError("pdflatex not found: install texlive-latex-base and "
                           "texlive-latex-recommended to build PDFs")
    with tempfile.TemporaryDirectory() as work:
        result = subprocess.run(
            ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", "-output-directory",
             work, str(tex_path)], capture_output=True, text=True, timeout=timeout,
            cwd=work)
        pdf = Path(work) / (tex_path.stem + ".pdf")
        if result.returncode != 0 or not pdf.exists():
            errors = [line for line in result.stdout.splitlines() if line.startswith("!")]
            raise EosmathError(f"pdflatex failed on {tex_path.name}: "
                               + ("; ".join(errors) or result.stdout[-500:]))
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / pdf.name
        shutil.copyfile(pdf, target)
    return target
