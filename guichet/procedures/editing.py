"""The builder's edits on a working form, as pure functions on its JSON.

Each function takes a definition (the dict stored in `Procedure.draft_definition`) and returns a new
one; the caller saves it through `procedure_definition_save`, which validates the whole form, so an
edit that would break a condition or a formula is refused with its place and nothing is saved.
Fields and pages are found by their ids, which never change once given: answers, conditions and
formulas follow them across versions."""

import copy
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from .definition import FieldType


class EditError(ValueError):
    """The edit cannot be made; the message says why, in French."""


def identifier_from(text: str, taken: set[str], *, fallback: str = "champ") -> str:
    """A new id from a label: lower case ASCII, words joined by hyphens, unique in the form."""
    spaced = re.sub(r"[’'`ʼ]", " ", text)  # « d’arbres » gives d-arbres, not darbres
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    base = "-".join(words)[:40].strip("-")
    if not base or not base[0].isalpha():
        base = f"{fallback}-{base}" if base else fallback
    candidate, counter = base, 2
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


def _containers(definition: dict[str, Any]) -> Iterator[tuple[dict[str, Any] | None, list[dict[str, Any]], str]]:
    """Every list of fields (a page's, then its blocks'), with its page and the page's id."""

    def walk(fields: list[dict[str, Any]], page_id: str):
        yield fields, page_id
        for field in fields:
            if field.get("type") == FieldType.BLOCK:
                yield from walk(field.setdefault("fields", []), page_id)

    for page in definition["pages"]:
        for fields, page_id in walk(page.setdefault("fields", []), page["id"]):
            yield page, fields, page_id


