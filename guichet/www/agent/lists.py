"""The instructors' home and their lists: the procedures they work on (with how many dossiers wait
in each) and their choice of notifications; a procedure's lists of dossiers (tabs, filters, search,
keyset pages) and the answers shown as their columns. The rows themselves are written by listing.py."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from guichet.core.replicas import reads_from_replica
from guichet.dossiers.models import Dossier
from guichet.instruction.bulk import BULK_LIMIT
from guichet.instruction.exports import (
    ExportColumn,
    ExportFormat,
    export_columns_available,
    export_columns_chosen,
    export_rows,
)
from guichet.instruction.exports.columns import FIELD_PREFIX
from guichet.instruction.lists import ListFilters, ListOrder, Tab, tab_of
from guichet.instruction.models import BulkAction, NotificationMode, NotificationPreference
from guichet.instruction.notifications import notification_preference_set
from guichet.instruction.selectors import (
    COUNT_LIMIT,
    instructor_dossier_page,
    instructor_groups_in,
    instructor_tab_counts,
    instructor_waiting_counts,
    list_answer_columns,
    procedure_labels,
    procedures_of_instructor,
)
from guichet.instruction.services import list_columns_set
from guichet.observatory.selectors import programme_entry_ids
from guichet.payments.selectors import procedure_charges
from guichet.procedures.selectors import procedure_latest_version_id, version_form
from guichet.www.date_entry import date_french

from .access import instructor_required
from .forms import ListFiltersForm, NotificationForm, answer_fields
from .listing import dossier_rows_html


@instructor_required
@reads_from_replica
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


@instructor_required
@require_http_methods(["GET", "POST"])
def notification_preference(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # Reached by reloading after the choice was sent: the choice is on the procedures page.
        return redirect("agent:procedures")
    form = NotificationForm(request.POST)
    if form.is_valid():
        notification_preference_set(actor=request.user, mode=form.cleaned_data["mode"])
        messages.success(request, "Votre choix de notifications est enregistré.")
    else:
        messages.error(request, "Choisissez comment être prévenu.")
    return redirect("agent:procedures")


def list_filters(request: HttpRequest, procedure, query, *, warn: bool):
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
        tab=tab_of(data.get("onglet")),
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
@reads_from_replica
def dossier_list(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = get_object_or_404(procedures_of_instructor(request.user), slug=slug)
    form, filters, data, groups, labels = list_filters(request, procedure, request.GET, warn=True)
    group_ids = [group.pk for group in groups]
    page = instructor_dossier_page(
        request.user, procedure, filters, after=data.get("apres") or "", group_ids=group_ids, with_labels=bool(labels)
    )
    answer_columns = chosen_answer_columns(request.user, procedure)
    kept = {
        "q": filters.text,
        "etat": filters.state,
        "groupe": filters.group_id or "",
        "etiquette": filters.label_id or "",
        "mes": "on" if filters.mine else "",
        "du": date_french(filters.filed_from) if filters.filed_from else "",
        "au": date_french(filters.filed_to) if filters.filed_to else "",
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
        "receipts": procedure_charges(procedure),
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


def chosen_answer_columns(user, procedure) -> list[ExportColumn]:
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
