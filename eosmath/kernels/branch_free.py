"""Conditional expressions of generated kernel source rewritten without branches.

Numba turns every ``x if c else y`` and every ``a and b`` into branches between basic blocks,
and its compile passes (SSA reconstruction, reaching definitions) cost about the number of
blocks times the number of variables: a lane kernel with a few hundred such expressions spent
most of its compile time there, while LLVM turns the branches back into selects anyway. This
module rewrites them, statement by statement, as

- ``select(c, x, y)``: both arms evaluated, one LLVM ``select`` (defined in
  :mod:`eosmath.kernels.vector_math`), for a ternary;
- ``(a) & (b)``, ``(a) | (b)``: for ``and``/``or`` of comparisons and ``not`` (booleans only:
  on integers ``&`` is not ``and``),

only where evaluating every part is harmless and cheap: names, constants, arithmetic (no
division, which could trap on integers or cost a long latency for nothing), comparisons,
``fma``/``abs``/``float`` calls, and lane-array reads indexed by the lane ``j`` (valid in every
lane). Anything else — another call, an index that the condition may guard — is left as
written. The values are the same: both forms compute the chosen arm with the same operations.

>>> rewrite_line("    F[j] = code if run else f")
'    F[j] = select(run, code, f)'
>>> rewrite_line("go = run and not bad and (gn2 < tol2)")
'go = bool(run) & (not bad) & (gn2 < tol2)'
>>> rewrite_line("x = a[k] if k < n else 0.0")    # the condition guards the index: kept
'x = a[k] if k < n else 0.0'
"""

from __future__ import annotations

import ast

_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult)
_CALLS = {"fma", "abs", "float", "select"}
_LANE = "j"  # the lane index of the lane kernels' loops


def _harmless(node: ast.AST) -> bool:
    """Whether evaluating ``node`` unconditionally cannot fail, trap or cost much."""
    if isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, _ARITHMETIC) and _harmless(node.left) and _harmless(
            node.right)
    if isinstance(node, ast.UnaryOp):
        return _harmless(node.operand)
    if isinstance(node, ast.Compare):
        return _harmless(node.left) and all(_harmless(c) for c in node.comparators)
    if isinstance(node, ast.BoolOp):
        return all(_harmless(v) for v in node.values)
    if isinstance(node, ast.IfExp):
        return _harmless(node.test) and _harmless(node.body) and _harmless(node.orelse)
    if isinstance(node, ast.Tuple):
        return all(_harmless(e) for e in node.elts)
    if isinstance(node, ast.Call):
        return (isinstance(node.func, ast.Name) and node.func.id in _CALLS
                and not node.keywords and all(_harmless(a) for a in node.args))
    if isinstance(node, ast.Subscript):
        index = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        last = index[-1]
        return (isinstance(node.value, ast.Name) and isinstance(last, ast.Name)
                and last.id == _LANE and all(isinstance(i, ast.Name) for i in index))
    return False


def _boolean(node: ast.AST) -> bool:
    """Whether ``node`` is certainly a boolean (a name may not be: it is wrapped in bool)."""
    return (isinstance(node, (ast.Compare, ast.BoolOp))
            or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))
            or (isinstance(node, ast.Constant) and isinstance(node.value, bool)))


class _Rewrite(ast.NodeTransformer):
    changed = False

    def _rewritable(self, node) -> bool:
        """Rewrite inside ``node`` first; whether ``node`` itself is harmless (judged as
        written, before its parts were rewritten)."""
        harmless = _harmless(node)
        self.generic_visit(node)
        self.changed |= harmless
        return harmless

    def visit_IfExp(self, node):
        if not self._rewritable(node):
            return node
        if isinstance(node.body, ast.Tuple) and isinstance(node.orelse, ast.Tuple):
            return ast.Tuple([_select(node.test, a, b)
                              for a, b in zip(node.body.elts, node.orelse.elts, strict=True)],
                             ast.Load())
        return _select(node.test, node.body, node.orelse)

    def visit_BoolOp(self, node):
        if not self._rewritable(node):
            return node
        op = ast.BitAnd() if isinstance(node.op, ast.And) else ast.BitOr()
        values = [v if _boolean(v) or isinstance(v, ast.BinOp)  # a BinOp here: rewritten and/or
                  else ast.Call(ast.Name("bool", ast.Load()), [v], []) for v in node.values]
        result = values[0]
        for value in values[1:]:
            result = ast.BinOp(result, op, value)
        return result


def _select(test, body, orelse) -> ast.Call:
    return ast.Call(ast.Name("select", ast.Load()), [test, body, orelse], [])


def rewrite_line(line: str) -> str:
    """``line`` (one simple statement, any indentation) with its harmless conditional
    expressions rewritten; a compound-statement header, a comment or anything that does not
    parse on its own comes back unchanged."""
    code = line.strip()
    if (not code or code.endswith(":") or "#" in code
            or not any(word in code for word in (" if ", " and ", " or "))):
        return line
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return line
    if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.Assign, ast.AugAssign)):
        return line
    rewriter = _Rewrite()
    tree = rewriter.visit(tree)
    if not rewriter.changed:
        return line
    rewritten = ast.unparse(ast.fix_missing_locations(tree))
    return line[: len(line) - len(line.lstrip())] + rewritten


def rewrite(source: str) -> str:
    """:func:`rewrite_line` on every line of ``source``."""
    return "\n".join(rewrite_line(line) for line in source.split("\n"))
