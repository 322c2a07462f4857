"""Fake answers for the demo's dossiers (and the benchmarks'): `fake_answers` walks a form the way
an applicant would and draws each answer with its type's example generator, from the catalogue
`guichet.procedures.answers.ANSWER_TYPES`. What makes the answers look real is here: hints by field
id, drawn from the pools of `pools.py`, so that a first name follows the civility, an email the
name, an amount the budget. Everything comes from the `random.Random` given, and dates from
`REFERENCE_DATE`, never from the clock: a seed always gives the same dossier."""

import random
from collections import ChainMap
from collections.abc import Mapping, MutableMapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from guichet.procedures.answers import ANSWER_TYPES
from guichet.procedures.conditions import condition_holds
from guichet.procedures.definition import Condition, FieldType, FormField, definition_validate
from guichet.procedures.examples import JPEG, PDF, ExampleDraw, ExampleMaterial, Hint, slug, years_after

from . import pools
from .pools import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, Association

REFERENCE_DATE = date(2026, 11, 1)  # "today" for fake answers, so that they never depend on the clock
OPTIONAL_ANSWER_RATE = 0.8


# ---------------------------------------------------------------------------------------------
# Hints: a value for a field, given the answers so far


def _gender(scope: Mapping[str, Any]) -> str | None:
    return {"madame": "f", "feminin": "f", "monsieur": "m", "masculin": "m"}.get(
        scope.get("civilite") or scope.get("sexe")
    )


def _first_names(rng: random.Random, gender: str | None, count: int = 1) -> str:
    gender = gender or rng.choice("fm")
    pool = FEMALE_FIRST_NAMES if gender == "f" else MALE_FIRST_NAMES
    return ", ".join(rng.sample(pool, count))


def _full_name(rng: random.Random) -> str:
    return f"{_first_names(rng, None)} {rng.choice(LAST_NAMES)}"


def _association(scope: Mapping[str, Any]) -> Association | None:
    return next((a for a in pools.ASSOCIATIONS if a.name == scope.get("nom_association")), None)


def _eu_country(scope: Mapping[str, Any]) -> tuple[str, str, str] | None:
    return next((country for country in pools.EU_COUNTRIES if country[0] == scope.get("pays_origine")), None)


def _birthplace(d: ExampleDraw) -> str:
    country = _eu_country(d.scope)
    if country:
        return f"{country[2]} ({country[1]})"
    return d.rng.choice(pools.ALL_COMMUNES).name


def _works_description(d: ExampleDraw) -> str:
    natures = d.scope.get("nature_travaux") or [d.rng.choice(list(pools.WORKS_SENTENCES))]
    sentences = [pools.WORKS_SENTENCES[nature] for nature in natures if nature in pools.WORKS_SENTENCES]
    return " ".join([d.rng.choice(pools.WORKS_CONTEXT), *sentences])


def _owner(d: ExampleDraw) -> str:
    return d.rng.choice(pools.OWNER_ENTITIES) if d.rng.random() < 0.4 else _full_name(d.rng)


def _activities(d: ExampleDraw) -> str:
    association = _association(d.scope)
    return association.activities if association else d.rng.choice(d.material.paragraphs)


def _domain(d: ExampleDraw) -> str | None:
    association = _association(d.scope)
    return association.domain if association else None


def _email(d: ExampleDraw) -> str:
    """The address of the person named beside it ("president_courriel" → "president_prenom"...)."""
    prefix = d.field.id.rpartition("_")[0]
    prefix = f"{prefix}_" if prefix else ""
    first = d.scope.get(f"{prefix}prenom") or d.scope.get(f"{prefix}prenoms")
    last = d.scope.get(f"{prefix}nom") or d.scope.get(f"{prefix}nom_naissance")
    full = d.scope.get(f"{prefix}nom_prenom")
    association = _association(d.scope)
    if first and last:
        local = f"{slug(first.split(',')[0])}.{slug(last)}"
    elif full:
        local = slug(full).replace("-", ".", 1)
    elif association:
        local = f"contact.{slug(association.acronym)}"
    else:
        local = slug(_full_name(d.rng)).replace("-", ".", 1)
    if d.rng.random() < 0.25:
        local += str(d.rng.randint(1, 99))
    return f"{local}@{d.rng.choice(pools.MAIL_DOMAINS)}"


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _round_to(value: Decimal, step: int) -> Decimal:
    return (value / step).quantize(Decimal(1)) * step


def _requested_amount(d: ExampleDraw) -> Decimal:
    budget = d.scope.get("budget_total")
    if budget is None:
        return _round_to(_cents(d.rng, 500, 15_000), 50)
    return max(_round_to(Decimal(budget) * d.rng.randint(5, 30) / 100, 50), Decimal(50))


