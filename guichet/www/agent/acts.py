"""The acts of a dossier in the back office: download them, and try again a generation that failed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from guichet.documents.models import Act
from guichet.instruction.access import act_of_instructor
from guichet.instruction.followup.chain import act_retry
from guichet.www.acts import act_file_response

from .access import instructor_required


def _act(request: HttpRequest, pk: int, act_pk: int) -> Act:
    try:
        return act_of_instructor(request.user, dossier_pk=pk, act_pk=act_pk)
    except Act.DoesNotExist:
        raise Http404("Ce document n’existe pas.") from None


@instructor_required
def dossier_act_file(request: HttpRequest, pk: int, act_pk: int) -> FileResponse:
    return act_file_response(_act(request, pk, act_pk))


@instructor_required
@require_POST
def dossier_act_retry(request: HttpRequest, pk: int, act_pk: int) -> HttpResponse:
    act = _act(request, pk, act_pk)
    try:
        act_retry(actor=request.user, act=act)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "La génération du document est relancée.")
    return redirect("agent:dossier_detail", pk=act.dossier_id)
