"""``--rule TEXT``: an update rule of :mod:`eosmath.rules` written on the command line.

TEXT is one transform, or several joined by ``+`` and applied in order (as ``chain``); the
flag may be repeated and the rules chain in the order given::

    clip(a, 0.002)          clip(a, b, C=0.002)
    heavy_ball(0.9)         nesterov(0.9)
    rmsprop(0.99, 1e-8)     adam(0.9, 0.999)       adam(beta1=0.9, eps=1e-6)
    project(w1=0, a="<= sqrt(2/eta)")              project(a=(0, 1))

Python's parser reads the text and only these forms pass: a listed factory called with
numbers, parameter names (clip) and quoted bounds (project). Nothing is evaluated; a bound's
text is parsed safely by :func:`eosmath.rules.project`.

>>> str(parse_rules(["clip(a, 0.002) + heavy_ball(0.9)"]))
"chain(clip(('a',), 0.002), heavy_ball(0.9))"
>>> str(parse_rules(["adam(0.9, 0.999)", "project(w1=0)"]))
"chain(adam(0.9, 0.999, 1e-08), project(('w1', '==', '0.0')))"
"""

from __future__ import annotations

import ast
import inspect

from eosmath.errors import InvalidInputError

USAGE = {"clip": "clip(NAME, ..., C)", "heavy_ball": "heavy_ball(beta)",
         "nesterov": "nesterov(beta)", "rmsprop": "rmsprop(beta2=0.99, eps=1e-8)",
         "adam": "adam(beta1=0.9, beta2=0.999, eps=1e-8)", "project": "project(NAME=BOUND, ...)"}
"""The transforms allowed, each as it is written (defaults shown)."""

SYNTAX = (", ".join(USAGE.values()) + "; chain with + or repeat the flag, e.g. "
          "--rule 'clip(a, 0.002) + heavy_ball(0.9)'")
"""The syntax in one line, for the commands' help."""

MAX_LENGTH = 1000  # far above any real rule; keeps the parser's work small on hostile input
MAX_DEPTH = 100


def parse_rules(texts):
    """The :class:`~eosmath.rules.Rule` that ``--rule`` flags ``texts`` describe (None if none)."""
    if not texts:
        return None
    from eosmath.dynamics import update_rules

    rules = [rule for text in texts for rule in _parse_one(text, update_rules)]
    try:
        return update_rules.chain(*rules)
    except InvalidInputError as err:  # e.g. two momentum transforms in one chain
        raise InvalidInputError(f"--rule: {err}") from None


def _parse_one(text: str, update_rules) -> list:
    def refuse(reason: str):
        return InvalidInputError(f"--rule {text!r}: {reason}")

    if len(text) > MAX_LENGTH:
        raise InvalidInputError(f"--rule: the text is longer than {MAX_LENGTH} characters")
    try:
        body = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise refuse(f"not a rule; expected {SYNTAX}") from None
    nodes = [(body, 1)]
    while nodes:  # a real rule nests a few levels; deeper input is refused before it is read
        node, depth = nodes.pop()
        if depth > MAX_DEPTH:
            raise refuse(f"nested deeper than {MAX_DEPTH} levels")
        nodes += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    calls, pending = [], [body]
    while pending:  # the terms of a + b + c, left to right (no recursion on long chains)
        node = pending.pop()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            pending += [node.right, node.left]
        else:
            calls.append(node)
    return [_transform(call, text, refuse, update_rules) for call in calls]


def _transform(node, text, refuse, update_rules):
    piece = ast.get_source_segment(text.strip(), node) or text
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in USAGE):
        raise refuse(f"{piece!r} is not one of {', '.join(f + '(...)' for f in USAGE)}")
    name = node.func.id
    if piece != text.strip():  # name the term at fault in a chain
        refuse = _prefixed(refuse, piece)
    if any(k.arg is None for k in node.keywords) or any(
            isinstance(a, ast.Starred) for a in node.args):
        raise refuse("* and ** are not rule syntax")
    args = [_value(a, refuse, names=name == "clip", bounds=False) for a in node.args]
    kwargs = {k.arg: _value(k.value, refuse, names=False, bounds=name == "project")
              for k in node.keywords}
    factory = getattr(update_rules, name)
    if name == "clip":
        names = [a for a in args if isinstance(a, str)]
        if args[:len(names)] != names:
            raise refuse("the coordinate names come first, then the bound C")
        args = [tuple(names), *args[len(names):]] if names else args
    try:
        inspect.signature(factory).bind(*args, **kwargs)
    except TypeError:
        raise refuse(f"expected {USAGE[name]}") from None
    try:
        return factory(*args, **kwargs)
    except InvalidInputError as err:
        raise refuse(str(err)) from None


def _prefixed(refuse, piece: str):
    return lambda reason: refuse(f"{piece}: {reason}")


def _value(node, refuse, *, names: bool, bounds: bool):
    """A number; with ``names`` also a parameter name; with ``bounds`` a quoted bound or a
    pair (lo, hi)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd) and \
            isinstance(node.operand, ast.Constant):  # a signed number, one sign
        inner = _value(node.operand, refuse, names=False, bounds=False)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant):
        if isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return float(node.value)
        if bounds and isinstance(node.value, str):
            return node.value
    elif names and isinstance(node, ast.Name):
        return node.id
    elif bounds and isinstance(node, ast.Tuple | ast.List) and len(node.elts) == 2:
        return tuple(_value(e, refuse, names=False, bounds=True) for e in node.elts)
    allowed = "numbers" + (", parameter names" if names else "") + (
        ", quoted bounds such as \"<= sqrt(2/eta)\" or pairs (lo, hi)" if bounds else "")
    raise refuse(f"{ast.unparse(node)!r} is not allowed here ({allowed})")
