"""Fields filled from API Entreprise and API Particulier, through HTTP against the stand-ins: the
certified data shown and kept whatever is posted, every failure of the source falling back to typed
input with a note for the instructor, the consent asked before API Particulier, with and without
htmx (docs/exchange.md)."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from guichet.accounts.models import FranceConnectIdentity
from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import Dossier, SourcedValue, SourceOutcome
from tests.connectors.api_entreprise.stand_in import stand_in_api_entreprise
from tests.connectors.api_particulier.stand_in import stand_in_api_particulier
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

BOULANGERIE = "12345670900013"
FROM_SIRET = {"provider": "api_entreprise", "siret_field": "siret"}
CONSENT = "J’accepte que la mairie obtienne mon quotient familial et mon statut étudiant (CAF, MSA, MESR)."
FROM_FRANCECONNECT = {"provider": "api_particulier", "consent": CONSENT}
DEFINITION = {
    "pages": [
        {
            "id": "entreprise",
            "title": "Votre entreprise",
            "fields": [
                {"id": "siret", "type": "siret", "label": "Numéro SIRET", "required": True},
                {"id": "nom", "type": "text", "label": "Raison sociale", "required": True,
                 "source": {**FROM_SIRET, "datum": "legal_name"}},
                {"id": "adresse", "type": "textarea", "label": "Adresse", "source": {**FROM_SIRET, "datum": "address"}},
                {"id": "etat", "type": "text", "label": "État",
                 "source": {**FROM_SIRET, "datum": "establishment_status"}},
            ],
        },
        {
            "id": "famille",
            "title": "Votre famille",
            "fields": [
                {"id": "qf", "type": "integer", "label": "Quotient familial", "required": True,
                 "source": {**FROM_FRANCECONNECT, "datum": "family_quotient"}},
                {"id": "etudiant", "type": "yes_no", "label": "Êtes-vous étudiant ?",
                 "source": {**FROM_FRANCECONNECT, "datum": "student_status"}},
            ],
        },
    ],
    "eligibility": [
        {"condition": {"all": [{"field": "qf", "op": "gt", "value": 800}]},
         "message": "Le tarif réduit est réservé aux familles dont le quotient familial ne dépasse pas 800 €."},
    ],
}  # fmt: skip


@pytest.fixture
def sources(settings):
    with stand_in_api_entreprise() as entreprise, stand_in_api_particulier() as particulier:
        settings.GUICHET_API_ENTREPRISE_URL, settings.GUICHET_API_ENTREPRISE_TOKEN = entreprise.url, entreprise.token
        settings.GUICHET_API_PARTICULIER_URL, settings.GUICHET_API_PARTICULIER_TOKEN = (
            particulier.url,
            particulier.token,
        )
        settings.GUICHET_API_ENTREPRISE_TIMEOUT = settings.GUICHET_API_PARTICULIER_TIMEOUT = 0.5
        yield entreprise, particulier


@pytest.fixture
def dossier(client):
    procedure = ProcedureFactory(draft_definition=DEFINITION, title="Aide aux commerces")
    applicant = UserFactory()
    client.force_login(applicant)
    client.post(reverse("usager:dossier_start", args=[procedure.slug]), {"cle": str(uuid.uuid4())})
    return Dossier.objects.get(applicant=applicant)


def page(dossier, number=1):
    return reverse("usager:dossier_page", args=[dossier.pk, number])


def check_siret(client, dossier, siret=BOULANGERIE, **extra):
    return client.post(page(dossier), {"siret": siret, "_source": "siret"}, **extra)


def test_the_siret_fills_certified_fields_without_javascript(client, sources, dossier):
    entreprise, _particulier = sources
    response = check_siret(client, dossier, siret="123 456 709 00013")
    assert response.status_code == 302 and response["Location"].endswith("#champ-siret")
    shown = client.get(response["Location"]).content.decode()
    assert "Les informations de l’établissement ont été récupérées auprès d’API Entreprise" in shown
    assert "BOULANGERIE DES TROIS MOULINS" in shown and "Donnée certifiée" in shown
    assert 'name="nom"' not in shown  # shown, not an input
    dossier.refresh_from_db()
    assert dossier.answers["nom"] == "BOULANGERIE DES TROIS MOULINS" and dossier.answers["etat"] == "Ouvert"
    assert dossier.answers["adresse"] == "12 RUE DES MOULINS\n69002 LYON"
    row = SourcedValue.objects.get(dossier=dossier, field_id="nom")
    assert (row.outcome, row.provider, row.subject) == (SourceOutcome.CERTIFIED, "api_entreprise", BOULANGERIE)
    asked = entreprise.requests[-1]["query"]
    assert asked["recipient"] == [dossier.procedure.organisation.siret] and asked["object"] == ["Aide aux commerces"]
    assert AuditEvent.objects.filter(action=AuditAction.DOSSIER_SOURCE_FETCH, object_id=str(dossier.pk)).exists()


def test_certified_data_cannot_be_changed_but_follows_the_siret(client, sources, dossier):
    entreprise, _particulier = sources
    check_siret(client, dossier)
    check_siret(client, dossier)  # a second click asks nothing again: the rate limits are the organisation's
    assert len(entreprise.requests) == 1
    client.post(page(dossier), {"siret": BOULANGERIE, "nom": "UNE AUTRE SOCIÉTÉ", "etat": "Fermé"})
    dossier.refresh_from_db()
    assert (dossier.answers["nom"], dossier.answers["etat"]) == ("BOULANGERIE DES TROIS MOULINS", "Ouvert")
    # Another SIRET: the former company's data is no longer certified, nor kept.
    client.post(page(dossier), {"siret": "12345671700016", "_save": "1"})
    dossier.refresh_from_db()
    assert "nom" not in dossier.answers and not SourcedValue.objects.filter(dossier=dossier).exists()
    check_siret(client, dossier, siret="12345671700016")
    dossier.refresh_from_db()
    assert (dossier.answers["nom"], dossier.answers["etat"]) == ("ATELIER NUMERIQUE DU LITTORAL", "Fermé")


def test_with_htmx_the_fields_come_back_filled(client, sources, dossier):
    # htmx sends the form's values with the button's, the form's hx-vals (`_refresh`) inherited.
    response = client.post(
        page(dossier), {"siret": BOULANGERIE, "_source": "siret", "_refresh": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fields = response.content.decode()
    assert fields.startswith('<div id="formengine-fields">') or 'id="formengine-fields"' in fields
    assert "BOULANGERIE DES TROIS MOULINS" in fields and "fr-alert--success" in fields


@pytest.mark.parametrize(
    ("failure", "outcome", "reason"),
    [
        ("unknown", SourceOutcome.NOT_FOUND, "introuvable dans API Entreprise"),
        ("down", SourceOutcome.UNAVAILABLE, "API Entreprise indisponible"),
        ("slow", SourceOutcome.TIMEOUT, "API Entreprise trop lent à répondre"),
        ("rate_limited", SourceOutcome.RATE_LIMITED, "API Entreprise saturé"),
        ("token", SourceOutcome.REFUSED, "accès à API Entreprise refusé"),
    ],
)
def test_whatever_the_source_does_the_applicant_types_and_goes_on(
    client, sources, dossier, settings, failure, outcome, reason
):
    entreprise, _particulier = sources
    siret = "12345673300013" if failure == "unknown" else BOULANGERIE
    if failure in {"down", "slow"}:
        entreprise.script = [failure]
    if failure == "rate_limited":
        entreprise.rate_limit = 0
    if failure == "token":
        settings.GUICHET_API_ENTREPRISE_TOKEN = "expired"
    response = check_siret(client, dossier, siret=siret)
    shown = client.get(response["Location"]).content.decode()
    assert "remplissez les champs vous-même" in shown and 'name="nom"' in shown
    assert "n’ont pas pu être récupérées automatiquement" in shown
    assert SourcedValue.objects.get(dossier=dossier, field_id="nom").outcome == outcome
    typed = {"siret": siret, "nom": "Boulangerie Durand", "adresse": "1 rue Haute", "etat": "Ouvert"}
    assert client.post(page(dossier), typed)["Location"] == page(dossier, 2)  # never blocked
    dossier.refresh_from_db()
    assert dossier.answers["nom"] == "Boulangerie Durand"
    instructor = instructor_of(dossier.procedure)
    client.post(page(dossier, 2), {"qf": "650"})
    client.post(reverse("usager:dossier_summary", args=[dossier.pk]))
    client.force_login(instructor)
    detail = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert f"Donnée saisie par l’usager : {reason}" in detail


def test_instructors_read_where_certified_data_comes_from(client, sources, dossier):
    check_siret(client, dossier)
    client.post(page(dossier, 2), {"qf": "650"})
    client.post(reverse("usager:dossier_summary", args=[dossier.pk]))
    dossier.refresh_from_db()
    assert dossier.number
    client.force_login(instructor_of(dossier.procedure))
    detail = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Donnée issue d’API Entreprise, le " in detail and "BOULANGERIE DES TROIS MOULINS" in detail


def franceconnected(dossier):
    FranceConnectIdentity.objects.create(
        user=dossier.applicant, sub="fc-martin", given_name="CAMILLE ANNE", family_name="MARTIN",
        birthdate=dt.date(1988, 3, 14), birthplace="45234", birthcountry="99100", gender="female",
    )  # fmt: skip


def test_api_particulier_asks_consent_then_fills_and_answers_eligibility(client, sources, dossier):
    _entreprise, particulier = sources
    franceconnected(dossier)
    shown = client.get(page(dossier, 2)).content.decode()
    assert CONSENT in shown and "Récupérer mes informations" in shown
    response = client.post(page(dossier, 2), {"_source": "api_particulier"})
    assert "cochez la case" in client.get(response["Location"]).content.decode()
    assert particulier.requests == []  # nothing asked without consent
    client.post(page(dossier, 2), {"_source": "api_particulier", "_consent": "1"})
    dossier.refresh_from_db()
    assert dossier.answers["qf"] == 850 and dossier.answers["etudiant"] in {True, False}
    row = SourcedValue.objects.get(dossier=dossier, field_id="qf")
    assert row.certified and row.consent == CONSENT
    assert particulier.requests[0]["query"]["recipient"] == [dossier.procedure.organisation.siret]
    assert particulier.requests[0]["query"]["sexeEtatCivil"] == ["F"]
    client.post(page(dossier, 2), {"qf": "400"})  # ignored: certified
    summary = client.get(reverse("usager:dossier_summary", args=[dossier.pk])).content.decode()
    assert "ne dépasse pas 800" in summary and "Donnée issue d’API Particulier" in summary


def test_without_franceconnect_the_applicant_types_the_data(client, sources, dossier):
    _entreprise, particulier = sources
    client.post(page(dossier, 2), {"_source": "api_particulier", "_consent": "1"})
    assert particulier.requests == []
    assert SourcedValue.objects.get(dossier=dossier, field_id="qf").outcome == SourceOutcome.NO_IDENTITY
    client.post(page(dossier, 2), {"qf": "640"})
    dossier.refresh_from_db()
    assert dossier.answers["qf"] == "640"


def test_without_any_source_configured_the_fields_are_typed(client, dossier):
    response = check_siret(client, dossier)
    assert "remplissez les champs vous-même" in client.get(response["Location"]).content.decode()
    assert SourcedValue.objects.get(dossier=dossier, field_id="nom").outcome == SourceOutcome.NOT_CONFIGURED


def test_an_invalid_siret_is_not_sent(client, sources, dossier):
    entreprise, _particulier = sources
    response = check_siret(client, dossier, siret="123 456 789")
    assert "Saisissez un numéro SIRET valide" in client.get(response["Location"]).content.decode()
    assert entreprise.requests == [] and not SourcedValue.objects.filter(dossier=dossier).exists()


EMPLOI = {
    "pages": [
        {
            "id": "emploi",
            "title": "Votre situation",
            "fields": [
                {"id": "inscrit", "type": "yes_no", "label": "Êtes-vous inscrit à France Travail ?",
                 "source": {"provider": "api_particulier", "datum": "job_seeker_status",
                            "consent": "J’accepte que la mairie vérifie mon inscription auprès de France Travail."}},
            ],
        },
    ],
}  # fmt: skip


def test_the_job_seeker_status_is_asked_with_the_france_travail_identifier(client, sources):
    """France Travail's status is published only by identifier: the page asks it beside the consent,
    checks its form before sending anything, and keeps nothing of it but the answer."""
    _entreprise, particulier = sources
    procedure = ProcedureFactory(draft_definition=EMPLOI, title="Tarif solidaire")
    applicant = UserFactory()
    client.force_login(applicant)
    client.post(reverse("usager:dossier_start", args=[procedure.slug]), {"cle": str(uuid.uuid4())})
    dossier = Dossier.objects.get(applicant=applicant)
    franceconnected(dossier)
    shown = client.get(page(dossier)).content.decode()
    assert "Votre identifiant France Travail" in shown and 'name="_identifiant_france_travail"' in shown
    asked = {"_source": "api_particulier", "_consent": "1"}
    response = client.post(page(dossier), {**asked, "_identifiant_france_travail": "12-34"})
    assert "se compose de 7 à 11 chiffres et lettres" in client.get(response["Location"]).content.decode()
    assert particulier.requests == []
    client.post(page(dossier), {**asked, "_identifiant_france_travail": " 1234567a "})
    assert particulier.requests[-1]["query"]["identifiant"] == ["1234567A"]
    row = SourcedValue.objects.get(dossier=dossier, field_id="inscrit")
    assert row.certified and "1234567A" not in str(row.value) + row.subject


def test_a_429_pauses_the_organisations_calls_until_retry_after(client, sources, dossier):
    """The token's limit is the organisation's: once the source said 429, the next applicants of
    the organisation type their data without the source being asked again until `Retry-After`."""
    entreprise, _particulier = sources
    entreprise.rate_limit = 0
    check_siret(client, dossier)
    assert len(entreprise.requests) == 1
    entreprise.rate_limit = 250
    other = DossierFactory(procedure=dossier.procedure, answers={})
    client.force_login(other.applicant)
    check_siret(client, other)
    assert len(entreprise.requests) == 1  # not asked: paused
    assert SourcedValue.objects.get(dossier=other, field_id="nom").outcome == SourceOutcome.RATE_LIMITED
