"""The applicant's form as it will look, from the working draft, filled in by the form engine.

The answers stay in the administrator's session, one set per procedure: nothing is stored as a
dossier, and the "Déposer" button only says whether the dossier could be submitted."""

from typing import Any

from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guichet.procedures.answers import AnswersSending
from guichet.procedures.definition import DefinitionInvalid, FormDefinition, definition_validate
from guichet.procedures.models import Procedure
from guichet.www.formengine.flow import FormRoutes, form_page_respond, form_summary

from .access import administered_procedure, administrator_required

PAGE_TEMPLATE = "admin_procedures/preview_page.html"


class SessionAnswers:
    """The preview's answers for one procedure, in the session."""

    def __init__(self, session: SessionBase, procedure: Procedure):
        self.session = session
        self.key = f"apercu-{procedure.pk}"

    def load(self) -> dict[str, Any]:
        return dict(self.session.get(self.key) or {})

    def is_late(self, sending: AnswersSending | None) -> bool:
        return False  # the session is written whole at the end of each request: last one wins

    def save(self, answers: dict[str, Any], sending: AnswersSending | None, *, resume: int) -> None:
        self.session[self.key] = answers  # a preview is not taken back later: no page to remember

    def clear(self) -> None:
        self.session.pop(self.key, None)


def _routes(procedure: Procedure) -> FormRoutes:
    return FormRoutes(
        page=lambda number: reverse("admin_procedures:preview_page", args=[procedure.slug, number]),
        summary=reverse("admin_procedures:preview_summary", args=[procedure.slug]),
    )


def _draft(request: HttpRequest, procedure: Procedure) -> FormDefinition | HttpResponse:
    """The working draft, or a page that lists what is wrong with it."""
    try:
        return definition_validate(procedure.draft_definition)
    except DefinitionInvalid as error:
        context = {"procedure": procedure, "definition_errors": error.errors}
        return render(request, "admin_procedures/preview_invalid.html", context)


@administrator_required
def preview_page(request: HttpRequest, slug: str, number: int = 1) -> HttpResponse:
    procedure = administered_procedure(request, slug)
    form = _draft(request, procedure)
    if isinstance(form, HttpResponse):
        return form
    return form_page_respond(
        request,
        form=form,
        store=SessionAnswers(request.session, procedure),
        number=number,
        routes=_routes(procedure),
        today=timezone.localdate(),
        template=PAGE_TEMPLATE,
        context={"procedure": procedure},
    )


@administrator_required
def preview_summary(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = administered_procedure(request, slug)
    form = _draft(request, procedure)
    if isinstance(form, HttpResponse):
        return form
    routes = _routes(procedure)
    summary = form_summary(
        form, SessionAnswers(request.session, procedure).load(), today=timezone.localdate(), routes=routes
    )
    if request.method == "POST":
        if summary.is_valid:
            messages.success(request, "Dans l’aperçu, le dossier n’est pas déposé : tout est valide.")
        elif summary.ineligible:
            messages.error(request, "Le dossier ne pourrait pas être déposé : la demande n’est pas recevable.")
        else:
            messages.error(
                request, "Le dossier ne pourrait pas être déposé : des réponses sont à compléter ou à corriger."
            )
        return redirect(routes.summary)
    context = {"procedure": procedure, "summary": summary, "last_page_url": routes.page(len(summary.sections))}
    return render(request, "admin_procedures/preview_summary.html", context)


@administrator_required
@require_POST
def preview_reset(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = administered_procedure(request, slug)
    SessionAnswers(request.session, procedure).clear()
    messages.info(request, "Les réponses de l’aperçu sont effacées : vous pouvez recommencer.")
    return redirect("admin_procedures:preview", slug=procedure.slug)


@administrator_required
def preview_changed(request: HttpRequest, slug: str) -> HttpResponse:
    """Whether the working form changed since the preview was shown: htmx reloads the page if so."""
    procedure = administered_procedure(request, slug)
    response = HttpResponse(status=204)
    if request.GET.get("revision") != str(procedure.draft_revision):
        response["HX-Refresh"] = "true"
    return response


urlpatterns: list = [
    path("", preview_page, name="preview"),
    path("page/<int:number>/", preview_page, name="preview_page"),
    path("recapitulatif/", preview_summary, name="preview_summary"),
    path("recommencer/", preview_reset, name="preview_reset"),
    path("modifie/", preview_changed, name="preview_changed"),
]
