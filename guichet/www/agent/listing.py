"""The rows of an instructor's list of dossiers, written in Python.

A list shows fifty dossiers of a dozen cells each: through the template language, looking up each
value, localising each number and escaping each text took a good third of the page's time
(docs/decisions/0009). The markup is the one a template would write; every text is escaped with the
standard library's `html.escape` (quotes included), which Django's own escape wraps."""

from collections.abc import Sequence
from datetime import datetime
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines

from guichet.accounts.names import identity_display_name
from guichet.core.templatetags.guichet import deadline_badge, state_badge
from guichet.dossiers.deadlines import deadline_status
from guichet.dossiers.models import Dossier


def _row(dossier: Dossier, *, path: str, query: str, now: datetime, answers: list[str]) -> str:
    identity = dossier.identity or {}
    number = escape(dossier.number or "")
    applicant = escape(identity_display_name(identity, family_first=True))
    filed = timezone.localtime(dossier.submitted_at).strftime("%d/%m/%Y") if dossier.submitted_at else ""
    assignee = escape(str(dossier.assignee)) if dossier.assignee_id else ""
    labels = "".join(f'<span class="fr-tag fr-tag--sm">{escape(label.name)}</span> ' for label in dossier.label_list)
    cells = "".join(f"<td>{_lines(text)}</td>" for text in answers)
    return (
        "<tr>"
        # The DSFR's selection cell (fr-cell--fixed): the box centred in its row, its label kept for
        # screen readers and hidden on screen by the DSFR itself.
        '<td class="fr-cell--fixed"><div class="fr-checkbox-group fr-checkbox-group--sm">'
        f'<input type="checkbox" name="dossiers" value="{dossier.pk}" id="choix-{dossier.pk}">'
        f'<label class="fr-label" for="choix-{dossier.pk}">Sélectionner le dossier n°{number}</label></div></td>'
        f'<td><a href="{path}{dossier.pk}/?{query}">n°{number}</a></td>'
        f"<td>{applicant}</td><td>{filed}</td><td>{state_badge(dossier)}</td><td>{escape(dossier.group.name)}</td>"
        f"<td>{assignee}</td><td>{labels}</td><td>{deadline_badge(deadline_status(dossier, now=now))}</td>"
        f"<td>{'Suivi' if dossier.followed else ''}</td>{cells}"
        "</tr>\n"
    )


def _lines(text: str) -> str:
    # As the template filter linebreaksbr: each line of an answer on its own line.
    return escape(normalize_newlines(text)).replace("\n", "<br>")


def dossier_rows_html(
    dossiers: Sequence[Dossier],
    *,
    answer_texts: dict[int, list[str]],
    dossier_path: str,
    list_query: str,
    now: datetime | None = None,
) -> SafeString:
    """The <tr> of each dossier of a list page. The dossiers come from
    instruction.selectors.instructor_dossier_page (labels in `label_list`, `followed` annotated);
    `dossier_path` and `list_query` are already escaped for an attribute (a path and urlencode's output)."""
    now = now or timezone.now()
    rows = (
        _row(dossier, path=dossier_path, query=list_query, now=now, answers=answer_texts.get(dossier.pk, []))
        for dossier in dossiers
    )
    return mark_safe("".join(rows))  # noqa: S308 (every text is escaped in _row)
