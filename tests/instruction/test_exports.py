"""The instructors' exports: the columns they choose, the rows in French as the summary shows them, the
three file formats read back, CSV injection, the attachments' ZIP, and a constant number of queries."""

import copy
import csv
import io
import itertools
import json
import threading
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from guichet.dossiers.files import dossier_file_store, file_answer
from guichet.dossiers.models import Dossier, DossierFile, TransitionName
from guichet.dossiers.services import dossier_submit
from guichet.dossiers.workflow import dossier_transition
from guichet.instruction import exports
from guichet.instruction.exports import (
    ExportFormat,
    attachment_file_name,
    attachments_zip_chunks,
    csv_writer,
    export_chunks,
    export_columns_available,
    export_columns_chosen,
    export_header,
    export_rows,
    ods_writer,
    xlsx_writer,
)
from guichet.instruction.messages import message_send
from guichet.procedures.models import ProcedureVersion
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db

PDF = minimal_pdf()
DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [
                {"id": "intro", "type": "explanation", "label": "À lire", "text": "Merci."},
                {"id": "objet", "type": "text", "label": "Objet de la demande"},
                {"id": "montant", "type": "decimal", "label": "Montant demandé", "unit": "€"},
                {"id": "naissance", "type": "date", "label": "Date de naissance"},
                {
                    "id": "categorie",
                    "type": "choice",
                    "label": "Vous êtes",
                    "options": [
                        {"value": "asso", "label": "Une association"},
                        {"value": "pro", "label": "Une entreprise"},
                    ],
                },
                {
                    "id": "themes",
                    "type": "multiple_choice",
                    "label": "Thèmes",
                    "options": [{"value": "sport", "label": "Sport"}, {"value": "culture", "label": "Culture"}],
                },
                {"id": "urgent", "type": "yes_no", "label": "Est-ce urgent ?"},
                {"id": "accord", "type": "checkbox", "label": "J’accepte les conditions"},
            ],
        },
        {
            "id": "coordonnees",
            "title": "Coordonnées",
            "fields": [
                {"id": "titre-coordonnees", "type": "section", "label": "Où vous joindre"},
                {"id": "adresse", "type": "address", "label": "Adresse"},
                {"id": "telephone", "type": "phone", "label": "Téléphone"},
                {
                    "id": "lots",
                    "type": "block",
                    "label": "Parcelles",
                    "fields": [
                        {"id": "section", "type": "text", "label": "Section"},
                        {"id": "surface", "type": "integer", "label": "Surface", "unit": "m²"},
                    ],
                },
                {"id": "justificatifs", "type": "file", "label": "Justificatifs", "accept": ["application/pdf"]},
            ],
        },
    ]
}
ANSWERS = {
    "objet": "Subvention du club",
    "montant": "1250.5",
    "naissance": "1990-03-25",
    "categorie": "asso",
    "themes": ["sport", "culture"],
    "urgent": True,
    "accord": True,
    "adresse": {"street": "12 rue de la Paix", "postcode": "75002", "city": "Paris"},
    "telephone": "+33612345678",
    "lots": [{"section": "AB", "surface": 1200}, {"section": "ZC", "surface": 35}],
}
ALL_COLUMNS = [
    "number",
    "state",
    "submitted_at",
    "decided_at",
    "group",
    "applicant_last_name",
    "applicant_first_name",
    "applicant_email",
]


@pytest.fixture
def procedure():
    return ProcedureFactory(draft_definition=DEFINITION)


def filed(procedure, answers=None, *, files=(), instruct=True, applicant=None) -> Dossier:
    """A dossier filed with `answers` and the PDF `files` (names) as its justificatifs, in instruction."""
    dossier = DossierFactory(procedure=procedure, answers={}, applicant=applicant or UserFactory())
    answers = dict(ANSWERS if answers is None else answers)
    stored = [
        dossier_file_store(actor=dossier.applicant, dossier=dossier, uploaded=SimpleUploadedFile(name, PDF))
        for name in files
    ]
    if stored:
        answers["justificatifs"] = [file_answer(item) for item in stored]
    Dossier.objects.filter(pk=dossier.pk).update(answers=answers)
    dossier.answers = answers
    dossier_submit(actor=dossier.applicant, dossier=dossier)
    if instruct:
        instructor = instructor_of(procedure)
        dossier_transition(dossier=dossier, name=TransitionName.START_INSTRUCTION, actor=instructor)
    return dossier


