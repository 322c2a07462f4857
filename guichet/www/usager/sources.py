"""The applicant's data-source buttons on a form page: « Vérifier le SIRET » (API Entreprise) and
« Récupérer mes informations » (API Particulier, with consent). The page is saved first, like any
button; then the service asks the source, and the page comes back (or, with htmx, its fields) with
what happened. Whatever the source does, the applicant can go on and type the data."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from guichet.dossiers.models import Dossier
from guichet.dossiers.sourced import sourced_note, sourced_values_by_field
from guichet.dossiers.sources import FetchResult, dossier_company_fetch, dossier_individual_fetch
from guichet.procedures.answers import answers_clean
from guichet.procedures.field_sources import siret_triggers
from guichet.procedures.selectors import version_form
from guichet.www.formengine.pages import SourcedView, page_view, pages_visible
from guichet.www.formengine.posting import SOURCE
from guichet.www.formengine.rendering import fields_html

INDIVIDUAL = "api_particulier"
FRANCE_TRAVAIL_ID = "_identifiant_france_travail"


def sourced_views(dossier: Dossier) -> dict[str, SourcedView]:
    return {
        field_id: SourcedView(certified=row.certified, note=sourced_note(row))
        for field_id, row in sourced_values_by_field(dossier).items()
    }


def _fetch(request: HttpRequest, dossier: Dossier, page_field_ids: set[str]) -> FetchResult:
    asked = request.POST[SOURCE]
    if asked == INDIVIDUAL:
        return dossier_individual_fetch(
            actor=request.user,
            dossier=dossier,
            consent_given=request.POST.get("_consent") == "1",
            field_ids=page_field_ids,
            france_travail_id=request.POST.get(FRANCE_TRAVAIL_ID, ""),
        )
    if asked not in page_field_ids:
        raise ValidationError("Ce champ n’est pas sur cette page.")
    return dossier_company_fetch(actor=request.user, dossier=dossier, siret_field=asked)


def page_source_fetch(request: HttpRequest, dossier: Dossier, number: int, saved: HttpResponse) -> HttpResponse:
    """Ask the source that the button names, for the fields of page `number` (saved already, whose
    redirect is `saved`), and tell the applicant what came of it."""
    form, today = version_form(dossier.version_id), timezone.localdate()
    values = answers_clean(form, dossier.answers, today=today, require_complete=False).values
    pages = pages_visible(form, values)
    page = pages[min(number, len(pages)) - 1]
    try:
        result = _fetch(request, dossier, {field.id for field in page.fields})
        message, certified = result.message, result.certified
    except ValidationError as error:
        message, certified = " ".join(error.messages), False
    if request.headers.get("HX-Request") != "true":
        (messages.success if certified else messages.warning)(request, message)
        return saved
    values = answers_clean(form, dossier.answers, today=today, require_complete=False).values
    view = page_view(page, number, dossier.answers, values, {}, sourced_views(dossier), siret_triggers(form))
    return HttpResponse(fields_html(view, form_action=request.path, source_message=message, source_certified=certified))
