"""The applicant's pages: start a dossier, fill it page by page (saved as they go), submit it, and
follow it (answers, files, history, messages, corrections, withdrawal, opinion, PDF)."""

import uuid
from collections.abc import Collection
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_POST

from guichet.accounts.names import user_needs_name
from guichet.accounts.selectors import applicant_identity_for_dossier
from guichet.core.kept_urls import reverse_kept
from guichet.documents.dossier_pdf import dossier_pdfa
from guichet.documents.selectors import acts_of_dossier
from guichet.dossiers.files import dossier_file_store, dossier_files_of_applicant, file_answer
from guichet.dossiers.models import Dossier, DossierState, Opinion
from guichet.dossiers.selectors import (
    applicant_dossier_numbers,
    dossier_latest_snapshot,
    dossier_next_action,
    dossier_timeline,
    dossiers_of_applicant_listed,
)
from guichet.dossiers.services import (
    SubmissionInvalid,
    dossier_answers_save,
    dossier_corrections_submit,
    dossier_create,
    dossier_draft_delete,
    dossier_is_editable,
    dossier_open_correction,
    dossier_resume_mark,
    dossier_submit,
)
from guichet.dossiers.sourced import sourced_notes
from guichet.invoicing.selectors import invoices_of_dossier
from guichet.payments.selectors import acts_delivered, fee_situation, payment_awaited
from guichet.procedures.answers import AnswersSending, answers_clean
from guichet.procedures.definition import FormDefinition
from guichet.procedures.fees import FeeMoment
from guichet.procedures.field_sources import siret_triggers
from guichet.procedures.selectors import procedure_to_start, version_form
from guichet.www.files import dossier_file_response
from guichet.www.formengine.flow import FormRoutes, form_page_respond, form_summary, summary_day
from guichet.www.formengine.pages import pages_visible
from guichet.www.formengine.posting import SOURCE, answers_merge_post
from guichet.www.messaging import message_form_send

from .access import applicant_dossier_required, applicant_required, own_dossier, pending_answers_take
from .filed import filed_dossier
from .forms import MessageForm, upload_too_large
from .sources import page_source_fetch, sourced_views


def _routes(dossier: Dossier) -> FormRoutes:
    return FormRoutes(
        page=lambda number: reverse_kept("usager:dossier_page", args=[dossier.pk, number]),
        summary=reverse_kept("usager:dossier_summary", args=[dossier.pk]),
    )


def _file_url(dossier: Dossier):
    return lambda key: reverse("usager:dossier_file", args=[dossier.pk, key])


def _own_numbers(dossier: Dossier) -> Collection[str]:
    return applicant_dossier_numbers(dossier.applicant)


class DossierAnswers:
    """The answers of a dossier being filled, saved in the database as the person goes. `locked`:
    the dossier was read under its lock, in the transaction that saves them."""

    def __init__(self, request: HttpRequest, dossier: Dossier, number: int, *, locked: bool = False):
        self.request, self.dossier, self.number, self.locked = request, dossier, number, locked

    def load(self) -> dict[str, Any]:
        return dict(self.dossier.answers)

    def is_late(self, sending: AnswersSending | None) -> bool:
        return self.dossier.sending_is_late(sending)

    def save(self, answers: dict[str, Any], sending: AnswersSending | None, *, resume: int) -> None:
        dossier_answers_save(
            actor=self.request.user,
            dossier=self.dossier,
            answers=answers,
            page=resume,
            already_locked=self.locked,
            sending=sending,
        )