def table(procedure, ids, queryset=None):
    columns = export_columns_chosen(procedure=procedure, ids=ids)
    rows = export_rows(queryset=queryset or Dossier.objects.filter(procedure=procedure), columns=columns)
    return [export_header(columns), *rows]


def field_ids(procedure):
    return [column.id for column in export_columns_available(procedure=procedure) if column.field is not None]


# --- columns ------------------------------------------------------------------------------------------


def test_the_columns_offered_are_the_dossiers_facts_then_one_per_answer_in_french(procedure):
    columns = export_columns_available(procedure=procedure)
    assert [column.label for column in columns] == [
        "Numéro",
        "État",
        "Déposé le",
        "Décidé le",
        "Groupe instructeur",
        "Nom de l’usager",
        "Prénom de l’usager",
        "Courriel de l’usager",
        "Objet de la demande",
        "Montant demandé",
        "Date de naissance",
        "Vous êtes",
        "Thèmes",
        "Est-ce urgent ?",
        "J’accepte les conditions",
        "Adresse",
        "Téléphone",
        "Parcelles",  # a block is one column; no column for explanations and section titles
        "Justificatifs",
    ]
    assert columns[8].id == "field:objet"


def test_the_chosen_columns_come_in_the_order_chosen_and_unknown_ones_are_refused(procedure):
    chosen = export_columns_chosen(procedure=procedure, ids=["field:montant", "number", "state"])
    assert [column.label for column in chosen] == ["Montant demandé", "Numéro", "État"]
    with pytest.raises(ValueError, match="Colonne inconnue pour cette démarche : « field:supprime », « nom »"):
        export_columns_chosen(procedure=procedure, ids=["number", "field:supprime", "nom"])
    with pytest.raises(ValueError, match="Choisissez au moins une colonne"):
        export_columns_chosen(procedure=procedure, ids=[])
    with pytest.raises(ValueError, match="choisie deux fois"):
        export_columns_chosen(procedure=procedure, ids=["number", "number"])


# --- rows ---------------------------------------------------------------------------------------------


def test_a_row_holds_the_dossier_in_french_and_each_answer_as_the_summary_shows_it(procedure):
    dossier = filed(procedure, files=["plan.pdf", "statuts.pdf"])
    header, row = table(procedure, ALL_COLUMNS + field_ids(procedure))
    values = dict(zip(header, row, strict=True))
    applicant = dossier.applicant
    assert values["Numéro"] == dossier.number
    assert values["État"] == "En instruction"
    assert values["Déposé le"][:10] == f"{dossier.submitted_at.astimezone():%d/%m/%Y}"
    assert values["Décidé le"] == ""
    assert values["Groupe instructeur"] == "Groupe principal"
    assert (values["Nom de l’usager"], values["Prénom de l’usager"], values["Courriel de l’usager"]) == (
        applicant.last_name,
        applicant.first_name,
        applicant.email,
    )
    assert values["Objet de la demande"] == "Subvention du club"
    assert values["Montant demandé"] == "1\u202f250,5\u00a0€"
    assert values["Date de naissance"] == "25/03/1990"
    assert values["Vous êtes"] == "Une association"
    assert values["Thèmes"] == "Sport, Culture"
    assert values["Est-ce urgent ?"] == "Oui"
    assert values["J’accepte les conditions"] == "Oui"
    assert values["Adresse"] == "12 rue de la Paix, 75002 Paris"
    assert values["Téléphone"] == "06 12 34 56 78"
    assert values["Parcelles"] == "Section : AB ; Surface : 1\u202f200\u00a0m²\nSection : ZC ; Surface : 35\u00a0m²"
    assert values["Justificatifs"] == "plan.pdf, statuts.pdf"


