import random
import re
from datetime import date, datetime
from decimal import Decimal

import phonenumbers
import pytest
import schwifty
from stdnum.fr import siret

from guichet.demo.answers import REFERENCE_DATE, fake_answers
from guichet.demo.loader import ORGANISATIONS
from guichet.demo.procedures import PROCEDURES
from guichet.procedures.conditions import condition_holds
from guichet.procedures.definition import Condition, FieldType, FormField, definition_validate

SEEDS = range(60)
BY_SLUG = {procedure.slug: procedure for procedure in PROCEDURES}
NO_ANSWER = {
    FieldType.SECTION,
    FieldType.EXPLANATION,
    FieldType.COMPUTED,
    FieldType.LINKED_DOSSIER,
}


def forms():
    return [(procedure, definition_validate(procedure.definition)) for procedure in PROCEDURES]


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible demo data, not cryptography


def answers_for(slug: str, seed: int) -> dict:
    return fake_answers(BY_SLUG[slug].definition, seeded(seed))


# --- The procedures themselves


def test_the_five_procedures_in_order():
    organisations = {organisation.siret: organisation.slug for organisation in ORGANISATIONS}
    assert [(organisations[p.document["organisation_siret"]], p.slug) for p in PROCEDURES] == [
        ("drac-ile-de-france", "autorisation-travaux-monument-historique"),
        ("mairie-sainte-croix-en-val", "copie-integrale-acte-de-naissance"),
        ("mairie-sainte-croix-en-val", "inscription-liste-electorale"),
        ("mairie-sainte-croix-en-val", "subvention-fonctionnement-association"),
        ("mairie-sainte-croix-en-val", "reservation-salle-des-fetes"),
    ]
    assert PROCEDURES[0].groups == ("UDAP Paris", "UDAP Hauts-de-Seine", "UDAP Seine-Saint-Denis")
    assert [p.groups for p in PROCEDURES[1:]] == [
        ("État civil",),
        ("Élections",),
        ("Vie associative",),
        ("Salles municipales",),
    ]


@pytest.mark.parametrize("procedure", PROCEDURES, ids=lambda p: p.slug)
def test_procedure_texts_fit_the_model(procedure):
    assert 0 < len(procedure.title) <= 200
    assert 0 < len(procedure.summary) <= 300
    assert procedure.summary.endswith(".") and ". " not in procedure.summary  # one sentence
    assert procedure.description.count("\n\n") >= 2  # a few paragraphs
    assert procedure.processing_days > 0


@pytest.mark.parametrize("procedure", PROCEDURES, ids=lambda p: p.slug)
def test_definition_validates(procedure):
    form = definition_validate(procedure.definition)
    assert len(form.pages) >= 3


def test_every_field_type_is_used():
    fields = [field for _procedure, form in forms() for field in form.iter_fields()]
    assert {field.type for field in fields} == set(FieldType)
    choices = [field for field in fields if field.type == FieldType.CHOICE]
    assert {"radio", "select"} <= {field.widget for field in choices}
    assert any(field.allow_other for field in choices)


def visible_texts(procedure, form):
    yield from (procedure.title, procedure.summary, procedure.description, *procedure.groups)
    for page in form.pages:
        yield from (page.title, page.description)
    for field in form.iter_fields():
        yield from (field.label, field.help, field.text, field.pattern_message or "", field.unit or "")
        yield from (option.label for option in field.options)
    yield from (rule.message for rule in form.eligibility)


@pytest.mark.parametrize(("procedure", "form"), forms(), ids=lambda p: getattr(p, "slug", ""))
def test_french_typography(procedure, form):
    for text in visible_texts(procedure, form):
        assert "'" not in text, text
        assert '"' not in text, text
        assert "..." not in text, text


def test_computed_formula_uses_earlier_number_fields():
    form = definition_validate(BY_SLUG["subvention-fonctionnement-association"].definition)
    fields = list(form.iter_fields())
    computed = next(field for field in fields if field.type == FieldType.COMPUTED)
    earlier = {field.id: field.type for field in fields[: fields.index(computed)]}
    for name in re.findall(r"[a-z][a-z0-9_]*", computed.formula):
        assert earlier[name] in {FieldType.DECIMAL, FieldType.INTEGER}


def test_eligibility_rules():
    expected = {
        "autorisation-travaux-monument-historique": ("protection", "inscrit"),
        "inscription-liste-electorale": ("majeur_veille_scrutin", False),
        "subvention-fonctionnement-association": ("declaree_plus_un_an", False),
    }
    for procedure, form in forms():
        rules = [(rule.condition.all[0].field, rule.condition.all[0].value) for rule in form.eligibility]
        assert rules == ([expected[procedure.slug]] if procedure.slug in expected else [])
    grant = definition_validate(BY_SLUG["subvention-fonctionnement-association"].definition)
    assert grant.eligibility[0].message == (
        "Cette démarche est réservée aux associations déclarées depuis plus d’un an."
    )


