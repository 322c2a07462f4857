"""A dossier as a PDF/A document: what was filed (or a draft's answers), the applicant's identity and
the dossier's history, in the same PDF/A variant as the acts (PDF/A-3a, tagged). Made without a
request: the applicant downloads it (www/usager) and the archives' package builder puts it in a
dossier's package, from the worker."""

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from guichet.accounts.selectors import applicant_identity_for_dossier
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_latest_snapshot, dossier_timeline
from guichet.dossiers.sourced import sourced_notes
from guichet.procedures.answers import answers_clean
from guichet.procedures.conditions import condition_holds
from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormDefinition, FormField
from guichet.procedures.formatting import answer_lines
from guichet.procedures.selectors import version_form

from .rendering import html_to_pdfa


@dataclass
class AnswerItem:
    label: str
    lines: list[str] = field(default_factory=list)  # empty: not answered
    rows: list[list["AnswerItem"]] = field(default_factory=list)  # a block's rows
    is_block: bool = False
    note: str = ""  # where the answer comes from: « Donnée issue d’API Entreprise, le … »


@dataclass
class AnswerGroup:
    """The answers under one section heading of a page (the first group has no heading)."""

    title: str
    items: list[AnswerItem]


@dataclass
class AnswerPage:
    title: str
    groups: list[AnswerGroup]


def dossier_answers(
    form: FormDefinition,
    raw: Mapping[str, Any],
    *,
    filed_at: datetime | None,
    notes: Mapping[str, str] | None = None,
) -> list[AnswerPage]:
    """The visible pages of a form with their visible answers, as the applicant's summary shows them
    once filed (read only: no links, no warnings). Conditions are read on the answers cleaned as of
    the day the dossier was filed, so that an answer does not vanish as dates pass. `notes`: field id
    → where its answer comes from (a data source, dossiers/sourced.py)."""
    today = timezone.localdate(filed_at) if filed_at is not None else timezone.localdate()
    values = answers_clean(form, raw, today=today, require_complete=True).values
    pages = []
    for page in form.pages:
        if not condition_holds(page.condition, values):
            continue
        groups = [AnswerGroup(title="", items=[])]
        scope = ChainMap(values)
        for spec in page.fields:
            if not condition_holds(spec.condition, scope):
                continue
            if spec.type == FieldType.SECTION:
                groups.append(AnswerGroup(title=spec.label, items=[]))
            elif spec.type != FieldType.EXPLANATION:
                item = _answer_item(spec, values, scope)
                item.note = (notes or {}).get(spec.id, "")
                groups[-1].items.append(item)
        pages.append(AnswerPage(page.title, [group for group in groups if group.items or group.title]))
    return pages


def _answer_item(spec: FormField, values: Mapping, scope: ChainMap) -> AnswerItem:
    item = AnswerItem(label=spec.label)
    value = values.get(spec.id)
    if spec.type == FieldType.BLOCK:
        item.is_block = True
        for row in value or []:
            row_scope = scope.new_child(row)
            fields = (f for f in spec.fields if f.type not in DISPLAY_ONLY and condition_holds(f.condition, row_scope))
            item.rows.append([_answer_item(f, row, row_scope) for f in fields])
    elif spec.type == FieldType.CHECKBOX:
        item.lines = ["Oui" if value else "Non"]  # unticked is an answer too
    elif value is not None and value != "" and value != []:
        item.lines = answer_lines(spec, value)  # an attached file: its name and size
    return item


def dossier_html(dossier: Dossier, *, now: datetime | None = None) -> str:
    snapshot = dossier_latest_snapshot(dossier)
    form = version_form(snapshot.version_id if snapshot else dossier.version_id)
    raw = snapshot.answers if snapshot else dossier.answers
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "answers": dossier_answers(
            form, raw, filed_at=snapshot.created_at if snapshot else None, notes=sourced_notes(dossier)
        ),
        "timeline": dossier_timeline(dossier),
        "identity": dossier.identity or applicant_identity_for_dossier(dossier.applicant),
        "platform_name": settings.GUICHET_PLATFORM_NAME,
        "now": now or timezone.now(),
    }
    return render_to_string("documents/dossier.html", context)


def dossier_pdfa(dossier: Dossier, *, now: datetime | None = None) -> bytes:
    """The dossier as PDF/A-3a (tagged, every font embedded), as of `now` (the date it shows as
    « édité le »; the present by default)."""
    return html_to_pdfa(dossier_html(dossier, now=now))