def test_the_decision_date_and_a_refusal_are_written_in_french(procedure):
    dossier = filed(procedure)
    instructor = instructor_of(procedure)
    dossier_transition(dossier=dossier, name=TransitionName.REFUSE, actor=instructor, motivation="Hors délai.")
    [_header, row] = table(procedure, ["state", "decided_at"])
    assert row == ["Refusé", f"{dossier.decided_at.astimezone():%d/%m/%Y %H:%M}"]


def test_answers_are_read_as_filed_and_a_draft_from_its_working_copy(procedure):
    dossier = filed(procedure)
    # The applicant is correcting: their working copy changed, but nothing is filed yet.
    Dossier.objects.filter(pk=dossier.pk).update(answers=dict(ANSWERS, objet="Objet en cours de correction"))
    draft = DossierFactory(procedure=procedure, answers={"objet": "Brouillon"})
    rows = table(procedure, ["field:objet", "applicant_email"], Dossier.objects.filter(procedure=procedure))
    assert rows[1:] == [["Subvention du club", dossier.applicant.email], ["Brouillon", draft.applicant.email]]


def test_the_names_are_those_frozen_at_submission(procedure):
    dossier = filed(procedure)
    certified = {"given_name": "Marie-Ange", "family_name": "Dupont", "email": "marie@exemple.fr"}
    Dossier.objects.filter(pk=dossier.pk).update(identity=dict(certified, certified_by="franceconnect"))
    dossier.applicant.last_name = "Changé depuis"
    dossier.applicant.save()
    [_header, row] = table(procedure, ["applicant_first_name", "applicant_last_name", "applicant_email"])
    assert row == ["Marie-Ange", "Dupont", "marie@exemple.fr"]


def test_unanswered_fields_are_empty_cells_texts_keep_their_lines_and_odd_answers_are_written_as_stored(procedure):
    address = {"street": "", "postcode": "75002", "city": "Paris"}
    DossierFactory(procedure=procedure, answers={"objet": "Premier\n\nTroisième", "adresse": address})
    # Hand-edited data that does not fit the form: written as stored rather than stopping the export.
    DossierFactory(procedure=procedure, answers={"objet": "Autre", "adresse": "rue", "themes": 12})
    rows = table(procedure, ["field:objet", "field:montant", "field:adresse", "field:themes", "field:accord"])
    assert rows[1:] == [["Premier\n\nTroisième", "", "75002 Paris", "", ""], ["Autre", "", "rue", "12", ""]]


def test_an_amount_past_64_bits_is_written_all_the_same(procedure):
    # A number field without a maximum takes any integer: it comes back to its last digit.
    DossierFactory(procedure=procedure, answers={"objet": "Grand", "montant": 123456789012345678901})
    rows = table(procedure, ["field:objet", "field:montant"])
    assert rows[1] == ["Grand", "123\u202f456\u202f789\u202f012\u202f345\u202f678\u202f901\u00a0€"]


@pytest.mark.parametrize(
    "text",
    [
        '{"montant": 123456789012345678901}',
        '{"a": [1, -1234567890123456789012]}',
        '{"a":[12345678901234567890]}',
        "12345678901234567890",
        '{"iban": "FR7630006000011234567890189", "n": 98765432109876543210}',
        '{"iban": "FR7630006000011234567890189", "ref": "1234567890123456789012"}',
    ],
)
def test_answers_with_long_digits_are_decoded_to_the_last_digit(text):
    assert exports.rows._decoded(text) == json.loads(text)


