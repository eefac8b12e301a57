"""A dependency-free progress bar for long work (sweeps, training, the report).

>>> with Progress(total=3, label="chunks", quiet=True) as bar:
...     for _ in range(3):
...         bar.update()
>>> bar.done
3
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time


class Progress:
    """Progress over ``total`` units, written to stderr at most every ``min_interval`` seconds.

    ``quiet=True`` prints nothing (for scripts and tests). Use as a context manager so the
    final line is always written.
    """

    def __init__(self, total: int, label: str = "", quiet: bool = False, min_interval: float = 0.5,
                 stream=None):
        self.total = max(int(total), 0)
        self.label = label
        self.quiet = quiet
        self.min_interval = min_interval
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._start = time.perf_counter()
        self._last = time.perf_counter()
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __enter__(self) -> Progress:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self._write(final=True)

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        # In a log file (no TTY) carriage returns pile up on one line: write whole lines, rarely.
        interval = self.min_interval if self._tty else 10 * self.min_interval
        if now - self._last >= interval and self.done < self.total:
            self._last = now
            self._write(final=False)

    def _write(self, final: bool) -> None:
        if self.quiet:
            return
        elapsed = time.perf_counter() - self._start
        frac = self.done / self.total if self.total else 1.0
        width = 30
        filled = int(round(width * min(frac, 1.0)))
        eta = elapsed / frac - elapsed if 0 < frac < 1 else 0.0
        left = f" (~{eta:.0f}s left)" if eta else ""
        line = (f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                f"{self.done}/{self.total} {elapsed:6.1f}s{left}")
        if not self._tty:
            line = line.lstrip("\r") + "\n"
        elif final:
            line += "\n"
        self.stream.write(line)
        self.stream.flush()


NOTICE_AFTER = 2.0  # seconds of silence before slow work says what it is doing


@contextlib.contextmanager
def notice_if_slow(message: str, after: float | None = None, stream=None):
    """Write ``eosmath: <message>`` to stderr if the block is still running after ``after``
    seconds (default NOTICE_AFTER): work that is usually quick but can take minutes says so.

    >>> with notice_if_slow("compiling", after=60.0):
    ...     pass
    """
    out = stream if stream is not None else sys.stderr

    def say():
        print(f"eosmath: {message}", file=out, flush=True)

    timer = threading.Timer(NOTICE_AFTER if after is None else after, say)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
