"""From one page's POST to the raw answers that `answers_clean` accepts.

Input names are field paths: `objet`, `cadastre.0.section` for a field in a block's first row,
`adresse.street` for a part of an address, `domaine.__other__` for the free text of a choice's
"Autre". Only the page's fields that the person could see are touched, so that the answers of other
pages, and of fields that were hidden, are kept as they were."""

import copy
import re
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from guichet.core.uploads import UploadRefused, upload_check
from guichet.procedures.answers import AnswersSending, answers_clean
from guichet.procedures.conditions import condition_holds
from guichet.procedures.date_entry import date_entry_parse, datetime_entry_parse
from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormDefinition, FormField, Page

OTHER = "__other__"  # the value of a choice's "Autre" option, and the suffix of its text input
ADDRESS_PARTS = ("street", "postcode", "city", "insee_code")
ADD_ROW, REMOVE_ROW, REMOVE_FILE = "_add_row", "_remove_row", "_remove_file"
# "Vérifier le SIRET" (the SIRET field's path) or "Récupérer mes informations" ("api_particulier").
SOURCE = "_source"

_TEXT_TYPES = {
    FieldType.TEXT,
    FieldType.TEXTAREA,
    FieldType.INTEGER,
    FieldType.DECIMAL,
    FieldType.EMAIL,
    FieldType.PHONE,
    FieldType.SIRET,
    FieldType.IBAN,
    FieldType.LINKED_DOSSIER,
}

# Checks an upload against its field's rules and describes it (the applicant's pages also store it
# there); raises UploadRefused, with the message for the person, when it is not taken.
DescribeFile = Callable[[UploadedFile, FormField], Mapping[str, Any]]


def upload_check_for_field(upload: UploadedFile, field: FormField) -> Mapping[str, Any]:
    """A file checked against its field's types and size, kept nowhere (the builder's preview)."""
    return upload_check(upload, accept=field.accept, max_size_mb=field.max_size_mb)


def block_minimum(field: FormField) -> int:
    """The rows a block starts with and cannot go below (one when it is required)."""
    return field.min_rows or (1 if field.required else 0)


def block_rows(field: FormField, raw: Mapping[str, Any]) -> list[dict]:
    """A block's stored rows, padded with empty rows up to its minimum."""
    stored = raw.get(field.id)
    rows = [row if isinstance(row, dict) else {} for row in stored] if isinstance(stored, list) else []
    return rows + [{} for _ in range(block_minimum(field) - len(rows))]


def visible_fields(fields: list[FormField], scope: Mapping[str, Any]) -> Iterator[FormField]:
    """The fields whose condition holds on the cleaned values in `scope`."""
    return (field for field in fields if condition_holds(field.condition, scope))


def row_scope(scope: ChainMap, field: FormField, index: int) -> ChainMap:
    """The scope a block row's conditions and formulas see: the row's cleaned values, then the form's."""
    rows = scope.get(field.id)
    row = rows[index] if isinstance(rows, list) and index < len(rows) and isinstance(rows[index], dict) else {}
    return scope.new_child(row)