def test_each_answer_is_written_with_its_own_versions_labels_under_the_latest_forms_headers(procedure):
    first = filed(procedure, {"objet": "Ancienne", "categorie": "asso"}, instruct=False)
    renamed = copy.deepcopy(DEFINITION)
    fields = renamed["pages"][0]["fields"]
    fields[4]["label"] = "Votre structure"
    fields[4]["options"] = [{"value": "asso", "label": "Association loi 1901"}, {"value": "pro", "label": "Société"}]
    del fields[1]  # "objet" removed from the form
    version = ProcedureVersion.objects.create(procedure=procedure, number=2, definition=renamed, published_at=now())
    second = DossierFactory(procedure=procedure, version=version, answers={"categorie": "asso"})
    assert "field:objet" not in field_ids(procedure)
    rows = table(procedure, ["number", "field:categorie"])
    assert rows == [["Numéro", "Votre structure"], [first.number, "Une association"], ["", "Association loi 1901"]]
    assert second.number is None


def test_export_rows_costs_the_same_queries_for_two_dossiers_or_twelve(procedure):
    filed(procedure)
    filed(procedure)
    columns = export_columns_chosen(procedure=procedure, ids=ALL_COLUMNS + field_ids(procedure))
    queryset = Dossier.objects.filter(procedure=procedure)
    list(export_rows(queryset=queryset, columns=columns))  # the form is read once per process
    with CaptureQueriesContext(connection) as two:
        assert len(list(export_rows(queryset=queryset, columns=columns, chunk_size=5))) == 2
    for _ in range(10):
        filed(procedure, instruct=False)
    with CaptureQueriesContext(connection) as twelve:
        assert len(list(export_rows(queryset=queryset, columns=columns, chunk_size=5))) == 12
    assert len(twelve) == len(two) <= 3, [query["sql"] for query in twelve.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_rows_are_read_ahead_and_the_reading_stops_with_the_export(procedure):
    # As a streamed response or the worker reads them: on PostgreSQL, by a thread of their own.
    dossiers = [filed(procedure, {"objet": f"Demande {n}"}, instruct=False) for n in range(7)]
    columns = export_columns_chosen(procedure=procedure, ids=["number", "field:objet"])
    queryset = Dossier.objects.filter(procedure=procedure)
    rows = list(export_rows(queryset=queryset, columns=columns, chunk_size=3))
    assert rows == [[dossier.number, f"Demande {n}"] for n, dossier in enumerate(dossiers)]
    # A download cancelled after its first rows: the reading ends with it.
    cancelled = export_rows(queryset=queryset, columns=columns, chunk_size=2)
    assert next(cancelled) == rows[0]
    reading = [thread.name for thread in threading.enumerate()].count("export-rows")
    assert reading == (1 if connection.vendor == "postgresql" else 0)
    cancelled.close()
    assert not [thread for thread in threading.enumerate() if thread.name == "export-rows"]
    assert Dossier.objects.filter(procedure=procedure).count() == 7  # this connection still works


# --- formats ------------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://pirate.example";"Cliquez")', "+33 1 23", "-2+3", "@SOMME(A1)"]


def rows_with_formulas(procedure):
    for text in FORMULAS:
        filed(procedure, {"objet": text, "montant": "-12"}, instruct=False)
    return table(procedure, ["field:objet", "field:montant", "state"])


def csv_read(chunks):
    data = b"".join(chunks)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for Excel
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))


def test_the_csv_is_utf8_with_semicolons_and_no_answer_becomes_a_formula(procedure):
    header, *rows = rows_with_formulas(procedure)
    data = b"".join(export_chunks(header=header, rows=rows, format=ExportFormat.CSV))
    assert data.startswith("\ufeffObjet de la demande;Montant demandé;État\r\n".encode())
    read = csv_read([data])
    assert read[0] == ["Objet de la demande", "Montant demandé", "État"]
    assert [row[0] for row in read[1:]] == ["'" + text for text in FORMULAS]
    assert {row[1] for row in read[1:]} == {"-12\u00a0€"}  # a negative amount stays a number
    assert {row[2] for row in read[1:]} == {"Déposé"}


