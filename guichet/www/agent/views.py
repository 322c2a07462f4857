"""The instructors' back office: their procedures, the lists of dossiers (tabs, filters, search,
keyset pages), a dossier's page, and what they do on it (decide, follow, archive, write)."""

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_POST

from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.documents.selectors import acts_of_dossier
from guichet.dossiers.deadlines import deadline_status
from guichet.dossiers.models import Dossier, DossierState, TransitionName
from guichet.dossiers.selectors import dossier_latest_snapshot, dossier_timeline
from guichet.dossiers.services import dossier_open_correction
from guichet.dossiers.workflow import MotivationRequired, TransitionError
from guichet.instruction.access import dossier_expert_invitations, dossier_group_instructors
from guichet.instruction.bulk import BULK_LIMIT, bulk_action_create
from guichet.instruction.exports import (
    ExportColumn,
    ExportFormat,
    attachments_zip_chunks,
    export_chunks,
    export_columns_available,
    export_columns_chosen,
    export_filename,
    export_header,
    export_rows,
)
from guichet.instruction.exports.columns import FIELD_PREFIX
from guichet.instruction.exports.jobs import export_is_large, export_job_create
from guichet.instruction.lists import ListFilters, ListOrder, Tab
from guichet.instruction.models import (
    BulkAction,
    ExportJob,
    NotificationMode,
    NotificationPreference,
)
from guichet.instruction.notifications import notification_preference_set
from guichet.instruction.selectors import (
    COUNT_LIMIT,
    dossier_followed_by,
    dossier_neighbours,
    dossiers_of_instructor_in,
    instructor_dossier_page,
    instructor_dossiers_listed,
    instructor_groups_in,
    instructor_tab_counts,
    instructor_waiting_counts,
    list_answer_columns,
    procedure_labels,
    procedures_of_instructor,
)
from guichet.instruction.services import (
    AnnotationsInvalid,
    dossier_annotations_save,
    dossier_archive,
    dossier_assign,
    dossier_decide,
    dossier_follow,
    dossier_labels_set,
    dossier_unfollow,
    expert_invite_by_email,
    expert_revoke,
    list_columns_set,
)
from guichet.observatory.selectors import programme_entry_ids
from guichet.procedures.answers import answers_clean
from guichet.procedures.definition import annotations_form
from guichet.procedures.selectors import procedure_latest_version_id, version_form
from guichet.www.files import dossier_file_response
from guichet.www.formengine.flow import FormRoutes, form_summary
from guichet.www.formengine.pages import page_view
from guichet.www.formengine.posting import answers_merge_post
from guichet.www.messaging import message_form_send
from guichet.www.usager.forms import MessageForm

from .access import instructor_dossier, instructor_required
from .forms import (
    AssignForm,
    DecisionForm,
    ExpertInviteForm,
    LabelsForm,
    ListFiltersForm,
    NotificationForm,
    answer_fields,
    decisions_available,
)
from .listing import dossier_rows_html


@instructor_required
def procedures(request: HttpRequest) -> HttpResponse:
    """The procedures the instructor works on, with how many dossiers wait for them in each."""
    waiting = instructor_waiting_counts(request.user)
    procedures_listed = list(procedures_of_instructor(request.user))
    # Instructors record the requests that came by paper or at the counter, for the observatory.
    entries = programme_entry_ids([procedure.pk for procedure in procedures_listed])
    rows = [
        {"procedure": procedure, "waiting": waiting.get(procedure.pk, 0), "entry_id": entries.get(procedure.pk)}
        for procedure in procedures_listed
    ]
    preference = NotificationPreference.objects.filter(user=request.user).first()
    form = NotificationForm(initial={"mode": preference.mode if preference else NotificationMode.IMMEDIATE})
    return render(request, "agent/procedures.html", {"rows": rows, "notification_form": form})


def _list_filters(request: HttpRequest, procedure, query, *, warn: bool):
    """The list's filters read from `query` (a list's GET parameters): wrong values are dropped."""
    groups = list(instructor_groups_in(request.user, procedure))
    labels = list(procedure_labels(procedure))
    version_id = procedure_latest_version_id(procedure)
    fields = answer_fields(version_form(version_id)) if version_id else []
    form = ListFiltersForm(query, groups=groups, labels=labels, answer_fields=fields)
    if form.is_valid():
        data = form.cleaned_data
    else:
        if warn:
            messages.warning(request, "Certains filtres n’étaient pas valides : ils sont ignorés.")
        data = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
    filters = ListFilters(
        tab=Tab(data.get("onglet") or Tab.TO_PROCESS),
        text=(data.get("q") or "").strip(),
        state=data.get("etat") or "",
        group_id=data.get("groupe"),
        label_id=data.get("etiquette"),
        mine=bool(data.get("mes")),
        filed_from=data.get("du"),
        filed_to=data.get("au"),
        order=ListOrder(data.get("tri") or ListOrder.RECENT),
        answer=data.get("reponse"),
    )
    return form, filters, data, groups, labels


