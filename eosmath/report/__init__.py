"""Reports: LaTeX derivations (each statement checked as it is written) and `eosmath reproduce`.

>>> import eosmath as eos
>>> from eosmath.report import derive
>>> doc = derive(eos.models.get("product", ell="sqrt")).to_latex()
>>> doc.startswith("%") and "\\\\end{document}" in doc
True
"""

from eosmath.report.checks import Check
from eosmath.report.derivation import Derivation, Equation, Statement
from eosmath.report.derive import derive
from eosmath.report.latex import HousePrinter, to_latex

__all__ = ["Check", "Derivation", "Equation", "HousePrinter", "Statement", "derive", "to_latex"]
