"""Conditions and formulas written through forms, never typed as code.

The builder shows a condition as rows (field, operator, value) joined by « et » or « ou », and a
formula as an operation over fields and constants. These functions turn those rows into the
definition's JSON and back, with values converted to the type of the field they compare with."""

import ast
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .definition import FieldType, Operator
from .editing import EditError

OPERATOR_LABELS: dict[Operator, str] = {
    Operator.EQ: "est égal à",
    Operator.NE: "est différent de",
    Operator.LT: "est inférieur à",
    Operator.LE: "est inférieur ou égal à",
    Operator.GT: "est supérieur à",
    Operator.GE: "est supérieur ou égal à",
    Operator.CONTAINS: "contient",
    Operator.IN: "est l’une des valeurs",
    Operator.EMPTY: "n’est pas renseigné",
    Operator.NOT_EMPTY: "est renseigné",
}
WITHOUT_VALUE = {Operator.EMPTY, Operator.NOT_EMPTY}
NUMBERS = {FieldType.INTEGER, FieldType.DECIMAL, FieldType.COMPUTED}
BOOLEANS = {FieldType.YES_NO, FieldType.CHECKBOX}
CHOICES = {FieldType.CHOICE, FieldType.MULTIPLE_CHOICE}


@dataclass
class ConditionRow:
    field: str
    op: Operator
    value: str = ""


def _number(text: str) -> int | float:
    try:
        number = Decimal(text.replace(" ", "").replace("\u202f", "").replace(",", "."))
    except InvalidOperation:
        raise EditError(f"« {text} » n’est pas un nombre.") from None
    if not number.is_finite():
        raise EditError(f"« {text} » n’est pas un nombre.")
    return int(number) if number == number.to_integral() else float(number)


def _one_value(target: dict[str, Any], text: str) -> Any:
    kind = target["type"]
    if kind in NUMBERS:
        return _number(text)
    if kind in BOOLEANS:
        lowered = text.strip().lower()
        if lowered in {"oui", "coché", "cochée", "vrai"}:
            return True
        if lowered in {"non", "décoché", "faux"}:
            return False
        raise EditError(f"Pour « {target['label']} », la valeur est « oui » ou « non ».")
    if kind == FieldType.DATE:
        for parse in (date.fromisoformat, lambda t: date(*reversed([int(p) for p in t.split("/")]))):
            try:
                return parse(text.strip()).isoformat()
            except (ValueError, TypeError):
                continue
        raise EditError(f"« {text} » n’est pas une date (jj/mm/aaaa).")
    if kind in CHOICES:
        for option in target.get("options", []):
            if text.strip().lower() in {option["value"].lower(), option["label"].lower()}:
                return option["value"]
        if target.get("allow_other"):
            return text.strip()
        labels = ", ".join(f"« {option['label']} »" for option in target.get("options", []))
        raise EditError(f"« {text} » n’est pas un choix de « {target['label']} » ({labels}).")
    return text.strip()


def rule_value(target: dict[str, Any], op: Operator, text: str) -> Any:
    """The value of a rule, typed like the field it compares with."""
    if op in WITHOUT_VALUE:
        return None
    if not text.strip():
        raise EditError(f"Indiquez la valeur à comparer avec « {target['label']} ».")
    if op == Operator.IN:
        return [_one_value(target, part) for part in text.split(";") if part.strip()]
    return _one_value(target, text)