# --- The condition evaluator


@pytest.mark.parametrize(
    ("op", "value", "answer", "holds"),
    [
        ("eq", "a", "a", True),
        ("eq", "a", "b", False),
        ("eq", False, False, True),
        ("eq", False, None, False),
        ("ne", "a", "b", True),
        ("ne", "a", None, True),
        ("ne", "a", "a", False),
        ("lt", 10, "9.50", True),
        ("lt", 10, 10, False),
        ("le", 10, 10, True),
        ("gt", "2026-01-01", "2026-02-01", True),
        ("gt", 10, None, False),
        ("ge", 10, 9, False),
        ("contains", "b", ["a", "b"], True),
        ("contains", "c", ["a", "b"], False),
        ("contains", "b", None, False),
        ("empty", None, "", True),
        ("empty", None, [], True),
        ("empty", None, "x", False),
        ("not_empty", None, ["a"], True),
        ("not_empty", None, None, False),
        ("in", ["a", "b"], "a", True),
        ("in", ["a", "b"], "c", False),
    ],
)
def test_condition_operators(op, value, answer, holds):
    condition = Condition.model_validate({"all": [{"field": "x", "op": op, "value": value}]})
    assert condition_holds(condition, {"x": answer}) is holds


def test_condition_all_and_any_nest():
    condition = Condition.model_validate(
        {
            "all": [{"field": "a", "op": "eq", "value": 1}],
            "any": [{"field": "b", "op": "eq", "value": 2}, {"all": [{"field": "c", "op": "not_empty"}]}],
        }
    )
    assert condition_holds(condition, {"a": 1, "b": 2})
    assert condition_holds(condition, {"a": 1, "c": "x"})
    assert not condition_holds(condition, {"a": 1})
    assert not condition_holds(condition, {"a": 0, "b": 2})
    assert condition_holds(None, {})


# --- Fake answers


@pytest.mark.parametrize("procedure", PROCEDURES, ids=lambda p: p.slug)
def test_fake_answers_are_deterministic(procedure):
    first = fake_answers(procedure.definition, seeded(42))
    random.seed(1)  # the module-level generator must play no part
    assert fake_answers(procedure.definition, seeded(42)) == first
    others = [fake_answers(procedure.definition, seeded(seed)) for seed in range(5)]
    assert any(other != first for other in others)


