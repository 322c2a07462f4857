"""The "Récapitulatif": every visible page with its visible answers, written for a person to check."""

from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from guichet.procedures.answers import CleanedAnswers
from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormField, Page
from guichet.procedures.formatting import answer_lines

from .pages import ErrorLink, page_view
from .posting import visible_fields


@dataclass
class SummaryRow:
    number: int
    items: list["SummaryItem"]


@dataclass
class SummaryItem:
    label: str
    lines: list[str] = field(default_factory=list)  # empty: not answered
    rows: list[SummaryRow] = field(default_factory=list)
    is_block: bool = False
    error: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # attached files: (text, address)
    note: str = ""  # where the answer comes from (« Donnée issue d'API Entreprise, le … »)


@dataclass
class SummaryGroup:
    """The answers under one section heading of a page (the first group has no heading)."""

    title: str
    items: list[SummaryItem]


@dataclass
class SummarySection:
    number: int
    title: str
    edit_url: str
    groups: list[SummaryGroup]


@dataclass
class Summary:
    sections: list[SummarySection]
    errors: list[ErrorLink]  # what is missing or wrong, each with a link to its page and field
    ineligible: list[str]  # the administrator's messages of the eligibility rules that apply

    @property
    def is_valid(self) -> bool:
        return not self.errors and not self.ineligible


def summary_build(
    pages: list[Page],
    raw: Mapping[str, Any],
    cleaned: CleanedAnswers,
    *,
    page_url: Callable[[int], str],
    file_url: Callable[[str], str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> Summary:
    """The summary of the visible `pages`, from answers cleaned with `require_complete=True`;
    `page_url(number)` gives the address of the n-th visible page, for the "Modifier" links,
    `file_url(key)`, when given, the address where an attached file is downloaded, and `notes` what
    to say of a field's answer's origin, by field id (data sources)."""
    sections, errors = [], []
    for number, page in enumerate(pages, start=1):
        groups = [SummaryGroup(title="", items=[])]
        scope = ChainMap(cleaned.values)
        for spec in visible_fields(page.fields, scope):
            if spec.type == FieldType.SECTION:
                groups.append(SummaryGroup(title=spec.label, items=[]))
            elif spec.type != FieldType.EXPLANATION:
                item = _item(spec, spec.id, cleaned.values, scope, cleaned.errors, file_url)
                item.note = (notes or {}).get(spec.id, "")
                groups[-1].items.append(item)
        url = page_url(number)
        sections.append(SummarySection(number, page.title, url, [g for g in groups if g.items or g.title]))
        for link in page_view(page, number, raw, cleaned.values, cleaned.errors).errors:
            link.url = f"{url}#{link.anchor}"
            errors.append(link)
    return Summary(sections=sections, errors=errors, ineligible=cleaned.ineligible)


def _item(
    spec: FormField,
    path: str,
    values: Mapping,
    scope: ChainMap,
    errors: Mapping[str, str],
    file_url: Callable[[str], str] | None,
) -> SummaryItem:
    item = SummaryItem(label=spec.label, error=errors.get(path, ""))
    value = values.get(spec.id)
    if spec.type == FieldType.BLOCK:
        item.is_block = True
        for index, row in enumerate(value or []):
            row_scope = scope.new_child(row)
            fields = (f for f in visible_fields(spec.fields, row_scope) if f.type not in DISPLAY_ONLY)
            row_items = [_item(f, f"{path}.{index}.{f.id}", row, row_scope, errors, file_url) for f in fields]
            item.rows.append(SummaryRow(number=index + 1, items=row_items))
    elif spec.type == FieldType.CHECKBOX:
        item.lines = ["Oui" if value else "Non"]  # unticked is an answer too
    elif value is not None and value != "" and value != []:
        item.lines = answer_lines(spec, value)
        if spec.type == FieldType.FILE and file_url is not None:
            item.links = [
                (line, file_url(file["key"])) for line, file in zip(item.lines, value, strict=True) if file.get("key")
            ]
            if len(item.links) == len(item.lines):
                item.lines = []
    return item
