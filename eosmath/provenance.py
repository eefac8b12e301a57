"""Provenance attached to every result that leaves the process (files, reports).

>>> p = provenance(dtype="float64")
>>> p["eosmath_version"] == __import__("eosmath").__version__ and p["dtype"] == "float64"
True
"""

from __future__ import annotations

import datetime as _dt
import platform

from eosmath._version import __version__


def machine_info() -> dict:
    """Python, NumPy, platform and CPU count of this machine."""
    import os

    import numpy as np

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
    }


def provenance(**extra) -> dict:
    """eosmath version, UTC timestamp and machine info, plus whatever the caller adds."""
    record = {
        "eosmath_version": __version__,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        **machine_info(),
    }
    record.update({k: v for k, v in extra.items()})
    return record
