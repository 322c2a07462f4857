"""Synthetic data for the benchmarks: a large form and a submission that fills it."""

from typing import Any

_CYCLE = ("text", "integer", "decimal", "date", "choice", "email", "phone", "yes_no", "siret", "multiple_choice")
_VALUES: dict[str, Any] = {
    "text": "Réponse libre",
    "integer": "12",
    "decimal": "1250,50",
    "date": "2020-05-17",
    "choice": "b",
    "email": "lea.dubois@exemple.fr",
    "phone": "06 12 34 56 78",
    "yes_no": "oui",
    "siret": "11004601800013",
    "multiple_choice": ["a", "c"],
}
_OPTIONS = [{"value": v, "label": v.upper()} for v in ("a", "b", "c", "d")]


def large_form(*, fields: int = 200, conditions: int = 100, formulas: int = 5) -> tuple[dict, dict]:
    """A definition of `fields` fields over 10 pages, `conditions` of them conditional on an earlier
    answer (all shown with the answers returned), `formulas` computed fields; and the answers."""
    definition_fields: list[dict] = []
    answers: dict[str, Any] = {}
    numbers: list[str] = []
    for index in range(fields - formulas):
        kind = _CYCLE[index % len(_CYCLE)]
        field: dict[str, Any] = {"id": f"f{index}", "type": kind, "label": f"Question {index}", "required": True}
        if kind in {"choice", "multiple_choice"}:
            field["options"] = _OPTIONS
        if kind in {"integer", "decimal"}:
            field |= {"min": 0, "max": 100000}
            numbers.append(field["id"])
        if 0 < index <= conditions:
            anchor = f"f{(index - 1) // 10 * 10}"  # a text field answered earlier
            field["condition"] = {"all": [{"field": anchor, "op": "not_empty"}]}
        definition_fields.append(field)
        answers[field["id"]] = _VALUES[kind]
    for index in range(formulas):
        a, b = numbers[index], numbers[-1 - index]
        definition_fields.append(
            {"id": f"calc{index}", "type": "computed", "label": f"Calcul {index}", "formula": f"{a} * 2 + {b} / 3"}
        )
    per_page = len(definition_fields) // 10
    pages = [
        {"id": f"page{p}", "title": f"Étape {p + 1}", "fields": definition_fields[p * per_page : (p + 1) * per_page]}
        for p in range(10)
    ]
    pages[-1]["fields"] += definition_fields[10 * per_page :]
    return {"pages": pages}, answers
