"""The experts' pages: the opinions asked of them, the dossier each concerns (that one only, and
only while they are invited), and the form to give their opinion."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from guichet.dossiers.files import dossier_files_of_applicant
from guichet.dossiers.models import DossierFile
from guichet.dossiers.selectors import dossier_latest_snapshot
from guichet.instruction.access import expert_invitation_for, expert_invitations_of
from guichet.instruction.models import ExpertInvitation
from guichet.instruction.services import expert_answer
from guichet.procedures.selectors import version_form
from guichet.www.files import dossier_file_response
from guichet.www.formengine.flow import FormRoutes, form_summary, summary_day

from .forms import ExpertAnswerForm


def _invitation(request: HttpRequest, pk: int) -> ExpertInvitation:
    try:
        return expert_invitation_for(request.user, pk)
    except ExpertInvitation.DoesNotExist:
        raise Http404("Cette demande d’avis n’existe pas ou a été retirée.") from None


@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    return render(request, "expert/invitations.html", {"invitations": expert_invitations_of(request.user)})


@login_required
def invitation(request: HttpRequest, pk: int) -> HttpResponse:
    asked = _invitation(request, pk)
    dossier = asked.dossier
    form = ExpertAnswerForm(request.POST or None, request.FILES or None, ask_yes_no=asked.ask_yes_no)
    status = 200
    if request.method == "POST" and asked.answered_at is None:
        if form.is_valid():
            try:
                expert_answer(
                    actor=request.user,
                    invitation=asked,
                    answer=form.cleaned_data["body"],
                    yes_no=form.cleaned_data.get("yes_no"),
                    attachment=form.cleaned_data["attachment"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, "Merci : votre avis est transmis aux instructeurs du dossier.")
                return redirect("expert:invitation", pk=asked.pk)
        status = 400
    snapshot = dossier_latest_snapshot(dossier)
    summary = form_summary(
        version_form(snapshot.version_id if snapshot else dossier.version_id),
        snapshot.answers if snapshot else dossier.answers,
        today=summary_day(snapshot.created_at if snapshot else None),
        routes=FormRoutes(page=lambda number: "", summary=""),
        file_url=lambda key: reverse("expert:file", args=[asked.pk, key]),
    )
    context = {
        "invitation": asked,
        "dossier": dossier,
        "procedure": dossier.procedure,
        "summary": summary,
        "form": form,
    }
    return render(request, "expert/invitation.html", context, status=status)


@login_required
def invitation_file(request: HttpRequest, pk: int, key: uuid.UUID) -> FileResponse:
    """A file of the dossier the expert is asked about: what the applicant sent, and the expert's own
    answer file; never another expert's answer (an avis may be confidential)."""
    invitation = _invitation(request, pk)
    own = DossierFile.objects.filter(pk=invitation.answer_file_id)
    return dossier_file_response(dossier_files_of_applicant(invitation.dossier) | own, key)
