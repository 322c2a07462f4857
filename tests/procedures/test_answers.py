import random
from datetime import date

import pytest

from guichet.demo.answers import REFERENCE_DATE, fake_answers
from guichet.demo.procedures import PROCEDURES
from guichet.procedures.answers import answers_clean
from guichet.procedures.definition import definition_validate

TODAY = date(2026, 11, 1)


def form_of(*fields, eligibility=()):
    return definition_validate(
        {"pages": [{"id": "p1", "title": "Page", "fields": list(fields)}], "eligibility": list(eligibility)}
    )


def clean_one(field: dict, raw, **kwargs):
    result = answers_clean(form_of({"id": "x", "label": "Question", **field}), {"x": raw}, today=TODAY, **kwargs)
    return result.values.get("x"), result.errors.get("x")


# (field settings, a valid input, its clean value, an invalid input, words of the message)
CASES = [
    ({"type": "text", "max_length": 5}, "  abc ", "abc", "abcdefgh", "au plus 5 caractères"),
    ({"type": "text", "pattern": r"W\d{9}", "pattern_message": "Numéro RNA : W suivi de 9 chiffres."},
     "W123456789", "W123456789", "123", "Numéro RNA"),
    ({"type": "textarea", "max_length": 10}, "court", "court", "x" * 11, "au plus 10"),
    ({"type": "integer", "min": 1, "max": 3, "unit": "exemplaires"}, "2", 2, "4",
     "inférieure ou égale à 3 exemplaires"),
    ({"type": "integer"}, 12, 12, "1,5", "nombre entier"),
    ({"type": "decimal", "min": 0, "unit": "€"}, "1 250,50", "1250.50", "-1", "supérieure ou égale à 0 €"),
    ({"type": "decimal"}, "12.5", "12.5", "douze", "Saisissez un nombre"),
    ({"type": "date", "past_only": True}, "1990-05-17", "1990-05-17", "2030-01-01", "passée"),
    ({"type": "date", "future_only": True}, "2027-03-01", "2027-03-01", "2026-11-01", "à venir"),
    ({"type": "date", "min": "2026-01-01"}, "2026-06-01", "2026-06-01", "2025-12-31", "au plus tôt le 01/01/2026"),
    ({"type": "date"}, "2026-02-28", "2026-02-28", "2026-02-30", "date valide"),
    ({"type": "datetime"}, "2026-12-01T09:30", "2026-12-01T09:30", "demain", "date et une heure"),
    ({"type": "yes_no"}, "non", False, "peut-être", "oui ou par non"),
    ({"type": "checkbox"}, True, True, ["x"], "oui ou par non"),
    ({"type": "choice", "options": [{"value": "a", "label": "A"}]}, "a", "a", "b", "réponses proposées"),
    ({"type": "multiple_choice", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
      "max_choices": 1}, ["a"], ["a"], ["a", "b"], "au plus 1"),
    ({"type": "multiple_choice", "options": [{"value": "a", "label": "A"}]}, ["a"], ["a"], ["z"], "parmi"),
    ({"type": "email"}, " lea@exemple.fr ", "lea@exemple.fr", "lea@", "adresse électronique valide"),
    ({"type": "phone"}, "06 12 34 56 78", "+33612345678", "06 12", "numéro de téléphone valide"),
    ({"type": "address"}, {"street": "1 rue de la Paix", "postcode": "75002", "city": "Paris"},
     {"street": "1 rue de la Paix", "postcode": "75002", "city": "Paris"},
     {"street": "1 rue de la Paix", "postcode": "7500", "city": "Paris"}, "code postal"),
    ({"type": "siret"}, "110 046 018 00013", "11004601800013", "11004601800014", "SIRET"),
    ({"type": "iban"}, "FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189",
     "FR76 3000 6000 0112 3456 7890 188", "IBAN"),
    ({"type": "file", "accept": ["application/pdf"], "max_size_mb": 1},
     [{"name": "plan.pdf", "content_type": "application/pdf", "size": 1000}],
     [{"name": "plan.pdf", "content_type": "application/pdf", "size": 1000}],
     [{"name": "plan.exe", "content_type": "application/x-msdownload", "size": 1000}], "type accepté"),
    ({"type": "file", "max_size_mb": 1}, [{"name": "a.pdf", "content_type": "application/pdf", "size": 10}],
     [{"name": "a.pdf", "content_type": "application/pdf", "size": 10}],
     [{"name": "gros.pdf", "content_type": "application/pdf", "size": 2 * 1024 * 1024}], "dépasse 1 Mo"),
    ({"type": "linked_dossier"}, "2026-000042", "2026-000042", "42", "numéro de dossier"),
]  # fmt: skip


@pytest.mark.parametrize(("field", "valid", "clean", "invalid", "message"), CASES, ids=[c[0]["type"] for c in CASES])
def test_each_type_accepts_valid_and_refuses_invalid_input(field, valid, clean, invalid, message):
    assert clean_one(field, valid) == (clean, None)
    value, error = clean_one(field, invalid)
    assert value is None and message in error


