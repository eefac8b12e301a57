"""One writer per sweep store: an exclusive lock file inside the store.

The file ``.eosmath-lock`` holds the writer's pid and host; the lock itself is an ``flock`` on
it, which the operating system drops when the process dies (``kill -9`` included). A second
writer is refused with the holder's pid; a lock file whose ``flock`` is free was left by a
writer that died, and is taken over with a note.

>>> import tempfile, pathlib
>>> store = pathlib.Path(tempfile.mkdtemp()) / "s.zarr"
>>> with StoreLock(store) as lock:
...     (store / LOCK_NAME).exists()
True
>>> (store / LOCK_NAME).exists()      # removed when the writer is done
False
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import warnings
from pathlib import Path

from eosmath.errors import StoreError

LOCK_NAME = ".eosmath-lock"


class StoreLock:
    """Context manager holding the lock of the store at ``path`` (created if absent).

    ``taken_over`` is the record ``{"pid": ..., "host": ...}`` of a dead writer whose lock was
    taken over, else None.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.file = self.path / LOCK_NAME
        self.taken_over = None
        self._fd = None

    def __enter__(self) -> StoreLock:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._acquire()
        except OSError as err:
            raise StoreError(f"cannot write the store {self.path}: "
                             f"{err.strerror or err}") from None
        return self

    def _acquire(self) -> None:
        while True:
            fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read(fd)
                os.close(fd)
                raise StoreError(_held_message(self.path, holder)) from None
            try:
                same_file = os.fstat(fd).st_ino == os.stat(self.file).st_ino
            except FileNotFoundError:  # the holder removed it between our open and flock
                same_file = False
            if same_file:
                break
            os.close(fd)
        previous = _read(fd)
        if previous:
            self.taken_over = previous
            warnings.warn(f"taking over the lock of {self.path} left by pid "
                          f"{previous.get('pid', '?')} on {previous.get('host', '?')}, "
                          "which is no longer running", stacklevel=3)
        record = json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)
        self._fd = fd

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            self.file.unlink(missing_ok=True)  # before the unlock: no one locks a removed file
            os.close(self._fd)
            self._fd = None


def check_not_held(path) -> None:
    """Refuse (:class:`StoreError` naming the holder's pid) a store another process writes."""
    file = Path(path) / LOCK_NAME
    try:
        fd = os.open(file, os.O_RDONLY)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise StoreError(_held_message(Path(path), _read(fd))) from None
    finally:
        os.close(fd)  # also drops the shared lock if it was granted


def _held_message(path, holder: dict) -> str:
    return (f"{path} is being written by another sweep (pid {holder.get('pid', '?')} on "
            f"{holder.get('host', '?')}); wait for it to finish or choose another --out")


def _read(fd) -> dict:
    try:
        text = os.pread(fd, 4096, 0).decode()
        return json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {"pid": "unknown"}