def test_the_xlsx_holds_the_header_in_bold_and_every_value_as_text_never_as_a_formula(procedure):
    header, *rows = rows_with_formulas(procedure)
    data = b"".join(export_chunks(header=header, rows=rows, format=ExportFormat.XLSX))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Dossiers"]
    sheet = workbook["Dossiers"]
    assert [cell.value for cell in sheet[1]] == header
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == rows
    assert {cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row} == {"s"}


ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
}


def ods_cell(cell) -> object:
    """A cell's value as a spreadsheet application reads it: a number (Decimal) or a date (date or
    datetime) from its typed value, else its text, one line per paragraph."""
    kind = cell.get(f"{{{ODS['office']}}}value-type")
    if kind == "float":
        return Decimal(cell.get(f"{{{ODS['office']}}}value"))
    if kind == "date":
        value = cell.get(f"{{{ODS['office']}}}date-value")
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{ODS['text']}}}p"))


def ods_read(data: bytes) -> dict[str, list[list[object]]]:
    """Each sheet's rows of values, read from content.xml as a spreadsheet application would."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        root = ElementTree.fromstring(archive.read("content.xml"))  # noqa: S314 (our own file)
    sheets = {}
    for sheet in root.iter(f"{{{ODS['table']}}}table"):
        sheets[sheet.get(f"{{{ODS['table']}}}name")] = [
            [ods_cell(cell) for cell in row.iter(f"{{{ODS['table']}}}table-cell")]
            for row in sheet.iter(f"{{{ODS['table']}}}table-row")
        ]
    return sheets


def ods_formats(data: bytes) -> dict[tuple[int, int], str]:
    """The display format of each typed cell of the first sheet, by (row, column) from 0, in short:
    "date", "datetime", or the number's decimals and unit text as "2|\u00a0€"."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content = ElementTree.fromstring(archive.read("content.xml"))  # noqa: S314 (our own file)
        styles = ElementTree.fromstring(archive.read("styles.xml"))  # noqa: S314
    data_style_of = {
        style.get(f"{{{ODS['style']}}}name"): style.get(f"{{{ODS['style']}}}data-style-name")
        for style in styles.iter(f"{{{ODS['style']}}}style")
    }
    described = {}
    for data_style in styles.iter(f"{{{ODS['number']}}}date-style"):
        has_hours = data_style.find(f"{{{ODS['number']}}}hours") is not None
        described[data_style.get(f"{{{ODS['style']}}}name")] = "datetime" if has_hours else "date"
    for data_style in styles.iter(f"{{{ODS['number']}}}number-style"):
        places = data_style.find(f"{{{ODS['number']}}}number").get(f"{{{ODS['number']}}}decimal-places")
        unit = "".join(text.text or "" for text in data_style.iter(f"{{{ODS['number']}}}text"))
        described[data_style.get(f"{{{ODS['style']}}}name")] = f"{places}|{unit}"
    sheet = next(content.iter(f"{{{ODS['table']}}}table"))
    formats = {}
    for row_number, row in enumerate(sheet.iter(f"{{{ODS['table']}}}table-row")):
        for column, cell in enumerate(row.iter(f"{{{ODS['table']}}}table-cell")):
            if (style := cell.get(f"{{{ODS['table']}}}style-name")) is not None:
                formats[row_number, column] = described[data_style_of[style]]
    return formats


def test_the_ods_holds_the_same_table(procedure):
    header, *rows = rows_with_formulas(procedure)
    data = b"".join(export_chunks(header=header, rows=rows, format=ExportFormat.ODS))
    assert ods_read(data) == {"Dossiers": [header, *rows]}


TYPED = ["number", "submitted_at", "decided_at", "field:montant", "field:naissance", "field:objet", "field:lots"]


def typed_table(procedure):
    columns = export_columns_chosen(procedure=procedure, ids=TYPED)
    queryset = Dossier.objects.filter(procedure=procedure).order_by("pk")
    return export_header(columns), list(export_rows(queryset=queryset, columns=columns, typed=True))


