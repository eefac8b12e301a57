"""Progress bars for long work (sweeps, training, long GD runs, the report), drawn by tqdm.

``Progress`` is the one place eosmath makes a bar: tqdm gives rates and the time left, draws a
widget in a Jupyter kernel when ipywidgets is installed (the plain text bar otherwise, without
tqdm's "IProgress not found" warning) and, in a log file (no terminal), writes a line at most
every 30 s instead of one per update. Every caller takes ``quiet=True``; ``TQDM_DISABLE=1`` in
the environment turns every bar off (tqdm's own switch).

>>> with Progress(total=3, label="chunks", quiet=True) as bar:
...     for _ in range(3):
...         bar.update()
>>> bar.done
3
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

LOG_INTERVAL = 30.0
"""Seconds between progress lines when the output is not a terminal."""


def in_notebook_kernel() -> bool:
    """Whether this process is a Jupyter kernel (what ``tqdm.autonotebook`` tests, minus the
    consoles: jupyter-console and qtconsole show text, not widgets)."""
    if "ipykernel.zmqshell" not in sys.modules:
        return False
    if any(k == "QT_API" or k.startswith("SPYDER") for k in os.environ):
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    name = type(shell).__name__.lower()
    return shell is not None and "qt" not in name and "spyder" not in name


def _widgets_importable() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def bar_class():
    """tqdm's notebook widget bar in a Jupyter kernel with ipywidgets, else the text bar.

    ``tqdm.auto`` would pick the widget bar in any kernel and, without ipywidgets, warn
    "IProgress not found" and fall back: the check is made here first, so nothing is printed.

    >>> bar_class().__module__  # a script or a test: the text bar
    'tqdm.std'
    """
    if in_notebook_kernel() and _widgets_importable():
        from tqdm.notebook import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm


def _disabled_by_environment() -> bool:
    return os.environ.get("TQDM_DISABLE", "").strip().lower() in ("1", "true", "yes")


class Progress:
    """Progress over ``total`` units, written to ``stream`` (stderr) by tqdm.

    ``quiet=True`` prints nothing (for scripts and tests). Use as a context manager so the
    final line is always written.
    """

    def __init__(self, total: int, label: str = "", quiet: bool = False, min_interval: float = 0.5,
                 stream=None, unit: str = "it"):
        tqdm = bar_class()
        stream = stream if stream is not None else sys.stderr
        terminal = bool(getattr(stream, "isatty", lambda: False)())
        self._bar = tqdm(total=max(int(total), 0), desc=label,
                         disable=quiet or _disabled_by_environment(), file=stream,
                         unit=unit, dynamic_ncols=True, leave=True,
                         mininterval=min_interval if terminal else LOG_INTERVAL,
                         maxinterval=max(LOG_INTERVAL, min_interval))
        self.total = self._bar.total
        self.label = label
        self.done = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self._bar.close()

    def update(self, n: int = 1) -> None:
        if n:
            self.done += n
            self._bar.update(n)


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
