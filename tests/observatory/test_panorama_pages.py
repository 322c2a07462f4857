"""The panorama's pages: anyone reads any published edition without JavaScript, each edition
downloads as CSV and JSON with its documented columns, and only the steering team edits."""

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import OrganisationRole
from guichet.core.models import AuditAction, AuditEvent
from guichet.observatory.models import DigitalProject, PanoramaEdition
from guichet.observatory.panorama import columns
from tests.factories import OrganisationFactory, UserFactory

from .panorama_fixtures import two_editions

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs" / "open-data.md"


@pytest.fixture
def world(organisation):
    return two_editions(organisation)


def _content(html: str) -> str:
    """The page's main content, without the layout (which has its own scripts)."""
    return html.split('id="contenu"', 1)[-1].split("</main>", 1)[0]


def test_the_latest_edition_shows_without_javascript(client, world):
    html = client.get(reverse("observatoire:panorama")).content.decode()
    main = _content(html)
    assert "Édition de juillet 2026" in main
    assert "<script" not in main and "dsfr-chart" not in html  # nothing needs a script
    assert main.count('data-testid="svg-chart"') == 5  # cost and drifts per project, two across editions
    assert '<select class="fr-select" id="edition" name="edition">' in main  # a plain GET form
    figures = main.split('data-testid="panorama-figures"')[1].split("</ul>")[0]
    assert (
        '>2</p><p class="fr-tile__desc">projets' in figures and "21,0 M€" in figures and "+35,0 %" in figures
    )  # mean budget drift
    projects = main.split('data-testid="panorama-projects"')[1].split("</table>")[0]
    assert "Alpha" in projects and "Gamma" in projects and "Beta" not in projects
    assert "+25,0 %" in projects  # Alpha's cost since the previous edition
    assert "Beta" in main.split('data-testid="panorama-left"')[1]
    evolution = main.split('data-testid="panorama-evolution"')[1].split("</table>")[0]
    assert evolution.index("Édition de février 2026") < evolution.index("Édition de juillet 2026")


def test_a_past_edition_shows_as_it_was_published(client, world):
    url = reverse("observatoire:panorama")
    main = _content(client.get(url, {"edition": world["first"].pk}).content.decode())
    assert 'data-testid="past-edition"' in main
    projects = main.split('data-testid="panorama-projects"')[1].split("</table>")[0]
    assert "Beta" in projects and "Gamma" not in projects
    assert "30,0 M€" in main.split('data-testid="panorama-figures"')[1].split("</ul>")[0]
    assert client.get(url, {"edition": "999"}).status_code == 404
    draft = PanoramaEdition.objects.create(
        organisation=world["first"].organisation, title="Brouillon", published_on="2027-02-28"
    )
    assert client.get(url, {"edition": draft.pk}).status_code == 404  # a draft is not public


def test_a_project_page_reads_the_edition_chosen(client, world):
    alpha = world["alpha"]
    url = reverse("observatoire:panorama_project", args=[alpha.pk])
    latest = _content(client.get(url).content.decode())
    assert "15,0 M€" in latest.split('data-testid="panorama-project-values"')[1].split("</dl>")[0]
    history = latest.split('data-testid="panorama-project-history"')[1]
    assert "12,0 M€" in history and "15,0 M€" in history
    first = _content(client.get(url, {"edition": world["first"].pk}).content.decode())
    assert "12,0 M€" in first.split('data-testid="panorama-project-values"')[1].split("</dl>")[0]
    assert (
        client.get(
            reverse("observatoire:panorama_project", args=[world["gamma"].pk]), {"edition": world["first"].pk}
        ).status_code
        == 404
    )
    never = DigitalProject.objects.create(
        organisation=alpha.organisation, name="Jamais publié", ministry_code="X", ministry_name="X", phase="build",
        inclusion_criterion="cost",
    )  # fmt: skip
    assert client.get(reverse("observatoire:panorama_project", args=[never.pk])).status_code == 404