VALUES: dict[str, Hint] = {
    # people
    "nom": lambda d: d.rng.choice(LAST_NAMES),
    "nom_naissance": lambda d: d.rng.choice(LAST_NAMES),
    "nom_usage": lambda d: d.rng.choice(LAST_NAMES),
    "prenom": lambda d: _first_names(d.rng, _gender(d.scope)),
    "prenoms": lambda d: _first_names(d.rng, _gender(d.scope), d.rng.choice((1, 2, 2, 3))),
    "nom_prenom": lambda d: _full_name(d.rng),
    "pere_nom": lambda d: d.scope.get("titulaire_nom") or d.rng.choice(LAST_NAMES),
    "pere_prenoms": lambda d: _first_names(d.rng, "m", d.rng.choice((1, 2))),
    "mere_prenoms": lambda d: _first_names(d.rng, "f", d.rng.choice((1, 2))),
    "denomination": _owner,
    "courriel": _email,
    "qualite_precision": lambda d: d.rng.choice(pools.NOTARY_QUALITIES),
    # places
    "titulaire_commune_naissance": lambda d: pools.LOCAL_COMMUNES[0].name,
    "commune_naissance": _birthplace,
    "commune_precedente": lambda d: d.rng.choice(pools.PARIS_AREA_COMMUNES + pools.OTHER_COMMUNES).name,
    "collectivite_origine": lambda d: (_eu_country(d.scope) or d.rng.choice(pools.EU_COUNTRIES))[2],
    # the monument and its works
    "monument_appellation": lambda d: d.rng.choice(pools.MONUMENTS),
    "protection_parties": lambda d: d.rng.choice(pools.PROTECTED_PARTS),
    "architecte_agence": lambda d: d.rng.choice(pools.ARCHITECT_FIRMS).format(d.rng.choice(LAST_NAMES)),
    "cadastre_section": lambda d: d.rng.choice(pools.CADASTRAL_SECTIONS),
    "cadastre_numero": lambda d: d.rng.randint(1, 650),
    "description_travaux": _works_description,
    "duree_mois": lambda d: d.rng.randint(2, 24),
    "cout_estime": lambda d: _cents(d.rng, 8_000, 900_000),
    # the association and its grant
    "nom_association": lambda d: d.rng.choice(pools.ASSOCIATIONS).name,
    # typed by the applicant when API Entreprise could not say (the demo's dossiers were not fetched)
    "forme_juridique": lambda d: "9220 – Association déclarée",
    "activite_principale": lambda d: "94.99Z – Autres organisations fonctionnant par adhésion volontaire",
    "etat_etablissement": lambda d: "Ouvert",
    "sigle": lambda d: (_association(d.scope) or d.rng.choice(pools.ASSOCIATIONS)).acronym,
    "rna": lambda d: f"W45{d.rng.randrange(10**7):07d}",
    "domaine": _domain,
    "titulaire_compte": lambda d: d.scope.get("nom_association") or _full_name(d.rng),
    "description_activites": _activities,
    "autres_financements": lambda d: d.rng.choice(pools.OTHER_FUNDING),
    "nombre_adherents": lambda d: d.rng.randint(12, 450),
    "nombre_benevoles": lambda d: d.rng.randint(2, min(40, d.scope.get("nombre_adherents", 40))),
    "nombre_salaries": lambda d: d.rng.choice((0, 0, 0, 1, 2, 3)),
    "subvention_annee": lambda d: d.today.year - 1 - (d.row or 0),
    "budget_total": lambda d: _cents(d.rng, 4_000, 180_000),
    "montant_demande": _requested_amount,
    "subvention_montant": lambda d: _round_to(_cents(d.rng, 300, 8_000), 50),
    # the copy of a birth certificate
    "nombre_copies": lambda d: d.rng.choice((1, 1, 1, 2, 3)),
}

# Usual date spans.
DATE_SPANS: dict[str, tuple[date, date]] = {
    "date_naissance": (years_after(REFERENCE_DATE, -90), years_after(REFERENCE_DATE, -18)),
    "date_declaration": (years_after(REFERENCE_DATE, -40), years_after(REFERENCE_DATE, -2)),
    "date_protection": (date(1862, 1, 1), date(2010, 12, 31)),
    "date_debut": (REFERENCE_DATE + timedelta(days=60), years_after(REFERENCE_DATE, 1)),
    "date_emmenagement": (years_after(REFERENCE_DATE, -1), REFERENCE_DATE - timedelta(days=1)),
    "visite_souhaitee": (REFERENCE_DATE + timedelta(days=15), REFERENCE_DATE + timedelta(days=120)),
}
COMMUNES_BY_FIELD = {
    "adresse_commune": pools.LOCAL_COMMUNES,
    "adresse_siege": pools.LOCAL_COMMUNES,
    "monument_adresse": pools.PARIS_AREA_COMMUNES,
    "proprietaire_adresse": pools.PARIS_AREA_COMMUNES + pools.OTHER_COMMUNES,
}
# Files: usual names and preferred content type.
FILE_NAMES: dict[str, tuple[tuple[str, ...], str]] = {
    "mandat": (("mandat-proprietaire", "mandat-signe"), PDF),
    "plans": (
        ("plan-de-situation", "plan-masse", "plans-etat-existant", "plans-projet", "coupes-elevations"),
        PDF,
    ),
    "photographies": (
        ("photo-facade-principale", "photo-facade-arriere", "photo-toiture", "photo-corniche", "photo-interieur"),
        JPEG,
    ),
    "notice_descriptive": (("notice-descriptive",), PDF),
    "autres_pieces": (("etude-prealable", "diagnostic-sanitaire", "devis-entreprise"), PDF),
    "justificatif_qualite": (("lettre-de-mission", "mandat-succession"), PDF),
    "piece_identite": (("carte-identite-recto", "carte-identite-verso", "passeport"), JPEG),
    "justificatif_domicile": (("facture-electricite", "quittance-loyer", "avis-taxe-fonciere"), PDF),
    "statuts": (("statuts",), PDF),
    "compte_resultat": ((f"compte-de-resultat-{REFERENCE_DATE.year - 1}",), PDF),
    "budget_previsionnel": ((f"budget-previsionnel-{REFERENCE_DATE.year + 1}",), PDF),
    "rib": (("rib-association",), PDF),
    "rapport_activite": ((f"rapport-activite-{REFERENCE_DATE.year - 1}",), PDF),
}

