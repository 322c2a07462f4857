"""Issue 16, point 3: years and limits printed whole, no validation message in read-only summaries,
a file field that shows its file before a French « Remplacer » control, the act verification page
showing what was typed, and dates typed as jj/mm/aaaa everywhere in the form engine."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from guichet.dossiers.models import Dossier
from guichet.procedures.date_entry import date_entry_parse, datetime_entry_parse
from guichet.procedures.formatting import answer_lines, number_french, quantity_french
from guichet.procedures.selectors import version_form
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db

PDF = minimal_pdf()

DEFINITION = {
    "pages": [
        {
            "id": "projet",
            "title": "Votre projet",
            "fields": [
                {"id": "annee", "type": "integer", "label": "Année de construction", "min": 2000, "max": 2100},
                {"id": "montant", "type": "integer", "label": "Montant demandé", "unit": "€"},
                {"id": "debut", "type": "date", "label": "Date de début des travaux", "future_only": True},
                {"id": "statuts", "type": "file", "label": "Statuts de l’association", "max_files": 1},
            ],
        }
    ]
}


@pytest.fixture
def procedure():
    return ProcedureFactory(draft_definition=DEFINITION, slug="travaux")


@pytest.fixture
def applicant(client):
    user = UserFactory(first_name="Camille", last_name="Martin")
    client.force_login(user)
    return user


def start(client, procedure) -> Dossier:
    client.post(reverse("usager:dossier_start", args=[procedure.slug]), {"cle": str(uuid.uuid4())})
    return Dossier.objects.latest("pk")


def page_url(dossier) -> str:
    return reverse("usager:dossier_page", args=[dossier.pk, 1])


def test_years_and_limits_are_printed_whole_and_amounts_grouped(procedure):
    form = version_form(procedure.versions.get().pk)
    fields = {field.id: field for field in form.iter_fields()}
    assert answer_lines(fields["annee"], 2024) == ["2024"]
    assert answer_lines(fields["montant"], 2501) == ["2\u202f501\u00a0€"]
    assert quantity_french(12345, None) == "12\u202f345"
    assert number_french(2024) == "2\u202f024"  # a bare number formatter still groups when asked to
    assert number_french(2024, group_four=False) == "2024"


def test_the_form_page_hints_whole_years(client, applicant, procedure):
    dossier = start(client, procedure)
    html = client.get(page_url(dossier)).content.decode()
    assert "Valeur comprise entre 2000 et 2100." in html
    assert "2\u202f000" not in html and "2 000" not in html


def test_dates_are_typed_as_french_dates_and_shown_back_so(client, applicant, procedure):
    dossier = start(client, procedure)
    next_year = timezone.localdate().year + 1
    page = client.get(page_url(dossier)).content.decode()
    assert 'type="date"' not in page and "Format attendu : jj/mm/aaaa, par exemple 14/07/1990." in page

    client.post(page_url(dossier), {"annee": "2024", "debut": f"14/07/{next_year}"})

    dossier.refresh_from_db()
    assert dossier.answers["debut"] == f"{next_year}-07-14"
    assert f'value="14/07/{next_year}"' in client.get(page_url(dossier)).content.decode()

    refused = client.post(page_url(dossier), {"annee": "2024", "debut": "31/02/2030"}).content.decode()
    assert "Saisissez une date valide, au format jj/mm/aaaa." in refused
    assert 'value="31/02/2030"' in refused  # what was typed, shown back with its error


@pytest.mark.parametrize("typed", ["14/07/1990", "14-07-1990", "14.7.1990", " 14 07 1990 ", "14071990", "1990-07-14"])
def test_a_date_is_read_however_people_separate_its_parts(typed):
    assert date_entry_parse(typed) == datetime.date(1990, 7, 14)


def test_a_date_and_time_is_read_in_french():
    assert datetime_entry_parse("06/05/2030 14:30") == datetime.datetime(2030, 5, 6, 14, 30)
    assert datetime_entry_parse("06/05/2030 9h05") == datetime.datetime(2030, 5, 6, 9, 5)
    with pytest.raises(ValueError):
        date_entry_parse("05/2030")


def test_a_file_field_with_its_file_shows_the_file_then_a_replace_control(client, applicant, procedure):
    dossier = start(client, procedure)
    client.post(page_url(dossier), {"statuts": SimpleUploadedFile("statuts.pdf", PDF)})

    html = client.get(page_url(dossier)).content.decode()

    assert "Fichier joint :" in html and "statuts.pdf" in html
    assert html.index("statuts.pdf") < html.index("Remplacer le fichier") < html.index('type="file"')
    assert "<details" in html  # the input is behind « Remplacer le fichier », without JavaScript

    # A new file replaces the one attached.
    client.post(page_url(dossier), {"statuts": SimpleUploadedFile("statuts-2026.pdf", PDF)})
    dossier.refresh_from_db()
    assert [file["name"] for file in dossier.answers["statuts"]] == ["statuts-2026.pdf"]


def test_an_empty_form_file_field_shows_the_input_directly(client, applicant, procedure):
    dossier = start(client, procedure)
    html = client.get(page_url(dossier)).content.decode()
    assert 'type="file"' in html and "Remplacer le fichier" not in html


def test_the_instructors_read_only_summary_shows_no_validation_message(client, procedure, monkeypatch):
    future = timezone.localdate() + datetime.timedelta(days=30)
    dossier = DossierFactory(procedure=procedure, answers={"annee": 2024, "debut": future.isoformat()}, submitted=True)
    client.force_login(instructor_of(procedure))
    # Two months later the date has passed: it was valid when filed, and a summary only shows it.
    later = future + datetime.timedelta(days=30)
    real_localdate = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None: later if value is None else real_localdate(value))

    html = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()

    assert future.strftime("%d/%m/%Y") in html and "2024" in html
    assert "La date doit être à venir." not in html
    assert "fr-error-text" not in html
