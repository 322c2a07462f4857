"""Bulk actions: the action chosen above a list on the dossiers ticked in it, and how far it has gone."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guichet.dossiers.models import Dossier
from guichet.instruction.bulk import bulk_action_create
from guichet.instruction.models import BulkAction
from guichet.instruction.selectors import procedures_of_instructor

from .access import instructor_required


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
