"""A dossier's page in the back office, and what instructors do on it: decide, follow, put aside, write
to the applicant, open its files, ask experts for their opinion, annotate, label, assign."""

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_POST

from guichet.archives.selectors import dossier_archival_summary
from guichet.documents.selectors import acts_of_dossier
from guichet.dossiers.deadlines import deadline_status
from guichet.dossiers.models import Dossier, DossierState, TransitionName
from guichet.dossiers.selectors import dossier_latest_snapshot, dossier_timeline
from guichet.dossiers.services import dossier_open_correction
from guichet.dossiers.sourced import sourced_notes
from guichet.dossiers.workflow import MotivationRequired, TransitionError
from guichet.instruction.access import dossier_expert_invitations, dossier_group_instructors
from guichet.instruction.selectors import dossier_followed_by, dossier_neighbours, fee_invoice_problems
from guichet.instruction.services import (
    AnnotationsInvalid,
    dossier_annotations_save,
    dossier_assign,
    dossier_decide,
    dossier_follow,
    dossier_labels_set,
    dossier_put_aside,
    dossier_unfollow,
    expert_invite_by_email,
    expert_revoke,
)
from guichet.invoicing.selectors import invoices_of_dossier
from guichet.payments.selectors import dossier_payments, fee_situation
from guichet.procedures.answers import answers_clean
from guichet.procedures.definition import annotations_form
from guichet.procedures.selectors import version_form
from guichet.www.files import dossier_file_response
from guichet.www.formengine.flow import FormRoutes, form_summary, summary_day
from guichet.www.formengine.pages import page_view
from guichet.www.formengine.posting import answers_merge_post
from guichet.www.messaging import message_form_send
from guichet.www.usager.forms import MessageForm

from .access import instructor_dossier, instructor_required
from .forms import AssignForm, DecisionForm, ExpertInviteForm, LabelsForm, decisions_available
from .lists import list_filters


def _file_url(dossier: Dossier):
    # From the answers, a PDF or an image opens in the browser (its viewer can save it).
    return lambda key: reverse("agent:dossier_file", args=[dossier.pk, key]) + "?apercu=1"


def _detail_context(request: HttpRequest, dossier: Dossier, **forms: Any) -> dict[str, Any]:
    snapshot = dossier_latest_snapshot(dossier)
    form = version_form(snapshot.version_id if snapshot else dossier.version_id)
    raw = snapshot.answers if snapshot else dossier.answers
    summary = form_summary(
        form,
        raw,
        today=summary_day(snapshot.created_at if snapshot else None),
        routes=FormRoutes(page=lambda number: "", summary=""),
        file_url=_file_url(dossier),
        notes=sourced_notes(dossier),
    )
    available = decisions_available(dossier.state)
    return {
        "annotations": _annotations_view(dossier, forms.get("annotations_raw"), forms.get("annotation_errors")),
        "dossier": dossier,
        "procedure": dossier.procedure,
        "summary": summary,
        "identity": dossier.identity,
        "timeline": dossier_timeline(dossier, with_actors=True),
        "messages_list": dossier.messages.select_related("author")
        .prefetch_related("attachments__file")
        .order_by("created_at", "pk"),
        "correction": dossier_open_correction(dossier),
        "followed": dossier_followed_by(request.user, dossier),
        "can_put_aside": dossier.state in {*DossierState.decided(), DossierState.WITHDRAWN},
        "deadline": deadline_status(dossier),
        "decision_form": forms.get("decision_form") or (DecisionForm(available=available) if available else None),
        "message_form": forms.get("message_form") or MessageForm(),
        "invitations": dossier_expert_invitations(dossier),
        "labels_form": LabelsForm(initial={"etiquettes": ", ".join(label.name for label in dossier.labels.all())}),
        "assign_form": AssignForm(
            initial={"instructeur": dossier.assignee_id}, instructors=dossier_group_instructors(dossier)
        ),
        "invite_form": forms.get("invite_form") or ExpertInviteForm(),
        "acts": acts_of_dossier(dossier, issued_only=False),
        "invoices": invoices_of_dossier(dossier),
        "invoice_problems": fee_invoice_problems(dossier),
        "fee": fee_situation(dossier),
        "payments": dossier_payments(dossier),
        "conservation": dossier_archival_summary(dossier),
    }


def _annotations_view(dossier: Dossier, raw: dict | None, errors: dict | None):
    """The private annotations' fields, as the form engine shows a page; None without any."""
    form = annotations_form(version_form(dossier.version_id))
    if form is None:
        return None
    raw = dossier.annotations if raw is None else raw
    cleaned = answers_clean(form, raw, today=timezone.localdate(), require_complete=False)
    return page_view(form.pages[0], 1, raw, cleaned.values, errors or {})


@instructor_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    context = _detail_context(request, dossier)
    listed = request.GET.get("liste", "")[:1000]
    if listed:
        _, filters, *_ = list_filters(request, dossier.procedure, QueryDict(listed), warn=False)
        previous, following = dossier_neighbours(request.user, dossier.procedure, filters, dossier)
        suffix = "?" + urlencode({"liste": listed})
        context["previous_url"] = reverse("agent:dossier_detail", args=[previous]) + suffix if previous else ""
        context["next_url"] = reverse("agent:dossier_detail", args=[following]) + suffix if following else ""
        context["list_url"] = reverse("agent:dossier_list", args=[dossier.procedure.slug]) + "?" + listed
    return render(request, "agent/dossier_detail.html", context)


