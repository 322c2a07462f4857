"""Where each field's answer comes from in a HubEE case (HubeeFieldMapping.source), checked against
the procedure's published form, and the answers that a case gives.

Sources: `applicant.firstName`, `applicant.lastName`, `applicant.email` (the case's applicant),
`case.externalId` (the sender's reference), `data.<path>` (a value in the data attachment: JSON, or
XML read as nested elements, by their local names, dotted: `data.demande.acte.type`) and
`attachment.<type>` (a file field: the case's attachment of that HubEE type)."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from lxml import etree

from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormField
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import version_form

APPLICANT_SOURCES = {"applicant.firstName", "applicant.lastName", "applicant.email"}
CASE_SOURCES = {"case.externalId"}
SOURCE_PATTERN = re.compile(r"(data\.[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*|attachment\.[A-Za-z0-9_\-]+)")
# Fields whose answer a case cannot give: formulas, another dossier of the applicant, blocks of rows.
NOT_MAPPABLE = {FieldType.COMPUTED, FieldType.LINKED_DOSSIER, FieldType.BLOCK}


def procedure_fields(procedure: Procedure) -> dict[str, FormField]:
    """The fields of the procedure's latest published form that an answer can be given to, by id."""
    version = procedure.latest_version
    if version is None:
        return {}
    form = version_form(version.pk)
    return {
        field.id: field
        for page in form.pages
        for field in page.fields
        if field.type not in DISPLAY_ONLY and field.type not in NOT_MAPPABLE
    }


def source_check(source: str, field: FormField) -> str | None:
    """Why `source` cannot fill `field` (in French), or None when it can."""
    if source not in APPLICANT_SOURCES | CASE_SOURCES and not SOURCE_PATTERN.fullmatch(source):
        return (
            f"« {source} » n’est pas une donnée HubEE connue : applicant.firstName, applicant.lastName, "
            "applicant.email, case.externalId, data.<chemin> ou attachment.<type>."
        )
    is_file = field.type == FieldType.FILE
    if is_file != source.startswith("attachment."):
        return (
            "Un champ « fichier » se remplit avec une pièce jointe (attachment.<type>)."
            if is_file
            else "Une pièce jointe (attachment.<type>) ne peut remplir qu’un champ « fichier »."
        )
    return None


def mappings_check(procedure: Procedure, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (field id, source) pairs, checked: ValidationError listing every problem, in French."""
    fields = procedure_fields(procedure)
    errors, seen, cleaned = [], set(), []
    for field_id, source in pairs:
        field_id, source = field_id.strip(), source.strip()
        if not field_id and not source:
            continue
        field = fields.get(field_id)
        if field is None:
            errors.append(f"Le champ « {field_id} » n’existe pas dans le formulaire publié de la démarche.")
            continue
        if field_id in seen:
            errors.append(f"Le champ « {field.label} » a deux correspondances.")
            continue
        problem = source_check(source, field)
        if problem:
            errors.append(f"{field.label} : {problem}")
            continue
        seen.add(field_id)
        cleaned.append((field_id, source))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _xml_value(element) -> Any:
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return (element.text or "").strip()
    value: dict[str, Any] = {}
    for child in children:
        value.setdefault(etree.QName(child).localname, _xml_value(child))
    return value


def data_read(content: bytes, mime_type: str) -> dict:
    """The démarche's data in its attachment: JSON, or XML (the root element's name first).
    ValueError, in French, when it cannot be read."""
    xml = content.lstrip().startswith(b"<") or ("xml" in mime_type and "json" not in mime_type)
    if not xml:
        try:
            data = json.loads(content)
        except ValueError as error:
            raise ValueError(f"la pièce de données n’est ni un JSON ni un XML lisible ({error})") from error
        return data if isinstance(data, dict) else {"items": data}
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"la pièce de données n’est ni un JSON ni un XML lisible ({error})") from error
    return {etree.QName(root).localname: _xml_value(root)}


@dataclass(frozen=True)
class CaseContent:
    """What a case holds for the mapping: its applicant and reference, its data, its files by type."""

    applicant: dict
    external_id: str
    data: dict
    files: dict[str, Any]  # HubEE attachment type → the answer that refers to the file kept


def _lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def source_value(source: str, content: CaseContent) -> Any:
    """The answer that `source` gives for this case (None when the case does not hold it)."""
    if source in APPLICANT_SOURCES:
        return content.applicant.get(source.removeprefix("applicant.")) or None
    if source == "case.externalId":
        return content.external_id
    if source.startswith("attachment."):
        return content.files.get(source.removeprefix("attachment."))
    value = _lookup(content.data, source.removeprefix("data."))
    if isinstance(value, list):
        return None
    if isinstance(value, dict):  # an address, say: the form's rules check its parts
        return value
    return value if value is None or isinstance(value, (bool, int, float)) else str(value)


def answers_from_case(pairs: Iterable[tuple[str, str]], content: CaseContent, fields: dict[str, FormField]) -> dict:
    """The answers of the dossier made of the case: each mapped field that the case fills (a file
    field holds a list of files)."""
    answers: dict[str, Any] = {}
    for field_id, source in pairs:
        value = source_value(source, content)
        if value is None or value == "":
            continue
        field = fields.get(field_id)
        answers[field_id] = [value] if field is not None and field.type == FieldType.FILE else value
    return answers