def _value_text(target: dict[str, Any] | None, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ; ".join(_value_text(target, item) for item in value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if target and target["type"] == FieldType.DATE:
        try:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if target and target["type"] in CHOICES:
        for option in target.get("options", []):
            if option["value"] == value:
                return option["label"]
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def condition_from_rows(
    rows: list[ConditionRow], *, combinator: str, fields_by_id: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """The condition for the rows that name a field (None when there are none)."""
    rules = []
    for row in rows:
        if not row.field:
            continue
        target = fields_by_id.get(row.field)
        if target is None:
            raise EditError("Une règle porte sur un champ qui n’est pas placé avant celui-ci.")
        rule: dict[str, Any] = {"field": row.field, "op": str(row.op)}
        value = rule_value(target, row.op, row.value)
        if value is not None:
            rule["value"] = value
        rules.append(rule)
    if not rules:
        return None
    return {"any" if combinator == "any" else "all": rules}


def condition_to_rows(
    condition: dict[str, Any] | None, *, fields_by_id: dict[str, dict[str, Any]]
) -> tuple[str, list[ConditionRow]] | None:
    """The rows of a flat condition; None when it nests (written by an import), which the builder
    shows as text and lets the administrator replace."""
    if not condition:
        return "all", []
    items_all, items_any = condition.get("all", []), condition.get("any", [])
    if items_all and items_any:
        return None
    combinator, items = ("any", items_any) if items_any else ("all", items_all)
    if any("field" not in item for item in items):
        return None
    return combinator, [
        ConditionRow(
            item["field"], Operator(item["op"]), _value_text(fields_by_id.get(item["field"]), item.get("value"))
        )
        for item in items
    ]


def condition_describe(condition: dict[str, Any] | None, *, fields_by_id: dict[str, dict[str, Any]]) -> str:
    """A condition in plain French: « Type de travaux » est égal à « Démolition » et …"""
    if not condition:
        return ""
    parts = []
    for key, joiner in (("all", " et "), ("any", " ou ")):
        described = []
        for item in condition.get(key, []):
            if "field" in item:
                target = fields_by_id.get(item["field"])
                label = target["label"] if target else item["field"]
                text = f"« {label} » {OPERATOR_LABELS[Operator(item['op'])]}"
                if Operator(item["op"]) not in WITHOUT_VALUE:
                    text += f" « {_value_text(target, item.get('value'))} »"
                described.append(text)
            else:
                described.append(f"({condition_describe(item, fields_by_id=fields_by_id)})")
        if described:
            parts.append(joiner.join(described))
    return " et ".join(parts)


# Formulas --------------------------------------------------------------------------------------

OPERATIONS: dict[str, str] = {
    "sum": "Somme",
    "difference": "Différence (le premier moins les suivants)",
    "product": "Produit",
    "quotient": "Quotient (le premier divisé par les suivants)",
    "mean": "Moyenne",
    "min": "Plus petite valeur",
    "max": "Plus grande valeur",
    "concat": "Texte assemblé (les éléments mis bout à bout)",
}
_BINARY = {"sum": "+", "difference": "-", "product": "*", "quotient": "/"}
_AST_BINARY = {ast.Add: "sum", ast.Sub: "difference", ast.Mult: "product", ast.Div: "quotient"}


@dataclass
class Operand:
    kind: str  # "field", "number" or "text"
    value: str


@dataclass
class FormulaSpec:
    operation: str
    operands: list[Operand] = field(default_factory=list)
    decimals: int | None = None


def _operand_source(operand: Operand) -> str:
    if operand.kind == "field":
        return "{" + operand.value + "}"
    if operand.kind == "number":
        return format(Decimal(str(_number(operand.value))), "f")
    return json.dumps(operand.value, ensure_ascii=False)


def formula_compose(spec: FormulaSpec) -> str:
    """The formula text for an operation over operands, e.g. `round({surface} * {prix}, 2)`."""
    operands = [operand for operand in spec.operands if operand.value.strip() or operand.kind == "text"]
    if not operands:
        raise EditError("Choisissez au moins un élément à calculer.")
    if spec.operation not in OPERATIONS:
        raise EditError("Choisissez une opération.")
    sources = [_operand_source(operand) for operand in operands]
    if spec.operation in _BINARY:
        source = f" {_BINARY[spec.operation]} ".join(sources)
    elif spec.operation == "mean":
        source = f"({' + '.join(sources)}) / {len(sources)}"
    else:
        source = f"{spec.operation}({', '.join(sources)})"
    if spec.decimals is not None and spec.operation != "concat":
        source = f"round({source}, {spec.decimals})"
    return source


_BRACED = re.compile(r"\{([a-z][a-z0-9_-]{0,62})\}")


def formula_decompose(source: str) -> FormulaSpec | None:
    """The operation behind a formula the builder wrote; None for another formula (an import's)."""
    aliases: dict[str, str] = {}

    def alias(match: re.Match) -> str:
        aliases[f"_f{len(aliases)}"] = match.group(1)
        return f"_f{len(aliases) - 1}"

    try:
        node = ast.parse(_BRACED.sub(alias, source).strip(), mode="eval").body
    except SyntaxError:
        return None
    decimals = None
    if _is_call(node, "round") and len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
        decimals, node = int(node.args[1].value), node.args[0]

    def operand(item: ast.AST) -> Operand | None:
        if isinstance(item, ast.Name):
            return Operand("field", aliases.get(item.id, item.id))
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            return Operand("text", item.value)
        if isinstance(item, ast.Constant) and isinstance(item.value, int | float):
            return Operand("number", str(item.value).replace(".", ","))
        return None

    def chain(item: ast.AST, op_type: type) -> list[ast.AST]:
        if isinstance(item, ast.BinOp) and isinstance(item.op, op_type):
            return [*chain(item.left, op_type), item.right]
        return [item]

    operation, items = None, [node]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"min", "max", "concat"}:
        operation, items = node.func.id, node.args
    elif isinstance(node, ast.BinOp):
        if (
            isinstance(node.op, ast.Div)
            and isinstance(node.right, ast.Constant)
            and len(chain(node.left, ast.Add)) == node.right.value
        ):
            operation, items = "mean", chain(node.left, ast.Add)
        else:
            operation = _AST_BINARY.get(type(node.op))
            items = chain(node, type(node.op))
    elif operand(node) is not None:
        operation = "sum"
    operands = [operand(item) for item in items]
    if operation is None or any(item is None for item in operands):
        return None
    return FormulaSpec(operation=operation, operands=operands, decimals=decimals)


def _is_call(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
