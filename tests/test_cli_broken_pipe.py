"""Output to a closed pipe (``eosmath models | head``) ends quietly: no traceback."""

import os
import subprocess
import sys

import pytest

from eosmath.cli import SIGPIPE_EXIT


def _to_closed_pipe(*args) -> subprocess.CompletedProcess:
    """Run ``eosmath ARGS`` with stdout a pipe whose reader is already gone: the first write
    fails, deterministically (a reader that closes after one line races the writer)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "eosmath.cli", *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [("models",), ("verify", "--list"), ("--help",)])
def test_closed_pipe_exits_quietly(args):
    result = _to_closed_pipe(*args)
    assert result.stderr == ""
    assert result.returncode in (SIGPIPE_EXIT, 0)
    if args != ("--help",):  # argparse exits through SystemExit(0) after printing help
        assert result.returncode == SIGPIPE_EXIT


def test_head_reads_the_first_line_and_nothing_is_printed_on_stderr():
    shell = f"{sys.executable} -m eosmath.cli verify --list | head -n 1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.count("\n") == 1 and result.stderr == ""
    assert result.returncode in (0, SIGPIPE_EXIT)
