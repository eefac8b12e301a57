"""A model compiled before any dynamics module is imported still gets the GD kernels (the
templates register themselves when a key is taken, not when eosmath.dynamics is imported)."""

import subprocess
import sys


def test_compile_in_a_fresh_process_includes_the_gd_loop(tmp_path):
    code = ("import eosmath as eos\n"
            "k = eos.models.get('quadratic', a=2.0).compile()\n"
            "assert hasattr(k.module, 'gd_core') and hasattr(k.module, 'sweep_cells')\n"
            "print(eos.run_gd(eos.models.get('quadratic', a=2.0), 0.1, (1.0,), 200).status.name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"EOSMATH_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
                         check=True)
    assert out.stdout.strip() == "CONVERGED"
