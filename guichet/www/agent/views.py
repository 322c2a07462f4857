"""The instructors' back office: their procedures, the lists of dossiers (tabs, filters, search,
keyset pages), a dossier's page, and what they do on it (decide, follow, archive, write)."""

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guichet.dossiers.models import Dossier, DossierState
from guichet.dossiers.selectors import dossier_latest_snapshot, dossier_timeline
from guichet.dossiers.services import dossier_open_correction, message_send
from guichet.instruction.selectors import (
    COUNT_LIMIT,
    ListFilters,
    Tab,
    dossier_followed_by,
    instructor_dossier_page,
    instructor_groups_in,
    instructor_tab_counts,
    instructor_waiting_counts,
    procedures_of_instructor,
)
from guichet.instruction.services import dossier_archive, dossier_decide, dossier_follow, dossier_unfollow
from guichet.instruction.workflow import TransitionError, TransitionName
from guichet.procedures.selectors import version_form
from guichet.www.files import dossier_file_response
from guichet.www.formengine.flow import FormRoutes, form_summary
from guichet.www.usager.forms import MessageForm

from .access import instructor_dossier, instructor_required
from .forms import DecisionForm, ListFiltersForm, answer_fields, decisions_available


@instructor_required
def procedures(request: HttpRequest) -> HttpResponse:
    """The procedures the instructor works on, with how many dossiers wait for them in each."""
    waiting = instructor_waiting_counts(request.user)
    rows = [
        {"procedure": procedure, "waiting": waiting.get(procedure.pk, 0)}
        for procedure in procedures_of_instructor(request.user)
    ]
    return render(request, "agent/procedures.html", {"rows": rows})


@instructor_required
def dossier_list(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    groups = list(instructor_groups_in(request.user, procedure))
    group_ids = [group.pk for group in groups]
    fields = answer_fields(version_form(procedure.latest_version_id)) if procedure.latest_version_id else []
    form = ListFiltersForm(request.GET, groups=groups, answer_fields=fields)
    if form.is_valid():
        data = form.cleaned_data
    else:
        messages.warning(request, "Certains filtres n’étaient pas valides : ils sont ignorés.")
        data = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
    filters = ListFilters(
        tab=Tab(data.get("onglet") or Tab.TO_PROCESS),
        text=(data.get("q") or "").strip(),
        state=data.get("etat") or "",
        group_id=data.get("groupe"),
        answer=data.get("reponse"),
    )
    page = instructor_dossier_page(request.user, procedure, filters, after=data.get("apres") or "", group_ids=group_ids)
    for dossier in page.dossiers:  # once here rather than by the date filter, fifty times
        dossier.submitted_on = timezone.localtime(dossier.submitted_at).strftime("%d/%m/%Y")
    kept = {"q": filters.text, "etat": filters.state, "groupe": filters.group_id or ""}
    if filters.answer is not None:
        kept |= {"champ": data["champ"], "valeur": data["valeur"].strip()}
    kept = {key: value for key, value in kept.items() if value}
    counts = instructor_tab_counts(request.user, procedure, group_ids=group_ids)
    tabs = [
        {
            "tab": tab,
            "count": counts[tab] if counts[tab] <= COUNT_LIMIT else f"plus de {COUNT_LIMIT:,}".replace(",", "\u00a0"),
            "url": "?" + urlencode({"onglet": tab.value, **kept}),
            "current": tab == filters.tab,
        }
        for tab in Tab
    ]
    next_url = (
        "?" + urlencode({"onglet": filters.tab.value, **kept, "apres": page.next_cursor}) if page.next_cursor else ""
    )
    context = {
        "procedure": procedure,
        "form": form,
        "filters": filters,
        "tabs": tabs,
        "page": page,
        "next_url": next_url,
        "first_url": "?" + urlencode({"onglet": filters.tab.value, **kept}) if data.get("apres") else "",
        "groups": groups,
        # The dossiers' links end with their number: `{% url %}` fifty times took a tenth of the page.
        "dossier_path": reverse("agent:dossier_detail", args=[0]).removesuffix("0/"),
    }
    return render(request, "agent/dossier_list.html", context)


def _file_url(dossier: Dossier):
    return lambda key: reverse("agent:dossier_file", args=[dossier.pk, key])


def _detail_context(request: HttpRequest, dossier: Dossier, **forms: Any) -> dict[str, Any]:
    snapshot = dossier_latest_snapshot(dossier)
    form = version_form(snapshot.version_id if snapshot else dossier.version_id)
    raw = snapshot.answers if snapshot else dossier.answers
    summary = form_summary(
        form,
        raw,
        today=timezone.localdate(),
        routes=FormRoutes(page=lambda number: "", summary=""),
        file_url=_file_url(dossier),
    )
    available = decisions_available(dossier.state)
    return {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "summary": summary,
        "identity": dossier.identity,
        "timeline": dossier_timeline(dossier),
        "messages_list": dossier.messages.select_related("attachment", "author").order_by("created_at", "pk"),
        "correction": dossier_open_correction(dossier),
        "followed": dossier_followed_by(request.user, dossier),
        "can_archive": dossier.state in {*DossierState.decided(), DossierState.WITHDRAWN},
        "decision_form": forms.get("decision_form") or (DecisionForm(available=available) if available else None),
        "message_form": forms.get("message_form") or MessageForm(),
    }


@instructor_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    return render(request, "agent/dossier_detail.html", _detail_context(request, dossier))


@instructor_required
@require_POST
def dossier_decision(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    form = DecisionForm(request.POST, available=decisions_available(dossier.state))
    if form.is_valid():
        name = TransitionName(form.cleaned_data["decision"])
        try:
            dossier_decide(actor=request.user, dossier=dossier, name=name, motivation=form.cleaned_data["motivation"])
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
def dossier_archive_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    archived = request.POST.get("archiver") != "0"
    try:
        dossier_archive(actor=request.user, dossier=dossier, archived=archived)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Dossier archivé." if archived else "Dossier sorti des archives.")
    return redirect("agent:dossier_detail", pk=dossier.pk)


@instructor_required
@require_POST
def dossier_message(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = instructor_dossier(request, pk)
    form = MessageForm(request.POST, request.FILES)
    form.fields["body"].label = "Message à l’usager"
    if form.is_valid():
        try:
            message_send(
                actor=request.user,
                dossier=dossier,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "Votre message est envoyé à l’usager.")
            return redirect(reverse("agent:dossier_detail", args=[dossier.pk]) + "#messagerie")
    context = _detail_context(request, dossier, message_form=form)
    return render(request, "agent/dossier_detail.html", context, status=400)


@instructor_required
def dossier_file(request: HttpRequest, pk: int, key: uuid.UUID) -> FileResponse:
    return dossier_file_response(instructor_dossier(request, pk), key)
