"""Output paths checked before the work that fills them: a run is never lost at the end
because its result cannot be written.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> check_output_file(folder / "run.nc", "--out")         # writable: nothing happens
>>> try:
...     check_output_file(folder, "--out")
... except InvalidInputError as err:
...     str(err).endswith("is a folder; give a file name")
True
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from eosmath.errors import InvalidInputError


def existing_ancestor(path) -> Path:
    """``path`` itself if it exists, else its nearest existing parent folder."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_writable_folder(folder, what: str, target=None) -> None:
    """Refuse unless a file can be created in ``folder`` (tried, then removed)."""
    target = target if target is not None else folder
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".eosmath-probe-")
    except OSError as err:
        raise InvalidInputError(f"cannot write {what} {target}: {err.strerror or err} "
                                f"({folder})") from None
    os.close(fd)
    os.unlink(probe)


def check_output_file(path, what: str) -> None:
    """Refuse an output file path that is a folder or whose folder is not writable."""
    path = Path(path)
    if path.is_dir():
        raise InvalidInputError(f"{what} {path} is a folder; give a file name")
    check_writable_folder(existing_ancestor(path.parent if str(path.parent) else "."), what,
                          target=path)
