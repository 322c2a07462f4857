"""What the back office's search finds a filed dossier by: its number, its applicant's names and
email, and its answers as a person reads them (the labels of the options chosen, not their codes).

On PostgreSQL the text is kept as a full-text vector (`Dossier.search_vector`, 'french'
configuration, GIN index), written when the dossier is filed and when corrections are filed; other
databases search the columns themselves (instruction.search.text_filter)."""

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection

from guichet.core.prepared_writes import SQLValue
from guichet.procedures.definition import FieldType, FormDefinition, FormField
from guichet.procedures.selectors import version_form

CONFIG = "french"
# Answers whose text a person may search for; numbers, dates and yes/no answers are not words.
_TEXTUAL = {
    FieldType.TEXT,
    FieldType.TEXTAREA,
    FieldType.EMAIL,
    FieldType.PHONE,
    FieldType.SIRET,
    FieldType.IBAN,
}


def accents_fold(text: str) -> str:
    """The text without its accents, so that « Lefevre » finds « Lefèvre » (the 'french'
    configuration keeps accents, and the unaccent extension needs a superuser to install).
    Applied to the indexed text and to the searched words alike."""
    if text.isascii():
        return text
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def answers_search_text(form: FormDefinition, answers: Mapping[str, Any]) -> str:
    """The searchable words of the answers, in the form's order."""
    parts: list[str] = []

    def walk(fields: Iterable[FormField], values: Mapping[str, Any]) -> None:
        for field in fields:
            value = values.get(field.id)
            if value in (None, "", [], {}):
                continue
            if field.type == FieldType.BLOCK:
                for row in value if isinstance(value, list) else []:
                    if isinstance(row, dict):
                        walk(field.fields, row)
            elif field.type in {FieldType.CHOICE, FieldType.MULTIPLE_CHOICE}:
                labels = {option.value: option.label for option in field.options}
                for chosen in value if isinstance(value, list) else [value]:
                    parts.append(labels.get(chosen, str(chosen)))  # an "other" answer is its own text
            elif field.type == FieldType.ADDRESS and isinstance(value, dict):
                parts.extend(str(value.get(key) or "") for key in ("street", "postcode", "city"))
            elif field.type in _TEXTUAL:
                parts.append(str(value))

    for page in form.pages:
        walk(page.fields, answers)
    return "\n".join(part for part in parts if part)


def dossier_search_head(*, number: str, identity_words: str) -> str:
    """The searchable words of the dossier's number and of who filed it (`identity_search_words`).
    The number is there whole and in its two parts, so that « 000042 » finds « 2026-000042 »."""
    return f"{number} {number.replace('-', ' ')} {identity_words}"


def identity_search_words(identity: Mapping[str, Any]) -> str:
    """The applicant's names and email, accents folded."""
    names = " ".join(
        str(identity.get(key) or "") for key in ("given_name", "family_name", "preferred_username", "email")
    )
    return accents_fold(names)


# What Django writes for `SearchVector(Value(head), config=CONFIG) + SearchVector(Value(answers), …)`,
# as a fixed text: the filing's UPDATE is then built once, not compiled at each filing (a test
# compares the two vectors).
_VECTOR_SQL = "(to_tsvector(%s::regconfig, COALESCE(%s, %s)) || to_tsvector(%s::regconfig, COALESCE(%s, %s)))"


def dossier_search_vector(*, number: str, identity: Mapping[str, Any], answers_text: str) -> SQLValue:
    """The value of `Dossier.search_vector`: the head's vector followed by the answers' (two vectors
    rather than one text, so that the bench's generator can compute the answers' part once for many
    dossiers and get the very same value)."""
    head_words = dossier_search_head(number=number, identity_words=identity_search_words(identity))
    params = [CONFIG, head_words, "", CONFIG, accents_fold(answers_text), ""]
    return SQLValue(_VECTOR_SQL, params, output_field=SearchVectorField())


def dossier_search_expression(dossier) -> SQLValue | None:
    """The search vector of a filed dossier, from its number, its applicant's identity and its
    answers read with their form (options found by their labels); None where PostgreSQL's full-text
    search is not there (other databases search the columns themselves)."""
    if not full_text_search_available():
        return None
    answers_text = answers_search_text(version_form(dossier.version_id), dossier.answers)
    return dossier_search_vector(number=dossier.number, identity=dossier.identity, answers_text=answers_text)


def search_query(text: str) -> SearchQuery:
    """What the instructor typed, as web search engines read it: words all required, "quoted
    phrases", -excluded words, `or`."""
    return SearchQuery(accents_fold(text), config=CONFIG, search_type="websearch")


def full_text_search_available() -> bool:
    return connection.vendor == "postgresql"
