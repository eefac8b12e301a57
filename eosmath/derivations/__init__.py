"""Derivations: the LaTeX document of a model, each statement checked as it is written.

``python -m eosmath.derivations.regenerate`` writes one per catalog model to ``derivations/``.

>>> import eosmath as eos
>>> from eosmath.derivations import derive
>>> doc = derive(eos.models.get("product", ell="sqrt")).to_latex()
>>> doc.startswith("%") and "\\\\end{document}" in doc
True
"""

from eosmath.derivations.checks import Check
from eosmath.derivations.derivation import Derivation, Equation, Statement
from eosmath.derivations.derive import derive
from eosmath.derivations.latex import HousePrinter, to_latex

__all__ = ["Check", "Derivation", "Equation", "HousePrinter", "Statement", "derive", "to_latex"]
