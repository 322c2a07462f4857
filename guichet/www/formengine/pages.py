"""What a page of the form shows, computed on the server: the visible pages, and for one page its
visible fields with their inputs' names and ids, current values, errors and computed values.

Ids are `champ-` followed by the field's path (`champ-cadastre.0.section`): field ids hold no dot,
so they never collide, and they stay the same from one rendering to the next, which lets htmx give
the focus back to the input that had it after a live update."""

from collections import ChainMap
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.utils.safestring import SafeString

from guichet.connectors.data_sources import IDENTIFIED_DATA
from guichet.core.markdown import markdown_render
from guichet.procedures.conditions import condition_holds
from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormDefinition, FormField, Page
from guichet.procedures.formatting import (
    computed_french,
    content_types_french,
    date_french,
    quantity_french,
    size_french,
)

from .posting import OTHER, block_minimum, block_rows, row_scope, visible_fields

ID_PREFIX = "champ-"
_NOT_QUESTIONS = {*DISPLAY_ONLY, FieldType.COMPUTED}

# Format hints, as the DSFR writes them.
_FORMAT_HINTS = {
    FieldType.DATE: "Format attendu : jj/mm/aaaa, par exemple 14/07/1990.",
    FieldType.DATETIME: "Format attendu : jj/mm/aaaa hh:mm, par exemple 14/07/2026 09:30.",
    FieldType.EMAIL: "Format attendu : nom@domaine.fr.",
    FieldType.PHONE: "Format attendu : 06 12 34 56 78.",
    FieldType.SIRET: "Format attendu : 14 chiffres, par exemple 732 829 320 00074.",
    FieldType.IBAN: "Format attendu : FR76 3000 6000 0112 3456 7890 189.",
    FieldType.LINKED_DOSSIER: "Format attendu : 2026-000042.",
}


@dataclass
class OptionView:
    value: str
    label: str
    id: str
    checked: bool


@dataclass
class FileView:
    name: str
    size: int
    content_type: str
    remove_value: str

    @property
    def size_text(self) -> str:
        return size_french(self.size)


@dataclass
class RowView:
    number: int
    id: str
    fields: list["FieldView"]
    remove_value: str


@dataclass
class ErrorLink:
    """One line of the error summary: the field's label, the message, and the input to go to."""

    anchor: str
    label: str
    message: str
    url: str = ""


@dataclass(frozen=True)
class SourcedView:
    """A field filled (or not) from a data source: whether its answer is certified, and the note
    read beside it (« Donnée issue d'API Entreprise, le … »)."""

    certified: bool
    note: str


@dataclass
class FieldView:
    spec: FormField
    path: str
    id: str
    template: str
    label: str  # the label, and for a field in a block row, the block and the row
    error: str = ""
    value: Any = ""  # what the input shows: a string, a bool for a checkbox, a dict for an address
    hints: list[str] = field(default_factory=list)
    options: list[OptionView] = field(default_factory=list)
    other: OptionView | None = None  # the "Autre" option of a choice that allows it
    other_text: str = ""
    files: list[FileView] = field(default_factory=list)
    template_url: str = ""
    rows: list[RowView] = field(default_factory=list)
    can_add_row: bool = False
    can_remove_row: bool = False
    html: SafeString | str = ""  # an explanation's text
    sourced: SourcedView | None = None  # its answer came from a data source, or the source failed
    fills_others: bool = False  # a SIRET field that fills others: it has a "Vérifier le SIRET" button

    @property
    def anchor(self) -> str:
        """The id the error summary links to: the first input of the field."""
        if self.options and self.spec.widget != "select":
            return self.options[0].id
        if self.spec.type == FieldType.ADDRESS:
            return f"{self.id}.street"
        return self.id

    @property
    def hint_id(self) -> str:
        return f"{self.id}.aide" if self.spec.help or self.hints else ""

    @property
    def error_id(self) -> str:
        return f"{self.id}.erreur" if self.error else ""


