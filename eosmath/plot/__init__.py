"""Figures: phase diagrams of sweeps, sharpness and eigenvalue traces, phase portraits,
orbit diagrams (matplotlib), in one house style (see :mod:`eosmath.plot.figures`).

>>> import numpy as np, eosmath as eos
>>> ds = eos.sweep(eos.models.get("quadratic"), eta=np.linspace(0.5, 3, 6), x=1.0,
...                a=np.linspace(0.5, 1.5, 3), steps=200, quiet=True)
>>> fig = eos.plot.phase_diagram(ds, "status")      # η·a = 2 exactly: x ↦ −x, period 2
>>> sorted(t.get_text() for t in fig.axes[0].get_legend().get_texts())
['converged', 'diverged', 'period']
"""

from eosmath.plot.figures import (
    eigenvalue_trace,
    orbit_diagram_plot,
    phase_diagram,
    phase_portrait,
    sharpness_trace,
)

__all__ = ["eigenvalue_trace", "orbit_diagram_plot", "phase_diagram", "phase_portrait",
           "sharpness_trace"]
