"""Safe translation of text into SymPy: only named symbols and whitelisted functions.

Nothing is ever passed to ``eval``/``exec`` or to ``sympify`` on a string: the text is parsed
into a Python AST, every node is checked against a whitelist, and the SymPy expression is built
node by node. Anything else is refused with an error that names the offending token.

>>> import sympy as sp
>>> x, y = sp.symbols("x y", real=True)
>>> parse_expression("log(cosh(x*y))", {"x": x, "y": y})
log(cosh(x*y))
>>> parse_expression("x.__class__", {"x": x})
Traceback (most recent call last):
...
eosmath.errors.ModelSyntaxError: refused attribute access '.__class__' in 'x.__class__'
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

import sympy as sp

from eosmath.errors import ModelSyntaxError
from eosmath.symbolic.stable import LogCosh, Softplus

ALLOWED_FUNCTIONS: dict[str, object] = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "cbrt": sp.cbrt,
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "atan": sp.atan, "arctan": sp.atan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "asinh": sp.asinh, "arcsinh": sp.asinh,
    "atanh": sp.atanh, "arctanh": sp.atanh, "erf": sp.erf, "abs": sp.Abs, "Abs": sp.Abs,
    "logcosh": LogCosh, "softplus": Softplus,
}
ALLOWED_CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E}
MAX_TEXT_LENGTH = 20_000
MAX_NUMERIC_EXPONENT = 1000

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a ** b,
}


def _token(node: ast.AST, text: str) -> str:
    return ast.get_source_segment(text, node) or type(node).__name__


def parse_expression(text: str, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    """Build the SymPy expression written in ``text`` using only ``symbols`` and whitelisted names.

    Raises :class:`~eosmath.errors.ModelSyntaxError` naming the first refused token.
    """
    if not isinstance(text, str):
        raise ModelSyntaxError(f"expected a string, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ModelSyntaxError(f"expression longer than {MAX_TEXT_LENGTH} characters")
    clash = set(symbols) & (set(ALLOWED_FUNCTIONS) | set(ALLOWED_CONSTANTS))
    if clash:
        raise ModelSyntaxError(f"parameter names shadow built-in names: {sorted(clash)}")
    # Researchers write x^2 for a power; Python would read ^ as xor with lower precedence than
    # minus (x^2 - y^2 = x^(2-y)^2), so it is replaced before parsing, as SymPy's convert_xor does.
    text = text.replace("^", "**")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ModelSyntaxError(f"not a valid expression: {text!r} ({err.msg})") from None
    return _Builder(text.strip(), symbols).build(tree.body)


class _Builder:
    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol]):
        self.text = text
        self.symbols = dict(symbols)

    def refuse(self, what: str, node: ast.AST) -> ModelSyntaxError:
        return ModelSyntaxError(f"refused {what} '{_token(node, self.text)}' in '{self.text}'")

    def build(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.refuse("constant", node)
            return sp.Integer(value) if isinstance(value, int) else sp.Float(value)
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                return self.symbols[node.id]
            if node.id in ALLOWED_CONSTANTS:
                return ALLOWED_CONSTANTS[node.id]
            if node.id in ALLOWED_FUNCTIONS:
                raise self.refuse("function used without a call", node)
            raise ModelSyntaxError(
                f"unknown name '{node.id}' in '{self.text}'; known symbols: "
                f"{sorted(self.symbols)}, constants: {sorted(ALLOWED_CONSTANTS)}")
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.build(node.left), self.build(node.right)
            if isinstance(node.op, ast.Pow) and left.is_number and right.is_number:
                if abs(float(right)) > MAX_NUMERIC_EXPONENT:
                    raise self.refuse("huge numeric exponent", node)
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            return self.build_call(node)
        if isinstance(node, ast.Attribute):
            raise ModelSyntaxError(
                f"refused attribute access '.{node.attr}' in '{self.text}'")
        if isinstance(node, ast.Lambda):
            raise self.refuse("lambda", node)
        raise self.refuse(f"construct ({type(node).__name__})", node)

    def build_call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise ModelSyntaxError(
                    f"refused attribute access '.{node.func.attr}' in '{self.text}'")
            raise self.refuse("call of a non-name", node.func)
        name = node.func.id
        if name not in ALLOWED_FUNCTIONS:
            raise ModelSyntaxError(
                f"unknown function '{name}' in '{self.text}'; allowed: {sorted(ALLOWED_FUNCTIONS)}")
        if node.keywords:
            raise self.refuse("keyword argument", node.keywords[0].value)
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.refuse("starred argument", node)
        if len(node.args) != 1:
            raise self.refuse(f"call with {len(node.args)} arguments (expected 1)", node)
        return ALLOWED_FUNCTIONS[name](self.build(node.args[0]))


def parse_names(names) -> tuple[str, ...]:
    """Parameter names from ``"x y"``, ``"x, y"`` or a sequence; each must be an identifier.

    >>> parse_names("x, y")
    ('x', 'y')
    """
    if isinstance(names, str):
        names = names.replace(",", " ").split()
    names = tuple(str(n) for n in names)
    for n in names:
        if not n.isidentifier() or n.startswith("_"):
            raise ModelSyntaxError(f"invalid parameter name {n!r}")
    if len(set(names)) != len(names):
        raise ModelSyntaxError(f"duplicate parameter names in {names}")
    return names
