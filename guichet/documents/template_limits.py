"""What rendering an act's template may cost, bounded inside Jinja's sandbox (templating.py).

A procedure administrator writes the templates; a loop of loops or `"x" * 10**7` must neither hold
a worker nor write a book. Each rendering runs with a budget (`render_budget`): every turn of a
`{% for %}` loop and every call counts a step, a deadline is checked as it goes, each string, list
or number that an operator or a filter makes is refused above its size *before* it is made where it
can be known, and the text produced is counted as it comes. Going over raises TemplateTooCostly,
whose message says in French what to change; the same bounds hold at save time (the template is
refused) and when an act is made (its generation fails, and the instructors see why)."""

import operator
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from jinja2.sandbox import SecurityError

MAX_OUTPUT_CHARS = 200_000  # about sixty A4 pages of text
MAX_VALUE_LENGTH = MAX_OUTPUT_CHARS  # a string, list or mapping made while rendering
MAX_STEPS = 100_000  # loop turns and calls, together
MAX_SECONDS = 2.0
MAX_INTEGER_BITS = 128  # numbers of acts (amounts, surfaces, counts) are far below
MAX_EXPONENT = 64


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


class TemplateTooCostly(SecurityError):
    """Rendering the template goes over a bound: the message says which, in French."""


def too_long(length: int | None = None) -> TemplateTooCostly:
    return TemplateTooCostly(
        f"le modèle produit un texte trop long (plus de {_number(MAX_OUTPUT_CHARS)} caractères"
        + (f", ici au moins {_number(length)}" if length else "")
        + ") ; réduisez les répétitions"
    )


@dataclass
class RenderBudget:
    deadline: float
    steps: int = 0
    output: int = 0
    limits: dict = field(default_factory=dict)

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise TemplateTooCostly(
                f"le modèle répète trop d’opérations (plus de {_number(MAX_STEPS)} tours de boucle ou appels) ; "
                "réduisez les boucles, en particulier les boucles imbriquées"
            )
        if self.steps % 256 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateTooCostly(
                f"le modèle met trop de temps à s’écrire (plus de {MAX_SECONDS:g} secondes) ; "
                "réduisez les boucles et les répétitions"
            )

    def produced(self, chunk: str) -> None:
        self.output += len(chunk)
        if self.output > MAX_OUTPUT_CHARS:
            raise too_long()
        self.check_time()


_BUDGET: ContextVar[RenderBudget | None] = ContextVar("act_template_budget", default=None)


@contextmanager
def render_budget() -> Iterator[RenderBudget]:
    """The budget of one rendering (nested renderings share the outer one)."""
    current = _BUDGET.get()
    if current is not None:
        yield current
        return
    budget = RenderBudget(deadline=time.monotonic() + MAX_SECONDS)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def step() -> None:
    budget = _BUDGET.get()
    if budget is None:
        raise RuntimeError("an act template renders only within render_budget()")
    budget.step()


def bounded_iteration(iterable: Iterable) -> Iterator:
    """Each turn of a `{% for %}` loop counts a step (the engine wraps every loop's sequence)."""
    for item in iterable:
        step()
        yield item


def bounded(value: Any) -> Any:
    """A value made while rendering, refused when too large."""
    if isinstance(value, str | list | tuple | dict | set) and len(value) > MAX_VALUE_LENGTH:
        raise too_long(len(value))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INTEGER_BITS:
        raise TemplateTooCostly("le modèle calcule un nombre trop grand")
    return value


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


def binop_checked(operator_name: str, left: Any, right: Any) -> Any:
    """`*`, `+`, `**` and `%`, with the size of the result known before it is made."""
    if operator_name == "*":
        for sequence, times in ((left, right), (right, left)):
            if _length(sequence) is not None and isinstance(times, int):
                bounded_size = _length(sequence) * max(times, 0)
                if bounded_size > MAX_VALUE_LENGTH:
                    raise too_long(bounded_size)
        return bounded(operator.mul(left, right))
    if operator_name == "+":
        lengths = (_length(left), _length(right))
        if None not in lengths and sum(lengths) > MAX_VALUE_LENGTH:
            raise too_long(sum(lengths))
        return bounded(operator.add(left, right))
    if operator_name == "**":
        if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise TemplateTooCostly(f"le modèle calcule une puissance trop grande (exposant au-delà de {MAX_EXPONENT})")
        return bounded(operator.pow(left, right))
    if operator_name == "%":
        if isinstance(left, str):
            raise TemplateTooCostly("le formatage de texte par « % » n’est pas permis ; assemblez le texte avec « ~ »")
        return bounded(operator.mod(left, right))
    raise SecurityError(f"opérateur {operator_name} non prévu")


def join_checked(value: Iterable, d: str = "") -> str:
    """The `join` filter, its length known before the text is made."""
    parts = [str(item) for item in bounded_iteration(value)]
    total = sum(len(part) for part in parts) + len(str(d)) * max(len(parts) - 1, 0)
    if total > MAX_VALUE_LENGTH:
        raise too_long(total)
    return str(d).join(parts)


def sum_checked(value: Iterable, attribute: Any = None, start: Any = 0) -> Any:
    """The `sum` filter, for numbers only (a sum of texts or lists would be a join without bound)."""
    items = list(bounded_iteration(value))
    if attribute is not None or not all(isinstance(item, int | float) for item in [*items, start]):
        raise TemplateTooCostly("le filtre sum n’additionne que des nombres")
    return bounded(sum(items, start))