def test_fake_answers_ignore_the_global_generator(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the global random generator was used")

    for name in ("random", "randint", "randrange", "choice", "choices", "sample", "shuffle", "uniform"):
        monkeypatch.setattr(random, name, forbidden)
    for procedure in PROCEDURES:
        assert fake_answers(procedure.definition, seeded(7))


def visible_fields(form, answers):
    """Top-level fields whose page and own conditions hold."""
    for page in form.pages:
        if condition_holds(page.condition, answers):
            for field in page.fields:
                if condition_holds(field.condition, answers):
                    yield field


@pytest.mark.parametrize("procedure", PROCEDURES, ids=lambda p: p.slug)
def test_fake_answers_cover_the_visible_answerable_fields_only(procedure):
    form = definition_validate(procedure.definition)
    top_level = {field.id: field for page in form.pages for field in page.fields}
    optional_answered = optional_seen = 0
    for seed in SEEDS:
        answers = fake_answers(procedure.definition, seeded(seed))
        visible = {field.id: field for field in visible_fields(form, answers) if field.type not in NO_ANSWER}
        assert set(answers) <= set(visible), set(answers) - set(visible)
        assert {id_ for id_, field in visible.items() if field.required} <= set(answers)
        for id_, field in visible.items():
            if not field.required:
                optional_seen += 1
                optional_answered += id_ in answers
        for id_, value in answers.items():
            if top_level[id_].type == FieldType.BLOCK:
                children = {child.id for child in top_level[id_].fields}
                assert all(set(row) <= children for row in value)
    # Optional fields are answered most of the time, not always.
    assert 0.6 < optional_answered / optional_seen < 0.95


CONDITIONAL_FIELDS = [
    (
        "autorisation-travaux-monument-historique",
        {"proprietaire_denomination", "proprietaire_adresse", "mandat"},
        lambda a: a["qualite_demandeur"] == "mandataire",
    ),
    (
        "autorisation-travaux-monument-historique",
        {"protection_parties"},
        lambda a: a["protection"] == "classe_partiel",
    ),
    (
        "copie-integrale-acte-de-naissance",
        {"qualite_precision", "justificatif_qualite"},
        lambda a: a["qualite_demandeur"] == "autre",
    ),
    (
        "copie-integrale-acte-de-naissance",
        {"demandeur_nom", "demandeur_prenom"},
        lambda a: a["qualite_demandeur"] != "interesse",
    ),
    ("copie-integrale-acte-de-naissance", {"adresse_envoi"}, lambda a: a["mode_delivrance"] == "courrier"),
    (
        "inscription-liste-electorale",
        {"pays_origine", "elections_ue", "attestation_droit_vote"},
        lambda a: a["nationalite"] == "union_europeenne",
    ),
    (
        "inscription-liste-electorale",
        {"collectivite_origine"},
        lambda a: "europeennes" in a.get("elections_ue", []),
    ),
    (
        "subvention-fonctionnement-association",
        {"subventions_recues"},
        lambda a: a["subventions_anterieures"] is True,
    ),
]


@pytest.mark.parametrize(("slug", "field_ids", "shown"), CONDITIONAL_FIELDS)
def test_conditional_fields_appear_exactly_when_their_condition_holds(slug, field_ids, shown):
    outcomes = set()
    for seed in SEEDS:
        answers = answers_for(slug, seed)
        outcomes.add(shown(answers))
        if shown(answers):
            assert field_ids <= set(answers)
        else:
            assert not field_ids & set(answers)
    assert outcomes == {True, False}  # both branches are exercised


def test_eligibility_fields_get_the_eligible_answer():
    for seed in SEEDS:
        assert answers_for("inscription-liste-electorale", seed)["majeur_veille_scrutin"] is True
        assert answers_for("subvention-fonctionnement-association", seed)["declaree_plus_un_an"] is True
        assert answers_for("autorisation-travaux-monument-historique", seed)["protection"] != "inscrit"
    for procedure, form in forms():
        for seed in SEEDS:
            answers = fake_answers(procedure.definition, seeded(seed))
            assert not any(condition_holds(rule.condition, answers) for rule in form.eligibility)


def test_eligibility_answer_is_forced_even_for_an_unusual_rule():
    definition = {
        "pages": [
            {
                "id": "p",
                "title": "Page",
                "fields": [{"id": "accord", "type": "checkbox", "label": "Accord"}],
            }
        ],
        "eligibility": [{"condition": {"all": [{"field": "accord", "op": "ne", "value": True}]}, "message": "Non."}],
    }
    for seed in range(20):
        assert fake_answers(definition, seeded(seed)) == {"accord": True}


def as_date(text: str) -> date:
    return date.fromisoformat(text)


def check_date(field: FormField, day: date) -> None:
    if field.min is not None:
        assert day >= as_date(field.min)
    if field.max is not None:
        assert day <= as_date(field.max)
    if field.past_only:
        assert day < REFERENCE_DATE
    if field.future_only:
        assert day > REFERENCE_DATE


def check_number(field: FormField, number) -> None:
    if field.min is not None:
        assert number >= Decimal(str(field.min))
    if field.max is not None:
        assert number <= Decimal(str(field.max))


def check_text(field: FormField, value) -> None:
    assert isinstance(value, str) and value.strip()
    if field.pattern:
        assert re.fullmatch(field.pattern, value), (field.id, value)
    if field.max_length:
        assert len(value) <= field.max_length
    if field.min_length:
        assert len(value) >= field.min_length


def check_integer(field, value):
    assert type(value) is int
    check_number(field, value)


def check_decimal(field, value):
    assert re.fullmatch(r"\d+\.\d{2}", value), value
    check_number(field, Decimal(value))


def check_date_answer(field, value):
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    check_date(field, as_date(value))


def check_datetime(field, value):
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value)
    check_date(field, datetime.fromisoformat(value).date())


def check_bool(field, value):
    assert type(value) is bool
    if field.type == FieldType.CHECKBOX and field.required:
        assert value is True


def check_choice(field, value):
    assert value in [option.value for option in field.options]


def check_multiple_choice(field, value):
    values = [option.value for option in field.options]
    assert value and set(value) <= set(values) and len(set(value)) == len(value)
    assert len(value) >= (field.min_choices or 1)
    assert len(value) <= (field.max_choices or len(values))


def check_email(field, value):
    assert re.fullmatch(r"[a-z0-9.-]+@[a-z0-9-]+(\.[a-z0-9-]+)+", value), value


def check_phone(field, value):
    number = phonenumbers.parse(value)
    assert phonenumbers.is_valid_number(number), value
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == value


def check_address(field, value):
    assert set(value) == {"street", "postcode", "city", "insee_code"}
    assert re.fullmatch(r"\d+( bis)? \S.+", value["street"])
    assert re.fullmatch(r"\d{5}", value["postcode"]) and re.fullmatch(r"\d{5}", value["insee_code"])
    assert value["postcode"][:2] == value["insee_code"][:2]


