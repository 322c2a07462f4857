"""The API's errors: one JSON shape (`{"detail": "…"}`, with `errors` for an invalid request),
declared in the OpenAPI document for every operation where each status can happen, and built
here for the answers given before an operation runs (a body too large, characters refused)."""

from enum import StrEnum
from typing import Any

from django.db.models import TextChoices
from django.http import JsonResponse
from ninja import Field, Schema

PREFIX = "/api/"


class ErrorOut(Schema):
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
