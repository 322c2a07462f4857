"""The observatory's pages: anyone reads them (without a query on the dossiers), each table
downloads as CSV and JSON with its documented columns, and only the steering team edits."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guichet.accounts.models import OrganisationRole
from guichet.core.models import AuditEvent
from guichet.dossiers.models import Opinion
from guichet.observatory import opendata
from guichet.observatory.aggregation import observatory_aggregate
from guichet.observatory.models import (
    ChannelVolume,
    Computation,
    IndicatorGoal,
    IndicatorValue,
    Phase,
    ProgrammeEntry,
)
from tests.factories import (
    DossierFactory,
    IndicatorFactory,
    OrganisationFactory,
    ProcedureFactory,
    ProgrammeEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs" / "open-data.md"


@pytest.fixture
def world(organisation):
    procedure = ProcedureFactory(organisation=organisation, title="Demande d’acte de naissance")
    dossier = DossierFactory(procedure=procedure, accepted=True)
    Opinion.objects.create(dossier=dossier, procedure=procedure, overall=10, clarity=5)
    not_online = ProgrammeEntryFactory(
        organisation=organisation,
        title="Inscription à la cantine",
        phase=Phase.BUILD,
        yearly_volume=800,
        channels=["paper", "counter"],
        cost_initial_eur=Decimal("100000"),
        cost_current_eur=Decimal("120000"),
        duration_initial_months=10,
        duration_current_months=15,
        rgaa_rate=Decimal("60"),
        dlnuf_count=5,
    )
    observatory_aggregate()
    entry = ProgrammeEntry.objects.get(procedure=procedure)
    indicator = IndicatorFactory(
        organisation=organisation, code="etat-civil", name="Actes d’état civil demandés en ligne", theme="État civil"
    )
    IndicatorGoal.objects.create(
        indicator=indicator, zone="FRANCE", initial_value=80, initial_date=datetime.date(2020, 1, 1),
        target_value=90, target_date=datetime.date(2022, 12, 31),
    )  # fmt: skip
    IndicatorValue.objects.create(indicator=indicator, zone="FRANCE", date=datetime.date(2021, 5, 31), value=87)
    IndicatorValue.objects.create(indicator=indicator, zone="D2A", date=datetime.date(2021, 5, 31), value=70)
    target = IndicatorFactory(
        organisation=organisation, code="top-250", name="Les 250 démarches les plus utilisées en ligne",
        computation=Computation.PROGRAMME_ONLINE_SHARE, scope_top=250,
    )  # fmt: skip
    IndicatorGoal.objects.create(
        indicator=target, zone="FRANCE", initial_value=0, initial_date=datetime.date(2025, 1, 1),
        target_value=100, target_date=datetime.date(2027, 12, 31),
    )  # fmt: skip
    observatory_aggregate()
    return {"entry": entry, "not_online": not_online, "indicator": indicator, "procedure": procedure}


def no_dossier_read(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "dossiers_dossier" not in tables and "dossiers_opinion" not in tables
    return response.content.decode()


def test_quality_table_one_row_per_procedure_with_levels_in_words(client, world):
    html = no_dossier_read(client, reverse("observatoire:quality"))
    assert "Demande d’acte de naissance" in html and "Inscription à la cantine" in html
    assert reverse("observatoire:entry_detail", args=[world["entry"].pk]) in html
    # The cantine is not online: red, said in words; 5 data already held: red; RGAA 60 %: yellow.
    assert 'data-level="red">Insuffisant</p>' in html
    assert "5 données déjà détenues" in html
    assert "60 %" in html
    # One opinion only: satisfaction is gray, and says why.
    assert "Moins de 100 avis (1)" in html
    assert "Indicateurs calculés le" in html
    assert reverse("observatoire:quality_download", args=["csv"]) in html


def test_procedure_page_with_its_monthly_data_table(client, world):
    html = no_dossier_read(client, reverse("observatoire:entry_detail", args=[world["entry"].pk]))
    assert "<caption>Dépôts, décisions, délais et satisfaction par mois</caption>" in html
    assert "Satisfaction des usagers" in html
    assert reverse("observatoire:entry_months_download", args=[world["entry"].pk, "json"]) in html
    assert "Modifier les valeurs déclarées" not in html  # anonymous
    # Its series drawn by DSFR Chart, from our own static files, next to the table.
    assert '<bar-chart x="[[&quot;' in html and 'name="[&quot;Dossiers déposés&quot;, &quot;Décisions&quot;]"' in html
    assert "/static/dsfr-chart/DSFRChart.js" in html


def test_programme_page_headline_figures(client, world):
    html = no_dossier_read(client, reverse("observatoire:programme"))
    assert "50,0 %" in html  # 1 of the 2 procedures is online
    assert "+20,0 %" in html  # the cantine's cost drift, the only one known
    assert "+50,0 %" in html  # its duration drift
    assert "Les 250 démarches les plus utilisées en ligne" in html
    assert "soit 50 % du chemin vers la cible" in html


def test_barometer_page_with_zones_and_history(client, world):
    html = no_dossier_read(client, reverse("observatoire:barometer"))
    assert "Actes d’état civil demandés en ligne" in html
    assert "<caption>Valeurs dans le temps</caption>" in html
    assert "70 %" in html  # 87 from 80 towards 90
    assert "D2A" in html
    assert "<line-chart " in html and "/static/dsfr-chart/DSFRChart.js" in html


def test_unknown_procedure_is_404(client, db):
    assert client.get(reverse("observatoire:entry_detail", args=[999])).status_code == 404


def read_csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_quality_csv_and_json(client, world):
    rows = read_csv(client.get(reverse("observatoire:quality_download", args=["csv"])))
    assert list(rows[0]) == [column.name for column in opendata.QUALITY.columns]
    cantine = next(row for row in rows if row["title"] == "Inscription à la cantine")
    assert (cantine["online_value"], cantine["online_color"], cantine["online_goal_reached"]) == ("no", "red", "false")
    assert (cantine["handicap_value"], cantine["handicap_color"]) == ("60.0", "yellow")
    assert (cantine["dlnuf_value"], cantine["dlnuf_color"]) == ("5", "red")
    assert cantine["volume"] == "800" and cantine["satisfaction_value"] == ""
    document = json.loads(client.get(reverse("observatoire:quality_download", args=["json"])).content)
    assert document["table"] == "qualite"
    online = next(row for row in document["rows"] if row["title"] == "Demande d’acte de naissance")
    assert online["online_value"] == "yes" and online["online_goal_reached"] is True
    assert online["satisfaction_value"] == 10.0 and online["satisfaction_color"] == "gray"
    assert online["guichet_slug"] == world["procedure"].slug


def test_programme_csv_has_the_drifts(client, world):
    rows = read_csv(client.get(reverse("observatoire:programme_download", args=["csv"])))
    cantine = next(row for row in rows if row["demarche"] == "Inscription à la cantine")
    assert (cantine["derive_cout"], cantine["derive_duree"], cantine["phase"]) == ("0.2", "0.5", "build")
    assert cantine["canaux"] == "paper|counter"


def test_barometer_csv_long_format(client, world):
    rows = read_csv(client.get(reverse("observatoire:barometer_download", args=["csv"])))
    france = next(row for row in rows if row["id_indicateur"] == "etat-civil" and row["code_zone"] == "FRANCE")
    assert france["maille_geographique"] == "national"
    assert (france["valeur_actuelle"], france["valeur_initiale"], france["cible"]) == ("87.0", "80.0", "90.0")
    assert (france["pourcentage_progression"], france["date_cible"]) == ("70.0", "2022-12-31")
    corsica = next(row for row in rows if row["code_zone"] == "D2A")
    assert corsica["maille_geographique"] == "departmental" and corsica["cible"] == ""


def test_monthly_json(client, world):
    response = client.get(reverse("observatoire:entry_months_download", args=[world["entry"].pk, "json"]))
    document = json.loads(response.content)
    assert [column["name"] for column in document["columns"]] == [c.name for c in opendata.MONTHS.columns]
    assert sum(row["depots"] for row in document["rows"]) == 1


def test_the_api_serves_the_same_tables_without_a_key(client, world):
    for slug, name in (
        ("quality", "quality_download"),
        ("programme", "programme_download"),
        ("barometer", "barometer_download"),
    ):
        through_api = client.get(f"/api/v1/observatory/{slug}")
        assert through_api.status_code == 200, slug
        downloaded = json.loads(client.get(reverse(f"observatoire:{name}", args=["json"])).content)
        answer = through_api.json()
        assert (answer["table"], answer["columns"], answer["rows"]) == (
            downloaded["table"],
            downloaded["columns"],
            downloaded["rows"],
        ), slug


def test_every_column_is_documented():
    text = DOCS.read_text()
    for table in opendata.TABLES:
        assert f"## `{table.slug}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text, column.name


# --- Edition ----------------------------------------------------------------------------------


def steering_urls(world):
    entry, indicator = world["not_online"].pk, world["indicator"].pk
    return {
        "espace": ("get", reverse("observatoire:steering"), {}),
        "modifier une démarche": ("post", reverse("observatoire:entry_edit", args=[entry]), {}),
        "autres canaux": ("post", reverse("observatoire:volume_record", args=[entry]), {}),
        "nouvelle démarche": ("post", reverse("observatoire:entry_create"), {}),
        "nouvel indicateur": ("post", reverse("observatoire:indicator_create"), {}),
        "indicateur": ("post", reverse("observatoire:indicator_edit", args=[indicator]), {}),
        "cible": ("post", reverse("observatoire:goal_set", args=[indicator]), {}),
        "valeur": ("post", reverse("observatoire:value_record", args=[indicator]), {}),
        "calcul": ("post", reverse("observatoire:aggregation_request"), {}),
    }


def test_anonymous_is_sent_to_sign_in_and_others_are_refused(client, world, organisation):
    for name, (method, url, data) in steering_urls(world).items():
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/compte/" in response["Location"], name
    administrator = UserFactory()
    OrganisationRole.objects.create(
        user=administrator, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    instructor = world["procedure"].instructor_groups.get().members.first()
    for person in (UserFactory(), administrator, instructor):
        client.force_login(person)
        for name, (method, url, data) in steering_urls(world).items():
            # Volumes are also open to instructors: of other procedures, the entry does not exist.
            expected = 404 if name == "autres canaux" else 403
            assert getattr(client, method)(url, data).status_code == expected, name
    assert not AuditEvent.objects.filter(action__startswith="programme_entry.update").exists()


def test_steering_of_another_organisation_gets_404_on_ours(client, world):
    other = UserFactory()
    OrganisationRole.objects.create(user=other, organisation=OrganisationFactory(), role=OrganisationRole.Role.STEERING)
    client.force_login(other)
    assert client.get(reverse("observatoire:steering")).status_code == 200
    urls = steering_urls(world)
    for name in ("modifier une démarche", "autres canaux", "indicateur", "cible", "valeur"):
        assert client.get(urls[name][1]).status_code == 404, name


def test_steering_edits_the_declared_values_and_it_is_audited(client, world, steering, organisation):
    client.force_login(steering)
    html = client.get(reverse("observatoire:steering")).content.decode()
    assert "Inscription à la cantine" in html
    entry = world["not_online"]
    form = client.get(reverse("observatoire:entry_edit", args=[entry.pk])).content.decode()
    assert "Taux de conformité RGAA déclaré (%)" in form
    data = {
        "title": entry.title, "organisation": organisation.pk, "phase": "rollout", "channels": ["paper"],
        "rgaa_rate": "100", "dlnuf_count": "1", "cost_initial_eur": "100000", "cost_current_eur": "90000",
        "duration_initial_months": "10", "duration_current_months": "15",
    }  # fmt: skip
    response = client.post(reverse("observatoire:entry_edit", args=[entry.pk]), data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.phase, entry.rgaa_rate, entry.dlnuf_count, entry.channels) == ("rollout", 100, 1, ["paper"])
    event = AuditEvent.objects.filter(action="programme_entry.update").get()
    assert event.actor == steering and set(event.details["changes"]) >= {"phase", "rgaa_rate", "dlnuf_count"}
    html = client.get(reverse("observatoire:quality")).content.decode()
    assert "Espace pilotage" in html


def test_steering_form_errors_are_shown_next_to_the_field(client, world, steering, organisation):
    client.force_login(steering)
    entry = world["not_online"]
    data = {"title": entry.title, "organisation": organisation.pk, "phase": "build", "rgaa_rate": "140"}
    html = client.post(reverse("observatoire:entry_edit", args=[entry.pk]), data).content.decode()
    assert 'aria-invalid="true"' in html
    entry.refresh_from_db()
    assert entry.rgaa_rate == Decimal("60")


def test_steering_records_other_channels_goals_and_values(client, world, steering):
    client.force_login(steering)
    entry, indicator = world["not_online"], world["indicator"]
    response = client.post(
        reverse("observatoire:volume_record", args=[entry.pk]), {"channel": "paper", "month": "2026-03", "count": "42"}
    )
    assert response.status_code == 302
    assert ChannelVolume.objects.get(entry=entry).count == 42
    bad = client.post(reverse("observatoire:volume_record", args=[entry.pk]), {"channel": "paper", "month": "mars"})
    assert "AAAA-MM" in bad.content.decode()
    response = client.post(
        reverse("observatoire:goal_set", args=[indicator.pk]),
        {"zone": "r53", "initial_value": "50", "initial_date": "2024-01-01", "target_value": "75",
         "target_date": "2026-12-31"},
    )  # fmt: skip
    assert response.status_code == 302
    assert IndicatorGoal.objects.get(indicator=indicator, zone="R53").target_value == 75
    response = client.post(
        reverse("observatoire:value_record", args=[indicator.pk]), {"zone": "R53", "date": "2025-06-30", "value": "60"}
    )
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=indicator, zone="R53").value == 60
    actions = set(AuditEvent.objects.filter(actor=steering).values_list("action", flat=True))
    assert {"channel_volume.record", "indicator.goal_set", "indicator.value_record"} <= actions


def test_steering_creates_an_entry_and_an_indicator(client, world, steering, organisation):
    client.force_login(steering)
    response = client.post(
        reverse("observatoire:entry_create"),
        {"title": "Permis de construire", "organisation": organisation.pk, "phase": "framing"},
    )
    created = ProgrammeEntry.objects.get(title="Permis de construire")
    assert response["Location"] == reverse("observatoire:entry_detail", args=[created.pk])
    response = client.post(
        reverse("observatoire:indicator_create"),
        {"organisation": organisation.pk, "code": "cantine-en-ligne", "name": "Inscriptions en ligne", "unit": "%",
         "direction": "higher", "computation": "procedure_online_share"},
    )  # fmt: skip
    assert "Choisissez la démarche" in response.content.decode()
    response = client.post(
        reverse("observatoire:indicator_create"),
        {"organisation": organisation.pk, "code": "cantine-en-ligne", "name": "Inscriptions en ligne", "unit": "%",
         "direction": "higher", "computation": "procedure_online_share", "entry": created.pk},
    )  # fmt: skip
    assert response.status_code == 302


def test_steering_asks_for_a_new_computation(client, world, steering, django_capture_on_commit_callbacks):
    client.force_login(steering)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("observatoire:aggregation_request"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="observatory.aggregation_request", actor=steering).exists()
    assert client.get(reverse("observatoire:aggregation_request")).status_code == 405


def test_instructors_record_the_other_channels_of_their_procedure(client, world):
    instructor = world["procedure"].instructor_groups.get().members.first()
    client.force_login(instructor)
    entry = world["entry"]
    page = client.get(reverse("observatoire:entry_detail", args=[entry.pk])).content.decode()
    assert "Saisir les demandes des autres canaux" in page
    assert "Modifier les valeurs déclarées" not in page
    form = client.get(reverse("observatoire:volume_record", args=[entry.pk])).content.decode()
    assert "Espace pilotage" not in form  # not theirs
    response = client.post(
        reverse("observatoire:volume_record", args=[entry.pk]), {"channel": "counter", "month": "2026-02", "count": "7"}
    )
    assert response.status_code == 302
    assert ChannelVolume.objects.get(entry=entry, channel="counter").count == 7
    assert AuditEvent.objects.get(action="channel_volume.record").actor == instructor
    assert client.get(reverse("observatoire:entry_edit", args=[entry.pk])).status_code == 403
