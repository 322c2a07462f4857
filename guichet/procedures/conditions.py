"""Evaluating the conditions of a form definition over answers. The server is authoritative: the
same function decides what a page shows, what is stored and what blocks submission."""

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .definition import Condition, Operator, Rule


def condition_holds(condition: Condition | None, answers: Mapping[str, Any]) -> bool:
    """Whether a field, page or eligibility condition holds for the answers; no condition holds."""
    if condition is None:
        return True
    return all(_item_holds(item, answers) for item in condition.all) and (
        not condition.any or any(_item_holds(item, answers) for item in condition.any)
    )


def _item_holds(item: Rule | Condition, answers: Mapping[str, Any]) -> bool:
    if isinstance(item, Condition):
        return condition_holds(item, answers)
    return _OPERATORS[item.op](answers.get(item.field), item.value)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _comparable(value: Any) -> Any:
    """Numbers (decimals are stored as strings) compare as numbers, dates as ISO strings."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(actual: Any, expected: Any) -> bool:
        if is_empty(actual) or expected is None:
            return False
        try:
            return compare(_comparable(actual), _comparable(expected))
        except (TypeError, InvalidOperation):
            return False

    return test


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list | tuple):
        return expected in actual
    return isinstance(actual, str) and isinstance(expected, str) and expected in actual


def _equal(actual: Any, expected: Any) -> bool:
    if actual == expected:
        return True
    left, right = _comparable(actual), _comparable(expected)
    return isinstance(left, Decimal) and isinstance(right, Decimal) and left == right


_OPERATORS: dict[Operator, Callable[[Any, Any], bool]] = {
    Operator.EQ: _equal,
    Operator.NE: lambda actual, expected: not _equal(actual, expected),
    Operator.LT: _ordered(operator.lt),
    Operator.LE: _ordered(operator.le),
    Operator.GT: _ordered(operator.gt),
    Operator.GE: _ordered(operator.ge),
    Operator.CONTAINS: _contains,
    Operator.EMPTY: lambda actual, _expected: is_empty(actual),
    Operator.NOT_EMPTY: lambda actual, _expected: not is_empty(actual),
    Operator.IN: lambda actual, expected: isinstance(expected, list | tuple) and actual in expected,
}