def test_the_spreadsheets_have_dates_and_amounts_that_sort_and_add_up(procedure):
    first = filed(procedure)  # 1 250,5 €, born 25/03/1990
    second = filed(procedure, dict(ANSWERS, montant="80", naissance="2001-12-31"), instruct=False)
    # A draft, hand-edited: a date that is not one is written as the applicant wrote it.
    DossierFactory(procedure=procedure, answers={"montant": "0.25", "naissance": "vers 1990"})
    filed_at = [d.submitted_at.astimezone().replace(tzinfo=None) for d in (first, second)]
    header, rows = typed_table(procedure)
    parcelles = "Section : AB ; Surface : 1\u202f200\u00a0m²\nSection : ZC ; Surface : 35\u00a0m²"

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(export_chunks(header=header, rows=rows, format="xlsx"))))
    sheet = workbook["Dossiers"]
    assert [cell.value for cell in sheet[1]] == header
    one, two, draft = ([cell for cell in row] for row in sheet.iter_rows(min_row=2))
    assert one[0].value == first.number and one[0].data_type == "s"
    assert abs(one[1].value - filed_at[0]) < timedelta(seconds=1) and one[1].number_format == "dd/mm/yyyy hh:mm"
    assert two[1].value > one[1].value  # the dates sort
    assert one[2].value is None and draft[1].value is None  # not decided, not filed: empty cells
    assert [row[3].value for row in (one, two, draft)] == [1250.5, 80, 0.25]  # numbers, which add up
    assert [row[3].number_format for row in (one, two, draft)] == [
        '#,##0.0"\u00a0€"',
        '#,##0"\u00a0€"',
        '#,##0.00"\u00a0€"',
    ]
    assert (one[4].value, two[4].value) == (datetime(1990, 3, 25), datetime(2001, 12, 31))
    assert one[4].number_format == "dd/mm/yyyy"
    assert draft[4].value == "vers 1990" and draft[4].data_type == "s"
    assert (one[5].value, one[6].value) == ("Subvention du club", parcelles)  # texts stay texts

    ods_file = b"".join(export_chunks(header=header, rows=rows, format="ods"))
    ods = ods_read(ods_file)["Dossiers"]
    assert ods[0] == header
    assert ods[1][0] == first.number and ods[1][2] == "" and ods[3][:3] == ["", "", ""]
    assert abs(ods[1][1] - filed_at[0]) < timedelta(seconds=1) and ods[2][1] > ods[1][1]
    assert [row[3] for row in ods[1:]] == [Decimal("1250.5"), Decimal("80"), Decimal("0.25")]
    assert [row[4] for row in ods[1:]] == [date(1990, 3, 25), date(2001, 12, 31), "vers 1990"]
    assert ods[1][5:] == ["Subvention du club", parcelles]
    assert ods_formats(ods_file) == {
        (1, 1): "datetime",
        (1, 3): "1|\u00a0€",
        (1, 4): "date",
        (2, 1): "datetime",
        (2, 3): "0|\u00a0€",
        (2, 4): "date",
        (3, 3): "2|\u00a0€",
    }


def test_the_csv_of_the_same_dossiers_keeps_their_texts(procedure):
    filed(procedure)
    columns = export_columns_chosen(procedure=procedure, ids=TYPED)
    rows = export_rows(queryset=Dossier.objects.filter(procedure=procedure), columns=columns)
    read = csv_read(export_chunks(header=export_header(columns), rows=rows, format=ExportFormat.CSV))
    assert read[1][3:5] == ["1\u202f250,5\u00a0€", "25/03/1990"]


