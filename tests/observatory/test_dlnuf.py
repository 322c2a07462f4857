"""« Dites-le-nous une fois » computed from the published forms (decision 0033): the data a form asks
although the state holds them, and the share of its questions filled from a data source; no longer
typed for a procedure that is in Guichet."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guichet.observatory.aggregation import observatory_aggregate
from guichet.observatory.models import ProcedureQuality, ProgrammeEntry
from guichet.observatory.services import programme_entry_update
from guichet.procedures.field_sources import form_sources_use
from guichet.procedures.selectors import version_form
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db

FROM_SIRET = {"provider": "api_entreprise", "siret_field": "siret"}
COMPANY = {
    "pages": [
        {
            "id": "entreprise",
            "title": "Entreprise",
            "fields": [
                {"id": "intro", "type": "explanation", "label": "À savoir", "text": "Bonjour."},
                {"id": "siret", "type": "siret", "label": "SIRET"},
                {
                    "id": "nom",
                    "type": "text",
                    "label": "Raison sociale",
                    "source": {**FROM_SIRET, "datum": "legal_name"},
                },
                {"id": "adresse", "type": "textarea", "label": "Adresse", "source": {**FROM_SIRET, "datum": "address"}},
                {"id": "prenom", "type": "text", "label": "Votre prénom", "autocomplete": "given-name"},
            ],
        }
    ]
}
TYPED = {
    "pages": [
        {
            "id": "entreprise",
            "title": "Entreprise",
            "fields": [
                {"id": "siret", "type": "siret", "label": "SIRET"},
                {"id": "nom", "type": "text", "label": "Raison sociale", "autocomplete": "organization"},
                {"id": "prenom", "type": "text", "label": "Prénom", "autocomplete": "given-name"},
                {"id": "nom-famille", "type": "text", "label": "Nom", "autocomplete": "family-name"},
                {"id": "naissance", "type": "date", "label": "Date de naissance", "autocomplete": "bday"},
                {"id": "objet", "type": "text", "label": "Objet"},
            ],
        }
    ]
}  # fmt: skip


def test_a_form_counts_what_it_asks_although_the_state_holds_it():
    sourced = form_sources_use(version_form(ProcedureFactory(draft_definition=COMPANY).latest_version.pk))
    assert (sourced.questions, sourced.sourced, sourced.held_asked) == (4, 2, 1)
    assert sourced.sourced_share_pct == 50.0
    typed = form_sources_use(version_form(ProcedureFactory(draft_definition=TYPED).latest_version.pk))
    assert (typed.sourced, typed.held_asked, typed.sourced_share_pct) == (0, 4, 0.0)


def test_the_observatory_computes_it_per_procedure_and_shows_it(client, organisation):
    good = ProcedureFactory(organisation=organisation, draft_definition=COMPANY, title="Aide aux commerces")
    poor = ProcedureFactory(organisation=organisation, draft_definition=TYPED, title="Licence de débit de boissons")
    observatory_aggregate()
    qualities = {q.entry.procedure_id: q for q in ProcedureQuality.objects.select_related("entry")}
    assert (qualities[good.pk].dlnuf_count, qualities[good.pk].sourced_share_pct) == (1, 50.0)
    assert (qualities[poor.pk].dlnuf_count, qualities[poor.pk].sourced_share_pct) == (4, 0.0)
    html = client.get(reverse("observatoire:quality")).content.decode()
    assert "1 donnée déjà détenue ; 50 % des champs préremplis" in html
    assert "4 données déjà détenues" in html


def test_it_is_no_longer_typed_for_a_procedure_in_guichet(client, organisation, steering):
    procedure = ProcedureFactory(organisation=organisation, draft_definition=COMPANY)
    observatory_aggregate()
    entry = ProgrammeEntry.objects.get(procedure=procedure)
    with pytest.raises(ValidationError, match="calculé"):
        programme_entry_update(actor=steering, entry=entry, dlnuf_count=0)
    programme_entry_update(actor=steering, entry=entry, rgaa_rate=Decimal("90"))  # the rest stays declared
    client.force_login(steering)
    form = client.get(reverse("observatoire:entry_edit", args=[entry.pk])).content.decode()
    assert "Taux de conformité RGAA déclaré" in form and 'name="dlnuf_count"' not in form
