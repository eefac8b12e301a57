"""The Derivation: a list of checked statements that becomes a LaTeX document or fragment.

Each :class:`Statement` has prose, numbered equations (labelled ``eq:<slug>:<what>``) and the
:class:`~eosmath.derivations.checks.Check` objects that establish it. The document prints every
check's outcome next to the statement, so a reader sees what was verified and how.

>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> d = Derivation("demo", "A demo")
>>> d.add(Statement("square", "A square", equations=(Equation("sq", "f(x)", x**2),)))
>>> print(d.equation("sq").label("demo"))
eq:demo:sq
>>> "\\\\label{eq:demo:sq}" in d.to_latex(standalone=False)
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from eosmath.derivations.checks import Check
from eosmath.derivations.latex import break_lines, text
from eosmath.errors import InvalidInputError

_LABEL_PART = re.compile(r"^[A-Za-z0-9_.:-]+$")


@dataclass(frozen=True)
class Equation:
    """``lhs relation rhs`` with ``rhs`` a SymPy expression (or ready LaTeX text)."""

    what: str
    lhs: str
    rhs: sp.Expr | str | tuple  # an expression, LaTeX text, or LaTeX already cut into lines
    relation: str = "="

    def __post_init__(self):
        if not _LABEL_PART.match(self.what):
            raise InvalidInputError(f"equation name {self.what!r} is not usable in a \\label")

    def label(self, slug: str) -> str:
        return f"eq:{slug}:{self.what}"

    def rhs_lines(self) -> list[str]:
        """The right-hand side, broken into lines if it is a long sum."""
        if isinstance(self.rhs, str):
            return [self.rhs]
        if isinstance(self.rhs, tuple):
            return list(self.rhs)
        return break_lines(self.rhs)

    def rhs_latex(self) -> str:
        """The right-hand side on one line (what the lines join to)."""
        return " ".join(self.rhs_lines())

    def align_rows(self, slug: str) -> str:
        lines = self.rhs_lines()
        rows = [f"{self.lhs} &{self.relation} {lines[0]}"]
        rows += [rf"&\qquad {line}" for line in lines[1:]]
        rows = [row + r" \nonumber" for row in rows[:-1]] + [rows[-1]]
        rows[-1] += rf" \label{{{self.label(slug)}}}"
        return " \\\\\n".join(rows)


@dataclass(frozen=True)
class Statement:
    """One step of a derivation: heading, prose, equations, and the checks that back it."""

    key: str
    title: str
    prose: str = ""
    equations: tuple[Equation, ...] = ()
    checks: tuple[Check, ...] = ()
    after: str = ""

    @property
    def passed(self) -> bool:
        """False if any of its checks failed."""
        return all(c.passed is not False for c in self.checks)

    def to_latex(self, slug: str, heading: str = "section") -> str:
        parts = [rf"\{heading}{{{self.title}}}"]
        if self.prose:
            parts.append(self.prose)
        if self.equations:
            body = " \\\\\n".join(eq.align_rows(slug) for eq in self.equations)
            parts.append("\\begin{align}\n" + body + "\n\\end{align}")
        if self.after:
            parts.append(self.after)
        parts += [c.to_latex() for c in self.checks]
        return "\n\n".join(parts)


@dataclass
class Derivation:
    """A derivation document about one model; build it with :func:`eosmath.derivations.derive`."""

    slug: str
    title: str
    statements: list[Statement] = field(default_factory=list)
    header: str = ""

    def __post_init__(self):
        if not _LABEL_PART.match(self.slug):
            raise InvalidInputError(f"derivation name {self.slug!r} is not usable in a \\label")

    def add(self, statement: Statement) -> None:
        """Append a statement; equation names must stay unique within the document."""
        known = {eq.what for st in self.statements for eq in st.equations}
        for eq in statement.equations:
            if eq.what in known:
                raise InvalidInputError(f"equation name {eq.what!r} used twice in {self.slug}")
            known.add(eq.what)
        self.statements.append(statement)

    # ----------------------------------------------------------------- queries
    @property
    def checks(self) -> list[Check]:
        return [c for st in self.statements for c in st.checks]

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if c.passed is False]

    @property
    def verified(self) -> bool:
        """True when no check failed (skipped checks are listed in the document as such)."""
        return not self.failed_checks

    def statement(self, key: str) -> Statement:
        for st in self.statements:
            if st.key == key:
                return st
        raise KeyError(f"{self.slug} has no statement {key!r}")

    def equation(self, what: str) -> Equation:
        for st in self.statements:
            for eq in st.equations:
                if eq.what == what:
                    return eq
        raise KeyError(f"{self.slug} has no equation {what!r}")

    # ----------------------------------------------------------------- output
    def _summary(self) -> str:
        counts = {m: sum(1 for c in self.checks if c.method == m)
                  for m in ("symbolic", "numeric", "sampled", "failed", "skipped")}
        return (rf"\noindent Every statement below is checked as it is written: "
                rf"{counts['symbolic']} checks verified symbolically, {counts['numeric']} "
                rf"as identities numerically (50 digits), {counts['sampled']} against an "
                rf"independent numerical computation; {counts['failed']} failed, "
                rf"{counts['skipped']} not checked.")

    def to_latex(self, standalone: bool = True) -> str:
        """The document (``standalone``: with preamble) or a fragment for ``\\input``."""
        heading = "section" if standalone else "subsection"
        body = [self._summary()] + [st.to_latex(self.slug, heading) for st in self.statements]
        comment = [f"% {line}" for line in self.header.splitlines()]
        if standalone:
            head = comment + [
                r"\documentclass[11pt]{article}",
                r"\usepackage[a4paper,margin=2.5cm]{geometry}",
                r"\usepackage{amsmath,amssymb}",
                r"\allowdisplaybreaks",
                rf"\title{{{self.title}}}",
                r"\author{generated by eosmath}",
                r"\date{}",
                r"\begin{document}",
                r"\maketitle",
            ]
            tail = [r"\end{document}"]
        else:
            head = comment + [r"% fragment: needs \usepackage{amsmath,amssymb} in the host",
                              rf"\section{{{self.title}}}"]
            tail = []
        return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n\n" + "\n".join(tail) + "\n"

    def write(self, path, standalone: bool = True) -> Path:
        """Write :meth:`to_latex` to ``path`` (parent folders are created)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_latex(standalone))
        return path


def prose(s: str) -> str:
    """Plain Unicode prose for a statement (escaped for LaTeX); see :func:`latex.text`."""
    return text(s)
