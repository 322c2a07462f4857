"""The panorama's drifts are computed on the decimal figures as published (M€, years), exactly,
and rounded half up as a reader rounds them: 80 → 81 M€ is +1.25 %, shown « +1,3 % »."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from guichet.observatory.panorama import selectors as pano
from guichet.observatory.panorama.services import panorama_edition_create, panorama_edition_publish
from guichet.www.templatetags.observatoire import drift_percent, figure, meuros, years

from .panorama_fixtures import FIRST_DAY, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(organisation):
    project(
        organisation, "Alpha",
        duration_initial_years=Decimal("8"), duration_current_years=Decimal("8.1"),
        cost_initial_meur=Decimal("80"), cost_current_meur=Decimal("81"),
    )  # fmt: skip
    project(
        organisation, "Beta",
        duration_initial_years=Decimal("0.1"), duration_current_years=Decimal("0.3"),
        cost_initial_meur=Decimal("0.1"), cost_current_meur=Decimal("0.3"),
    )  # fmt: skip
    project(organisation, "Gamma", cost_initial_meur=Decimal("0"), cost_current_meur=Decimal("4"))
    edition = panorama_edition_create(actor=None, organisation=organisation, title="Février", published_on=FIRST_DAY)
    return panorama_edition_publish(actor=None, edition=edition)


def test_drifts_are_exact_decimals(edition):
    lines = {line.record.name: line for line in pano.edition_lines(edition)}
    assert lines["Alpha"].budget_drift == Decimal("0.0125")
    assert lines["Beta"].budget_drift == Decimal("2")  # not 1.9999999999999998
    assert lines["Gamma"].budget_drift is None  # an initial cost of 0: no drift, no division by zero
    headline = pano.edition_headline(edition)
    assert headline.mean_budget_drift == Decimal("1.00625")  # over the two known drifts
    assert headline.mean_schedule_drift == Decimal("1.00625")
    assert headline.mean_duration_years == Decimal("4.2")


def test_figures_are_rounded_half_up():
    assert drift_percent(Decimal("0.0125")) == "+1,3 %"
    assert drift_percent(Decimal("-0.0125")) == "-1,3 %"
    assert meuros(Decimal("2.25")) == "2,3 M€"
    assert meuros(Decimal("2512.5")) == "2,51 Md€"
    assert figure(Decimal("6.25")) == "6,3"


def test_the_page_and_the_open_data_show_the_exact_drift(client, edition):
    html = client.get(reverse("observatoire:panorama")).content.decode()
    assert "+1,3 %" in html and "+1,2 %" not in html
    body = client.get(reverse("observatoire:panorama_download", args=["csv"])).content.decode()
    rows = {row["projet"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows["Alpha"]["derive_budget"] == "0.0125"
    assert rows["Beta"]["derive_budget"] == "2.0"
    assert rows["Gamma"]["derive_budget"] == ""
    figures = client.get(reverse("observatoire:panorama_editions_download", args=["json"])).json()["rows"][0]
    assert figures["derive_budget_moyenne"] == 1.0063  # 1.00625 rounded half up to 4 places


def test_durations_read_in_french_and_an_unknown_one_is_a_dash(client, organisation):
    project(organisation, "Sans durée", cost_initial_meur=Decimal("3"), cost_current_meur=Decimal("3"))
    edition = panorama_edition_create(actor=None, organisation=organisation, title="Février", published_on=FIRST_DAY)
    panorama_edition_publish(actor=None, edition=edition)
    html = client.get(reverse("observatoire:panorama")).content.decode()
    assert "— ans" not in html and "— / —" in html
    assert years(Decimal("1.5")) == "1,5 an" and years(Decimal("2")) == "2,0 ans" and years(None) == "—"
