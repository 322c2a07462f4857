"""Serving a form page by page, wherever its answers are kept: the builder's preview keeps them in
the session, the applicant's dossier in the database. The caller gives an `AnswersStore`, the
addresses of the pages and of the summary, and the template that frames the page."""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from guichet.procedures.answers import AnswersSending, answers_clean
from guichet.procedures.definition import FormDefinition, Page

from .pages import ID_PREFIX, PageView, SourcedView, pages_visible, stepper_for
from .pages import page_view as page_view_of
from .posting import (
    SOURCE,
    DescribeFile,
    answers_apply_action,
    answers_merge_post,
    posted_action,
    posted_sending,
    upload_check_for_field,
)
from .rendering import fields_html
from .summary import Summary, summary_build

REVEALED_NOTICE = (
    "Vos réponses font apparaître de nouvelles questions sur cette page : "
    "complétez-les si besoin, puis cliquez à nouveau sur « Suivant »."
)


class AnswersStore(Protocol):
    """Where the raw answers of one form being filled are kept. `is_late`: answers from a later
    sending of the same browser tab were saved already (see `AnswersSending`). `resume`: the page
    that the person is sent to (its visible rank; 0 for the summary), kept with the answers where
    the store remembers where to take them back."""

    def load(self) -> dict[str, Any]: ...

    def is_late(self, sending: AnswersSending | None) -> bool: ...

    def save(self, answers: dict[str, Any], sending: AnswersSending | None, *, resume: int) -> None: ...


@dataclass(frozen=True)
class FormRoutes:
    page: Callable[[int], str]  # the address of the n-th visible page (1-based)
    summary: str


