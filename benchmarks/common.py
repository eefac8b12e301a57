"""Helpers shared by the benchmarks: timing and writing results with machine info and date."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from eosmath.provenance import provenance

RESULTS = Path(__file__).parent / "results"


def best_of(fn, repeat: int = 5) -> float:
    """Smallest wall time of ``repeat`` calls (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def write_results(stem: str, payload: dict, markdown: str) -> Path:
    """Write ``<stem>_<date>.json`` and ``.md`` under benchmarks/results/; return the JSON path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    date = dt.date.today().isoformat()
    payload = {"benchmark": stem, "date": date, "provenance": provenance(), **payload}
    path = RESULTS / f"{stem}_{date}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    (RESULTS / f"{stem}_{date}.md").write_text(markdown + "\n")
    return path
