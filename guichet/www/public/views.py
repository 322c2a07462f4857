from django.http import Http404
from django.shortcuts import render

from guichet.procedures.selectors import procedures_catalogue, procedures_public


def home(request):
    procedures = list(procedures_catalogue())
    return render(request, "public/home.html", {"procedures": procedures})


def procedure_detail(request, slug: str):
    procedure = procedures_public().filter(slug=slug).first()
    if procedure is None:
        raise Http404("Cette démarche n’existe pas ou n’est pas publiée.")
    return render(request, "public/procedure_detail.html", {"procedure": procedure})