@instructor_required
@require_POST
def dossier_decision(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    form = DecisionForm(request.POST, available=decisions_available(dossier.state))
    if form.is_valid():
        name = TransitionName(form.cleaned_data["decision"])
        try:
            dossier_decide(actor=request.user, dossier=dossier, name=name, motivation=form.cleaned_data["motivation"])
        except MotivationRequired as error:
            form.add_error("motivation", str(error))
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"« {name.label} » : c’est fait, l’usager en est informé par courriel.")
            return redirect("agent:dossier_detail", pk=dossier.pk)
    context = _detail_context(request, dossier, decision_form=form)
    return render(request, "agent/dossier_detail.html", context, status=400)


@instructor_required
@require_POST
def dossier_follow_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    if request.POST.get("suivre") == "0":
        dossier_unfollow(actor=request.user, dossier=dossier)
        messages.success(request, "Vous ne suivez plus ce dossier.")
    else:
        dossier_follow(actor=request.user, dossier=dossier)
        messages.success(request, "Vous suivez ce dossier : il est dans l’onglet « Suivis ».")
    return redirect("agent:dossier_detail", pk=dossier.pk)


@instructor_required
@require_POST
def dossier_put_aside_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    aside = request.POST.get("de_cote") != "0"
    try:
        dossier_put_aside(actor=request.user, dossier=dossier, aside=aside)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Dossier mis de côté : il n’est plus dans les listes de travail, mais dans l’onglet « Mis de côté »."
            if aside
            else "Dossier remis dans les listes de travail.",
        )
    return redirect("agent:dossier_detail", pk=dossier.pk)


@instructor_required
@require_POST
def dossier_message(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    form = MessageForm(request.POST, request.FILES)
    form.fields["body"].label = "Message à l’usager"
    if message_form_send(request, dossier, form):
        messages.success(request, "Votre message est envoyé à l’usager.")
        return redirect(reverse("agent:dossier_detail", args=[dossier.pk]) + "#messagerie")
    context = _detail_context(request, dossier, message_form=form)
    return render(request, "agent/dossier_detail.html", context, status=400)


@instructor_required
def dossier_file(request: HttpRequest, pk: int, key: uuid.UUID) -> FileResponse:
    return dossier_file_response(
        instructor_dossier(request, pk).files.all(), key, preview=request.GET.get("apercu") == "1"
    )


@instructor_required
@require_POST
def dossier_expert_invite(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    form = ExpertInviteForm(request.POST)
    if form.is_valid():
        try:
            expert_invite_by_email(
                actor=request.user,
                dossier=dossier,
                site_url=request.build_absolute_uri("/").rstrip("/"),
                **form.cleaned_data,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"La demande d’avis est envoyée à {form.cleaned_data['email']}.")
            return redirect(reverse("agent:dossier_detail", args=[dossier.pk]) + "#avis-experts")
    context = _detail_context(request, dossier, invite_form=form)
    return render(request, "agent/dossier_detail.html", context, status=400)


@instructor_required
@require_POST
def dossier_expert_revoke(request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    asked = get_object_or_404(dossier_expert_invitations(dossier), pk=invitation)
    expert_revoke(actor=request.user, invitation=asked)
    messages.success(request, f"La demande d’avis à {asked.expert} est retirée : le dossier ne lui est plus visible.")
    return redirect(reverse("agent:dossier_detail", args=[dossier.pk]) + "#avis-experts")


@instructor_required
@require_POST
def dossier_annotations(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    form = annotations_form(version_form(dossier.version_id))
    if form is None:
        raise Http404("Cette démarche ne définit pas d’annotations privées.")
    raw = answers_merge_post(
        form, form.pages[0], dossier.annotations, request.POST, MultiValueDict(), today=timezone.localdate()
    )
    try:
        dossier_annotations_save(actor=request.user, dossier=dossier, raw=raw)
    except AnnotationsInvalid as error:
        context = _detail_context(request, dossier, annotations_raw=raw, annotation_errors=error.errors)
        return render(request, "agent/dossier_detail.html", context, status=400)
    messages.success(request, "Annotations enregistrées.")
    return redirect(reverse("agent:dossier_detail", args=[dossier.pk]) + "#annotations")


@instructor_required
@require_POST
def dossier_labels(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    form = LabelsForm(request.POST)
    if form.is_valid():
        dossier_labels_set(actor=request.user, dossier=dossier, names=form.names())
        messages.success(request, "Étiquettes enregistrées.")
    else:
        messages.error(request, "Les étiquettes sont trop longues.")
    return redirect("agent:dossier_detail", pk=dossier.pk)


@instructor_required
@require_POST
def dossier_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    instructors = list(dossier_group_instructors(dossier))
    form = AssignForm(request.POST, instructors=instructors)
    if not form.is_valid():
        messages.error(request, "Choisissez un instructeur du groupe de ce dossier.")
        return redirect("agent:dossier_detail", pk=dossier.pk)
    chosen = next((user for user in instructors if user.pk == form.cleaned_data["instructeur"]), None)
    try:
        dossier_assign(actor=request.user, dossier=dossier, assignee=chosen)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Dossier confié à {chosen}." if chosen else "Le dossier n’est confié à personne en particulier."
        )
    return redirect("agent:dossier_detail", pk=dossier.pk)