def check_siret(field, value):
    assert siret.is_valid(value), value


def check_iban(field, value):
    iban = schwifty.IBAN(value, validate_bban=True)  # also checks the RIB key
    assert iban.country_code == "FR" and str(iban.compact) == value


def check_files(field, value):
    assert 1 <= len(value) <= (field.max_files or 1)
    assert len({file["name"] for file in value}) == len(value)
    for file in value:
        assert set(file) == {"name", "content_type", "size"}
        assert file["content_type"] in field.accept
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[file["content_type"]]
        assert file["name"].endswith(f".{extension}")
        assert 0 < file["size"] <= (field.max_size_mb or 10) * 1024 * 1024


def check_block(field, value):
    assert (field.min_rows or 0) <= len(value) <= (field.max_rows or len(value))
    children = {child.id: child for child in field.fields}
    for row in value:
        assert {child.id for child in field.fields if child.required} <= set(row)
        for child_id, child_value in row.items():
            CHECKS[children[child_id].type](children[child_id], child_value)


CHECKS = {
    FieldType.TEXT: check_text,
    FieldType.TEXTAREA: check_text,
    FieldType.INTEGER: check_integer,
    FieldType.DECIMAL: check_decimal,
    FieldType.DATE: check_date_answer,
    FieldType.DATETIME: check_datetime,
    FieldType.YES_NO: check_bool,
    FieldType.CHECKBOX: check_bool,
    FieldType.CHOICE: check_choice,
    FieldType.MULTIPLE_CHOICE: check_multiple_choice,
    FieldType.EMAIL: check_email,
    FieldType.PHONE: check_phone,
    FieldType.ADDRESS: check_address,
    FieldType.SIRET: check_siret,
    FieldType.IBAN: check_iban,
    FieldType.FILE: check_files,
    FieldType.BLOCK: check_block,
}


def test_checks_cover_every_answerable_type():
    assert set(CHECKS) == set(FieldType) - NO_ANSWER


@pytest.mark.parametrize("procedure", PROCEDURES, ids=lambda p: p.slug)
def test_fake_answers_have_valid_values(procedure):
    form = definition_validate(procedure.definition)
    fields = {field.id: field for field in form.iter_fields()}
    for seed in SEEDS:
        for field_id, value in fake_answers(procedure.definition, seeded(seed)).items():
            CHECKS[fields[field_id].type](fields[field_id], value)


def test_library_checks_catch_a_single_wrong_digit():
    # The checks above would really tell a broken generator: one changed digit is caught.
    answers = answers_for("subvention-fonctionnement-association", 0)
    wrong_siret = answers["siret"][:-1] + str((int(answers["siret"][-1]) + 1) % 10)
    assert not siret.is_valid(wrong_siret)
    iban = answers["iban"]
    bban = iban[4:-2] + f"{(int(iban[-2:]) + 1) % 97:02d}"  # wrong RIB key, right IBAN check digits
    with pytest.raises(ValueError):
        schwifty.IBAN(f"FR{98 - int(bban + '152700') % 97:02d}{bban}", validate_bban=True)


def test_fake_answers_are_coherent():
    for seed in SEEDS:
        grant = answers_for("subvention-fonctionnement-association", seed)
        assert Decimal(grant["montant_demande"]) < Decimal(grant["budget_total"])
        assert grant["nombre_benevoles"] <= grant["nombre_adherents"]
        assert grant["date_declaration"] < REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 1).isoformat()
        years = [row["subvention_annee"] for row in grant.get("subventions_recues", [])]
        assert len(years) == len(set(years)) and all(year < REFERENCE_DATE.year for year in years)
        assert grant["titulaire_compte"] == grant["nom_association"]

        works = answers_for("autorisation-travaux-monument-historique", seed)
        assert "2026-11-01" < works["date_debut"] <= "2027-11-01"

        roll = answers_for("inscription-liste-electorale", seed)
        assert roll["adresse_commune"]["city"] == "Sainte-Croix-en-Val"
        assert roll["date_naissance"] <= REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 18).isoformat()

        birth = answers_for("copie-integrale-acte-de-naissance", seed)
        assert birth["titulaire_commune_naissance"] == "Sainte-Croix-en-Val"


def test_fake_answers_look_varied():
    last_names = {answers_for("autorisation-travaux-monument-historique", seed)["nom"] for seed in SEEDS}
    streets = {
        answers_for("copie-integrale-acte-de-naissance", s).get("adresse_envoi", {}).get("street") for s in SEEDS
    }
    associations = {answers_for("subvention-fonctionnement-association", s)["nom_association"] for s in SEEDS}
    assert len(last_names) >= 20
    assert len(streets) >= 15
    assert len(associations) >= 5
