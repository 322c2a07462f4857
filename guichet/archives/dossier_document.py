"""The filed answers of a dossier as a PDF/A document, for its archive package.

One function, `dossier_answers_pdfa`, so that the package builder does not care how it is made: the
documents app is getting `documents.dossier_pdf.dossier_pdfa(dossier)` (the applicant's dossier PDF,
made without a request); until it is on main, a plain rendering of the answers as filed, written by
documents' `html_to_pdfa` (the acts' PDF/A-3a, tagged). Switching is this module's body only."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from guichet.documents.rendering import PDF_VARIANT, html_to_pdfa
from guichet.dossiers.models import Dossier, DossierSnapshot
from guichet.dossiers.sourced import sourced_notes
from guichet.procedures.answers import answers_clean
from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormField
from guichet.procedures.formatting import answer_lines
from guichet.procedures.selectors import version_form

# The PDF/A part and conformance level the document declares (PRONOM ids: packages.py).
ANSWERS_PDF_VARIANT = PDF_VARIANT


def _lines(spec: FormField, value: Any) -> list[str]:
    if spec.type == FieldType.CHECKBOX:
        return ["Oui" if value else "Non"]
    if value is None or value == "" or value == []:
        return []
    return answer_lines(spec, value)


def _items(fields: list[FormField], values: dict, notes: dict[str, str] | None = None) -> list[dict]:
    """The answered fields; `notes`: where a top-level answer comes from (a data source)."""
    items, notes = [], notes or {}
    for spec in fields:
        if spec.type in DISPLAY_ONLY or spec.id not in values:
            continue
        value = values[spec.id]
        if spec.type == FieldType.BLOCK:
            rows = [_items(spec.fields, row) for row in value or [] if isinstance(row, dict)]
            items.append({"label": spec.label, "rows": rows, "lines": [], "note": ""})
        else:
            items.append(
                {"label": spec.label, "rows": [], "lines": _lines(spec, value), "note": notes.get(spec.id, "")}
            )
    return items


def dossier_answers_html(dossier: Dossier, snapshot: DossierSnapshot) -> str:
    form = version_form(snapshot.version_id)
    # Cleaned as of the day they were filed, as the instructors read them.
    values = answers_clean(
        form, snapshot.answers, today=timezone.localdate(snapshot.created_at), require_complete=False
    ).values
    notes = sourced_notes(dossier)
    pages = [{"title": page.title, "items": _items(page.fields, values, notes)} for page in form.pages]
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "snapshot": snapshot,
        "pages": [page for page in pages if page["items"]],
        "identity": dossier.identity,
        "platform_name": settings.GUICHET_PLATFORM_NAME,
    }
    return render_to_string("archives/dossier_answers.html", context)


def dossier_answers_pdfa(dossier: Dossier, snapshot: DossierSnapshot) -> bytes:
    """The answers as last filed (`snapshot`), as PDF/A (ANSWERS_PDF_VARIANT)."""
    return html_to_pdfa(dossier_answers_html(dossier, snapshot))
