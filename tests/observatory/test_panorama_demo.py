"""The demo's panorama: the seeds' projects with their figures, in two editions whose drifts show."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guichet.observatory.models import PanoramaEdition, ProjectRecord
from guichet.observatory.panorama import selectors as pano

pytestmark = pytest.mark.django_db

SEEDS = {
    "Chorus Pro": Decimal("25"),
    "Comedec": Decimal("21"),
    "Homère": Decimal("3.3"),
    "Livret scolaire unique": Decimal("2"),
    "Desta": Decimal("13.3"),
    "PIB/Mistral": Decimal("26.6"),
}


def test_the_demo_panorama_has_two_editions_with_drifts(client, demo):
    first, summer = PanoramaEdition.objects.filter(status="published").order_by("published_on")
    records = {record.name: record for record in first.records.all()}
    assert {name: record.cost_current_meur for name, record in records.items()} == SEEDS
    comedec = records["Comedec"]
    assert (comedec.start_date.year, comedec.duration_current_years) == (2008, Decimal("13"))
    assert records["Homère"].start_date.isoformat() == "2009-09-01"
    assert records["Livret scolaire unique"].duration_current_years == Decimal("3.6")
    assert records["Desta"].get_phase_display() == "Conception / Réalisation"
    assert records["PIB/Mistral"].duration_current_years == Decimal("8")
    assert comedec.procedure_slugs == ["copie-integrale-acte-de-naissance"]

    headline = pano.edition_headline(summer)
    assert headline.count == 6 and headline.mean_budget_drift > 0 and headline.mean_schedule_drift > 0
    assert pano.edition_headline(first).mean_budget_drift == 0
    assert ProjectRecord.objects.get(edition=summer, name="Comedec").cost_current_meur == Decimal("23.5")

    html = client.get(reverse("observatoire:panorama")).content.decode()
    assert "Édition de l’été 2017" in html and "Édition de février 2017" in html
    assert "Comedec" in html and "+11,9 %" in html  # Comedec's cost since February: 21 → 23.5
