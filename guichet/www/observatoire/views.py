"""The observatory's public pages (quality of each procedure, programme, results barometer), their
open data downloads, and the steering team's forms. The public pages read the summary tables that
the aggregation fills, never the dossiers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from guichet.accounts.models import Organisation
from guichet.observatory import indicators as ind
from guichet.observatory import opendata
from guichet.observatory import selectors as obs
from guichet.observatory.models import AggregationRun, ChannelVolume, Computation, ProcedureQuality
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

from . import forms
from .access import editable_entry, editable_indicator, entry_for_volumes, signed_in_required, steering_required
from .charts import barometer_chart, months_charts

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def _download(table: opendata.Table, items, *, fmt: str, filename: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Format inconnu : csv ou json.")
    if fmt == "csv":
        body = opendata.table_csv(table, items)
    else:
        body = opendata.table_json(table, items, generated_at=timezone.now())
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _computed_at(edition: str | None):
    """When the edition's computed indicators were last computed (None before the first run)."""
    return ProcedureQuality.objects.filter(edition=edition or "").aggregate(at=Max("computed_at"))["at"]


def _edition_asked(request, editions: list[str], *, every: bool = False) -> str | None:
    """The edition asked for in `?edition=` (None: the latest); obs.ALL_EDITIONS where `every`."""
    asked = request.GET.get("edition", "").strip()[:10]
    if not asked:
        return None
    if (every and asked == obs.ALL_EDITIONS) or asked in editions:
        return asked
    raise Http404("Cette édition du tableau n’existe pas.")


def _editions_context(editions: list[str], shown: str | None, *, latest: str | None) -> dict:
    """What the edition picker shows: each edition with its label, the one shown (the table's
    latest by default), whether it is a past one (frozen) and the query string that keeps it in
    the other links."""
    shown = shown or latest
    choices = [
        (edition, ind.edition_label(edition) + (" (en cours)" if edition == latest else "")) for edition in editions
    ]
    past = shown is not None and shown != latest
    return {
        "editions": choices,
        "edition": shown,
        "edition_label": ind.edition_label(shown) if shown else "",
        "latest_edition_label": ind.edition_label(latest) if latest else "",
        "edition_is_past": past,
        "edition_query": f"?{urlencode({'edition': shown})}" if past else "",
    }


def _organisations_with_entries() -> list[tuple[str, str]]:
    return list(
        Organisation.objects.filter(programme_entries__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )


def _is_steering(request) -> bool:
    return bool(obs.steering_organisation_ids(request.user))


# --- Public pages ---------------------------------------------------------------------------------


def quality(request):
    organisation = request.GET.get("organisation", "").strip()[:80]
    editions = obs.quality_editions()
    edition = _edition_asked(request, editions)
    context = {
        "rows": obs.quality_rows(organisation_slug=organisation, edition=edition),
        "organisation": organisation,
        "organisations": _organisations_with_entries(),
        "computed_at": _computed_at(edition or (editions[0] if editions else None)),
        "is_steering": _is_steering(request),
        **_editions_context(editions, edition, latest=editions[0] if editions else None),
    }
    return render(request, "observatoire/quality.html", context)


def quality_rows_asked(request) -> list[obs.QualityRow]:
    """The rows of the edition asked for (the latest by default, or every one: `toutes`)."""
    edition = _edition_asked(request, obs.quality_editions(), every=True)
    if edition == obs.ALL_EDITIONS:
        return obs.quality_rows_every_edition()
    return obs.quality_rows(edition=edition)


def quality_download(request, fmt: str):
    return _download(opendata.QUALITY, quality_rows_asked(request), fmt=fmt, filename="observatoire-qualite")


def entry_detail(request, pk: int):
    entry = obs.entry_public(pk)
    if entry is None:
        raise Http404("Cette démarche n’est pas dans le programme.")
    latest = obs.latest_edition()
    editions = obs.entry_editions(entry)
    if latest is not None and latest not in editions:
        editions = [latest, *editions]  # not computed in the latest edition (no longer in Guichet)
    edition = _edition_asked(request, editions)
    frozen = edition is not None and edition != latest
    if edition is not None:
        entry = obs.entry_public(pk, edition=edition)
    quality = obs.entry_quality(entry)
    months = obs.entry_months(entry)
    context = {
        "entry": entry,
        "quality": quality,
        "verdicts": obs.entry_verdicts(entry, quality, frozen=frozen),
        "yearly_volume": obs.entry_yearly_volume(entry, quality, frozen=frozen),
        **_editions_context(editions, edition, latest=latest),
        "months": months,
        "charts": months_charts(months),
        "years": obs.entry_years(months),
        "can_edit": entry.organisation_id in obs.steering_organisation_ids(request.user),
        "can_record_volumes": obs.entries_with_volumes_recorded_by(request.user).filter(pk=entry.pk).exists(),
    }
    return render(request, "observatoire/entry_detail.html", context)


def entry_months_download(request, pk: int, fmt: str):
    entry = obs.entry_public(pk)
    if entry is None:
        raise Http404("Cette démarche n’est pas dans le programme.")
    return _download(opendata.MONTHS, obs.entry_months(entry), fmt=fmt, filename=f"observatoire-demarche-{pk}-mois")


def programme(request):
    organisation = request.GET.get("organisation", "").strip()[:80]
    entries = obs.programme_entries(organisation_slug=organisation)
    targets = [
        summary for summary in obs.barometer() if summary.indicator.computation == Computation.PROGRAMME_ONLINE_SHARE
    ]
    context = {
        "entries": entries,
        "figures": obs.programme_figures(entries),
        "targets": targets,
        "organisation": organisation,
        "organisations": _organisations_with_entries(),
        "is_steering": _is_steering(request),
    }
    return render(request, "observatoire/programme.html", context)


def programme_download(request, fmt: str):
    return _download(opendata.PROGRAMME, obs.programme_entries(), fmt=fmt, filename="observatoire-programme")


def barometer(request):
    # Each indicator with its chart (None without dated values).
    summaries = [(summary, barometer_chart(summary)) for summary in obs.barometer()]
    return render(
        request, "observatoire/barometer.html", {"summaries": summaries, "is_steering": _is_steering(request)}
    )


def barometer_download(request, fmt: str):
    rows = [row for summary in obs.barometer() for row in summary.history]
    return _download(opendata.BAROMETER, rows, fmt=fmt, filename="observatoire-barometre")


# --- The steering team's pages --------------------------------------------------------------------


@steering_required
def steering_home(request):
    context = {
        "entries": obs.entries_editable_by(request.user).order_by("title", "pk"),
        "indicators": obs.indicators_editable_by(request.user).order_by("name", "pk"),
        "runs": AggregationRun.objects.select_related("requested_by")[:5],
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


def _service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


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
            _service_errors(form, error)
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
            _service_errors(form, error)
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
            _service_errors(form, error)
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
            _service_errors(form, error)
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
            _service_errors(form, error)
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
            _service_errors(form, error)
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
            _service_errors(form, error)
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