@dataclass
class PageView:
    page: Page
    number: int
    description: SafeString | str
    fields: list[FieldView]
    errors: list[ErrorLink]
    consents: list[str] = field(default_factory=list)  # API Particulier's, while its data is not certified
    identifier_label: str = ""  # the identifier those data need (IDENTIFIED_DATA), to ask beside the consent

    @property
    def question_paths(self) -> set[str]:
        """The paths of the questions shown (not headings, texts or computed values), block rows included."""

        def walk(views: list[FieldView]):
            for view in views:
                if view.spec.type not in _NOT_QUESTIONS:
                    yield view.path
                for row in view.rows:
                    yield from walk(row.fields)

        return set(walk(self.fields))


@dataclass
class Stepper:
    number: int
    total: int
    title: str
    next_title: str


def pages_visible(form: FormDefinition, values: Mapping[str, Any]) -> list[Page]:
    """The pages whose condition holds on the cleaned values (`answers_clean(...).values`)."""
    return [page for page in form.pages if condition_holds(page.condition, values)]


def stepper_for(pages: list[Page], number: int) -> Stepper:
    """The DSFR stepper of the `number`-th visible page (1-based); after the last comes the summary."""
    following = pages[number].title if number < len(pages) else "Récapitulatif"
    return Stepper(number=number, total=len(pages), title=pages[number - 1].title, next_title=following)


def page_view(
    page: Page,
    number: int,
    raw: Mapping[str, Any],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    sourced: Mapping[str, SourcedView] | None = None,
    triggers: Collection[str] = (),
) -> PageView:
    """The page's visible fields, evaluated on the cleaned `values`, showing the `raw` answers and the
    `errors` (keyed by path) of the fields shown; the errors also come in order for the summary.
    `sourced`: the fields whose answer a data source gave (or failed to), by id; `triggers`: the ids
    of the SIRET fields that fill others (docs/exchange.md)."""
    links: list[ErrorLink] = []
    views = _field_views(page.fields, raw, ChainMap(dict(values)), "", "", errors, links)
    sourced = sourced or {}
    consents: list[str] = []
    identifier_label = ""
    for view in views:
        view.sourced = sourced.get(view.spec.id)
        view.fills_others = view.spec.id in triggers
        source = view.spec.source
        if view.sourced is not None and view.sourced.certified:
            view.template = "formengine/widgets/certified.html"
        elif source is not None and source.consent:
            if source.consent not in consents:
                consents.append(source.consent)
            identifier_label = IDENTIFIED_DATA.get(source.datum, identifier_label)
    description = markdown_render(page.description) if page.description else ""
    return PageView(
        page=page,
        number=number,
        description=description,
        fields=views,
        errors=links,
        consents=consents,
        identifier_label=identifier_label,
    )


def _field_views(
    fields: list[FormField],
    raw: Mapping[str, Any],
    scope: ChainMap,
    prefix: str,
    where: str,
    errors: Mapping[str, str],
    links: list[ErrorLink],
) -> list[FieldView]:
    views = []
    for spec in visible_fields(fields, scope):
        path = f"{prefix}{spec.id}"
        view = FieldView(
            spec=spec,
            path=path,
            id=f"{ID_PREFIX}{path}",
            template=f"formengine/widgets/{spec.type}.html",
            label=f"{spec.label}{where}",
            error=errors.get(path, ""),
        )
        position = len(links)  # a block's own error comes before those of its rows
        _fill(view, raw.get(spec.id), raw, scope, errors, links)
        if view.error:
            links.insert(position, ErrorLink(anchor=view.anchor, label=view.label, message=view.error))
        views.append(view)
    return views


