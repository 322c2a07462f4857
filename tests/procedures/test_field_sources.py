"""The data sources that a form definition may give its fields, and every mistake said at its place."""

import pytest

from guichet.procedures.definition import DefinitionInvalid, definition_validate
from guichet.procedures.field_sources import siret_triggers, sourced_fields

SIRET = {"id": "siret", "type": "siret", "label": "SIRET"}


def form(*fields, annotations=()):
    return {"pages": [{"id": "p", "title": "Page", "fields": list(fields)}], "annotations": list(annotations)}


def errors_of(definition) -> dict[str, str]:
    with pytest.raises(DefinitionInvalid) as raised:
        definition_validate(definition)
    return dict(raised.value.errors)


def test_fields_filled_from_a_siret_and_from_franceconnect():
    parsed = definition_validate(
        form(
            SIRET,
            {"id": "nom", "type": "text", "label": "Nom",
             "source": {"provider": "api_entreprise", "datum": "legal_name", "siret_field": "siret"}},
            {"id": "qf", "type": "integer", "label": "QF",
             "source": {"provider": "api_particulier", "datum": "family_quotient", "consent": "J’accepte."}},
        )
    )  # fmt: skip
    assert [field.id for field in sourced_fields(parsed)] == ["nom", "qf"]
    assert [field.id for field in siret_triggers(parsed)["siret"]] == ["nom"]


@pytest.mark.parametrize(
    ("field", "place", "message"),
    [
        ({"type": "text", "source": {"provider": "api_entreprise", "datum": "shoe_size", "siret_field": "siret"}},
         "pages[0].fields[1].source.datum", "donnée inconnue « shoe_size » pour API Entreprise"),
        ({"type": "integer", "source": {"provider": "api_entreprise", "datum": "legal_name", "siret_field": "siret"}},
         "pages[0].fields[1].source.datum", "ne peut pas remplir un champ de type « integer »"),
        ({"type": "text", "source": {"provider": "api_entreprise", "datum": "legal_name", "siret_field": "nom"}},
         "pages[0].fields[1].source.siret_field", "n’est pas un champ SIRET placé avant ce champ"),
        ({"type": "yes_no", "source": {"provider": "api_particulier", "datum": "student_status"}},
         "pages[0].fields[1].source.consent", "le texte de consentement est obligatoire"),
    ],
)  # fmt: skip
def test_a_wrong_source_is_said_at_its_place(field, place, message):
    errors = errors_of(form(SIRET, {"id": "nom", "label": "Nom", **field}))
    assert message in errors[place]


def test_no_source_in_a_block_nor_in_an_annotation():
    source = {"provider": "api_entreprise", "datum": "legal_name", "siret_field": "siret"}
    block = {"id": "lignes", "type": "block", "label": "Lignes",
             "fields": [{"id": "nom", "type": "text", "label": "Nom", "source": source}]}  # fmt: skip
    assert "bloc répétable" in errors_of(form(SIRET, block))["pages[0].fields[1].fields[0].source"]
    annotation = {"id": "note", "type": "text", "label": "Note", "source": source}
    assert "annotation" in errors_of(form(SIRET, annotations=[annotation]))["annotations[0].source"]