def fields_by_id(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every field of the form (block contents included) by its id."""
    return {field["id"]: field for _page, fields, _ in _containers(definition) for field in fields}


def field_ids(definition: dict[str, Any]) -> set[str]:
    return set(fields_by_id(definition))


def _taken_ids(definition: dict[str, Any]) -> set[str]:
    return field_ids(definition) | {page["id"] for page in definition["pages"]}


def field_locate(definition: dict[str, Any], field_id: str) -> tuple[list[dict[str, Any]], int, str]:
    """The list holding a field, its index there and its page id; EditError when absent."""
    for _page, fields, page_id in _containers(definition):
        for index, field in enumerate(fields):
            if field["id"] == field_id:
                return fields, index, page_id
    raise EditError("Ce champ n’existe plus : la page a peut-être été modifiée entre-temps.")


def field_get(definition: dict[str, Any], field_id: str) -> dict[str, Any]:
    fields, index, _ = field_locate(definition, field_id)
    return fields[index]


def page_index(definition: dict[str, Any], page_id: str) -> int:
    for index, page in enumerate(definition["pages"]):
        if page["id"] == page_id:
            return index
    raise EditError("Cette page n’existe plus : le formulaire a peut-être été modifié entre-temps.")


def field_add(
    definition: dict[str, Any],
    *,
    field_type: FieldType,
    label: str,
    page_id: str,
    block_id: str | None = None,
    after_id: str | None = None,
) -> tuple[dict[str, Any], str]:
    """Add a field at the end of a page or a block (or right after another field); returns the new
    definition and the new field's id. Choices start with two options, blocks with one field."""
    definition = copy.deepcopy(definition)
    label = label.strip() or FIELD_TYPE_LABELS[field_type]
    taken = _taken_ids(definition)
    field: dict[str, Any] = {"id": identifier_from(label, taken), "type": str(field_type), "label": label}
    taken.add(field["id"])
    if field_type in {FieldType.CHOICE, FieldType.MULTIPLE_CHOICE}:
        field["options"] = [{"value": "choix-1", "label": "Choix 1"}, {"value": "choix-2", "label": "Choix 2"}]
    if field_type == FieldType.BLOCK:
        field["fields"] = [{"id": identifier_from(f"{label} élément", taken), "type": "text", "label": "Élément"}]
    if field_type == FieldType.COMPUTED:
        field["formula"] = "0"
    if field_type == FieldType.EXPLANATION:
        field["text"] = ""
    if after_id:
        fields, index, _ = field_locate(definition, after_id)
        fields.insert(index + 1, field)
    elif block_id:
        block = field_get(definition, block_id)
        if block.get("type") != FieldType.BLOCK:
            raise EditError("On ne peut ajouter des champs que dans un bloc répétable.")
        if field_type == FieldType.BLOCK:
            raise EditError("Un bloc répétable ne peut pas contenir un autre bloc répétable.")
        block["fields"].append(field)
    else:
        definition["pages"][page_index(definition, page_id)]["fields"].append(field)
    return definition, field["id"]


def field_update(definition: dict[str, Any], *, field_id: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Replace a field's settings (its id, type and the fields of a block never change here)."""
    definition = copy.deepcopy(definition)
    fields, index, _ = field_locate(definition, field_id)
    current = fields[index]
    kept = {key: current[key] for key in ("id", "type", "fields") if key in current}
    # Unset settings are left out, as the definition's defaults say (0 is a value: `is False`).
    updated = {
        key: value for key, value in settings.items() if not (value is None or value is False or value in ("", []))
    }
    updated.pop("fields", None)
    fields[index] = {**updated, **kept}
    return definition


def field_set(definition: dict[str, Any], *, field_id: str, key: str, value: Any) -> dict[str, Any]:
    """Set (or, with None, remove) one setting of a field: its condition, its formula..."""
    definition = copy.deepcopy(definition)
    field = field_get(definition, field_id)
    if value is None:
        field.pop(key, None)
    else:
        field[key] = value
    return definition


def field_move(definition: dict[str, Any], *, field_id: str, offset: int) -> dict[str, Any]:
    """Move a field up (-1) or down (+1) among its neighbours; at the edge of a page it moves to
    the end of the previous page or the start of the next one."""
    definition = copy.deepcopy(definition)
    fields, index, page_id = field_locate(definition, field_id)
    target = index + offset
    if 0 <= target < len(fields):
        fields.insert(target, fields.pop(index))
        return definition
    pages = definition["pages"]
    current_page = page_index(definition, page_id)
    in_block = fields is not pages[current_page]["fields"]
    neighbour = current_page + offset
    if in_block or not 0 <= neighbour < len(pages):
        return definition  # already first or last: nothing to do
    field = fields.pop(index)
    if offset < 0:
        pages[neighbour]["fields"].append(field)
    else:
        pages[neighbour]["fields"].insert(0, field)
    return definition


def field_move_to_page(definition: dict[str, Any], *, field_id: str, page_id: str) -> dict[str, Any]:
    """Move a field (and, for a block, its contents) to the end of another page."""
    definition = copy.deepcopy(definition)
    target = definition["pages"][page_index(definition, page_id)]
    fields, index, _ = field_locate(definition, field_id)
    target["fields"].append(fields.pop(index))
    return definition


def _renamed_copy(field: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    clone = copy.deepcopy(field)
    clone["id"] = identifier_from(clone["id"], taken)
    taken.add(clone["id"])
    clone["fields"] = [_renamed_copy(child, taken) for child in clone.get("fields", [])]
    if not clone["fields"]:
        clone.pop("fields")
    return clone


def field_duplicate(definition: dict[str, Any], *, field_id: str) -> tuple[dict[str, Any], str]:
    """Copy a field right after itself, with new ids (a block's fields too) and « (copie) »."""
    definition = copy.deepcopy(definition)
    fields, index, _ = field_locate(definition, field_id)
    clone = _renamed_copy(fields[index], _taken_ids(definition))
    clone["label"] = f"{clone['label']} (copie)"[:500]
    fields.insert(index + 1, clone)
    return definition, clone["id"]


def field_delete(definition: dict[str, Any], *, field_id: str) -> dict[str, Any]:
    """Remove a field (a block with its fields). A condition or formula that used it makes the
    save fail with its place, so nothing silently changes meaning."""
    definition = copy.deepcopy(definition)
    fields, index, _ = field_locate(definition, field_id)
    del fields[index]
    return definition


def page_add(definition: dict[str, Any], *, title: str) -> tuple[dict[str, Any], str]:
    definition = copy.deepcopy(definition)
    title = title.strip() or f"Page {len(definition['pages']) + 1}"
    page_id = identifier_from(title, _taken_ids(definition), fallback="page")
    definition["pages"].append({"id": page_id, "title": title, "fields": []})
    return definition, page_id


def page_update(definition: dict[str, Any], *, page_id: str, title: str, description: str) -> dict[str, Any]:
    definition = copy.deepcopy(definition)
    page = definition["pages"][page_index(definition, page_id)]
    page["title"] = title.strip()
    if description.strip():
        page["description"] = description.strip()
    else:
        page.pop("description", None)
    return definition


def page_set_condition(definition: dict[str, Any], *, page_id: str, condition: dict | None) -> dict[str, Any]:
    definition = copy.deepcopy(definition)
    page = definition["pages"][page_index(definition, page_id)]
    if condition is None:
        page.pop("condition", None)
    else:
        page["condition"] = condition
    return definition


def page_move(definition: dict[str, Any], *, page_id: str, offset: int) -> dict[str, Any]:
    definition = copy.deepcopy(definition)
    pages = definition["pages"]
    index = page_index(definition, page_id)
    target = index + offset
    if 0 <= target < len(pages):
        pages.insert(target, pages.pop(index))
    return definition


def page_duplicate(definition: dict[str, Any], *, page_id: str) -> tuple[dict[str, Any], str]:
    """Copy a page and its fields right after it, with new ids."""
    definition = copy.deepcopy(definition)
    index = page_index(definition, page_id)
    taken = _taken_ids(definition)
    page = copy.deepcopy(definition["pages"][index])
    page["id"] = identifier_from(page["id"], taken, fallback="page")
    taken.add(page["id"])
    page["title"] = f"{page['title']} (copie)"[:200]
    page["fields"] = [_renamed_copy(field, taken) for field in page["fields"]]
    definition["pages"].insert(index + 1, page)
    return definition, page["id"]


def page_delete(definition: dict[str, Any], *, page_id: str) -> dict[str, Any]:
    definition = copy.deepcopy(definition)
    if len(definition["pages"]) == 1:
        raise EditError("Un formulaire garde au moins une page : modifiez-la plutôt que de la supprimer.")
    del definition["pages"][page_index(definition, page_id)]
    return definition


def eligibility_set(definition: dict[str, Any], *, index: int | None, rule: dict | None) -> dict[str, Any]:
    """Add (index None), replace or, with rule None, remove an eligibility rule."""
    definition = copy.deepcopy(definition)
    rules = definition.setdefault("eligibility", [])
    if index is None:
        if rule is not None:
            rules.append(rule)
    elif not 0 <= index < len(rules):
        raise EditError("Cette règle d’éligibilité n’existe plus.")
    elif rule is None:
        del rules[index]
    else:
        rules[index] = rule
    if not rules:
        definition.pop("eligibility")
    return definition


def fields_before(
    definition: dict[str, Any], *, field_id: str | None = None, page_id: str | None = None
) -> list[dict[str, Any]]:
    """The answerable fields that a condition or formula of a field (or of a page) may use: those
    placed before it in reading order; a block's fields only for a field inside that block."""
    found: list[dict[str, Any]] = []

    def walk(fields: list[dict[str, Any]], into: list[dict[str, Any]]) -> bool:
        for field in fields:
            if field["id"] == field_id:
                return True
            if field["type"] == FieldType.BLOCK:
                inner: list[dict[str, Any]] = []
                if walk(field.get("fields", []), inner):
                    into.extend(inner)
                    return True
            elif field["type"] not in {FieldType.SECTION, FieldType.EXPLANATION}:
                into.append(field)
        return False

    for page in definition["pages"]:
        if page["id"] == page_id or walk(page["fields"], found):
            break
    return found


FIELD_TYPE_LABELS: dict[FieldType, str] = {
    FieldType.TEXT: "Texte court",
    FieldType.TEXTAREA: "Texte long",
    FieldType.INTEGER: "Nombre entier",
    FieldType.DECIMAL: "Nombre décimal",
    FieldType.DATE: "Date",
    FieldType.DATETIME: "Date et heure",
    FieldType.YES_NO: "Oui / non",
    FieldType.CHECKBOX: "Case à cocher",
    FieldType.CHOICE: "Choix unique",
    FieldType.MULTIPLE_CHOICE: "Choix multiples",
    FieldType.EMAIL: "Adresse électronique",
    FieldType.PHONE: "Téléphone",
    FieldType.ADDRESS: "Adresse postale",
    FieldType.SIRET: "Numéro SIRET",
    FieldType.IBAN: "IBAN",
    FieldType.FILE: "Pièce jointe",
    FieldType.SECTION: "Titre de section",
    FieldType.EXPLANATION: "Texte explicatif",
    FieldType.BLOCK: "Bloc répétable",
    FieldType.LINKED_DOSSIER: "Dossier lié",
    FieldType.COMPUTED: "Valeur calculée",
}


_SETTING_NAMES = {
    "condition": "condition d’affichage",
    "formula": "formule",
    "id": "identifiant",
    "label": "libellé",
    "options": "choix proposés",
    "min": "minimum",
    "max": "maximum",
    "min_length": "longueur minimale",
    "max_length": "longueur maximale",
    "min_rows": "nombre minimal de lignes",
    "max_rows": "nombre maximal de lignes",
    "min_choices": "nombre minimal de choix",
    "max_choices": "nombre maximal de choix",
    "pattern": "format imposé",
    "title": "titre",
}


def place_label(definition: dict[str, Any], path: str) -> str:
    """A place in the form as an administrator reads it: `pages[1].fields[0].condition` becomes
    « Page 2 « Travaux », champ « Nature » : condition d’affichage »."""
    parts, node, words = re.findall(r"([a-z_]+)(?:\[(\d+)\])?", path), definition, []
    try:
        for name, index in parts:
            if index:
                node = node[name][int(index)]
                if name == "pages":
                    words.append(f"page {int(index) + 1} « {node.get('title', '')} »")
                elif name == "fields":
                    words.append(f"champ « {node.get('label', node.get('id', ''))} »")
                elif name == "eligibility":
                    words.append(f"règle d’éligibilité {int(index) + 1}")
                else:
                    words.append(f"{_SETTING_NAMES.get(name, name)} n°{int(index) + 1}")
            else:
                words.append(_SETTING_NAMES.get(name, name))
    except (KeyError, IndexError, TypeError):
        return path
    text = ", ".join(words)
    return text[:1].upper() + text[1:] if text else "Formulaire"