DEMO_MATERIAL = ExampleMaterial(
    first_names=FEMALE_FIRST_NAMES + MALE_FIRST_NAMES,
    last_names=LAST_NAMES,
    mail_domains=pools.MAIL_DOMAINS,
    landline_prefix="238",  # the Loiret, around Sainte-Croix-en-Val
    streets=pools.STREETS,
    communes=pools.ALL_COMMUNES,
    values=VALUES,
    date_spans=DATE_SPANS,
    communes_by_field=COMMUNES_BY_FIELD,
    file_names=FILE_NAMES,
)


# ---------------------------------------------------------------------------------------------
# The walk through a form


def _answerable(kind: FieldType) -> bool:
    """Whether a person fills such a field: a block's rows, or a type with an example generator
    (not display-only fields, computed ones or linked dossiers, which must be really filed)."""
    answer_type = ANSWER_TYPES.get(kind)
    return kind == FieldType.BLOCK or (answer_type is not None and answer_type.example is not None)


class _AnswerFaker:
    def __init__(self, rng: random.Random, eligibility: list[Condition]):
        self.rng = rng
        self.eligibility = eligibility
        self.decisive = {field_id for condition in eligibility for field_id in condition.field_ids()}
        self.row: int | None = None

    def fill(self, fields: list[FormField], scope: MutableMapping[str, Any]) -> None:
        for field in fields:
            if not _answerable(field.type) or not condition_holds(field.condition, scope):
                continue
            decisive = field.id in self.decisive
            if not (field.required or decisive) and self.rng.random() >= OPTIONAL_ANSWER_RATE:
                continue
            value = self.answer(field, scope)
            scope[field.id] = self.eligible(field, scope, value) if decisive else value

    def answer(self, field: FormField, scope: Mapping[str, Any]) -> Any:
        if field.type == FieldType.BLOCK:
            return self.rows(field, scope)
        draw = ExampleDraw(
            rng=self.rng, today=REFERENCE_DATE, field=field, scope=scope, row=self.row, material=DEMO_MATERIAL
        )
        return ANSWER_TYPES[field.type].example(draw)

    def rows(self, block: FormField, scope: Mapping[str, Any]) -> list[dict[str, Any]]:
        low = max(block.min_rows or 0, 1)
        high = max(low, min(block.max_rows or low + 2, low + 2))
        outer_row, rows = self.row, []
        for index in range(self.rng.randint(low, high)):
            row: dict[str, Any] = {}
            self.row = index
            self.fill(block.fields, ChainMap(row, scope))
            rows.append(row)
        self.row = outer_row
        return rows

    def eligible(self, field: FormField, scope: Mapping[str, Any], value: Any) -> Any:
        """The value if it passes the eligibility rules, else another one the field offers that does."""
        answer_type = ANSWER_TYPES.get(field.type)
        offered = answer_type.offered if answer_type else None
        for candidate in [value, *(offered(field) if offered else [])]:
            trial = ChainMap({field.id: candidate}, scope)
            if not any(condition_holds(condition, trial) for condition in self.eligibility):
                return candidate
        return value


def fake_answers(definition: dict, rng: random.Random) -> dict[str, Any]:
    """Realistic answers to a form definition, drawn from rng only: the same seed gives the same answers.

    Every answerable field whose condition (and page condition) holds gets an answer, optional ones
    most of the time; the fields that eligibility rules look at get an eligible answer. Display-only,
    computed and linked-dossier fields get no key."""
    form = definition_validate(definition)
    faker = _AnswerFaker(rng, [rule.condition for rule in form.eligibility])
    answers: dict[str, Any] = {}
    for page in form.pages:
        if condition_holds(page.condition, answers):
            faker.fill(page.fields, answers)
    return answers