def test_required_fields_are_required_on_submission_only():
    assert clean_one({"type": "text", "required": True}, "") == (None, "Ce champ est obligatoire.")
    assert clean_one({"type": "text", "required": True}, "", require_complete=False) == (None, None)
    assert clean_one({"type": "checkbox", "required": True}, False) == (None, "Vous devez cocher cette case.")


def test_hidden_fields_are_neither_required_nor_stored():
    form = form_of(
        {"id": "qualite", "type": "choice", "label": "Qualité", "options": [
            {"value": "proprietaire", "label": "Propriétaire"}, {"value": "mandataire", "label": "Mandataire"}]},
        {"id": "mandat", "type": "text", "label": "Mandat", "required": True,
         "condition": {"all": [{"field": "qualite", "op": "eq", "value": "mandataire"}]}},
    )  # fmt: skip
    hidden = answers_clean(form, {"qualite": "proprietaire", "mandat": "reste d’un essai"}, today=TODAY)
    assert hidden.is_valid and hidden.values == {"qualite": "proprietaire"}
    shown = answers_clean(form, {"qualite": "mandataire"}, today=TODAY)
    assert shown.errors == {"mandat": "Ce champ est obligatoire."}


def test_blocks_validate_each_row_and_name_the_failing_cell():
    form = form_of(
        {"id": "parcelles", "type": "block", "label": "Parcelles", "min_rows": 1, "max_rows": 3, "fields": [
            {"id": "section", "type": "text", "label": "Section", "required": True, "max_length": 2},
            {"id": "numero", "type": "integer", "label": "Numéro", "required": True, "min": 1}]},
    )  # fmt: skip
    result = answers_clean(
        form, {"parcelles": [{"section": "AB", "numero": "12"}, {"section": "ABC", "numero": "0"}]}, today=TODAY
    )
    assert result.values["parcelles"][0] == {"section": "AB", "numero": 12}
    assert set(result.errors) == {"parcelles.1.section", "parcelles.1.numero"}
    assert answers_clean(form, {}, today=TODAY).errors == {"parcelles": "Ajoutez au moins 1 ligne(s)."}


def test_formulas_compute_from_earlier_answers():
    form = form_of(
        {"id": "budget_total", "type": "decimal", "label": "Budget"},
        {"id": "montant-demande", "type": "decimal", "label": "Montant"},
        {"id": "part", "type": "computed", "label": "Part",
         "formula": "round({montant-demande} / budget_total * 100, 1)"},
        {"id": "libelle", "type": "computed", "label": "Libellé", "formula": "concat(\"Part : \", part, \" %\")"},
    )  # fmt: skip
    result = answers_clean(form, {"budget_total": "20000", "montant-demande": "1500", "part": "99"}, today=TODAY)
    assert result.values["part"] == "7.5"  # computed on the server, whatever was sent
    assert result.values["libelle"] == "Part : 7.5 %"
    assert "part" not in answers_clean(form, {"budget_total": "0", "montant-demande": "1"}, today=TODAY).values


def test_eligibility_blocks_submission_with_the_administrators_message():
    message = "Cette démarche est réservée aux associations déclarées depuis plus d’un an."
    form = form_of(
        {"id": "plus_d_un_an", "type": "yes_no", "label": "Déclarée depuis plus d’un an ?"},
        eligibility=[
            {"condition": {"all": [{"field": "plus_d_un_an", "op": "eq", "value": False}]}, "message": message}
        ],
    )
    assert answers_clean(form, {"plus_d_un_an": "non"}, today=TODAY).ineligible == [message]
    assert answers_clean(form, {"plus_d_un_an": "oui"}, today=TODAY).is_valid
    assert answers_clean(form, {"plus_d_un_an": "non"}, today=TODAY, require_complete=False).ineligible == []


@pytest.mark.parametrize("procedure", PROCEDURES, ids=[p.slug for p in PROCEDURES])
def test_the_demo_answers_are_valid_submissions(procedure):
    form = definition_validate(procedure.definition)
    for seed in range(20):
        answers = fake_answers(procedure.definition, random.Random(seed))  # noqa: S311
        result = answers_clean(form, answers, today=REFERENCE_DATE)
        assert result.errors == {} and result.ineligible == [], (seed, result.errors, result.ineligible)


def test_a_linked_dossier_must_be_one_of_the_applicants():
    field = {"type": "linked_dossier"}
    assert clean_one(field, "2026-000042", own_dossiers={"2026-000042"}) == ("2026-000042", None)
    value, error = clean_one(field, "2026-000043", own_dossiers={"2026-000042"})
    assert value is None and error == "Ce numéro ne correspond à aucun de vos dossiers déposés."


def test_dates_may_be_typed_the_french_way_and_spaces_are_no_answer():
    assert clean_one({"type": "date"}, "22/11/2026") == ("2026-11-22", None)
    assert clean_one({"type": "date"}, "31/02/2026")[1] == "Saisissez une date valide, au format jj/mm/aaaa."
    assert clean_one({"type": "text", "required": True}, "   ") == (None, "Ce champ est obligatoire.")
