"""``eosmath --help`` lists every command without importing them (SymPy, NumPy, SciPy)."""

import subprocess
import sys
import time

from eosmath.cli import COMMAND_HELP, COMMAND_MODULES


def test_help_lists_every_command_and_imports_no_numerics():
    code = ("import sys; from eosmath.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sympy', 'numpy', 'scipy', 'numba') if m in sys.modules))")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    seconds = time.perf_counter() - start
    assert out.strip().splitlines()[-1] == "[]"
    for name, text in COMMAND_HELP.items():
        assert name in out and text in out
    assert seconds < 2.0  # the interpreter's own start-up included; measured 0.05 s idle


def test_every_command_module_has_a_help_line():
    assert set(COMMAND_HELP) == set(COMMAND_MODULES)


def test_help_lines_match_the_commands_own_parsers():
    import argparse

    from eosmath.cli import build_parser

    for name, text in COMMAND_HELP.items():
        parser = build_parser(name)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        helps = {c.dest: c.help for c in sub._choices_actions}
        assert helps[name] == text, name