def _fill(
    view: FieldView,
    value: Any,
    raw: Mapping[str, Any],
    scope: ChainMap,
    errors: Mapping[str, str],
    links: list[ErrorLink],
) -> None:
    """Set what each type of input needs to show `value`."""
    spec, kind = view.spec, view.spec.type
    view.hints = _hints(spec)
    if kind in {FieldType.YES_NO, FieldType.CHECKBOX}:
        checked = str(value).strip().lower() in {"true", "oui", "on", "1"} if value not in (None, "") else None
        if kind == FieldType.CHECKBOX:
            view.value = bool(checked)
        else:
            view.options = [
                OptionView("true", "Oui", f"{view.id}.1", checked is True),
                OptionView("false", "Non", f"{view.id}.2", checked is False),
            ]
    elif kind in {FieldType.CHOICE, FieldType.MULTIPLE_CHOICE}:
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)} if value else set()
        view.options = [
            OptionView(option.value, option.label, f"{view.id}.{index}", option.value in chosen)
            for index, option in enumerate(spec.options, start=1)
        ]
        if kind == FieldType.CHOICE and spec.allow_other:
            other = value if value and not any(option.checked for option in view.options) else ""
            view.other = OptionView(OTHER, "Autre", f"{view.id}.autre", bool(other))
            view.other_text = str(other)
    elif kind == FieldType.ADDRESS:
        value = value if isinstance(value, Mapping) else {}
        view.value = {part: str(value.get(part) or "") for part in ("street", "postcode", "city", "insee_code")}
    elif kind == FieldType.FILE:
        items = [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
        view.files = [
            FileView(
                name=str(item.get("name")),
                size=int(item.get("size") or 0),
                content_type=str(item.get("content_type") or ""),
                remove_value=f"{view.path}.{index}",
            )
            for index, item in enumerate(items)
        ]
        if spec.template_file:
            view.template_url = default_storage.url(spec.template_file.path)
    elif kind == FieldType.COMPUTED:
        computed = scope.get(spec.id)
        view.value = "" if computed is None or computed == "" else computed_french(computed, spec.unit)
        view.hints = [] if view.value else ["Il sera calculé quand les réponses nécessaires seront remplies."]
    elif kind == FieldType.EXPLANATION:
        view.html = markdown_render(spec.text)
    elif kind == FieldType.BLOCK:
        rows = block_rows(spec, raw)
        view.rows = [
            RowView(
                number=index + 1,
                id=f"{view.id}.{index}",
                fields=_field_views(
                    spec.fields,
                    row,
                    row_scope(scope, spec, index),
                    f"{view.path}.{index}.",
                    f" ({spec.label}, ligne {index + 1})",
                    errors,
                    links,
                ),
                remove_value=f"{view.path}.{index}",
            )
            for index, row in enumerate(rows)
        ]
        view.can_add_row = spec.max_rows is None or len(rows) < spec.max_rows
        view.can_remove_row = len(rows) > block_minimum(spec)
    elif kind == FieldType.DATE:
        view.value = "" if value is None else date_french(value)  # typed as shown: jj/mm/aaaa
    elif kind == FieldType.DATETIME:
        view.value = "" if value is None else _datetime_entry(value)
    elif kind != FieldType.SECTION:
        view.value = "" if value is None else str(value)


def _datetime_entry(value: Any) -> str:
    try:
        return f"{datetime.fromisoformat(str(value)):%d/%m/%Y %H:%M}"
    except ValueError:
        return str(value)


def _hints(spec: FormField) -> list[str]:
    """What the person must know to answer, besides the administrator's help: format, unit, limits."""
    hints = [_FORMAT_HINTS[spec.type]] if spec.type in _FORMAT_HINTS else []
    if spec.type in {FieldType.INTEGER, FieldType.DECIMAL}:
        low, high = (None if b is None else quantity_french(b, spec.unit) for b in (spec.min, spec.max))
        if low and high:
            hints.append(f"Valeur comprise entre {low} et {high}.")
        elif low:
            hints.append(f"Valeur minimale : {low}.")
        elif high:
            hints.append(f"Valeur maximale : {high}.")
        elif spec.unit:
            hints.append(f"Unité : {spec.unit}.")
    if spec.type == FieldType.FILE:
        if spec.accept:
            hints.append(f"Formats acceptés : {content_types_french(spec.accept)}.")
        if spec.max_size_mb:
            hints.append(f"Taille maximale : {spec.max_size_mb} Mo par fichier.")
        hints.append("Un seul fichier." if spec.max_files == 1 else _many_files(spec.max_files))
    return hints


def _many_files(maximum: int | None) -> str:
    return f"Jusqu’à {maximum} fichiers." if maximum else "Plusieurs fichiers possibles."