def form_page_respond(
    request: HttpRequest,
    *,
    form: FormDefinition,
    store: AnswersStore,
    number: int,
    routes: FormRoutes,
    today: date,
    template: str,
    context: dict[str, Any],
    describe_file: DescribeFile = upload_check_for_field,
    own_dossiers: Collection[str] | None = None,
    sourced: Callable[[], Mapping[str, SourcedView]] | None = None,
    triggers: Collection[str] = (),
) -> HttpResponse:
    """Show the `number`-th visible page (GET) or take its answers (POST).

    A POST is saved in every case, then: "Précédent" goes back without checking anything; "Enregistrer
    le brouillon" (`_save`) comes back to the same page; a row or
    file button comes back to the same page, at the block or field; htmx's live update (`_refresh`)
    gets the page's fields again, conditions and formulas re-evaluated, with format errors but no
    "obligatoire"; "Suivant" checks the page and shows its errors, or goes on to the next page or the
    summary. When the answers reveal new questions on the page, it is shown again first. A refused
    file (type, size, content, count: never kept) is told at its question when "Suivant" or the live
    update sent it, in a message after the other buttons' redirects. A data source's button
    (`_source`) saves and comes back to the page, at the field: the caller asks the source then.
    `sourced` gives the fields that a data source filled, `triggers` the SIRET fields that fill others."""

    def page_view(*args) -> PageView:
        return page_view_of(*args, sourced=sourced() if sourced else None, triggers=triggers)

    raw = store.load()
    shown = answers_clean(form, raw, today=today, require_complete=False)
    pages = pages_visible(form, shown.values)
    if not 1 <= number <= len(pages):
        return HttpResponseRedirect(routes.page(1 if number < 1 else len(pages)))
    page = pages[number - 1]
    frame = {**context, "form_action": request.path, "errors": [], "notice": ""}
    if request.method != "POST":
        return _render_page(request, template, frame, page_view(page, number, raw, shown.values, {}), pages)

    action, sending = posted_action(request.POST), posted_sending(request.POST)
    refused: dict[str, str] = {}
    late = store.is_late(sending)

    def saved(response: HttpResponse, resume: int) -> HttpResponse:
        # Saved in every case, once, with the page the person is sent to (in the caller's
        # transaction: nothing of the answers is lost whichever way the request ends).
        if not late:
            store.save(answers, sending, resume=resume)
        return response

    if late:
        # Sent before answers that were saved already (a live update overtaken by a later one):
        # what was saved stands, and this request goes on with it.
        answers, place = raw, ""
    else:
        answers = answers_merge_post(
            form,
            page,
            raw,
            request.POST,
            request.FILES,
            today=today,
            describe_file=describe_file,
            shown=shown.values,
            refused=refused,
        )
        place = answers_apply_action(page, answers, request.POST) if action.endswith(("_row", "_file")) else ""
    draft = answers_clean(form, answers, today=today, require_complete=False)
    pages = pages_visible(form, draft.values)
    # The page stays visible: its condition reads only the answers of earlier pages.
    number = next((index for index, other in enumerate(pages, start=1) if other is page), 1)
    # A data source's button inherits the form's `_refresh` (hx-vals): it is not a live update.
    if request.headers.get("HX-Request") == "true" and "_refresh" in request.POST and action != "source":
        view = page_view(page, number, answers, draft.values, {**draft.errors, **refused})
        return saved(HttpResponse(fields_html(view, form_action=request.path)), number)
    if refused and action == "next":
        # The page again, each refused file's reason at its question: nothing else is checked yet.
        view = page_view(page, number, answers, draft.values, refused)
        return saved(_render_page(request, template, {**frame, "errors": view.errors}, view, pages), number)
    for reason in refused.values():
        messages.error(request, reason)
    if place:
        return saved(HttpResponseRedirect(f"{routes.page(number)}#{ID_PREFIX}{place}"), number)
    if action == "source":
        anchor = request.POST[SOURCE] if request.POST[SOURCE] != "api_particulier" else "sources"
        return saved(HttpResponseRedirect(f"{routes.page(number)}#{ID_PREFIX}{anchor}"), number)
    if action == "previous":
        return saved(HttpResponseRedirect(routes.page(max(number - 1, 1))), max(number - 1, 1))
    if action == "save":
        messages.success(request, "Votre brouillon est enregistré : vous pourrez le reprendre plus tard.")
        return saved(HttpResponseRedirect(routes.page(number)), number)

    complete = answers_clean(form, answers, today=today, require_complete=True, own_dossiers=own_dossiers)
    view = page_view(page, number, answers, complete.values, complete.errors)
    if view.question_paths - page_view(page, number, raw, shown.values, {}).question_paths:
        view = page_view(page, number, answers, draft.values, draft.errors)
        frame = {**frame, "notice": REVEALED_NOTICE, "errors": view.errors}
        return saved(_render_page(request, template, frame, view, pages), number)
    if view.errors:
        return saved(_render_page(request, template, {**frame, "errors": view.errors}, view, pages), number)
    if number < len(pages):
        return saved(HttpResponseRedirect(routes.page(number + 1)), number + 1)
    return saved(HttpResponseRedirect(routes.summary), 0)


def _render_page(
    request: HttpRequest, template: str, frame: dict[str, Any], view: PageView, pages: list[Page]
) -> HttpResponse:
    stepper = stepper_for(pages, view.number)
    return render(request, template, {**frame, "page": view, "stepper": stepper, "has_previous": view.number > 1})


def summary_day(filed_at: datetime | None) -> date:
    """The day a summary checks its answers as of: a filed dossier's, the day it was filed (a date
    "à venir" then does not turn into an error, nor vanish from the summary, once it has passed);
    answers still being written, today."""
    return timezone.localdate(filed_at) if filed_at is not None else timezone.localdate()


def form_summary(
    form: FormDefinition,
    raw: dict[str, Any],
    *,
    today: date,
    routes: FormRoutes,
    own_dossiers: Collection[str] | None = None,
    file_url: Callable[[str], str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> Summary:
    """The summary of the answers, with what is missing or wrong and the eligibility messages."""
    cleaned = answers_clean(form, raw, today=today, require_complete=True, own_dossiers=own_dossiers)
    pages = pages_visible(form, cleaned.values)
    return summary_build(pages, raw, cleaned, page_url=routes.page, file_url=file_url, notes=notes)
