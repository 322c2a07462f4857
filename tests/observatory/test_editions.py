"""Quarterly editions of the quality table, as the state's observatory publishes them: each run
updates the current quarter's edition, past quarters stay as they were published (their declared
values too); the pages show the latest by default and let anyone pick an earlier one, and the open
data carry the edition."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guichet.observatory import indicators as ind
from guichet.observatory.aggregation import observatory_aggregate
from guichet.observatory.models import Phase, ProcedureQuality, ProgrammeEntry
from guichet.procedures.models import Procedure, ProcedureVersion
from tests.factories import ProcedureFactory, ProgrammeEntryFactory
from tests.observatory.test_aggregation import Dossiers, at

pytestmark = pytest.mark.django_db

SUMMER_RUN = at(2026, 9, 20)  # the third quarter
AUTUMN_RUN = at(2026, 11, 10)  # the fourth
LATER_RUN = at(2026, 11, 20)


@pytest.fixture
def two_editions(organisation):
    """120 happy opinions and an RGAA rate of 100 % in the summer; in the autumn, 120 unhappy
    opinions more and a rate declared down to 40 %."""
    procedure = ProcedureFactory(organisation=organisation, title="Demande d’acte de naissance")
    Procedure.objects.filter(pk=procedure.pk).update(published_at=at(2025, 1, 6))
    ProgrammeEntryFactory(organisation=organisation, title="Inscription à la cantine", phase=Phase.BUILD)
    data = Dossiers(procedure)
    for day in range(120):
        data.opinion(at_=at(2026, 8, 1) + datetime.timedelta(hours=day), overall=10)
    observatory_aggregate(now=SUMMER_RUN)
    entry = ProgrammeEntry.objects.get(procedure=procedure)
    ProgrammeEntry.objects.filter(pk=entry.pk).update(rgaa_rate=Decimal("100"))
    observatory_aggregate(now=SUMMER_RUN + datetime.timedelta(days=2))  # the quarter's last run
    for day in range(120):
        data.opinion(at_=at(2026, 10, 1) + datetime.timedelta(hours=day), overall=0)
    ProgrammeEntry.objects.filter(pk=entry.pk).update(rgaa_rate=Decimal("40"))
    # A new version asks the applicant's names again: « Dites-le-nous une fois » is computed from it.
    asked = [{"id": p, "type": "text", "label": p, "autocomplete": p} for p in ("given-name", "family-name")]
    ProcedureVersion.objects.create(
        procedure=procedure, number=2, definition={"pages": [{"id": "p", "title": "P", "fields": asked}]},
        published_at=at(2026, 10, 1),
    )  # fmt: skip
    observatory_aggregate(now=AUTUMN_RUN)
    return {"entry": entry, "data": data}


def test_editions_are_quarters():
    assert ind.edition_of(datetime.date(2026, 3, 31)) == "2026-T1"
    assert ind.edition_of(datetime.date(2026, 4, 1)) == "2026-T2"
    assert ind.edition_of(datetime.date(2026, 12, 31)) == "2026-T4"
    assert ind.edition_label("2026-T1") == "1er trimestre 2026"
    assert ind.edition_label("2026-T4") == "4e trimestre 2026"
    assert ind.is_edition("2026-T4") and not ind.is_edition("2026-T5") and not ind.is_edition("2026-Q4")


def test_a_run_updates_the_current_quarter_and_leaves_the_past_ones(two_editions):
    entry, data = two_editions["entry"], two_editions["data"]
    summer = ProcedureQuality.objects.get(entry=entry, edition="2026-T3")
    autumn = ProcedureQuality.objects.get(entry=entry, edition="2026-T4")
    assert (summer.opinions_count, summer.satisfaction, summer.rgaa_rate) == (120, 10.0, Decimal("100"))
    assert (autumn.opinions_count, autumn.satisfaction, autumn.rgaa_rate) == (240, 5.0, Decimal("40"))
    frozen = list(ProcedureQuality.objects.filter(edition="2026-T3").values())

    data.opinion(at_=at(2026, 11, 15), overall=10)
    observatory_aggregate(now=LATER_RUN)

    assert list(ProcedureQuality.objects.filter(edition="2026-T3").values()) == frozen
    autumn = ProcedureQuality.objects.get(entry=entry, edition="2026-T4")
    assert autumn.opinions_count == 241 and autumn.computed_at == LATER_RUN
    assert ProcedureQuality.objects.filter(entry=entry).count() == 2


def page(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "dossiers_dossier" not in sql and "dossiers_opinion" not in sql
    return response.content.decode()


def test_the_quality_table_shows_the_latest_edition_and_lets_people_pick_another(client, two_editions):
    html = page(client, reverse("observatoire:quality"))
    assert '<select class="fr-select" id="edition" name="edition">' in html  # a plain GET form, no script
    assert '<option value="2026-T4" selected>4e trimestre 2026 (en cours)</option>' in html
    assert '<option value="2026-T3">3e trimestre 2026</option>' in html
    assert "édition du 4e trimestre 2026" in html and "40 %" in html and "2 données déjà détenues" in html
    assert "Inscription à la cantine" in html  # the current edition lists the whole programme
    assert "Vous consultez l’édition du" not in html

    past = page(client, reverse("observatoire:quality") + "?edition=2026-T3")
    assert '<option value="2026-T3" selected>3e trimestre 2026</option>' in past
    assert "Vous consultez l’édition du 3e trimestre 2026" in past
    # As it was published: the rate declared then, no data already held, the summer's opinions.
    assert "100 %" in past and "40 %" not in past and "Aucune donnée déjà détenue" in past
    assert "Inscription à la cantine" not in past  # not computed then: not in Guichet
    # The procedure's link and the downloads keep the edition.
    assert reverse("observatoire:entry_detail", args=[two_editions["entry"].pk]) + "?edition=2026-T3" in past
    assert reverse("observatoire:quality_download", args=["csv"]) + "?edition=2026-T3" in past


def test_a_procedures_page_by_edition(client, two_editions):
    url = reverse("observatoire:entry_detail", args=[two_editions["entry"].pk])
    html = page(client, url)
    assert "sur 240 avis d’usagers" in html and "Indicateurs de qualité : édition du 4e trimestre 2026" in html
    past = page(client, url + "?edition=2026-T3")
    assert "sur 120 avis d’usagers" in past and "Vous consultez l’édition du 3e trimestre 2026" in past
    assert "100 %" in past
    # The monthly history is the same whatever the edition.
    assert "<caption>Dépôts, décisions, délais et satisfaction par mois</caption>" in past

    # A procedure not yet online has no edition of its own: its page says which one it is in.
    cantine = ProgrammeEntry.objects.get(title="Inscription à la cantine")
    html = page(client, reverse("observatoire:entry_detail", args=[cantine.pk]))
    assert "Indicateurs de qualité : édition du 4e trimestre 2026" in html and 'name="edition"' not in html
    assert (
        client.get(reverse("observatoire:entry_detail", args=[cantine.pk]), {"edition": "2026-T3"}).status_code == 404
    )


def test_an_edition_that_does_not_exist_is_404(client, two_editions):
    procedure_page = reverse("observatoire:entry_detail", args=[two_editions["entry"].pk])
    for edition in ("2025-T1", "2026-T9", "n’importe quoi"):
        for url in (reverse("observatoire:quality"), procedure_page, "/api/v1/observatory/quality"):
            assert client.get(url, {"edition": edition}).status_code == 404, (url, edition)
        assert (
            client.get(reverse("observatoire:quality_download", args=["csv"]), {"edition": edition}).status_code == 404
        )
    # « toutes » is for the downloads only: a page shows one edition.
    assert client.get(reverse("observatoire:quality"), {"edition": "toutes"}).status_code == 404


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_open_data_carry_the_edition(client, two_editions):
    url = reverse("observatoire:quality_download", args=["csv"])
    latest = rows_of(client.get(url))
    assert {row["edition"] for row in latest} == {"2026-T4"} and len(latest) == 2
    birth = next(row for row in latest if row["title"] == "Demande d’acte de naissance")
    assert (birth["satisfaction_value"], birth["handicap_value"], birth["opinions_count"]) == ("5.0", "40.0", "240")

    (summer,) = rows_of(client.get(url, {"edition": "2026-T3"}))
    assert summer["edition"] == "2026-T3"
    assert (summer["satisfaction_value"], summer["satisfaction_color"], summer["handicap_color"]) == (
        "10.0",
        "green",
        "green",
    )

    every = rows_of(client.get(url, {"edition": "toutes"}))
    assert [(row["edition"], row["title"]) for row in every] == [
        ("2026-T4", "Demande d’acte de naissance"),
        ("2026-T4", "Inscription à la cantine"),
        ("2026-T3", "Demande d’acte de naissance"),
    ]

    # The API answers the same rows as the JSON download, edition by edition.
    for edition in ("", "2026-T3", "toutes"):
        through_api = client.get("/api/v1/observatory/quality", {"edition": edition} if edition else {})
        downloaded = client.get(reverse("observatoire:quality_download", args=["json"]), {"edition": edition})
        assert through_api.json()["rows"] == json.loads(downloaded.content)["rows"], edition
