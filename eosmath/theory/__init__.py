"""Theorem checks of the seed papers: named claims → :class:`Verdict` (measured vs predicted).

>>> import eosmath.theory as th
>>> "product.gd_identity" in [c.name for c in th.checks()]
True
"""

from eosmath.theory.families import checks
from eosmath.theory.harness import Report, verify, verify_all
from eosmath.theory.registry import UnknownCheckError, check
from eosmath.theory.verdict import Comparison, HeldOut, Outcome, Recheck, Verdict

__all__ = ["Comparison", "HeldOut", "Outcome", "Recheck", "Report", "UnknownCheckError",
           "Verdict", "check", "checks", "verify", "verify_all"]
