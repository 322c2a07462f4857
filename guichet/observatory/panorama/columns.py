"""The panorama's published columns, defined once: the open data writes them (one row per project
and edition, and one row per edition for the headline figures) and the steering team's CSV import
reads the same names (docs/open-data.md, « panorama »). Names follow the state's panorama dataset."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..models import CostBand, InclusionCriterion, ProjectPhase
from ..opendata import Column, Table, rounded
from .figures import ProjectLine


class CellError(ValueError):
    """A cell of an imported CSV that cannot be read; the message is for the person importing."""


def _text(value: str) -> str:
    return value.strip()


def _yes_no(value: str) -> bool:
    word = value.strip().lower()
    if word in {"oui", "true", "1", "vrai", "yes"}:
        return True
    if word in {"non", "false", "0", "faux", "no", ""}:
        return False
    raise CellError(f"« {value} » : indiquez oui ou non.")


def _date(value: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise CellError(f"« {value} » : indiquez une date sous la forme AAAA-MM-JJ ou JJ/MM/AAAA.")


def _number(value: str) -> Decimal | None:
    value = value.strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CellError(f"« {value} » n’est pas un nombre.") from None


def _choice(choices: type) -> Callable[[str], str]:
    def parse(value: str) -> str:
        word = value.strip()
        for code, label in choices.choices:
            if word.lower() in {code, str(label).lower()}:
                return code
        labels = " ; ".join(str(label) for _, label in choices.choices)
        raise CellError(f"« {value} » : valeurs possibles : {labels}.")

    return parse


@dataclass(frozen=True)
class FieldColumn:
    """A published column that is also a field of the project, read back by the import."""

    name: str
    field: str
    description: str
    parse: Callable[[str], Any]


FIELD_COLUMNS = (
    FieldColumn("ministere_porteur", "ministry_code", "the lead ministry's short name (MEF, MI...)", _text),
    FieldColumn("ministere_nom", "ministry_name", "the lead ministry's full name", _text),
    FieldColumn("projet", "name", "the project's name", _text),
    FieldColumn("interministeriel", "interministerial", "interministerial project (true / false)", _yes_no),
    FieldColumn(
        "collectivites_territoriales", "local_authorities", "concerns local authorities (true / false)", _yes_no
    ),
    FieldColumn("description", "description", "description and objectives", _text),
    FieldColumn("lien", "link", "link to the project", _text),
    FieldColumn("date_debut", "start_date", "start date", _date),
    FieldColumn("duree_initiale_annees", "duration_initial_years", "planned duration at the start, in years", _number),
    FieldColumn("duree_annees", "duration_current_years", "planned duration in this edition, in years", _number),
    FieldColumn(
        "phase", "phase", "current phase: framing, experimentation, build, rollout or done", _choice(ProjectPhase)
    ),
    FieldColumn("cout_initial_meuros", "cost_initial_meur", "cost estimated at the start, in M€", _number),
    FieldColumn("cout_meuros", "cost_current_meur", "cost estimated in this edition, in M€", _number),
    FieldColumn("domaine_fonctionnel", "functional_area", "functional area", _text),
    FieldColumn("financement", "funding_programmes", "funding budget programmes, separated by |", _text),
    FieldColumn("lien_pap", "performance_plan_link", "link to the annual performance plans", _text),
    FieldColumn(
        "critere_inclusion",
        "inclusion_criterion",
        "why the project is in the panorama: cost, savings, complexity or impact",
        _choice(InclusionCriterion),
    ),
    FieldColumn("pilote", "lead", "the directorate or service leading the project", _text),
)
PROCEDURES_COLUMN = "demarches_guichet"
ID_COLUMN = "id_projet"


def _band(line: ProjectLine) -> str:
    band = line.record.cost_band
    return band.value if band else ""


def _field(name: str) -> Callable[[ProjectLine], Any]:
    return lambda line: getattr(line.record, name)


PANORAMA = Table(
    "panorama",
    "Panorama des grands projets numériques",
    (
        Column(ID_COLUMN, "the project's number (stable across editions)", lambda line: line.record.project_id),
        Column("edition", "the edition's number", lambda line: line.record.edition_id),
        Column("date_publication", "the edition's publication date", lambda line: line.record.edition.published_on),
        *(Column(column.name, column.description, _field(column.field)) for column in FIELD_COLUMNS),
        Column("phase_libelle", "the phase in French", lambda line: str(line.record.get_phase_display())),
        Column(
            "tranche_budgetaire",
            "cost band from the current cost: " + ", ".join(band.value for band in CostBand),
            _band,
        ),
        Column(
            PROCEDURES_COLUMN,
            "the procedures of Guichet it serves (their addresses /demarches/<slug>/), separated by |",
            lambda line: "|".join(line.record.procedure_slugs),
        ),
        Column(
            "derive_calendrier",
            "schedule drift: (current − initial) / initial duration, as a fraction",
            lambda line: rounded(line.schedule_drift),
        ),
        Column(
            "derive_budget",
            "budget drift: (current − initial) / initial cost, as a fraction",
            lambda line: rounded(line.budget_drift),
        ),
        Column(
            "evolution_cout_premiere_edition",
            "change of the current cost since the project's first edition, as a fraction",
            lambda line: rounded(line.cost_since_first),
        ),
        Column(
            "evolution_cout_edition_precedente",
            "change of the current cost since the previous edition (empty: new in this edition)",
            lambda line: rounded(line.cost_since_previous),
        ),
        Column(
            "evolution_duree_premiere_edition",
            "change of the planned duration since the project's first edition, as a fraction",
            lambda line: rounded(line.duration_since_first),
        ),
        Column(
            "evolution_duree_edition_precedente",
            "change of the planned duration since the previous edition (empty: new in this edition)",
            lambda line: rounded(line.duration_since_previous),
        ),
    ),
)


PANORAMA_EDITIONS = Table(
    "panorama_editions",
    "Chiffres clés des éditions du panorama",
    (
        Column("edition", "the edition's number", lambda f: f.edition.pk),
        Column("titre", "the edition's title", lambda f: f.edition.title),
        Column("organisation", "the organisation that publishes it", lambda f: f.edition.organisation.name),
        Column("date_publication", "its publication date", lambda f: f.edition.published_on),
        Column("nombre_projets", "number of projects", lambda f: f.headline.count),
        Column("projets_interministeriels", "interministerial projects", lambda f: f.headline.interministerial),
        Column(
            "projets_collectivites", "projects concerning local authorities", lambda f: f.headline.local_authorities
        ),
        Column("cout_total_meuros", "total current estimated cost, in M€", lambda f: f.headline.total_cost_meur),
        Column(
            "duree_moyenne_annees",
            "mean current planned duration, in years",
            lambda f: rounded(f.headline.mean_duration_years),
        ),
        Column(
            "derive_calendrier_moyenne",
            "mean schedule drift, as a fraction",
            lambda f: rounded(f.headline.mean_schedule_drift),
        ),
        Column(
            "derive_budget_moyenne", "mean budget drift, as a fraction", lambda f: rounded(f.headline.mean_budget_drift)
        ),
    ),
)

TABLES = (PANORAMA, PANORAMA_EDITIONS)