@instructor_required
def dossier_list(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    form, filters, data, groups, labels = _list_filters(request, procedure, request.GET, warn=True)
    group_ids = [group.pk for group in groups]
    page = instructor_dossier_page(
        request.user, procedure, filters, after=data.get("apres") or "", group_ids=group_ids, with_labels=bool(labels)
    )
    answer_columns = _answer_columns(request.user, procedure)
    kept = {
        "q": filters.text,
        "etat": filters.state,
        "groupe": filters.group_id or "",
        "etiquette": filters.label_id or "",
        "mes": "on" if filters.mine else "",
        "du": filters.filed_from.isoformat() if filters.filed_from else "",
        "au": filters.filed_to.isoformat() if filters.filed_to else "",
        "tri": filters.order.value,
    }
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
        "labels": labels,
        "answer_columns": answer_columns,
        "export_formats": ExportFormat.choices,
        "list_params": request.get_full_path().partition("?")[2],
        "bulk_actions": BulkAction.Action.choices,
        "bulk_limit": BULK_LIMIT,
        "back": request.get_full_path().partition("?")[2],
        "rows": dossier_rows_html(
            page.dossiers,
            answer_texts=_answer_texts(page.dossiers, answer_columns),
            # The dossiers' links end with their number: `{% url %}` fifty times took a tenth of the page.
            dossier_path=reverse("agent:dossier_detail", args=[0]).removesuffix("0/"),
            list_query=urlencode({"liste": request.get_full_path().partition("?")[2] or f"onglet={filters.tab.value}"}),
        ),
    }
    return render(request, "agent/dossier_list.html", context)


def _answer_columns(user, procedure) -> list[ExportColumn]:
    """The answer columns the instructor added to this procedure's lists (a field removed from the
    form since is left out)."""
    ids = [f"{FIELD_PREFIX}{field_id}" for field_id in list_answer_columns(user, procedure)]
    available = {column.id for column in export_columns_available(procedure=procedure)}
    ids = [column_id for column_id in ids if column_id in available]
    return export_columns_chosen(procedure=procedure, ids=ids) if ids else []


