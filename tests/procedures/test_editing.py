"""The builder's edits and its condition / formula forms, as pure functions."""

import pytest

from guichet.procedures.assisted import (
    ConditionRow,
    FormulaSpec,
    Operand,
    condition_describe,
    condition_from_rows,
    condition_to_rows,
    formula_compose,
    formula_decompose,
)
from guichet.procedures.definition import DefinitionInvalid, FieldType, Operator, definition_validate
from guichet.procedures.editing import (
    EditError,
    field_add,
    field_delete,
    field_duplicate,
    field_get,
    field_move,
    field_set,
    field_update,
    fields_before,
    identifier_from,
    page_add,
    page_delete,
    page_duplicate,
    page_move,
)
from guichet.procedures.formulas import formula_parse


def base():
    return {"pages": [{"id": "demande", "title": "Demande", "fields": []}]}


def test_new_ids_come_from_labels_and_stay_unique():
    assert identifier_from("Surface de plancher (m²)", set()) == "surface-de-plancher-m2"
    assert identifier_from("Élève", {"eleve"}) == "eleve-2"
    assert identifier_from("2 pièces", set()) == "champ-2-pieces"
    definition, first = field_add(base(), field_type=FieldType.TEXT, label="Nom", page_id="demande")
    definition, second = field_add(definition, field_type=FieldType.TEXT, label="Nom", page_id="demande")
    assert (first, second) == ("nom", "nom-2")
    definition_validate(definition)


def test_add_edit_move_duplicate_delete_fields():
    definition, nom = field_add(base(), field_type=FieldType.TEXT, label="Nom", page_id="demande")
    definition, choix = field_add(definition, field_type=FieldType.CHOICE, label="Type", page_id="demande")
    assert [option["label"] for option in field_get(definition, choix)["options"]] == ["Choix 1", "Choix 2"]
    definition = field_update(definition, field_id=nom, settings={"label": "Nom de famille", "max_length": 80})
    assert field_get(definition, nom) == {"id": "nom", "type": "text", "label": "Nom de famille", "max_length": 80}
    definition = field_move(definition, field_id=choix, offset=-1)
    assert [f["id"] for f in definition["pages"][0]["fields"]] == ["type", "nom"]
    definition, copy_id = field_duplicate(definition, field_id=nom)
    assert field_get(definition, copy_id)["label"] == "Nom de famille (copie)"
    definition = field_delete(definition, field_id=copy_id)
    assert [f["id"] for f in definition["pages"][0]["fields"]] == ["type", "nom"]
    definition_validate(definition)


def test_moving_past_the_edge_of_a_page_goes_to_the_next_page():
    definition, _ = field_add(base(), field_type=FieldType.TEXT, label="Nom", page_id="demande")
    definition, page = page_add(definition, title="Pièces")
    definition = field_move(definition, field_id="nom", offset=1)
    assert definition["pages"][0]["fields"] == [] and definition["pages"][1]["fields"][0]["id"] == "nom"
    definition = field_move(definition, field_id="nom", offset=-1)
    assert definition["pages"][0]["fields"][0]["id"] == "nom"


def test_blocks_get_their_own_fields_and_duplicate_with_new_ids():
    definition, block = field_add(base(), field_type=FieldType.BLOCK, label="Parcelles", page_id="demande")
    definition, inner = field_add(
        definition, field_type=FieldType.INTEGER, label="Surface", page_id="demande", block_id=block
    )
    assert [f["id"] for f in field_get(definition, block)["fields"]] == ["parcelles-element", "surface"]
    with pytest.raises(EditError):
        field_add(definition, field_type=FieldType.BLOCK, label="Sous-bloc", page_id="demande", block_id=block)
    definition, copy_id = field_duplicate(definition, field_id=block)
    copy_ids = [f["id"] for f in field_get(definition, copy_id)["fields"]]
    assert copy_ids == ["parcelles-element-2", "surface-2"]
    definition_validate(definition)


def test_deleting_a_field_that_a_condition_uses_is_refused_by_validation():
    definition, nom = field_add(base(), field_type=FieldType.YES_NO, label="Mineur", page_id="demande")
    definition, tuteur = field_add(definition, field_type=FieldType.TEXT, label="Tuteur", page_id="demande")
    definition = field_set(
        definition, field_id=tuteur, key="condition", value={"all": [{"field": nom, "op": "eq", "value": True}]}
    )
    with pytest.raises(DefinitionInvalid) as error:
        definition_validate(field_delete(definition, field_id=nom))
    assert error.value.errors[0][0] == "pages[0].fields[0].condition"


