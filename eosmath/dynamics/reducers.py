"""User statistics of a sweep: an expression in the model's symbols, reduced over the steps.

Like diffrax's ``SaveAt(fn=...)``, but compiled into the GD loop: the expression is parsed with
the same whitelist as model strings (nothing is evaluated), printed into the kernel module and
evaluated at every iterate θ_0 … θ_{stop−1} (the iterates whose step was taken, as for
``max_sharpness``). Reductions: ``max``, ``min``, ``sum``, ``mean`` (= sum / steps).

>>> import eosmath as eos
>>> m = eos.models.get("product", ell="logcosh")
>>> [(r.name, r.op, str(r.expression)) for r in parse_reducers(m, {"peak_xy": "max: x*y"})]
[('peak_xy', 'max', 'x*y')]
"""

from __future__ import annotations

from dataclasses import dataclass

from eosmath.errors import InvalidInputError

OPS = ("max", "min", "sum", "mean")


@dataclass(frozen=True)
class Reducer:
    name: str
    op: str
    expression: object  # a SymPy expression in the model's parameters and hyper-parameters

    @property
    def kernel_op(self) -> str:
        return "sum" if self.op == "mean" else self.op


def parse_reducers(model, reducers) -> tuple[Reducer, ...]:
    """``{"name": "op: expression"}`` or ``{"name": (op, expression)}`` → reducers, checked.

    Refused before anything runs: an unknown operation, a name that is not an identifier, an
    expression with a symbol the model does not have.
    """
    from eosmath.symbolic.parsing import parse_expression

    out = []
    symbols = {str(p): p for p in model.params}
    symbols.update({str(h): h for h in model.hyper})
    for name, spec in (reducers or {}).items():
        if not str(name).isidentifier():
            raise InvalidInputError(f"reducer name {name!r} is not an identifier")
        if isinstance(spec, str):
            if ":" not in spec:
                raise InvalidInputError(
                    f"reducer {name!r}: write 'op: expression' with op one of {OPS}, got {spec!r}")
            op, text = (part.strip() for part in spec.split(":", 1))
        else:
            op, text = spec
        if op not in OPS:
            raise InvalidInputError(f"reducer {name!r}: unknown operation {op!r}; use one of {OPS}")
        try:
            expression = parse_expression(str(text), symbols)
        except Exception as err:  # ModelSyntaxError and friends: say which reducer
            raise InvalidInputError(f"reducer {name!r}: {err}") from None
        out.append(Reducer(str(name), op, expression))
    return tuple(out)


def kernel_reducers(reducers) -> tuple:
    """What the code generator needs: ``(op, expression)`` with mean computed as a sum."""
    return tuple((r.kernel_op, r.expression) for r in reducers)


REDUCER_INIT = {"max": "-np.inf", "min": "np.inf", "sum": "0.0"}
REDUCER_UPDATE = {"max": "{v} if {v} > {acc} else {acc}", "min": "{v} if {v} < {acc} else {acc}",
                  "sum": "{acc} + {v}"}


def reducers_source(parts) -> str:
    """Numba source of ``NREDUCE``, ``reduce_init(acc)`` and ``reduce_step(theta, h, acc)`` for
    the model's user reducers (no-ops without any); the lane kernel inlines the same
    expressions."""
    lines = ["", f"NREDUCE = {len(parts.reducers)}", "", "",
             "@njit(cache=True)", "def reduce_init(acc):", "    pass"]
    lines += [f"    acc[{k}] = {REDUCER_INIT[op]}" for k, (op, _) in enumerate(parts.reducers)]
    lines += ["", "", "@njit(cache=True)", "def reduce_step(theta, h, acc):", "    pass"]
    lines += [f"    _p{i} = theta[{i}]" for i in range(parts.dim)]
    lines += [f"    _h{i} = h[{i}]" for i in range(parts.nhyper)]
    for k, (op, expr) in enumerate(parts.reducers):
        lines.append(f"    v = {expr}")
        lines.append(f"    acc[{k}] = " + REDUCER_UPDATE[op].format(v="v", acc=f"acc[{k}]"))
    return "\n".join(lines) + "\n"