def _answer_texts(dossiers: list[Dossier], columns: list[ExportColumn]) -> dict[int, list[str]]:
    """The answers of a page's dossiers, written as the exports write them (one query)."""
    if not columns or not dossiers:
        return {}
    ordered = Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).order_by("-submitted_at", "-pk")
    rows = export_rows(queryset=ordered, columns=columns)
    return {dossier_id: row for dossier_id, row in zip(ordered.values_list("pk", flat=True), rows, strict=True)}


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
        today=timezone.localdate(),
        routes=FormRoutes(page=lambda number: "", summary=""),
        file_url=_file_url(dossier),
    )
    available = decisions_available(dossier.state)
    return {
        "annotations": _annotations_view(dossier, forms.get("annotations_raw"), forms.get("annotation_errors")),
        "dossier": dossier,
        "procedure": dossier.procedure,
        "summary": summary,
        "identity": dossier.identity,
        "timeline": dossier_timeline(dossier),
        "messages_list": dossier.messages.select_related("attachment", "author").order_by("created_at", "pk"),
        "correction": dossier_open_correction(dossier),
        "followed": dossier_followed_by(request.user, dossier),
        "can_archive": dossier.state in {*DossierState.decided(), DossierState.WITHDRAWN},
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
        _, filters, *_ = _list_filters(request, dossier.procedure, QueryDict(listed), warn=False)
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
    if message_form_send(request, dossier, form):
        messages.success(request, "Votre message est envoyé à l’usager.")
        return redirect(reverse("agent:dossier_detail", args=[dossier.pk]) + "#messagerie")
    context = _detail_context(request, dossier, message_form=form)
    return render(request, "agent/dossier_detail.html", context, status=400)


@instructor_required
def dossier_file(request: HttpRequest, pk: int, key: uuid.UUID) -> FileResponse:
    return dossier_file_response(instructor_dossier(request, pk), key, preview=request.GET.get("apercu") == "1")


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
def bulk_create(request: HttpRequest, slug: str) -> HttpResponse:
    """The action chosen above a list, on the dossiers ticked in it."""
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    back = request.POST.get("retour", "")
    back = back if back.startswith("?") else ""
    try:
        ids = [int(value) for value in request.POST.getlist("dossiers")]
        bulk = bulk_action_create(
            actor=request.user,
            procedure=procedure,
            action=request.POST.get("action", ""),
            dossier_ids=ids,
            text=request.POST.get("texte", ""),
        )
    except ValueError:
        messages.error(request, "La sélection n’est pas valide.")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        return redirect("agent:bulk_detail", pk=bulk.pk)
    return redirect(reverse("agent:dossier_list", args=[procedure.slug]) + back)


@instructor_required
def bulk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """How far a bulk action has gone, and each dossier's outcome (its author's only)."""
    bulk = get_object_or_404(BulkAction.objects.select_related("procedure"), pk=pk, actor=request.user)
    numbers = dict(Dossier.objects.filter(pk__in=bulk.dossier_ids).values_list("pk", "number"))
    rows = [
        {"pk": dossier_id, "number": numbers.get(dossier_id, ""), "done": str(dossier_id) in bulk.outcomes,
         "why": bulk.outcomes.get(str(dossier_id), "")}
        for dossier_id in bulk.dossier_ids
    ]  # fmt: skip
    template = "agent/_bulk_progress.html" if request.htmx else "agent/bulk_detail.html"
    return render(request, template, {"bulk": bulk, "rows": rows})


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


@instructor_required
@require_POST
def notification_preference(request: HttpRequest) -> HttpResponse:
    form = NotificationForm(request.POST)
    if form.is_valid():
        notification_preference_set(actor=request.user, mode=form.cleaned_data["mode"])
        messages.success(request, "Votre choix de notifications est enregistré.")
    else:
        messages.error(request, "Choisissez comment être prévenu.")
    return redirect("agent:procedures")


@instructor_required
def list_columns(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose the answers shown as columns in this procedure's lists (and in its exports)."""
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    available = [column for column in export_columns_available(procedure=procedure) if column.field is not None]
    if request.method == "POST":
        list_columns_set(actor=request.user, procedure=procedure, field_ids=request.POST.getlist("colonnes"))
        messages.success(request, "Vos colonnes sont enregistrées pour cette démarche.")
        return redirect("agent:dossier_list", slug=procedure.slug)
    chosen = set(list_answer_columns(request.user, procedure))
    context = {"procedure": procedure, "available": available, "chosen": chosen}
    return render(request, "agent/list_columns.html", context)


@instructor_required
def list_export(request: HttpRequest, slug: str, extension: str) -> HttpResponse:
    """The current list (all its pages) as CSV, XLSX or ODS: the dossier's own columns and the
    answers the instructor chose, streamed as it is written."""
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    if extension not in ExportFormat.values:
        raise Http404("Ce format d’export n’existe pas.")
    export_format = ExportFormat(extension)
    _, filters, *_ = _list_filters(request, procedure, request.GET, warn=False)
    fixed = [column.id for column in export_columns_available(procedure=procedure) if column.field is None]
    columns = export_columns_chosen(procedure=procedure, ids=fixed) + _answer_columns(request.user, procedure)
    if export_is_large(actor=request.user, procedure=procedure, filters=filters):
        job = export_job_create(
            actor=request.user, procedure=procedure, export_format=export_format, filters=filters, columns=columns
        )
        messages.info(request, "Cette liste est longue : son export est préparé, vous pourrez le télécharger ici.")
        return redirect("agent:export_job", pk=job.pk)
    dossiers = instructor_dossiers_listed(request.user, procedure, filters)
    audit_record(
        actor=request.user,
        action=AuditAction.DOSSIERS_EXPORT,
        target=procedure,
        details={"format": export_format.value, "tab": filters.tab.value, "text": filters.text, "state": filters.state},
    )
    chunks = export_chunks(
        header=export_header(columns),
        rows=export_rows(queryset=dossiers, columns=columns, typed=export_format.typed_cells),
        format=export_format,
    )
    response = StreamingHttpResponse(chunks, content_type=export_format.content_type)
    filename = export_filename(procedure=procedure, extension=export_format.extension)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@instructor_required
@require_POST
def attachments_zip(request: HttpRequest, slug: str) -> HttpResponse:
    """The attachments of the dossiers ticked in a list, as one ZIP streamed as it is written."""
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    try:
        ids = [int(value) for value in request.POST.getlist("dossiers")]
    except ValueError:
        ids = []
    dossiers = dossiers_of_instructor_in(request.user, procedure).filter(pk__in=ids).order_by("-submitted_at", "-pk")
    if not ids or len(ids) > BULK_LIMIT or dossiers.count() != len(set(ids)):
        messages.error(request, f"Cochez de 1 à {BULK_LIMIT} dossiers de vos groupes pour télécharger leurs pièces.")
        return redirect(reverse("agent:dossier_list", args=[procedure.slug]))
    audit_record(
        actor=request.user, action=AuditAction.DOSSIERS_ATTACHMENTS_ZIP, target=procedure, details={"dossiers": ids}
    )
    response = StreamingHttpResponse(attachments_zip_chunks(queryset=dossiers), content_type="application/zip")
    filename = export_filename(procedure=procedure, extension="zip").replace("dossiers-", "pieces-", 1)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_job(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.select_related("procedure"), pk=pk, actor=request.user)


@instructor_required
def export_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_job(request, pk)
    template = "agent/_export_progress.html" if request.htmx else "agent/export_job.html"
    return render(request, template, {"job": job, "expired": bool(job.expires_at and job.expires_at < timezone.now())})


@instructor_required
def export_job_file(request: HttpRequest, pk: int) -> FileResponse:
    job = _export_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file or job.expires_at < timezone.now():
        raise Http404("Cet export n’est pas (ou plus) disponible.")
    export_format = ExportFormat(job.format)
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=export_filename(procedure=job.procedure, extension=export_format.extension),
    )
    response["Content-Type"] = export_format.content_type
    return response
