"""The catalogue of answer types: every type that holds an answer has its cleaner and its example
generator side by side, and every example is an answer its cleaner keeps as it is."""

import random
from datetime import date
from decimal import Decimal

import pytest

from guichet.procedures.answers import ANSWER_TYPES
from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormField
from guichet.procedures.examples import ExampleDraw, ExampleMaterial, years_after

OPTIONS = [{"value": value, "label": value.capitalize()} for value in ("a", "b", "c", "d")]
# A few fields of each type, plain and with the settings that constrain their answers.
FIELDS: dict[FieldType, list[dict]] = {
    FieldType.TEXT: [{}, {"max_length": 5}, {"min_length": 80, "max_length": 120}],
    FieldType.TEXTAREA: [{}, {"min_length": 200}],
    FieldType.INTEGER: [{}, {"min": 3, "max": 4}, {"min": -50}],
    FieldType.DECIMAL: [{}, {"min": "0.5", "max": "0.51"}, {"max": -10}],
    FieldType.DATE: [{}, {"past_only": True}, {"future_only": True}, {"min": "2030-01-01", "max": "2030-01-03"}],
    FieldType.DATETIME: [{}, {"past_only": True}, {"future_only": True}],
    FieldType.YES_NO: [{}],
    FieldType.CHECKBOX: [{}, {"required": True}],
    FieldType.CHOICE: [{"options": OPTIONS}],
    FieldType.MULTIPLE_CHOICE: [{"options": OPTIONS}, {"options": OPTIONS, "min_choices": 3, "max_choices": 3}],
    FieldType.EMAIL: [{}],
    FieldType.PHONE: [{}],
    FieldType.ADDRESS: [{}],
    FieldType.SIRET: [{}],
    FieldType.IBAN: [{}],
    FieldType.FILE: [{}, {"accept": ["image/png", "image/jpeg"], "max_files": 5, "max_size_mb": 1}],
}
TODAYS = (date(2026, 11, 1), date(2028, 2, 29))


def form_field(kind: FieldType, settings: dict, field_id: str = "champ") -> FormField:
    return FormField.model_validate({"id": field_id, "type": kind, "label": "Champ", **settings})


def draw(field: FormField, seed: int, today: date = TODAYS[0], **material) -> ExampleDraw:
    rng = random.Random(seed)  # noqa: S311 - reproducible examples, not cryptography
    return ExampleDraw(rng=rng, today=today, field=field, scope={}, material=ExampleMaterial(**material))


def test_the_catalogue_has_every_type_that_holds_an_answer():
    assert set(ANSWER_TYPES) == set(FieldType) - DISPLAY_ONLY - {FieldType.BLOCK, FieldType.COMPUTED}
    without_example = {kind for kind, answer_type in ANSWER_TYPES.items() if answer_type.example is None}
    assert without_example == {FieldType.LINKED_DOSSIER}  # a number of the applicant's filed dossiers
    assert set(FIELDS) == set(ANSWER_TYPES) - without_example


@pytest.mark.parametrize(("kind", "settings"), [(k, s) for k, many in FIELDS.items() for s in many], ids=str)
@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_every_example_is_an_answer_its_cleaner_keeps_as_it_is(kind, settings, today):
    answer_type = ANSWER_TYPES[kind]
    field = form_field(kind, settings)
    values = []
    for seed in range(40):
        value = answer_type.example(draw(field, seed, today))
        assert answer_type.clean(field, value, today) == value, (settings, value)
        values.append(value)
    assert answer_type.example(draw(field, 7, today)) == values[7]  # the seed alone decides
    if settings == {} and kind != FieldType.CHECKBOX:
        assert len({repr(value) for value in values}) > 1  # and different seeds vary


def test_offered_answers_are_accepted_and_the_others_have_none():
    for kind, answer_type in ANSWER_TYPES.items():
        if answer_type.offered is None:
            assert kind not in {FieldType.YES_NO, FieldType.CHECKBOX, FieldType.CHOICE}
            continue
        field = form_field(kind, FIELDS[kind][0])
        offered = answer_type.offered(field)
        assert offered and all(answer_type.clean(field, value, TODAYS[0]) == value for value in offered)


def test_hints_follow_the_field_id_and_the_field_rules_still_apply():
    long_name = {"nom": lambda d: "Du Plessis-Bellière de la Tour"}
    field = form_field(FieldType.TEXT, {"max_length": 12}, field_id="titulaire_nom")
    assert ANSWER_TYPES[FieldType.TEXT].example(draw(field, 1, values=long_name)) == "Du Plessis-B"
    other = form_field(FieldType.TEXT, {}, field_id="nom_usage_x")
    assert ANSWER_TYPES[FieldType.TEXT].example(draw(other, 1, values=long_name)) in ExampleMaterial().texts

    too_many = {"nombre": lambda d: 10_000}
    bounded = form_field(FieldType.INTEGER, {"max": 40}, field_id="adherents_nombre")
    assert ANSWER_TYPES[FieldType.INTEGER].example(draw(bounded, 1, values=too_many)) == 40

    not_offered = {"champ": lambda d: "z"}
    choice = form_field(FieldType.CHOICE, {"options": OPTIONS})
    drawn = {ANSWER_TYPES[FieldType.CHOICE].example(draw(choice, seed, values=not_offered)) for seed in range(20)}
    assert drawn <= {"a", "b", "c", "d"}

    span = {"naissance": (date(1990, 1, 1), date(1990, 1, 31))}
    birth = form_field(FieldType.DATE, {"past_only": True}, field_id="date_naissance")
    assert ANSWER_TYPES[FieldType.DATE].example(draw(birth, 3, date_spans=span)).startswith("1990-01-")
    future = form_field(FieldType.DATE, {"future_only": True}, field_id="date_naissance")
    day = ANSWER_TYPES[FieldType.DATE].example(draw(future, 3, date_spans=span))
    assert date.fromisoformat(day) > TODAYS[0], "outside the bounds, the usual span gives way"


def test_numbers_keep_to_cents_and_bounds():
    field = form_field(FieldType.DECIMAL, {"min": "0.005", "max": "0.02"})
    for seed in range(30):
        value = Decimal(ANSWER_TYPES[FieldType.DECIMAL].example(draw(field, seed)))
        assert Decimal("0.01") <= value <= Decimal("0.02")


def test_years_after_keeps_29_february_in_other_years():
    assert years_after(date(2028, 2, 29), -1) == date(2027, 2, 28)
    assert years_after(date(2026, 11, 1), 10) == date(2036, 11, 1)
