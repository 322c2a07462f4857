"""The API's errors: one JSON shape (`{"detail": "…"}`, with `errors` for an invalid request),
declared in the OpenAPI document for every operation where each status can happen, and built
here for the answers given before an operation runs (a body too large, characters refused)."""

import re
from enum import StrEnum
from typing import Any

from django.db.models import TextChoices
from django.http import JsonResponse
from ninja import Field, Schema
from pydantic import ConfigDict

PREFIX = "/api/"


def examples(*values: dict[str, Any]) -> ConfigDict:
    """The `model_config` of a schema whose examples the OpenAPI document shows."""
    return ConfigDict(json_schema_extra={"examples": list(values)})


class ErrorOut(Schema):
    model_config = examples(
        {"detail": "Ce dossier n’existe pas ou vous n’y avez pas accès."},
        {
            "detail": "Requête invalide.",
            "errors": [
                {"type": "missing", "loc": ["body", "decision", "decision"], "msg": "Ce champ est obligatoire."}
            ],
        },
    )

    detail: str = Field(description="Ce qui ne va pas, en français.")
    errors: list[dict[str, Any]] | None = Field(
        None, description="Pour une requête invalide (422) : chaque valeur refusée, son emplacement et pourquoi."
    )


def responses(ok: Any, *, key: bool = True, not_found: bool = False, extra: tuple[int, ...] = ()) -> dict:
    """The `response=` of an operation: `ok` for 200 and the error shape for each status it can
    answer. Every operation can meet a body too large (413), a request refused (422: values, or
    characters no text may hold) and the rate limit (429); with a key, a missing or revoked one
    (401) and rights that do not reach (403); `not_found` when a path names something (404)."""
    codes = {413, 422, 429, *extra}
    if key:
        codes |= {401, 403}
    if not_found:
        codes.add(404)
    return {200: ok, **dict.fromkeys(sorted(codes), ErrorOut)}


def error_response(status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> JsonResponse:
    """An error in the API's shape, for answers given outside an operation."""
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(body, status=status)


def api_enum(name: str, choices: type[TextChoices]) -> type[StrEnum]:
    """`choices` under a name of its own in the OpenAPI document, where components are named after
    their classes: the models' many nested `Status` would otherwise make one component."""
    return StrEnum(name, {member.name: member.value for member in choices})


# pydantic's messages for the values django-ninja refuses before an operation runs, in French. The
# operations' own refusals are written in French already; an unknown type keeps pydantic's message.
_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_type": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "float_parsing": "Un nombre est attendu.",
    "float_type": "Un nombre est attendu.",
    "bool_parsing": "true ou false est attendu.",
    "bool_type": "true ou false est attendu.",
    "string_type": "Un texte est attendu.",
    "string_too_long": "Au plus {max_length} caractères.",
    "string_too_short": "Au moins {min_length} caractère(s).",
    "too_long": "Au plus {max_length} éléments.",
    "too_short": "Au moins {min_length} élément(s).",
    "greater_than_equal": "La valeur doit être au moins {ge}.",
    "greater_than": "La valeur doit être supérieure à {gt}.",
    "less_than_equal": "La valeur doit être au plus {le}.",
    "less_than": "La valeur doit être inférieure à {lt}.",
    "enum": "Valeur inconnue : attendue parmi {expected}.",
    "literal_error": "Valeur inconnue : attendue parmi {expected}.",
    "date_parsing": "Une date est attendue (AAAA-MM-JJ).",
    "date_from_datetime_parsing": "Une date est attendue (AAAA-MM-JJ).",
    "date_from_datetime_inexact": "Une date est attendue (AAAA-MM-JJ), sans heure.",
    "date_type": "Une date est attendue (AAAA-MM-JJ).",
    "datetime_parsing": "Une date et une heure sont attendues (ISO 8601).",
    "datetime_from_date_parsing": "Une date et une heure sont attendues (ISO 8601).",
    "datetime_type": "Une date et une heure sont attendues (ISO 8601).",
    "list_type": "Une liste est attendue.",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "extra_forbidden": "Ce champ n’est pas attendu.",
    "json_invalid": "Le corps n’est pas du JSON valide.",
    "uuid_parsing": "Un identifiant UUID est attendu.",
    "uuid_type": "Un identifiant UUID est attendu.",
}


def _expected(text: str) -> str:
    """pydantic's « 'a', 'b' or 'c' » as « « a », « b » ou « c » »."""
    values = re.findall(r"'([^']*)'", text)
    if not values:
        return text
    quoted = [f"« {value} »" for value in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " ou " + quoted[-1]


def error_in_french(error: dict[str, Any]) -> dict[str, Any]:
    """One located error of a refused request, its message in French."""
    kind, context = error.get("type", ""), dict(error.get("ctx") or {})
    template = _MESSAGES.get(kind)
    if template is None:
        message = str(error.get("msg", ""))
        # A validator's own message (in French), which pydantic prefixes.
        return {**error, "msg": message.removeprefix("Value error, ")}
    if "expected" in context:
        context["expected"] = _expected(str(context["expected"]))
    try:
        message = template.format(**context)
    except (KeyError, IndexError):
        message = _MESSAGES["missing"] if kind == "missing" else str(error.get("msg", ""))
    return {**error, "msg": message}
