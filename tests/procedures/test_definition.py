import pytest

from guichet.demo.procedures import PROCEDURES
from guichet.procedures.definition import DefinitionInvalid, definition_validate


def form(*fields, pages=None, eligibility=()):
    return {"pages": pages or [{"id": "p1", "title": "Page", "fields": list(fields)}], "eligibility": list(eligibility)}


def text(field_id, **settings):
    return {"id": field_id, "type": "text", "label": field_id.capitalize(), **settings}


def errors_of(definition) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionInvalid) as error:
        definition_validate(definition)
    return error.value.errors


def test_the_demo_definitions_are_valid():
    for procedure in PROCEDURES:
        assert definition_validate(procedure.definition).pages


@pytest.mark.parametrize(
    ("definition", "path", "words"),
    [
        (form({"id": "x", "type": "hologram", "label": "X"}), "pages[0].fields[0].type",
         "valeur inconnue « hologram »"),
        (form(text("a"), text("b", condition={"all": [{"field": "c", "op": "empty"}]}), text("c")),
         "pages[0].fields[1].condition", "« c », un champ absent ou placé après"),
        (form(text("a"), text("a")), "pages[0].fields[1].id", "déjà utilisé"),
        (form(text("a", min_length=10, max_length=5)), "pages[0].fields[0].min_length", "longueur minimale dépasse"),
        (form({"id": "n", "type": "integer", "label": "N", "min": 10, "max": 1}), "pages[0].fields[0].min",
         "le minimum dépasse le maximum"),
        (form({"id": "t", "type": "computed", "label": "T", "formula": "t + 1"}), "pages[0].fields[0].formula",
         "« t », un champ absent ou placé après"),
        (form({"id": "t", "type": "computed", "label": "T", "formula": "open(1)"}), "pages[0].fields[0].formula",
         "la fonction « open » n’existe pas"),
        (form(text("a", pattern="(")), "pages[0].fields[0].pattern", "motif"),
        (form(text("a"), eligibility=[{"condition": {"all": [{"field": "z", "op": "empty"}]}, "message": "Non."}]),
         "eligibility[0].condition", "« z »"),
        (form(text("a", colour="bleu")), "pages[0].fields[0].colour", "réglage inconnu"),
        (form(text("Nom complet")), "pages[0].fields[0].id", "identifiant invalide"),
        ({"pages": []}, "pages", "au moins un élément"),
    ],
)  # fmt: skip
def test_an_invalid_definition_is_refused_with_its_place(definition, path, words):
    errors = errors_of(definition)
    assert any(where == path and words in message for where, message in errors), errors


def test_a_condition_on_a_later_page_is_refused():
    definition = form(
        pages=[
            {"id": "p1", "title": "Un", "fields": [text("a", condition={"all": [{"field": "b", "op": "empty"}]})]},
            {"id": "p2", "title": "Deux", "fields": [text("b")]},
        ]
    )
    assert errors_of(definition)[0][0] == "pages[0].fields[0].condition"


def test_every_problem_is_reported_at_once():
    errors = errors_of(form(text("a", min_length=3, max_length=1), text("a")))
    assert [path for path, _ in errors] == ["pages[0].fields[0].min_length", "pages[0].fields[1].id"]


def test_annotations_take_plain_fields_only_each_once_and_without_condition():
    from guichet.procedures.definition import annotations_form

    base = {"pages": [{"id": "p", "title": "P", "fields": [{"id": "a", "type": "text", "label": "A"}]}]}
    form = definition_validate({**base, "annotations": [{"id": "n", "type": "textarea", "label": "Note"}]})
    assert [field.id for field in annotations_form(form).pages[0].fields] == ["n"]
    assert annotations_form(definition_validate(base)) is None
    bad = {
        **base,
        "annotations": [
            {"id": "f", "type": "file", "label": "Pièce"},
            {"id": "n", "type": "text", "label": "Note"},
            {
                "id": "n",
                "type": "text",
                "label": "Autre",
                "condition": {"all": [{"field": "a", "op": "eq", "value": "x"}]},
            },
        ],
    }
    with pytest.raises(DefinitionInvalid) as raised:
        definition_validate(bad)
    text = str(raised.value)
    assert "n’est pas possible pour une annotation privée" in text
    assert "« n » est déjà utilisé" in text and "ne peut pas avoir de condition" in text
