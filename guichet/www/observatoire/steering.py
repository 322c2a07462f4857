"""The steering team's pages: their home, the programme's entries, the barometer's indicators with
their targets and values, and the request for a new computation of the indicators; and the form
where the people allowed record the requests that came through the other channels."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guichet.observatory import selectors as obs
from guichet.observatory.collected import amounts_collected
from guichet.observatory.models import AggregationRun, ChannelVolume
from guichet.observatory.services import (
    ENTRY_FIELDS,
    INDICATOR_FIELDS,
    aggregation_request,
    channel_volume_record,
    indicator_create,
    indicator_goal_set,
    indicator_update,
    indicator_value_record,
    programme_entry_create,
    programme_entry_update,
)
from guichet.www.service_errors import form_errors_add

from . import forms
from .access import editable_entry, editable_indicator, entry_for_volumes, signed_in_required, steering_required


@steering_required
def steering_home(request):
    context = {
        "entries": obs.entries_editable_by(request.user).order_by("title", "pk"),
        "indicators": obs.indicators_editable_by(request.user).order_by("name", "pk"),
        "runs": AggregationRun.objects.select_related("requested_by")[:5],
        "collected": amounts_collected(organisation_ids=obs.steering_organisation_ids(request.user)),
    }
    return render(request, "observatoire/steering_home.html", context)


def _form_page(request, form, *, heading: str, submit: str, back_url: str, intro: str = "", extra=None):
    context = {
        "form": form,
        "heading": heading,
        "submit": submit,
        "back_url": back_url,
        "intro": intro,
        "volumes": None,
    }
    context.update(extra or {})
    return render(request, "observatoire/form_page.html", context)


@steering_required
def entry_create(request):
    organisations = obs.steering_organisations(request.user)
    form = forms.ProgrammeEntryForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ENTRY_FIELDS if name not in {"organisation", "title"}}
        try:
            entry = programme_entry_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                title=form.cleaned_data["title"],
                **values,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, f"« {entry.title} » est ajoutée au programme.")
            return redirect("observatoire:entry_detail", entry.pk)
    return _form_page(
        request,
        form,
        heading="Ajouter une démarche au programme",
        submit="Ajouter la démarche",
        back_url=reverse("observatoire:steering"),
        intro="Une démarche pas encore en ligne, ou en ligne ailleurs que dans Guichet. Une démarche publiée "
        "dans Guichet rejoint le programme d’elle-même (sous ce titre s’il existe déjà).",
    )


@steering_required
def entry_edit(request, pk: int):
    entry = editable_entry(request, pk)
    organisations = obs.steering_organisations(request.user)
    form = forms.ProgrammeEntryForm(request.POST or None, instance=entry, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ENTRY_FIELDS}
        try:
            programme_entry_update(actor=request.user, entry=editable_entry(request, pk), **values)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "Les informations de la démarche sont enregistrées.")
            return redirect("observatoire:entry_detail", entry.pk)
    return _form_page(
        request,
        form,
        heading=f"Modifier « {entry.title} »",
        submit="Enregistrer",
        back_url=reverse("observatoire:steering"),
    )


@signed_in_required
def volume_record(request, pk: int):
    entry = entry_for_volumes(request, pk)
    form = forms.ChannelVolumeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel_volume_record(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "Le volume est enregistré ; il comptera au prochain calcul des indicateurs.")
            return redirect("observatoire:volume_record", entry.pk)
    volumes = ChannelVolume.objects.filter(entry=entry).order_by("-month", "channel")[:36]
    return _form_page(
        request,
        form,
        heading=f"Demandes reçues par d’autres canaux : « {entry.title} »",
        submit="Enregistrer le volume",
        back_url=reverse("observatoire:entry_detail", args=[entry.pk]),
        intro="Les dossiers déposés dans Guichet sont comptés automatiquement. Saisissez ici, mois par mois, "
        "les demandes reçues par courrier, au guichet, par téléphone ou par courriel. Saisir à nouveau un mois "
        "remplace son chiffre.",
        extra={"volumes": volumes},
    )


def _entries_for_indicators(request):
    return obs.entries_editable_by(request.user).order_by("title")


@steering_required
def indicator_create_view(request):
    form = forms.IndicatorForm(
        request.POST or None,
        organisations=obs.steering_organisations(request.user),
        entries=_entries_for_indicators(request),
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in INDICATOR_FIELDS if name != "organisation"}
        try:
            indicator = indicator_create(actor=request.user, organisation=form.cleaned_data["organisation"], **values)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, f"L’indicateur « {indicator.name} » est créé. Indiquez maintenant sa cible.")
            return redirect("observatoire:goal_set", indicator.pk)
    return _form_page(
        request, form, heading="Ajouter un indicateur au baromètre", submit="Créer l’indicateur",
        back_url=reverse("observatoire:steering"),
    )  # fmt: skip


@steering_required
def indicator_edit(request, pk: int):
    indicator = editable_indicator(request, pk)
    form = forms.IndicatorForm(
        request.POST or None,
        instance=indicator,
        organisations=obs.steering_organisations(request.user),
        entries=_entries_for_indicators(request),
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in INDICATOR_FIELDS}
        try:
            indicator_update(actor=request.user, indicator=editable_indicator(request, pk), **values)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "L’indicateur est enregistré.")
            return redirect("observatoire:barometer")
    return _form_page(
        request, form, heading=f"Modifier l’indicateur « {indicator.name} »", submit="Enregistrer",
        back_url=reverse("observatoire:steering"),
    )  # fmt: skip


@steering_required
def goal_set(request, pk: int):
    indicator = editable_indicator(request, pk)
    form = forms.IndicatorGoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator_goal_set(actor=request.user, indicator=indicator, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, f"La cible de la zone {form.cleaned_data['zone']} est enregistrée.")
            return redirect("observatoire:barometer")
    return _form_page(
        request,
        form,
        heading=f"Valeur initiale et cible : « {indicator.name} »",
        submit="Enregistrer la cible",
        back_url=reverse("observatoire:steering"),
        intro=f"Unité : {indicator.unit}. Une cible par zone ; l’enregistrer à nouveau pour une zone la remplace.",
    )


@steering_required
def value_record(request, pk: int):
    indicator = editable_indicator(request, pk)
    if indicator.is_computed:
        messages.info(request, "Guichet calcule lui-même les valeurs de cet indicateur.")
        return redirect("observatoire:barometer")
    form = forms.IndicatorValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator_value_record(actor=request.user, indicator=indicator, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "La valeur est enregistrée.")
            return redirect("observatoire:barometer")
    return _form_page(
        request,
        form,
        heading=f"Saisir une valeur : « {indicator.name} »",
        submit="Enregistrer la valeur",
        back_url=reverse("observatoire:steering"),
        intro=f"Unité : {indicator.unit}. Une valeur par zone et par date ; la saisir à nouveau la remplace.",
    )


@require_POST
@steering_required
def aggregation_request_view(request):
    aggregation_request(actor=request.user)
    messages.success(request, "Le calcul des indicateurs est demandé : les pages seront à jour dans quelques minutes.")
    return redirect("observatoire:steering")
