"""The steering team's pages for the panorama: its projects (add, edit, import a CSV in the
published columns) and its editions (prepare, preview, publish). Every write goes through the
audited services of observatory.panorama; a published edition has no form any more."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guichet.observatory import selectors as obs
from guichet.observatory.models import FrozenEditionError
from guichet.observatory.panorama import selectors as pano
from guichet.observatory.panorama.csv_import import panorama_csv_import
from guichet.observatory.panorama.services import (
    PROJECT_FIELDS,
    digital_project_create,
    digital_project_update,
    panorama_edition_create,
    panorama_edition_publish,
    panorama_edition_update,
)
from guichet.procedures.models import Procedure
from guichet.www.service_errors import form_errors_add

from . import panorama_forms as forms
from .access import steering_required
from .panorama_pages import edition_context
from .steering import _form_page

HOME = "observatoire:panorama_steering"


@steering_required
def panorama_steering_home(request):
    context = {
        "projects": pano.projects_editable_by(request.user).order_by("ministry_code", "name", "pk"),
        "editions": pano.editions_editable_by(request.user),
        "is_steering": True,
    }
    return render(request, "observatoire/panorama/steering_home.html", context)


def _project(request, pk: int):
    project = pano.projects_editable_by(request.user).filter(pk=pk).first()
    if project is None:
        raise Http404("Ce projet n’existe pas ou ne relève pas de votre pilotage.")
    return project


def _edition(request, pk: int):
    edition = pano.editions_editable_by(request.user).filter(pk=pk).first()
    if edition is None:
        raise Http404("Cette édition n’existe pas ou ne relève pas de votre pilotage.")
    return edition


def _project_form(request, instance=None):
    return forms.DigitalProjectForm(
        request.POST or None,
        instance=instance,
        organisations=obs.steering_organisations(request.user),
        procedures=Procedure.objects.published().order_by("title"),
    )


@steering_required
def project_create(request):
    form = _project_form(request)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in PROJECT_FIELDS}
        try:
            project = digital_project_create(actor=request.user, procedures=form.cleaned_data["procedures"], **values)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, f"Le projet « {project.name} » est ajouté : il paraîtra à la prochaine édition.")
            return redirect(HOME)
    return _form_page(
        request, form, heading="Ajouter un projet au panorama", submit="Ajouter le projet",
        back_url=reverse(HOME), extra={"is_steering": True},
    )  # fmt: skip


@steering_required
def project_edit(request, pk: int):
    project = _project(request, pk)
    form = _project_form(request, instance=project)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in PROJECT_FIELDS}
        try:
            digital_project_update(
                actor=request.user, project=_project(request, pk), procedures=form.cleaned_data["procedures"], **values
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "Le projet est enregistré ; les éditions déjà publiées ne changent pas.")
            return redirect(HOME)
    return _form_page(
        request, form, heading=f"Modifier le projet « {project.name} »", submit="Enregistrer",
        back_url=reverse(HOME), extra={"is_steering": True},
        intro="Les éditions publiées gardent les valeurs de leur date ; la prochaine édition prendra celles-ci.",
    )  # fmt: skip


@steering_required
def edition_create(request):
    form = forms.PanoramaEditionForm(request.POST or None, organisations=obs.steering_organisations(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            edition = panorama_edition_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "L’édition est préparée : vérifiez-la avant de la publier.")
            return redirect("observatoire:panorama_edition", edition.pk)
    return _form_page(
        request, form, heading="Préparer une édition du panorama", submit="Préparer l’édition",
        back_url=reverse(HOME), extra={"is_steering": True},
        intro="Une édition reprend les projets au panorama de l’organisation et de celles qui en dépendent. "
        "Tant qu’elle n’est pas publiée, elle montre leurs valeurs du moment ; publiée, elle est figée.",
    )  # fmt: skip


@steering_required
def edition_detail(request, pk: int):
    edition = _edition(request, pk)
    form = None
    if not edition.is_published:
        form = forms.PanoramaEditionForm(
            request.POST or None, instance=edition, organisations=obs.steering_organisations(request.user)
        )
        if request.method == "POST" and form.is_valid():
            try:
                panorama_edition_update(actor=request.user, edition=edition, **form.cleaned_data)
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, "L’édition est enregistrée.")
                return redirect("observatoire:panorama_edition", edition.pk)
    too_early = not edition.is_published and edition.published_on > timezone.localdate()
    context = {"form": form, "is_steering": True, "too_early": too_early, **edition_context(edition)}
    return render(request, "observatoire/panorama/steering_edition.html", context)


@require_POST
@steering_required
def edition_publish(request, pk: int):
    edition = _edition(request, pk)
    try:
        panorama_edition_publish(actor=request.user, edition=edition)
    except FrozenEditionError:
        messages.info(request, "Cette édition est déjà publiée.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("observatoire:panorama_edition", edition.pk)
    else:
        messages.success(request, f"« {edition.title} » est publiée : ses valeurs sont désormais figées.")
    return redirect(f"{reverse('observatoire:panorama')}?edition={edition.pk}")


@steering_required
def panorama_import(request):
    form = forms.PanoramaImportForm(
        request.POST or None, request.FILES or None, organisations=obs.steering_organisations(request.user)
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            report = panorama_csv_import(
                actor=request.user, organisation=form.cleaned_data["organisation"], text=form.cleaned_data["file"]
            )
        except ValidationError as error:
            errors = error.messages
        else:
            counts = f"{len(report.created)} projet(s) ajouté(s), {len(report.updated)} modifié(s)"
            messages.success(request, f"Import terminé : {counts}.")
            return redirect(HOME)
    return render(request, "observatoire/panorama/import.html", {"form": form, "errors": errors, "is_steering": True})
