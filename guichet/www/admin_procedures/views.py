"""The procedure builder: procedure administrators design, preview, publish and close procedures."""

from django.shortcuts import render

from guichet.procedures.selectors import procedures_administered_by

from .access import administered_procedure, administrator_required


@administrator_required
def procedure_list(request):
    procedures = procedures_administered_by(request.user)
    return render(request, "admin_procedures/list.html", {"procedures": procedures})


@administrator_required
def procedure_overview(request, slug: str):
    procedure = administered_procedure(request, slug)
    return render(request, "admin_procedures/overview.html", {"procedure": procedure})
