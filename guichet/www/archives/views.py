"""The archivist's space (/archives/): where the organisation's dossiers stand in their archival
life, each procedure's retention settings, the transfers to the archival system with their replies
(ATR), and the dossiers under litigation hold. The elimination lists are in elimination.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guichet.archives.models import ArchivalState, TransferStatus
from guichet.archives.selectors import (
    archival_state_counts,
    dossier_for_archivist,
    procedure_for_archivist,
    procedures_archived_by,
    retentions_visible_to,
    transfer_failures_q,
    transfer_for_archivist,
    transfers_visible_to,
)
from guichet.archives.supervision import archive_transfer_retry, dossier_litigation_hold, dossier_litigation_release

from .access import archivist_required
from .forms import LitigationHoldForm
from .retention_page import retention_page

PAGE_SIZE = 50
FAILURES = "echecs"


@archivist_required
def home(request: HttpRequest) -> HttpResponse:
    counts = archival_state_counts(request.user)
    transfers = transfers_visible_to(request.user)
    context = {
        "states": [{"state": state, "count": counts[state.value]} for state in ArchivalState],
        "failures": transfers.filter(transfer_failures_q()).count(),
        "held": retentions_visible_to(request.user).filter(litigation_hold=True).count(),
        "procedure_count": procedures_archived_by(request.user).count(),
    }
    return render(request, "archives/home.html", context)


@archivist_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    procedures = procedures_archived_by(request.user).annotate(
        running=Count("dossiers__retention", filter=Q(dossiers__retention__state=ArchivalState.ACTIVE))
    )
    return render(request, "archives/procedures.html", {"procedures": procedures})


@archivist_required
def procedure_retention(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = procedure_for_archivist(request.user, slug)
    if procedure is None:
        raise Http404("Cette démarche n’existe pas ou ses archives ne relèvent pas de vous.")
    return retention_page(
        request,
        procedure,
        template="archives/procedure_retention.html",
        done_url=reverse("archives:procedures"),
    )


@archivist_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    """The transfers, latest first: all, those of one status, or the failures to look at."""
    shown = request.GET.get("etat", "")
    transfers = transfers_visible_to(request.user)
    if shown == FAILURES:
        transfers = transfers.filter(transfer_failures_q())
    elif shown in TransferStatus.values:
        transfers = transfers.filter(status=shown)
    else:
        shown = ""
    page = Paginator(transfers.defer("reply"), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = [
        {"value": "", "label": "Tous"},
        {"value": FAILURES, "label": "À examiner (refus et erreurs)"},
        *({"value": status.value, "label": status.label} for status in TransferStatus),
    ]
    context = {"page": page, "shown": shown, "filters": filters, "refused": TransferStatus.REFUSED}
    return render(request, "archives/transfers.html", context)


@archivist_required
def transfer_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The ArchiveTransferReply as the archival system sent it (XML)."""
    transfer = transfer_for_archivist(request.user, pk)
    if transfer is None or not transfer.reply:
        raise Http404("Ce versement n’existe pas ou n’a pas encore reçu d’accusé.")
    response = HttpResponse(transfer.reply, content_type="application/xml; charset=utf-8")
    name = transfer.sip_name or f"versement-{transfer.pk}"
    response["Content-Disposition"] = f'attachment; filename="ATR-{name}.xml"'
    return response


@require_POST
@archivist_required
def transfer_retry(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = transfer_for_archivist(request.user, pk)
    if transfer is None:
        raise Http404("Ce versement n’existe pas.")
    try:
        archive_transfer_retry(transfer=transfer, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"Le versement du dossier {transfer.dossier.number} est relancé : il partira au prochain envoi."
        )
    return redirect(reverse("archives:transfers") + f"?etat={FAILURES}")


@archivist_required
def hold_list(request: HttpRequest) -> HttpResponse:
    """The dossiers under litigation hold, and the form that puts one under it."""
    form = LitigationHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dossier = dossier_for_archivist(request.user, number=form.cleaned_data["number"])
        if dossier is None:
            form.add_error("number", "Aucun dossier de vos démarches ne porte ce numéro.")
        else:
            try:
                dossier_litigation_hold(dossier=dossier, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                # The form checked the reason: what the service refuses is about the dossier.
                form.add_error("number", error)
            else:
                messages.success(request, f"Le dossier {dossier.number} est gelé pour contentieux.")
                return redirect("archives:holds")
    held = retentions_visible_to(request.user).filter(litigation_hold=True).order_by("-updated_at")
    page = Paginator(held, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archives/holds.html", {"page": page, "form": form})


@require_POST
@archivist_required
def hold_release(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_for_archivist(request.user, pk=dossier_id)
    if dossier is None:
        raise Http404("Ce dossier n’existe pas.")
    try:
        dossier_litigation_release(dossier=dossier, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Le gel du dossier {dossier.number} est levé.")
    return redirect("archives:holds")