def test_each_edition_downloads_with_the_published_columns(client, world):
    url = reverse("observatoire:panorama_download", args=["csv"])
    response = client.get(url, {"edition": world["first"].pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [column.name for column in columns.PANORAMA.columns]
    alpha = next(row for row in rows if row["projet"] == "Alpha")
    assert (alpha["cout_meuros"], alpha["derive_budget"], alpha["interministeriel"]) == ("12.0", "0.2", "true")
    assert {row["projet"] for row in rows} == {"Alpha", "Beta"}
    document = json.loads(client.get(reverse("observatoire:panorama_download", args=["json"])).content)
    assert document["table"] == "panorama"
    gamma = next(row for row in document["rows"] if row["projet"] == "Gamma")
    assert gamma["evolution_cout_edition_precedente"] is None and gamma["date_publication"] == "2026-07-31"
    alpha = next(row for row in document["rows"] if row["projet"] == "Alpha")
    assert alpha["evolution_cout_premiere_edition"] == 0.25 and alpha["tranche_budgetaire"] == "9-20"
    every = client.get(url, {"edition": "toutes"}).content.decode()
    assert sorted((row["edition"], row["projet"]) for row in csv.DictReader(io.StringIO(every))) == sorted(
        (str(edition.pk), name)
        for edition, names in ((world["first"], ("Alpha", "Beta")), (world["second"], ("Alpha", "Gamma")))
        for name in names
    )
    figures = client.get(reverse("observatoire:panorama_editions_download", args=["csv"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(figures)))
    assert [row["nombre_projets"] for row in rows] == ["2", "2"]
    assert [row["derive_budget_moyenne"] for row in rows] == ["0.35", "0.05"]


def test_every_panorama_column_is_documented():
    text = DOCS.read_text()
    for table in columns.TABLES:
        assert f"## `{table.slug}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text, column.name


# --- The steering team -----------------------------------------------------------------------


def _steering_urls(world) -> dict[str, str]:
    return {
        "espace": reverse("observatoire:panorama_steering"),
        "nouveau projet": reverse("observatoire:panorama_project_create"),
        "projet": reverse("observatoire:panorama_project_edit", args=[world["alpha"].pk]),
        "import": reverse("observatoire:panorama_import"),
        "nouvelle édition": reverse("observatoire:panorama_edition_create"),
        "édition": reverse("observatoire:panorama_edition", args=[world["second"].pk]),
        "publier": reverse("observatoire:panorama_publish", args=[world["second"].pk]),
    }


def test_only_the_steering_role_reaches_the_panorama_steering(client, world, organisation):
    for name, url in _steering_urls(world).items():
        response = client.post(url, {})
        assert response.status_code == 302 and "/compte/" in response["Location"], name
    administrator = UserFactory()
    OrganisationRole.objects.create(
        user=administrator, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    for person in (UserFactory(), administrator):
        client.force_login(person)
        for name, url in _steering_urls(world).items():
            assert client.post(url, {"name": "Piraté"}).status_code == 403, name
    other = UserFactory()
    OrganisationRole.objects.create(user=other, organisation=OrganisationFactory(), role=OrganisationRole.Role.STEERING)
    client.force_login(other)
    urls = _steering_urls(world)
    for name in ("projet", "édition", "publier"):
        assert client.post(urls[name], {}).status_code == 404, name
    assert DigitalProject.objects.filter(name="Piraté").count() == 0


def _project_data(organisation, **values) -> dict:
    return {
        "organisation": organisation.pk, "ministry_code": "MJ", "ministry_name": "Ministère de la Justice",
        "name": "Delta", "phase": "framing", "inclusion_criterion": "impact", "listed": "on",
        "cost_initial_meur": "9,5", "cost_current_meur": "11", "duration_initial_years": "3",
        "duration_current_years": "4", "start_date": "01/09/2025", **values,
    }  # fmt: skip


def test_steering_adds_a_project_and_publishes_an_edition(client, world, organisation, steering):
    client.force_login(steering)
    response = client.post(reverse("observatoire:panorama_project_create"), _project_data(organisation))
    assert response.status_code == 302
    delta = DigitalProject.objects.get(name="Delta")
    assert str(delta.cost_initial_meur) == "9.50" and delta.start_date.isoformat() == "2025-09-01"
    assert AuditEvent.objects.filter(action=AuditAction.PANORAMA_PROJECT_CREATE, actor=steering).exists()

    response = client.post(
        reverse("observatoire:panorama_edition_create"),
        {"organisation": organisation.pk, "title": "Édition de novembre 2026", "published_on": "30/11/2026"},
    )
    edition = PanoramaEdition.objects.get(title="Édition de novembre 2026")
    assert response["Location"] == reverse("observatoire:panorama_edition", args=[edition.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "Delta" in preview and "Publier l’édition" in preview
    assert client.get(reverse("observatoire:panorama")).content.decode().count("Édition de novembre 2026") == 0

    client.post(reverse("observatoire:panorama_publish", args=[edition.pk]))
    edition.refresh_from_db()
    assert edition.is_published and {record.name for record in edition.records.all()} == {"Alpha", "Gamma", "Delta"}
    page = client.get(reverse("observatoire:panorama_edition", args=[edition.pk])).content.decode()
    assert "Publier l’édition" not in page and "figée" in page
    client.post(
        reverse("observatoire:panorama_edition", args=[edition.pk]), {"title": "Autre", "published_on": "01/12/2026"}
    )
    edition.refresh_from_db()
    assert edition.title == "Édition de novembre 2026"  # a published edition has no form any more
    public = _content(client.get(reverse("observatoire:panorama")).content.decode())
    assert "Édition de novembre 2026" in public and "Delta" in public


def test_steering_imports_a_csv_in_the_published_columns(client, world, organisation, steering):
    client.force_login(steering)
    exported = client.get(reverse("observatoire:panorama_download", args=["csv"])).content.decode()
    # The open data's own file, read back: Alpha's cost changes, a new project is added.
    exported = exported.replace(",15.0,", ",16.5,", 1)
    exported += (
        "\r\n,,,MC,Ministère de la Culture,Epsilon,non,oui,Numériser les archives,,2026-01-15,2,2,Cadrage,1,1,,,,"
        "impact,\r\n"
    )
    upload = io.BytesIO(exported.encode())
    upload.name = "panorama.csv"
    response = client.post(reverse("observatoire:panorama_import"), {"organisation": organisation.pk, "file": upload})
    assert response.status_code == 302
    world["alpha"].refresh_from_db()
    assert str(world["alpha"].cost_current_meur) == "16.50"
    epsilon = DigitalProject.objects.get(name="Epsilon")
    assert epsilon.local_authorities and epsilon.phase == "framing"
    event = AuditEvent.objects.get(action=AuditAction.PANORAMA_IMPORT)
    assert event.actor == steering and event.details["created"] == ["Epsilon"]

    bad = (
        "ministere_porteur;ministere_nom;projet;phase;critere_inclusion;cout_meuros\r\n"
        "MC;Culture;Zeta;Cadrage;impact;12\r\nMC;Culture;Eta;Lancement;impact;beaucoup\r\n"
    )
    upload = io.BytesIO(bad.encode())
    upload.name = "erreurs.csv"
    html = client.post(
        reverse("observatoire:panorama_import"), {"organisation": organisation.pk, "file": upload}
    ).content.decode()
    errors = html.split('data-testid="import-errors"')[1]
    assert "Ligne 3" in errors and "Lancement" in errors and "beaucoup" in errors
    assert re.search(r"Ligne 2", errors) is None
    assert not DigitalProject.objects.filter(name="Zeta").exists()  # all lines or none


def test_the_pages_read_no_dossier_and_few_rows(client, world):
    for url in (reverse("observatoire:panorama"), reverse("observatoire:panorama_project", args=[world["alpha"].pk])):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        assert "dossiers_" not in sql
        assert len(queries.captured_queries) <= 20, url  # a few per edition, none per project


def test_steering_form_errors_are_said_in_french(client, world, organisation, steering):
    client.force_login(steering)
    html = client.post(
        reverse("observatoire:panorama_project_create"), _project_data(organisation, name="Alpha")
    ).content.decode()
    assert "Un projet de ce nom existe déjà dans cette organisation." in html
    html = client.post(
        reverse("observatoire:panorama_edition_create"),
        {"organisation": organisation.pk, "title": "Rattrapage", "published_on": "01/05/2026"},
    ).content.decode()
    assert "doit suivre celle de la dernière édition publiée" in html and 'aria-invalid="true"' in html
    # Saving a project unchanged records no change (15 M€ typed as « 15 » is the stored 15.00).
    alpha = world["alpha"]
    data = _project_data(
        organisation, name="Alpha", ministry_code=alpha.ministry_code, ministry_name=alpha.ministry_name,
        phase=alpha.phase, inclusion_criterion=alpha.inclusion_criterion, cost_initial_meur="10",
        cost_current_meur="15", duration_initial_years="4", duration_current_years="6", start_date="",
    )  # fmt: skip
    data["interministerial"] = "on"
    assert client.post(reverse("observatoire:panorama_project_edit", args=[alpha.pk]), data).status_code == 302
    event = AuditEvent.objects.filter(action=AuditAction.PANORAMA_PROJECT_UPDATE, actor=steering).get()
    assert event.details["changes"] == {}


def test_an_edition_dated_ahead_says_when_it_can_be_published(client, world, organisation, steering):
    client.force_login(steering)
    ahead = timezone.localdate() + datetime.timedelta(days=3)
    edition = PanoramaEdition.objects.create(organisation=organisation, title="Édition à venir", published_on=ahead)
    page = client.get(reverse("observatoire:panorama_edition", args=[edition.pk])).content.decode()
    assert "Publier l’édition" not in page and "elle pourra être publiée ce jour-là" in page
    response = client.post(reverse("observatoire:panorama_publish", args=[edition.pk]), follow=True)
    assert "est à venir" in response.content.decode()
    edition.refresh_from_db()
    assert not edition.is_published
