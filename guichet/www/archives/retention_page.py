"""A procedure's retention settings page, as the builder and the archivist's space both show it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from guichet.archives.retention_settings import procedure_retention_update, retention_values
from guichet.procedures.models import Procedure

from .forms import RetentionForm


def retention_page(request: HttpRequest, procedure: Procedure, *, template: str, done_url: str) -> HttpResponse:
    """Show the settings, or save them (the service checks them; its refusals land on the fields)."""
    form = RetentionForm(request.POST or None, initial=retention_values(procedure))
    if request.method == "POST" and form.is_valid():
        try:
            procedure_retention_update(procedure=procedure, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Les règles de conservation et d’archivage sont enregistrées.")
            return redirect(done_url)
    context = {
        "procedure": procedure,
        "form": form,
        "heading": "Conservation et archivage",
        "submit": "Enregistrer les règles de conservation",
    }
    return render(request, template, context)
