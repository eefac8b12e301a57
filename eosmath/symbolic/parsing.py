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
import unicodedata
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
MAX_NUMERIC_EXPONENT = 1000  # |exponent| of any power whose exponent is a number, whatever the base
MAX_NUMBER = 10**308  # the largest float64 is 1.8e308: larger numbers cannot be computed with
MAX_DEPTH = 200  # nesting of the expression tree; deeper trees exhaust Python's and SymPy's stacks
UNDEFINED = (sp.zoo, sp.oo, -sp.oo, sp.nan)
# Letters of other scripts that look like Latin ones (a few common homoglyphs)
LOOKALIKES = dict(zip("аеорсухіјѕԁӏνοκτΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "aeopcyxijsdlvoktABEZHIKMNOPTYX",
                      strict=True))

_CHAIN = (ast.Add, ast.Sub, ast.Mult, ast.Div)
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
        if "digits" in err.msg:  # an integer literal beyond Python's digit limit (4300)
            raise ModelSyntaxError(f"refused number too large for float64 (above 1e308) in "
                                   f"'{_short(text)}'") from None
        raise ModelSyntaxError(f"not a valid expression: {_short(text)!r} ({err.msg})") from None
    except (RecursionError, MemoryError):
        raise _too_deep(text) from None
    except ValueError:  # an integer literal beyond Python's digit limit (4300)
        raise ModelSyntaxError(f"refused number too large for float64 (above 1e308) in "
                               f"'{_short(text)}'") from None
    if _depth(tree.body) > MAX_DEPTH:
        raise _too_deep(text)
    expr = _Builder(text.strip(), symbols).build(tree.body)
    if expr.has(*UNDEFINED):
        raise ModelSyntaxError(f"'{_short(text)}' is undefined (it contains {_undefined(expr)})")
    return expr


def _short(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 12] + " … " + text[-9:]


def _too_deep(text: str) -> ModelSyntaxError:
    return ModelSyntaxError(f"expression nested more than {MAX_DEPTH} levels deep: "
                            f"'{_short(text)}'")


def _chained(node: ast.AST, child: ast.AST) -> bool:
    """``child`` continues the left spine of a sum or product (a + b + c ...): built in a loop,
    so a long sum is not deep."""
    return (isinstance(node, ast.BinOp) and child is node.left and isinstance(child, ast.BinOp)
            and type(node.op) in _CHAIN and type(child.op) in _CHAIN)


def _depth(root: ast.AST) -> int:
    """Nesting depth of the AST, without recursion (the tree may be deeper than Python's
    stack); the left spine of a sum or product counts once."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        stack.extend((child, depth + (0 if _chained(node, child) else 1))
                     for child in ast.iter_child_nodes(node))
    return deepest


def _undefined(expr: sp.Expr) -> str:
    names = {sp.zoo: "zoo, complex infinity", sp.oo: "oo, infinity", -sp.oo: "-oo",
             sp.nan: "nan"}
    return "; ".join(n for v, n in names.items() if expr.has(v))


def _describe_name(name: str, known) -> str:
    """'х' → "'х' (U+0445 CYRILLIC SMALL LETTER HA; did you mean 'x'?)" for non-ASCII names."""
    foreign = [c for c in dict.fromkeys(name) if not c.isascii()]
    if not foreign:
        return f"'{name}'"
    points = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}"
                       for c in foreign)
    latin = "".join(LOOKALIKES.get(c, c) for c in name)
    hint = f"; did you mean '{latin}'?" if latin != name and latin.isascii() else ""
    return f"'{name}' ({points}{hint})"


class _Builder:
    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol]):
        self.text = text
        self.symbols = dict(symbols)

    def refuse(self, what: str, node: ast.AST) -> ModelSyntaxError:
        return ModelSyntaxError(f"refused {what} '{_short(_token(node, self.text))}' in "
                                f"'{_short(self.text)}'")

    def build(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.refuse("constant", node)
            if abs(value) >= MAX_NUMBER:  # a float literal beyond 1.8e308 is inf
                raise self.refuse("number too large for float64 (above 1e308)", node)
            return sp.Integer(value) if isinstance(value, int) else sp.Float(value)
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                return self.symbols[node.id]
            if node.id in ALLOWED_CONSTANTS:
                return ALLOWED_CONSTANTS[node.id]
            if node.id in ALLOWED_FUNCTIONS:
                raise self.refuse("function used without a call", node)
            raise ModelSyntaxError(
                f"unknown name {_describe_name(node.id, self.symbols)} in '{_short(self.text)}'"
                f"; known symbols: {sorted(self.symbols)}, constants: "
                f"{sorted(ALLOWED_CONSTANTS)}")
        if isinstance(node, ast.BinOp) and type(node.op) in _CHAIN:
            spine = [node]
            while _chained(spine[-1], spine[-1].left):
                spine.append(spine[-1].left)
            result = self.build(spine[-1].left)
            for part in reversed(spine):
                result = self.combine(part, result, self.build(part.right))
            return result
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self.combine(node, self.build(node.left), self.build(node.right))
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

    def combine(self, node: ast.BinOp, left: sp.Expr, right: sp.Expr) -> sp.Expr:
        """``left op right`` for the BinOp ``node``, refusing huge or undefined results."""
        if isinstance(node.op, ast.Pow) and right.is_number:
            if not abs(complex(right)) <= MAX_NUMERIC_EXPONENT:
                raise self.refuse(f"exponent above {MAX_NUMERIC_EXPONENT}", node)
        result = _BINARY[type(node.op)](left, right)
        if result.is_number and result.is_finite and abs(complex(result)) >= MAX_NUMBER:
            raise self.refuse("number too large for float64 (above 1e308)", node)
        if result in UNDEFINED or any(a in UNDEFINED for a in result.args):
            raise self.refuse(f"undefined expression ({_undefined(result)})", node)
        return result

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
        result = ALLOWED_FUNCTIONS[name](self.build(node.args[0]))
        if result in UNDEFINED or any(a in UNDEFINED for a in result.args):
            raise self.refuse(f"undefined expression ({_undefined(result)})", node)
        return result


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
