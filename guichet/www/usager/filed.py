"""The pages of a filed dossier that close a step: the confirmation after filing, the applicant's
opinion, the withdrawal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from guichet.dossiers.models import Dossier, DossierState
from guichet.dossiers.services import dossier_withdraw, opinion_give

from .access import applicant_dossier_required, own_dossier
from .forms import OpinionForm, WithdrawForm, help_followups_pending


def filed_dossier(request: HttpRequest, pk: int, *, with_opinion: bool = False) -> Dossier:
    dossier = own_dossier(request, pk, with_opinion=with_opinion)
    if dossier.state == DossierState.DRAFT:
        raise Http404("Ce dossier n’est pas encore déposé.")
    return dossier


@applicant_dossier_required
def dossier_submitted(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page: the number, what happens next, and "Je donne mon avis"."""
    dossier = filed_dossier(request, pk, with_opinion=True)
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "opinion_form": None if dossier.has_opinion else OpinionForm(),
        "help_followups_shown": False,
    }
    return render(request, "usager/dossier_submitted.html", context)


@applicant_dossier_required
@require_http_methods(["GET", "POST"])
def dossier_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = filed_dossier(request, pk)
    if request.method == "GET":
        # Reached by reloading the page an empty opinion form answered: back to the dossier.
        return redirect("usager:dossier_detail", pk=dossier.pk)
    form = OpinionForm(request.POST)
    asked_help = request.POST.get("help_needed") == "true"
    if form.is_valid() and help_followups_pending(request.POST):
        # Without JavaScript the questions on the help received were hidden: they are shown now,
        # with the answers kept, and the opinion is recorded at the next sending.
        context = {
            "dossier": dossier,
            "procedure": dossier.procedure,
            "opinion_form": form,
            "help_followups_shown": True,
        }
        return render(request, "usager/dossier_submitted.html", context)
    if form.is_valid():
        try:
            opinion_give(actor=request.user, dossier=dossier, **form.cleaned_data)
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
            return redirect("usager:dossier_detail", pk=dossier.pk)
        messages.success(request, "Merci pour votre avis : il nous aide à améliorer cette démarche.")
        return redirect("usager:dossier_detail", pk=dossier.pk)
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "opinion_form": form,
        "help_followups_shown": asked_help,
    }
    return render(request, "usager/dossier_submitted.html", context, status=400)


@applicant_dossier_required
def dossier_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = filed_dossier(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dossier_withdraw(actor=request.user, dossier=dossier, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Votre dossier n°{dossier.number} est retiré : il ne sera pas instruit.")
        return redirect("usager:dossier_detail", pk=dossier.pk)
    if dossier.state not in {DossierState.SUBMITTED, DossierState.IN_INSTRUCTION}:
        messages.info(request, "Ce dossier ne peut plus être retiré.")
        return redirect("usager:dossier_detail", pk=dossier.pk)
    return render(request, "usager/dossier_withdraw.html", {"dossier": dossier, "form": form})