def test_the_csv_writes_its_lines_as_the_csv_module_would():
    # The CSV is written by hand for speed: it must stay what csv.writer writes, cell for cell.
    cells = ["", "a", "é;b", 'dit "oui"', "deux\nlignes", "cr\r", "=1+1", "-12\u00a0€", "@x", "\tx", "+33 1", " b "]
    cells += ["a ;=b", "=x;y", "-1;2", "l;\nm"]  # a ";" in a cell, before an operator, after one
    rows = [list(row) for row in itertools.product(cells, repeat=2)] + [[""], [], ["seul"], cells]
    rows += [list(row) for row in itertools.product(["a", "é;b", "=1", "x\ny", "-2;"], repeat=3)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in [["Numéro", "=titre"], *rows]:
        writer.writerow([csv_writer._formula_safe(cell) for cell in row])
    written = b"".join(exports.csv_chunks(header=["Numéro", "=titre"], rows=iter(rows)))
    assert written == b"\xef\xbb\xbf" + buffer.getvalue().encode()


def test_a_character_that_xml_forbids_does_not_break_the_spreadsheets(procedure):
    filed(procedure, {"objet": "Bip\x07 & <fin>"}, instruct=False)
    header, *rows = table(procedure, ["field:objet"])
    xlsx = b"".join(export_chunks(header=header, rows=rows, format=ExportFormat.XLSX))
    assert openpyxl.load_workbook(io.BytesIO(xlsx))["Dossiers"]["A2"].value == "Bip & <fin>"
    ods = b"".join(export_chunks(header=header, rows=rows, format=ExportFormat.ODS))
    assert ods_read(ods)["Dossiers"][1] == ["Bip & <fin>"]


def test_an_empty_list_gives_files_with_their_header_only():
    header = ["Numéro", "État"]
    assert csv_read(export_chunks(header=header, rows=[], format=ExportFormat.CSV)) == [header]
    xlsx = b"".join(export_chunks(header=header, rows=[], format=ExportFormat.XLSX))
    assert [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(xlsx))["Dossiers"].iter_rows()] == [
        header
    ]
    assert ods_read(b"".join(export_chunks(header=header, rows=[], format=ExportFormat.ODS))) == {"Dossiers": [header]}


def test_rows_beyond_a_sheets_capacity_go_on_to_another_sheet(monkeypatch):
    monkeypatch.setattr(xlsx_writer, "SHEET_MAX_ROWS", 2)
    monkeypatch.setattr(ods_writer, "SHEET_MAX_ROWS", 2)
    header, rows = ["Numéro"], [["1"], ["2"], ["3"], ["4"], ["5"]]
    xlsx = openpyxl.load_workbook(io.BytesIO(b"".join(exports.xlsx_chunks(header=header, rows=iter(rows)))))
    assert xlsx.sheetnames == ["Dossiers", "Dossiers (2)", "Dossiers (3)"]
    assert [[c.value for c in row] for row in xlsx["Dossiers (3)"].iter_rows()] == [["Numéro"], ["5"]]
    ods = ods_read(b"".join(exports.ods_chunks(header=header, rows=iter(rows))))
    assert ods == {
        "Dossiers": [header, ["1"], ["2"]],
        "Dossiers (2)": [header, ["3"], ["4"]],
        "Dossiers (3)": [header, ["5"]],
    }


def test_an_xlsx_sheet_too_large_for_a_zip_entry_goes_on_to_another_sheet(monkeypatch):
    monkeypatch.setattr(xlsx_writer, "SHEET_MAX_BYTES", 1)  # checked every 200 rows
    rows = [[str(n)] for n in range(450)]
    xlsx = openpyxl.load_workbook(io.BytesIO(b"".join(exports.xlsx_chunks(header=["Numéro"], rows=iter(rows)))))
    assert xlsx.sheetnames == ["Dossiers", "Dossiers (2)", "Dossiers (3)"]
    read = [[cell.value for cell in row] for name in xlsx.sheetnames for row in xlsx[name].iter_rows(min_row=2)]
    assert read == rows and xlsx["Dossiers (3)"].max_row == 51


@pytest.mark.parametrize("format", list(ExportFormat))
def test_every_format_starts_sending_before_the_last_row_is_read(format):
    # Rows without end: a writer that waited for the last one would never give its first bytes.
    endless = itertools.repeat(["2026-000001", "En instruction", "Une réponse assez longue " * 4])
    chunks = export_chunks(header=["Numéro", "État", "Objet"], rows=endless, format=format)
    first = next(chunks)
    assert first[:4] in {b"\xef\xbb\xbfN", b"PK\x03\x04"}
    assert len(next(chunks)) > 0


