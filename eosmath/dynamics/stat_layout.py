"""The row of statistics the GD kernels write for each cell, by position.

Shared by the kernel templates and the code that reads their output; no dependencies, so a
warm sweep can read kernel output without loading the code generator.

>>> STAT["final_sharpness"], NSTAT
(4, 12)
"""

STAT_NAMES = ("status", "stop_step", "period", "final_loss", "final_sharpness", "max_sharpness",
              "first_unstable_step", "eos_steps", "lyapunov_sum", "lyapunov_steps",
              "underflow_step", "underflow_index")
NSTAT = len(STAT_NAMES)
STAT = {name: i for i, name in enumerate(STAT_NAMES)}