def answers_merge_post(
    form: FormDefinition,
    page: Page,
    raw: Mapping[str, Any],
    data: QueryDict,
    files: MultiValueDict,
    *,
    today: date,
    describe_file: DescribeFile = upload_check_for_field,
    shown: Mapping[str, Any] | None = None,
    refused: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The raw answers with one page's POST merged in (a new dict; `raw` is left unchanged).

    The fields touched are those the page showed: visible under the answers before the POST. A
    field left empty is removed, an unticked checkbox or an empty multiple choice included. New
    files are described by `describe_file` (the applicant's pages also store them there) and added
    to those already attached, up to the field's count; a field that takes one file has it replaced.
    A file that is refused (its type, size or content, or one too many) is left out, and why is
    noted in `refused` (by the field's path). `shown`, when the caller has them, are the cleaned
    values of `raw` (a draft's), which say what the page showed."""
    answers = copy.deepcopy(dict(raw))
    if shown is None:
        shown = answers_clean(form, raw, today=today, require_complete=False).values
    scope = ChainMap(dict(shown))
    _merge(page.fields, answers, data, files, scope, "", _Uploads(describe_file, {} if refused is None else refused))
    return answers


class _Uploads:
    """How a page's uploads are taken: described (and kept) one by one, the refusals noted."""

    def __init__(self, describe_file: DescribeFile, refused: dict[str, str]):
        self.describe_file, self.refused = describe_file, refused

    def _refuse(self, path: str, reason: str) -> None:
        self.refused[path] = f"{self.refused[path]} {reason}" if path in self.refused else reason

    def take(self, field: FormField, path: str, attached: list[dict], uploads: list[UploadedFile]) -> list[dict]:
        """The field's files once `uploads` are added to those `attached`, within its count."""
        room = 1 if field.max_files == 1 else (field.max_files - len(attached) if field.max_files else len(uploads))
        taken: list[dict] = []
        for upload in uploads:
            if len(taken) >= room:
                self._refuse(path, _too_many(upload, field.max_files or 0))
                continue
            try:
                taken.append(dict(self.describe_file(upload, field)))
            except UploadRefused as refusal:
                self._refuse(path, refusal.message)
        if field.max_files == 1:
            return taken or attached
        return attached + taken


def _too_many(upload: UploadedFile, maximum: int) -> str:
    counted = "un seul fichier" if maximum == 1 else f"au plus {maximum} fichiers"
    return f"Le fichier « {upload.name} » n’a pas été joint : cette question accepte {counted}."


def _merge(
    fields: list[FormField],
    target: dict,
    data: QueryDict,
    files: MultiValueDict,
    scope: ChainMap,
    prefix: str,
    uploads: "_Uploads",
) -> None:
    for field in visible_fields(fields, scope):
        path = f"{prefix}{field.id}"
        if field.type in DISPLAY_ONLY or field.type == FieldType.COMPUTED:
            continue
        if field.type == FieldType.BLOCK:
            rows = block_rows(field, target)
            for index, row in enumerate(rows):
                in_row = row_scope(scope, field, index)
                _merge(field.fields, row, data, files, in_row, f"{path}.{index}.", uploads)
            target[field.id] = rows
            continue
        if field.type == FieldType.FILE:
            attached = [item for item in target.get(field.id) or [] if isinstance(item, dict)]
            attached = uploads.take(field, path, attached, [upload for upload in files.getlist(path) if upload.name])
            value: Any = attached or None
        else:
            value = _posted_value(field, path, data)
        if value is None:
            target.pop(field.id, None)
        else:
            target[field.id] = value


def _posted_value(field: FormField, path: str, data: QueryDict) -> Any:
    """What the inputs of one field say; None when they say nothing."""
    if field.type in _TEXT_TYPES:
        # Browsers send line breaks as CRLF but count them as one character against maxlength.
        text = data.get(path, "").replace("\r\n", "\n")
        return text if text.strip() else None
    if field.type == FieldType.DATE:
        text = data.get(path, "").strip()
        # Typed as jj/mm/aaaa (a text input, the same for everyone); kept as typed when it is no
        # date, for the page to show it back with its error.
        try:
            return date_entry_parse(text).isoformat() if text else None
        except ValueError:
            return text
    if field.type == FieldType.DATETIME:
        text = data.get(path, "").strip()
        try:
            return datetime_entry_parse(text).isoformat(timespec="minutes") if text else None
        except ValueError:
            return text
    if field.type == FieldType.YES_NO:
        return {"true": True, "false": False}.get(data.get(path, ""))
    if field.type == FieldType.CHECKBOX:
        return True if data.get(path) in {"true", "on"} else None
    if field.type == FieldType.CHOICE:
        choice = data.get(path, "")
        if field.allow_other and choice == OTHER:
            return data.get(f"{path}.{OTHER}", "").strip() or None
        return choice or None
    if field.type == FieldType.MULTIPLE_CHOICE:
        return [value for value in data.getlist(path) if value] or None
    if field.type == FieldType.ADDRESS:
        address = {part: data.get(f"{path}.{part}", "").strip() for part in ADDRESS_PARTS}
        return address if any(address[part] for part in ("street", "postcode", "city")) else None
    return None


TAB, SENT_AT = "_onglet", "_envoi"
_TAB_ID = re.compile(r"^[0-9a-z]{8,32}$")
_SENT_AT = re.compile(r"^[0-9]{1,16}$")


def posted_sending(data: QueryDict) -> AnswersSending | None:
    """Which sending of the page this is, when the page's script said so (see page.html); without
    JavaScript, or with a value that is not ours, nothing is known and the answers are saved."""
    tab, sent_at = data.get(TAB, ""), data.get(SENT_AT, "")
    if _TAB_ID.match(tab) and _SENT_AT.match(sent_at):
        return AnswersSending(tab=tab, order=int(sent_at))
    return None


def posted_action(data: QueryDict) -> str:
    """Which button sent the page: "add_row", "remove_row", "remove_file", "source", "previous", "save"
    or "next"."""
    if data.get(SOURCE):
        return "source"
    for name, action in ((ADD_ROW, "add_row"), (REMOVE_ROW, "remove_row"), (REMOVE_FILE, "remove_file")):
        if data.get(name):
            return action
    if "_previous" in data:
        return "previous"
    return "save" if "_save" in data else "next"


def _locate(fields: list[FormField], answers: dict, path: str) -> tuple[FormField, dict] | None:
    """The field at `path` among a page's fields, and the dict (the answers or a block row) holding its value."""
    parts, container = path.split("."), answers
    while True:
        field = next((f for f in fields if f.id == parts[0]), None)
        if field is None:
            return None
        if len(parts) == 1:
            return field, container
        if field.type != FieldType.BLOCK or len(parts) < 3 or not parts[1].isdigit():
            return None
        rows, index = container.get(field.id), int(parts[1])
        if not isinstance(rows, list) or index >= len(rows) or not isinstance(rows[index], dict):
            return None
        container, fields, parts = rows[index], field.fields, parts[2:]


def answers_apply_action(page: Page, answers: dict, data: QueryDict) -> str:
    """Apply an "Ajouter une ligne", "Supprimer cette ligne" or "Retirer" button to the merged answers,
    within the block's bounds; returns the path of the place to show next (the block or the field)."""
    if path := data.get(ADD_ROW, ""):
        located = _locate(page.fields, answers, path)
        if located and located[0].type == FieldType.BLOCK:
            field, container = located
            rows = block_rows(field, container)
            if field.max_rows is None or len(rows) < field.max_rows:
                rows.append({})
            container[field.id] = rows
            return f"{path}.{len(rows) - 1}"
        return path
    name = REMOVE_ROW if data.get(REMOVE_ROW) else REMOVE_FILE
    path, _, index = data.get(name, "").rpartition(".")
    located = _locate(page.fields, answers, path)
    if located is None or not index.isdigit():
        return path
    field, container = located
    items = container.get(field.id)
    expected = FieldType.BLOCK if name == REMOVE_ROW else FieldType.FILE
    if field.type == expected and isinstance(items, list) and int(index) < len(items):
        if name == REMOVE_FILE or len(items) > block_minimum(field):
            items.pop(int(index))
    if name == REMOVE_FILE and not items:
        container.pop(field.id, None)
    return path
