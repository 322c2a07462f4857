"""Computed fields: a small, safe formula language over earlier answers.

A formula is an arithmetic or text expression: numbers, "text", field ids (written as they are, or
between braces when they contain a hyphen: `{montant-demande}`), + - * / and parentheses, and the
functions below. It is parsed with Python's `ast` and only the nodes listed here are accepted:
nothing is ever evaluated as code. Numbers are exact decimals. A formula whose inputs are not all
answered, or that divides by zero, has no value."""

import ast
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

_BRACED = re.compile(r"\{([a-z][a-z0-9_-]{0,62})\}")
_MAX_LENGTH = 500


class FormulaError(ValueError):
    """The formula is not valid; the message says why, in French."""


class _NoValue(Exception):
    pass


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return "" if value is None else str(value)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "round": lambda value, digits=Decimal(0): round(_number(value), int(digits)),
    "min": lambda *values: min(_number(v) for v in values),
    "max": lambda *values: max(_number(v) for v in values),
    "abs": lambda value: abs(_number(value)),
    "upper": lambda value: _text(value).upper(),
    "lower": lambda value: _text(value).lower(),
    "concat": lambda *values: "".join(_text(v) for v in values),
}


def _number(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        return Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation as error:
        raise _NoValue from error


class Formula:
    """A parsed formula: `names` are the field ids it reads; `evaluate(answers)` computes it."""

    def __init__(self, source: str):
        if len(source) > _MAX_LENGTH:
            raise FormulaError(f"la formule dépasse {_MAX_LENGTH} caractères")
        self.source = source
        self._aliases: dict[str, str] = {}

        def alias(match: re.Match) -> str:
            name = f"_f{len(self._aliases)}"
            self._aliases[name] = match.group(1)
            return name

        try:
            tree = ast.parse(_BRACED.sub(alias, source).strip(), mode="eval")
        except SyntaxError as error:
            raise FormulaError(f"la formule « {source} » est mal écrite") from error
        self.names: set[str] = set()
        self._check(tree.body)
        self._tree = tree.body

    def _check(self, node: ast.AST) -> None:
        match node:
            case ast.Constant(value=value) if isinstance(value, int | float | str) and not isinstance(value, bool):
                return
            case ast.Name(id=name):
                self.names.add(self._aliases.get(name, name))
            case ast.BinOp(op=ast.Add() | ast.Sub() | ast.Mult() | ast.Div(), left=left, right=right):
                self._check(left)
                self._check(right)
            case ast.UnaryOp(op=ast.USub() | ast.UAdd(), operand=operand):
                self._check(operand)
            case ast.Call(func=ast.Name(id=function), args=args, keywords=[]) if function in FUNCTIONS:
                for arg in args:
                    self._check(arg)
            case ast.Call(func=ast.Name(id=function)):
                raise FormulaError(f"la fonction « {function} » n’existe pas (fonctions : {', '.join(FUNCTIONS)})")
            case _:
                raise FormulaError(f"la formule « {self.source} » contient une opération non autorisée")

    def evaluate(self, answers: Mapping[str, Any]) -> Any:
        """The value (a Decimal or a str), or None when an input is missing or a division by zero."""
        try:
            return self._eval(self._tree, answers)
        except (_NoValue, ArithmeticError, TypeError, ValueError):
            return None

    def _eval(self, node: ast.AST, answers: Mapping[str, Any]) -> Any:
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value)) if not isinstance(node.value, str) else node.value
        if isinstance(node, ast.Name):
            value = answers.get(self._aliases.get(node.id, node.id))
            if value is None or value == "" or value == []:
                raise _NoValue
            if isinstance(value, str):
                try:
                    number = Decimal(value)
                except InvalidOperation:
                    return value
                return number if number.is_finite() else value
            if isinstance(value, bool | int | float | Decimal):
                return _number(value)
            return _text(value)
        if isinstance(node, ast.UnaryOp):
            value = _number(self._eval(node.operand, answers))
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Call):
            return FUNCTIONS[node.func.id](*(self._eval(arg, answers) for arg in node.args))
        left, right = self._eval(node.left, answers), self._eval(node.right, answers)
        if isinstance(node.op, ast.Add) and (isinstance(left, str) or isinstance(right, str)):
            return _text(left) + _text(right)
        left, right = _number(left), _number(right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return left / right


@lru_cache(maxsize=4096)
def formula_parse(source: str) -> Formula:
    """Parse once, evaluate many times (formulas are immutable once published)."""
    return Formula(source)
