"""A dynamical system given by a map and/or a vector field, for models that are not losses.

The reduced dynamics of Damian et al. (a 2-D map and its ODE) are not gradient descent on any
loss; they get this small object instead of a :class:`~eosmath.symbolic.model.Model`.

>>> import sympy as sp
>>> x, y = sp.symbols("x y", real=True)
>>> s = DynamicalSystem((x, y), vector_field=(x * y, 1 - x**2 / 2))
>>> s.equilibria()
[{x: -sqrt(2), y: 0}, {x: sqrt(2), y: 0}]

Run it with :func:`eosmath.iterate` (maps) or :func:`eosmath.integrate` (ODEs).
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp


class DynamicalSystem:
    """State symbols with a discrete map (state ↦ next state) and/or an ODE vector field.

    ``conserved`` names quantities (SymPy expressions in the state and hyper-parameters) that
    the system is declared to conserve; :func:`eosmath.integrate` and :func:`eosmath.iterate`
    report their drift along a trace. For a vector field, check a declaration with
    :meth:`is_first_integral`.
    """

    def __init__(self, state, map=None, vector_field=None, hyper: Mapping | None = None, *,
                 name: str = "system", source: str = "", description: str = "",
                 meta: Mapping | None = None, conserved: Mapping | None = None):
        self.state = tuple(state)
        self._map = None if map is None else sp.Matrix(list(map))
        self._field = None if vector_field is None else sp.Matrix(list(vector_field))
        self.hyper = dict(hyper or {})
        self.name, self.source, self.description = name, source, description
        self.meta = dict(meta or {})
        self.conserved = {str(k): sp.sympify(v) for k, v in (conserved or {}).items()}

    @property
    def has_map(self) -> bool:
        return self._map is not None

    @property
    def has_vector_field(self) -> bool:
        return self._field is not None

    @property
    def dim(self) -> int:
        return len(self.state)

    def map(self) -> sp.Matrix:
        if self._map is None:
            raise AttributeError(f"{self.name} has no discrete map")
        return self._map

    def vector_field(self) -> sp.Matrix:
        if self._field is None:
            raise AttributeError(f"{self.name} has no vector field")
        return self._field

    def map_jacobian(self) -> sp.Matrix:
        return self.map().jacobian(self.state)

    def field_jacobian(self) -> sp.Matrix:
        return self.vector_field().jacobian(self.state)

    def equilibria(self) -> list[dict]:
        """Zeros of the vector field (real solutions SymPy finds)."""
        return sp.solve(list(self.vector_field()), self.state, dict=True)

    def is_first_integral(self, q: sp.Expr) -> bool:
        """True iff dQ/dt = ∇Q · field simplifies to 0."""
        rate = sum(sp.diff(q, s) * f for s, f in zip(self.state, self.vector_field(), strict=True))
        return sp.simplify(rate) == 0

    def __repr__(self) -> str:
        return f"DynamicalSystem({self.name!r}, state={self.state})"