def test_pages_duplicate_move_and_the_last_one_stays():
    definition, _ = field_add(base(), field_type=FieldType.TEXT, label="Nom", page_id="demande")
    definition, copy_id = page_duplicate(definition, page_id="demande")
    assert definition["pages"][1]["fields"][0]["id"] == "nom-2"
    definition = page_move(definition, page_id=copy_id, offset=-1)
    assert definition["pages"][0]["id"] == copy_id
    definition = page_delete(definition, page_id=copy_id)
    with pytest.raises(EditError):
        page_delete(definition, page_id="demande")
    definition_validate(definition)


def test_conditions_only_offer_earlier_fields():
    definition, a = field_add(base(), field_type=FieldType.INTEGER, label="A", page_id="demande")
    definition, block = field_add(definition, field_type=FieldType.BLOCK, label="Lignes", page_id="demande")
    definition, b = field_add(definition, field_type=FieldType.TEXT, label="B", page_id="demande", block_id=block)
    definition, c = field_add(definition, field_type=FieldType.TEXT, label="C", page_id="demande")
    assert [f["id"] for f in fields_before(definition, field_id=b)] == ["a", "lignes-element"]
    assert [f["id"] for f in fields_before(definition, field_id=c)] == ["a"]
    definition, page = page_add(definition, title="Suite")
    assert [f["id"] for f in fields_before(definition, page_id=page)] == ["a", "c"]


FIELDS = {
    "age": {"id": "age", "type": "integer", "label": "Âge"},
    "nature": {
        "id": "nature",
        "type": "choice",
        "label": "Nature",
        "options": [{"value": "demolition", "label": "Démolition"}, {"value": "extension", "label": "Extension"}],
    },
    "mineur": {"id": "mineur", "type": "yes_no", "label": "Mineur"},
    "debut": {"id": "debut", "type": "date", "label": "Début"},
}


def test_condition_rows_become_typed_rules_and_back():
    rows = [
        ConditionRow("age", Operator.GE, "18"),
        ConditionRow("nature", Operator.IN, "Démolition ; extension"),
        ConditionRow("mineur", Operator.EQ, "Non"),
        ConditionRow("debut", Operator.LT, "01/02/2027"),
        ConditionRow("", Operator.EQ, ""),  # a blank row is ignored
    ]
    condition = condition_from_rows(rows, combinator="all", fields_by_id=FIELDS)
    assert condition == {
        "all": [
            {"field": "age", "op": "ge", "value": 18},
            {"field": "nature", "op": "in", "value": ["demolition", "extension"]},
            {"field": "mineur", "op": "eq", "value": False},
            {"field": "debut", "op": "lt", "value": "2027-02-01"},
        ]
    }
    combinator, back = condition_to_rows(condition, fields_by_id=FIELDS)
    assert combinator == "all"
    assert [row.value for row in back] == ["18", "Démolition ; Extension", "non", "01/02/2027"]
    assert condition_describe(condition, fields_by_id=FIELDS).startswith("« Âge » est supérieur ou égal à « 18 » et")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ConditionRow("age", Operator.GT, "douze"), "n’est pas un nombre"),
        (ConditionRow("nature", Operator.EQ, "Surélévation"), "n’est pas un choix de « Nature »"),
        (ConditionRow("mineur", Operator.EQ, "peut-être"), "« oui » ou « non »"),
        (ConditionRow("age", Operator.EQ, ""), "Indiquez la valeur"),
        (ConditionRow("inconnu", Operator.EQ, "1"), "pas placé avant"),
    ],
)
def test_condition_rows_with_bad_values_say_why(row, message):
    with pytest.raises(EditError, match=message):
        condition_from_rows([row], combinator="all", fields_by_id=FIELDS)


@pytest.mark.parametrize(
    ("spec", "source"),
    [
        (
            FormulaSpec("product", [Operand("field", "surface"), Operand("number", "12,5")], 2),
            "round({surface} * 12.5, 2)",
        ),
        (FormulaSpec("sum", [Operand("field", "a"), Operand("field", "b-c")]), "{a} + {b-c}"),
        (FormulaSpec("mean", [Operand("field", "a"), Operand("field", "b")]), "({a} + {b}) / 2"),
        (FormulaSpec("max", [Operand("field", "a"), Operand("number", "0")]), "max({a}, 0)"),
        (FormulaSpec("concat", [Operand("field", "nom"), Operand("text", ' "dit" ')]), 'concat({nom}, " \\"dit\\" ")'),
    ],
)
def test_formulas_are_composed_from_forms_and_read_back(spec, source):
    assert formula_compose(spec) == source
    formula_parse(source)  # the engine accepts what the builder writes
    back = formula_decompose(source)
    assert back.operation == spec.operation and back.decimals == spec.decimals
    assert formula_compose(back) == source


def test_a_formula_the_builder_did_not_write_is_recognised_as_such():
    assert formula_decompose("{a} * 2 + {b}") is None
    with pytest.raises(EditError):
        formula_compose(FormulaSpec("sum", []))
