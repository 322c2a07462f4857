import uuid

from django.http import Http404
from django.shortcuts import render

from guichet.dossiers.models import DossierState
from guichet.dossiers.selectors import dossiers_of_applicant, procedure_usual_delay
from guichet.payments.selectors import procedure_fee_notice
from guichet.procedures.selectors import catalogue_organisations, procedures_catalogue, procedures_public


def home(request):
    query = request.GET.get("q", "").strip()[:200]
    organisation = request.GET.get("organisation", "").strip()[:80]
    procedures = list(procedures_catalogue(query=query, organisation_slug=organisation))
    offered = list(procedures_catalogue()) if query or organisation else procedures
    context = {
        "procedures": procedures,
        "query": query,
        "organisation": organisation,
        "organisations": catalogue_organisations(offered),
        "filtered": bool(query or organisation),
    }
    return render(request, "public/home.html", context)


def procedure_detail(request, slug: str):
    procedure = procedures_public().filter(slug=slug).first()
    if procedure is None:
        raise Http404("Cette démarche n’existe pas ou n’est pas publiée.")
    drafts = []
    if request.user.is_authenticated:
        drafts = list(
            dossiers_of_applicant(request.user)
            .filter(procedure=procedure, state=DossierState.DRAFT)
            .order_by("-updated_at")
        )
    context = {
        "procedure": procedure,
        "drafts": drafts,
        "creation_key": uuid.uuid4(),
        "usual_delay": procedure_usual_delay(procedure.pk),
        "fee_notice": procedure_fee_notice(procedure),
    }
    return render(request, "public/procedure_detail.html", context)
