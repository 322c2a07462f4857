"""The steering team's CSV import reads the separator from the header row: a semicolon file (as
a French spreadsheet saves it) whose descriptions hold commas is still read as semicolons."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guichet.observatory.models import DigitalProject
from guichet.observatory.panorama.csv_import import panorama_csv_import

from .panorama_fixtures import two_editions

pytestmark = pytest.mark.django_db

DESCRIPTION = (
    "Numériser, indexer, conserver, diffuser, réutiliser, ouvrir, partager, archiver et publier les fonds "
    "des archives nationales, départementales, communales, des bibliothèques, des musées, des théâtres, "
    "des opéras, des conservatoires, des écoles d’art, des monuments, des jardins, des fouilles"
)


def test_a_semicolon_file_whose_descriptions_hold_commas(organisation, steering):
    text = (
        "ministere_porteur;ministere_nom;projet;description;phase;critere_inclusion;cout_meuros\r\n"
        f"MC;Ministère de la Culture;Epsilon;{DESCRIPTION};Cadrage;impact;12,5\r\n"
    )
    report = panorama_csv_import(actor=steering, organisation=organisation, text=text)
    assert report.created == ["Epsilon"]
    epsilon = DigitalProject.objects.get(name="Epsilon")
    assert (epsilon.description, str(epsilon.cost_current_meur)) == (DESCRIPTION, "12.50")


def test_a_comma_file_whose_descriptions_hold_semicolons(organisation, steering):
    text = (
        "ministere_porteur,ministere_nom,projet,description,phase,critere_inclusion\r\n"
        'MC,Ministère de la Culture,Epsilon,"Numériser ; indexer ; conserver ; diffuser ; ouvrir ; publier ; '
        'partager ; archiver ; réutiliser",'
        "Cadrage,impact\r\n"
    )
    panorama_csv_import(actor=steering, organisation=organisation, text=text)
    assert DigitalProject.objects.get(name="Epsilon").description.startswith("Numériser ; indexer")


def test_importing_a_published_editions_file_changes_the_projects_not_the_edition(client, organisation, steering):
    world = two_editions(organisation)
    url = reverse("observatoire:panorama_download", args=["csv"]) + f"?edition={world['first'].pk}"
    published = client.get(url).content.decode()
    panorama_csv_import(actor=steering, organisation=organisation, text=published.replace(",12.0,", ",99.0,", 1))
    world["alpha"].refresh_from_db()
    assert world["alpha"].cost_current_meur == Decimal("99")  # the project takes the file's values
    assert client.get(url).content.decode() == published  # the edition stays as it was published