def test_export_filename_names_the_procedure_and_the_day(procedure):
    from datetime import date

    name = exports.export_filename(procedure=procedure, extension="xlsx", on=date(2026, 3, 25))
    assert name == f"dossiers-{procedure.slug}-2026-03-25.xlsx"


# --- attachments ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\moi\\Bureau\\relevé.pdf", "relevé.pdf"),
        ('a:b?c*|<>".pdf', "a_b_c_____.pdf"),
        ("CON.txt", "_CON.txt"),
        ("..", "fichier"),
        ("", "fichier"),
        ("   .cache", "cache"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
        ("ligne\nretour.pdf", "ligne_retour.pdf"),
    ],
)
def test_a_senders_file_name_is_never_a_path_nor_unsafe(sent, kept):
    assert attachment_file_name(sent) == kept


def zip_read(chunks) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_zip_holds_each_dossiers_files_in_a_folder_named_by_its_number(procedure):
    first = filed(procedure, files=["plan.pdf", "PLAN.pdf", "../../secret.pdf"])
    second = filed(procedure, files=["plan.pdf"])
    # A file sent then replaced before submission is not part of the dossier.
    dossier_file_store(actor=second.applicant, dossier=second, uploaded=SimpleUploadedFile("ancien.pdf", PDF))
    devis = SimpleUploadedFile("devis.pdf", PDF)
    message_send(actor=second.applicant, dossier=second, body="Voici le devis.", attachments=[devis])
    other = filed(procedure, files=["autre.pdf"])
    entries = zip_read(attachments_zip_chunks(queryset=Dossier.objects.filter(pk__in=[first.pk, second.pk])))
    assert sorted(entries) == [
        f"{first.number}/PLAN (2).pdf",
        f"{first.number}/plan.pdf",
        f"{first.number}/secret.pdf",
        f"{second.number}/devis.pdf",
        f"{second.number}/plan.pdf",
    ]
    assert set(entries.values()) == {PDF}
    assert other.number not in "".join(entries)


def test_the_zip_reads_a_long_selection_batch_after_batch(procedure, monkeypatch):
    monkeypatch.setattr(exports.attachments, "BATCH", 2)
    dossiers = [filed(procedure, files=[f"piece-{n}.pdf"], instruct=False) for n in range(5)]
    entries = zip_read(attachments_zip_chunks(queryset=Dossier.objects.filter(procedure=procedure).order_by("-pk")))
    assert list(entries) == [f"{d.number}/piece-{n}.pdf" for n, d in reversed(list(enumerate(dossiers)))]


def test_a_file_missing_from_the_storage_is_listed_and_the_others_still_come(procedure):
    dossier = filed(procedure, files=["perdu.pdf", "present.pdf"])
    lost = DossierFile.objects.get(dossier=dossier, name="perdu.pdf")
    lost.content.storage.delete(lost.content.name)
    entries = zip_read(attachments_zip_chunks(queryset=Dossier.objects.filter(pk=dossier.pk)))
    assert sorted(entries) == [f"{dossier.number}/present.pdf", "fichiers-manquants.txt"]
    assert f"{dossier.number}/perdu.pdf" in entries["fichiers-manquants.txt"].decode()


def test_a_selection_without_files_gives_an_empty_zip(procedure):
    dossier = filed(procedure)
    assert zip_read(attachments_zip_chunks(queryset=Dossier.objects.filter(pk=dossier.pk))) == {}


def test_an_export_jobs_filters_are_kept_whole():
    from datetime import date

    from guichet.instruction.exports.jobs import _filters_read, _filters_stored
    from guichet.instruction.lists import ListFilters, ListOrder, Tab

    filters = ListFilters(tab=Tab.PROCESSED, text="moto", filed_from=date(2026, 1, 2), order=ListOrder.OLDEST)
    import json

    assert _filters_read(json.loads(json.dumps(_filters_stored(filters)))) == filters
