"""The procedure administrators' list of their procedures and, for each, its overview (versions,
instructor groups), its settings, its publication (publish, close, reopen), its cloning and its
export as JSON. A new procedure starts as a draft with a one-page form, built in form_editor.py."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guichet.accounts.models import Organisation
from guichet.procedures.exchange import procedure_export
from guichet.procedures.readiness import procedure_publication_checks
from guichet.procedures.selectors import organisation_ids_administered_by, procedures_administered_by
from guichet.procedures.services import (
    procedure_clone,
    procedure_close,
    procedure_create,
    procedure_publish,
    procedure_reopen,
    procedure_settings_update,
)
from guichet.www.archives.retention_page import retention_page

from . import forms
from .access import administered_procedure, administrator_required

STARTER_DEFINITION = {"pages": [{"id": "demande", "title": "Votre demande", "fields": []}]}


def _organisations(request):
    return Organisation.objects.filter(pk__in=organisation_ids_administered_by(request.user)).order_by("name")


def _form_page(request, procedure, form, *, heading: str, submit: str, **extra):
    """A builder page made of one form (creation, settings, cloning, a page's title)."""
    context = {"procedure": procedure, "form": form, "heading": heading, "submit": submit, **extra}
    return render(request, "admin_procedures/form_page.html", context)


@administrator_required
def procedure_list(request):
    procedures = procedures_administered_by(request.user).annotate(dossier_count=Count("dossiers"))
    return render(
        request, "admin_procedures/list.html", {"procedures": procedures, "organisations": _organisations(request)}
    )


@administrator_required
def procedure_create_view(request):
    form = forms.ProcedureCreateForm(request.POST or None, organisations=_organisations(request))
    if request.method == "POST" and form.is_valid():
        procedure = procedure_create(
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            title=form.cleaned_data["title"],
            slug=form.cleaned_data["slug"],
            summary=form.cleaned_data["summary"],
            definition=STARTER_DEFINITION,
        )
        messages.success(request, "La démarche est créée en brouillon : construisez maintenant son formulaire.")
        return redirect("admin_procedures:form", procedure.slug)
    return _form_page(request, None, form, heading="Créer une démarche", submit="Créer la démarche")


@administrator_required
def procedure_overview(request, slug: str):
    procedure = administered_procedure(request, slug)
    versions = procedure.versions.select_related("published_by").order_by("-number")
    context = {
        "procedure": procedure,
        "versions": versions,
        "unpublished_changes": procedure.has_unpublished_changes,
        "dossier_count": procedure.dossiers.count(),
        "groups": procedure.instructor_groups.annotate(member_count=Count("memberships")).order_by("name"),
    }
    return render(request, "admin_procedures/overview.html", context)


@administrator_required
def procedure_publish_view(request, slug: str):
    """Publishing asks for a confirmation (a page, so that it works without JavaScript) that lists
    what blocks the publication and what is worth checking first (procedures/readiness.py)."""
    procedure = administered_procedure(request, slug)
    checks = [
        {
            "check": check,
            "url": reverse(f"admin_procedures:{check.where}", args=[procedure.slug]) if check.where else "",
        }
        for check in procedure_publication_checks(procedure)
    ]
    blocked = any(item["check"].blocking for item in checks)
    nothing_new = procedure.status == procedure.Status.PUBLISHED and not procedure.has_unpublished_changes
    if request.method == "POST" and request.POST.get("confirmation") == "oui" and not blocked and not nothing_new:
        try:
            procedure_publish(actor=request.user, procedure=procedure)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "La démarche est publiée : les nouveaux dossiers utilisent cette version.")
            return redirect("admin_procedures:overview", procedure.slug)
    context = {
        "procedure": procedure,
        "blocking": [item for item in checks if item["check"].blocking],
        "warnings": [item for item in checks if not item["check"].blocking],
        "nothing_new": nothing_new,
        "closed": procedure.status == procedure.Status.CLOSED,
    }
    return render(request, "admin_procedures/publish_confirm.html", context)


_LIFECYCLE = {
    "close": (procedure_close, "La démarche est close : elle n’accepte plus de nouveaux dossiers."),
    "reopen": (procedure_reopen, "La démarche est rouverte et accepte de nouveaux dossiers."),
}


@require_POST
@administrator_required
def procedure_lifecycle(request, slug: str, action: str):
    procedure = administered_procedure(request, slug)
    service, success = _LIFECYCLE[action]
    try:
        service(actor=request.user, procedure=procedure)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("admin_procedures:overview", procedure.slug)


@administrator_required
def procedure_settings(request, slug: str):
    procedure = administered_procedure(request, slug)
    form = forms.ProcedureSettingsForm(request.POST or None, instance=procedure, organisations=_organisations(request))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        procedure_settings_update(actor=request.user, procedure=administered_procedure(request, slug), **values)
        messages.success(request, "Les paramètres sont enregistrés.")
        return redirect("admin_procedures:settings", procedure.slug)
    return _form_page(request, procedure, form, heading="Paramètres", submit="Enregistrer les paramètres")


@administrator_required
def procedure_retention_view(request, slug: str):
    """« Conservation et archivage »: the retention settings (archivists change them too, in their space)."""
    procedure = administered_procedure(request, slug)
    return retention_page(
        request,
        procedure,
        template="admin_procedures/retention.html",
        done_url=reverse("admin_procedures:retention", args=[procedure.slug]),
    )


@administrator_required
def procedure_clone_view(request, slug: str):
    procedure = administered_procedure(request, slug)
    form = forms.ProcedureCloneForm(
        request.POST or None,
        organisations=_organisations(request),
        initial={"title": f"{procedure.title} (copie)", "organisation": procedure.organisation_id},
    )
    if request.method == "POST" and form.is_valid():
        clone = procedure_clone(
            actor=request.user,
            procedure=procedure,
            title=form.cleaned_data["title"],
            slug=form.cleaned_data["slug"],
            organisation=form.cleaned_data["organisation"],
        )
        messages.success(request, f"« {clone.title} » est créée en brouillon à partir de « {procedure.title} ».")
        return redirect("admin_procedures:overview", clone.slug)
    return _form_page(request, procedure, form, heading="Cloner la démarche", submit="Cloner")


@administrator_required
def procedure_export_view(request, slug: str):
    procedure = administered_procedure(request, slug)
    response = HttpResponse(
        json.dumps(procedure_export(procedure), ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{procedure.slug}.json"'
    return response