@applicant_required
def dossier_start(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Commencer la démarche" (a POST with a random key, so that a double click starts one draft)."""
    procedure = procedure_to_start(slug)
    if procedure is None:
        raise Http404("Cette démarche n’existe pas ou n’est pas publiée.")
    if request.method != "POST":
        return redirect("public:procedure_detail", slug=slug)
    if user_needs_name(request.user):
        return _name_asked(request, reverse("public:procedure_detail", args=[slug]))
    try:
        key = uuid.UUID(request.POST.get("cle", ""))
    except ValueError:
        key = None
    try:
        dossier = dossier_create(actor=request.user, procedure=procedure, creation_key=key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("public:procedure_detail", slug=slug)
    return HttpResponseRedirect(reverse_kept("usager:dossier_page", args=[dossier.pk, max(dossier.resume_page, 1)]))


def _name_asked(request: HttpRequest, next_url: str) -> HttpResponse:
    """An account without a name (made before names were asked) gives one before it files anything:
    the dossier, its receipt and the instructors' list show it."""
    messages.info(request, "Avant de commencer, indiquez votre prénom et votre nom : ils figureront sur votre dossier.")
    return redirect(f"{reverse('accounts:profile')}?{urlencode({'next': next_url})}")


@applicant_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    dossiers = list(dossiers_of_applicant_listed(request.user))
    rows = [
        {
            "dossier": dossier,
            "next_action": dossier_next_action(dossier, correction_asked=dossier.correction_asked),
            "url": reverse("usager:dossier_detail", args=[dossier.pk]),
        }
        for dossier in dossiers
    ]
    return render(request, "usager/my_dossiers.html", {"rows": rows})


def _form_of(dossier: Dossier) -> FormDefinition:
    return version_form(dossier.version_id)


def _not_editable(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    if dossier.state != DossierState.DRAFT:
        messages.info(request, "Ce dossier est déposé : ses réponses ne peuvent plus être modifiées.")
    return redirect("usager:dossier_detail", pk=dossier.pk)


@applicant_dossier_required
def dossier_page(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    if request.method == "POST":
        # The answers sent are merged into the saved ones under the dossier's lock: two tabs (or a
        # retried request) sending pages at the same time never lose each other's answers.
        with transaction.atomic():
            response = _dossier_page(request, own_dossier(request, pk, for_update=True), number, locked=True)
        if request.POST.get(SOURCE) and response.status_code == 302:
            # The page is saved: the data source is asked now, out of the transaction (sources.py).
            return page_source_fetch(request, own_dossier(request, pk), number, response)
        return response
    return _dossier_page(request, own_dossier(request, pk), number, locked=False)


def _dossier_page(request: HttpRequest, dossier: Dossier, number: int, *, locked: bool) -> HttpResponse:
    if not dossier_is_editable(dossier):
        return _not_editable(request, dossier)
    form, today = _form_of(dossier), timezone.localdate()
    if request.method == "GET":
        _pending_answers_save(request, dossier, form, number)
        dossier_resume_mark(dossier=dossier, page=number)
    for name, upload in list(request.FILES.items()):
        if upload_too_large(upload):
            messages.error(
                request,
                f"Le fichier « {upload.name} » dépasse {settings.GUICHET_UPLOAD_MAX_MB} Mo : il n’a pas été joint.",
            )
            request.FILES.pop(name)
    try:
        return form_page_respond(
            request,
            form=form,
            store=DossierAnswers(request, dossier, number, locked=locked),
            number=number,
            routes=_routes(dossier),
            today=today,
            template="usager/dossier_page.html",
            context={
                "dossier": dossier,
                "procedure": dossier.procedure,
                "save_draft": dossier.state == DossierState.DRAFT,
                "correction": dossier_open_correction(dossier),
                "identity": applicant_identity_for_dossier(request.user) if number == 1 else None,
            },
            describe_file=lambda upload, field: file_answer(
                dossier_file_store(
                    actor=request.user,
                    dossier=dossier,
                    uploaded=upload,
                    accept=field.accept,
                    max_size_mb=field.max_size_mb,
                    already_locked=locked,
                )
            ),
            own_dossiers=_own_numbers(dossier),
            sourced=lambda: sourced_views(dossier),
            triggers=siret_triggers(form),
        )
    except ValidationError:
        # Filed or withdrawn meanwhile, from another tab.
        return _not_editable(request, dossier)


def _pending_answers_save(request: HttpRequest, dossier: Dossier, form: FormDefinition, number: int) -> None:
    """Save what the page sent while the person's session had expired (see access.py)."""
    data = pending_answers_take(request)
    if data is None:
        return
    today = timezone.localdate()
    shown = answers_clean(form, dossier.answers, today=today, require_complete=False)
    pages = pages_visible(form, shown.values)
    if not 1 <= number <= len(pages):
        return
    answers = answers_merge_post(form, pages[number - 1], dossier.answers, data, MultiValueDict(), today=today)
    dossier_answers_save(actor=request.user, dossier=dossier, answers=answers, page=number)
    messages.success(request, "Les réponses saisies avant l’expiration de votre session sont enregistrées.")


@applicant_dossier_required
def dossier_summary(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        # Read under the dossier's lock, in the transaction that files it: a double click waits
        # for the first click's filing, then finds the dossier filed.
        with transaction.atomic():
            return _dossier_summary(request, own_dossier(request, pk, for_update=True), locked=True)
    return _dossier_summary(request, own_dossier(request, pk), locked=False)


def _dossier_summary(request: HttpRequest, dossier: Dossier, *, locked: bool) -> HttpResponse:
    if not dossier_is_editable(dossier):
        if request.method == "POST" and dossier.state != DossierState.DRAFT:
            # The second click of a double click, or a retried request: it is already filed.
            return redirect("usager:dossier_submitted", pk=dossier.pk)
        return _not_editable(request, dossier)
    correction = dossier_open_correction(dossier)
    if request.method == "POST" and correction is None and user_needs_name(request.user):
        # Filing freezes the applicant's identity: an account without a name gives one first.
        return _name_asked(request, reverse("usager:dossier_summary", args=[dossier.pk]))
    if request.method == "POST" and correction is None and payment_awaited(dossier):
        # A fee due before filing: the payment files the dossier (www/payments).
        return redirect("paiements:dossier", pk=dossier.pk)
    if request.method == "POST":
        try:
            if correction is None:
                dossier_submit(actor=request.user, dossier=dossier, already_locked=locked)
                return HttpResponseRedirect(reverse_kept("usager:dossier_submitted", args=[dossier.pk]))
            dossier_corrections_submit(actor=request.user, dossier=dossier)
        except SubmissionInvalid as error:
            messages.error(request, error.messages[0])
            return redirect("usager:dossier_summary", pk=dossier.pk)
        messages.success(request, "Vos corrections sont déposées : l’administration en est informée.")
        return redirect("usager:dossier_detail", pk=dossier.pk)
    dossier_resume_mark(dossier=dossier, page=0)
    routes = _routes(dossier)
    fee = fee_situation(dossier)
    summary = form_summary(
        _form_of(dossier),
        dossier.answers,
        today=timezone.localdate(),
        routes=routes,
        own_dossiers=_own_numbers(dossier),
        file_url=_file_url(dossier),
        notes=sourced_notes(dossier),
    )
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "summary": summary,
        "correction": correction,
        "last_page_url": routes.page(len(summary.sections)),
        "identity": applicant_identity_for_dossier(request.user),
        "fee": fee,
        "pay_first": fee is not None and fee.due and fee.moment == FeeMoment.BEFORE_FILING and correction is None,
    }
    return render(request, "usager/dossier_summary.html", context)


def _detail_context(dossier: Dossier) -> dict[str, Any]:
    snapshot = dossier_latest_snapshot(dossier)
    form = version_form(snapshot.version_id) if snapshot else _form_of(dossier)
    raw = snapshot.answers if snapshot else dossier.answers
    today = summary_day(snapshot.created_at if snapshot else None)
    summary = form_summary(
        form, raw, today=today, routes=_routes(dossier), file_url=_file_url(dossier), notes=sourced_notes(dossier)
    )
    return {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "summary": summary,
        "timeline": dossier_timeline(dossier),
        "messages_list": dossier.messages.prefetch_related("attachments__file").order_by("created_at", "pk"),
        "correction": dossier_open_correction(dossier),
        "can_withdraw": dossier.state in {DossierState.SUBMITTED, DossierState.IN_INSTRUCTION},
        "opinion_given": Opinion.objects.filter(dossier=dossier).exists(),
        "identity": dossier.identity or applicant_identity_for_dossier(dossier.applicant),
        "acts": acts_delivered(dossier, acts_of_dossier(dossier, issued_only=True)),
        "invoices": invoices_of_dossier(dossier),
        "fee": fee_situation(dossier),
        "payment_awaited": payment_awaited(dossier),
    }


@applicant_dossier_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = own_dossier(request, pk)
    if dossier.state == DossierState.DRAFT:
        if dossier.resume_page == 0:
            return redirect("usager:dossier_summary", pk=dossier.pk)
        return redirect("usager:dossier_page", pk=dossier.pk, number=max(dossier.resume_page, 1))
    return render(request, "usager/dossier_detail.html", {**_detail_context(dossier), "message_form": MessageForm()})


@applicant_dossier_required
@require_POST
def dossier_message(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = filed_dossier(request, pk)
    form = MessageForm(request.POST, request.FILES)
    if message_form_send(request, dossier, form):
        messages.success(request, "Votre message est envoyé à l’administration.")
        return redirect(reverse("usager:dossier_detail", args=[dossier.pk]) + "#messagerie")
    context = {**_detail_context(dossier), "message_form": form}
    return render(request, "usager/dossier_detail.html", context, status=400)


@applicant_dossier_required
def dossier_file(request: HttpRequest, pk: int, key: uuid.UUID) -> FileResponse:
    # Not every file of the dossier: an expert's answer file, for one, is the administration's.
    return dossier_file_response(dossier_files_of_applicant(own_dossier(request, pk)), key)


@applicant_dossier_required
def dossier_delete(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = own_dossier(request, pk)
    if dossier.state != DossierState.DRAFT:
        messages.info(request, "Un dossier déposé ne peut pas être supprimé ; vous pouvez le retirer.")
        return redirect("usager:dossier_detail", pk=dossier.pk)
    if request.method == "POST":
        dossier_draft_delete(actor=request.user, dossier=dossier)
        messages.success(request, f"Le brouillon « {dossier.procedure.title} » est supprimé.")
        return redirect("usager:my_dossiers")
    return render(request, "usager/dossier_delete.html", {"dossier": dossier})


@applicant_dossier_required
def dossier_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The dossier as a PDF/A: what was filed (or the draft's answers), and its history."""
    dossier = own_dossier(request, pk)
    pdf = dossier_pdfa(dossier)
    name = f"dossier-{dossier.number}.pdf" if dossier.number else f"brouillon-{dossier.pk}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
