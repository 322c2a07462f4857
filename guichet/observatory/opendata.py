"""The observatory's tables as open data: each table's columns, with stable names documented in
docs/open-data.md (a test checks that every column is documented there), written as CSV or JSON.

Column names follow the state's datasets that each table mirrors: the observatory of online
procedures (`<slug>_value`, `<slug>_color`, `<slug>_goal_reached`), the panorama of digital
projects for the programme, and the DITP barometer's 2021 columns for the barometer."""

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from . import indicators as ind
from .selectors import BarometerRow, QualityRow, entry_quality, entry_yearly_volume, organisation_ministry


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    columns: tuple[Column, ...]

    def rows(self, items: Iterable[Any]) -> list[dict[str, Any]]:
        return [{column.name: _plain(column.value(item)) for column in self.columns} for item in items]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _verdict(row: QualityRow, slug: str) -> ind.Verdict:
    return next(verdict for verdict in row.verdicts if verdict.slug == slug)


QUALITY_SLUGS = (
    ("online", "online end to end: yes, partial, no or proactive"),
    ("satisfaction", "applicants' satisfaction out of 10 (mean of the 0 / 5 / 10 smileys, last 12 months)"),
    ("handicap", "accessibility: the declared RGAA compliance rate, in % (empty: no declaration)"),
    ("dlnuf", "« Dites-le-nous une fois »: number of data asked that another administration holds"),
    ("usage", "share of the requests filed online among all channels, in % (last 12 months)"),
    ("simplicity", "clarity of language out of 10 (answers 1 to 5 brought to 0–10, last 12 months)"),
    ("help_reachable", "help reachable, in % of the applicants who looked for help"),
    ("help_efficient", "help efficiency out of 10 (answers 1 to 5 brought to 0–10)"),
    ("help_used", "share of the applicants who needed help, in % (no threshold: gray)"),
    ("auth", "sign-in with FranceConnect offered (true / false)"),
    ("uptime", "uptime over 3 months, in %, from the platform's own visits of the start page every 10 minutes"),
    ("performance", "median time to receive the start page over 30 days, in seconds (the platform's own visits)"),
)


def _quality_columns() -> tuple[Column, ...]:
    columns = [
        Column("id", "the procedure's number in the programme (stable)", lambda r: r.entry.pk),
        Column(
            "edition",
            "the edition: the quarter the row was computed for (2026-T4); one row per procedure and edition",
            lambda r: r.edition,
        ),
        Column("title", "the procedure", lambda r: r.entry.title),
        Column("administration", "the administration that offers it", lambda r: r.entry.organisation.name),
        Column(
            "ministry",
            "the top of its administration's tree (its ministry)",
            lambda r: organisation_ministry(r.entry.organisation).name,
        ),
        Column(
            "guichet_slug",
            "its address in Guichet when published here (/demarches/<slug>/)",
            lambda r: r.entry.procedure.slug if r.entry.procedure_id else "",
        ),
        Column("volume", "yearly volume (declared, else counted over the last 12 months)", lambda r: r.yearly_volume),
        Column("opinions_count", "applicants' opinions over the last 12 months", lambda r: r.opinions_count),
    ]
    for slug, description in QUALITY_SLUGS:
        columns += [
            Column(f"{slug}_value", description, lambda r, s=slug: _verdict(r, s).value),
            Column(
                f"{slug}_color",
                "its colour level: blue, green, yellow, orange, red or gray",
                lambda r, s=slug: _verdict(r, s).level.value,
            ),
            Column(
                f"{slug}_goal_reached",
                "whether the level reaches the goal (green or blue)",
                lambda r, s=slug: _verdict(r, s).goal_reached,
            ),
        ]
    columns += [
        Column(
            "processing_median_days",
            "median days from submission to decision, decisions of the last 30 days",
            lambda r: r.quality.processing_median_days if r.quality else None,
        ),
        Column(
            "processing_p90_days",
            "90th percentile of the same",
            lambda r: r.quality.processing_p90_days if r.quality else None,
        ),
        Column(
            "computed_at",
            "when the edition's computed indicators were last computed (ISO 8601)",
            lambda r: r.quality.computed_at if r.quality else None,
        ),
    ]
    return tuple(columns)


QUALITY = Table("qualite", "Qualité des démarches", _quality_columns())


def _entry_volume(entry) -> int | None:
    return entry_yearly_volume(entry, entry_quality(entry))


PROGRAMME = Table(
    "programme",
    "Programme des démarches",
    (
        Column("id", "the procedure's number in the programme (stable)", lambda e: e.pk),
        Column("demarche", "the procedure", lambda e: e.title),
        Column("organisation", "the administration in charge", lambda e: e.organisation.name),
        Column(
            "ministere", "the top of its administration's tree", lambda e: organisation_ministry(e.organisation).name
        ),
        Column(
            "demarche_guichet",
            "its address in Guichet when published here",
            lambda e: e.procedure.slug if e.procedure_id else "",
        ),
        Column("volume_annuel", "yearly volume, all channels (declared, else counted)", _entry_volume),
        Column(
            "canaux", "channels, separated by |: online, paper, counter, phone, email", lambda e: "|".join(e.channels)
        ),
        Column("phase", "framing, experimentation, build, rollout or online", lambda e: e.phase),
        Column("phase_libelle", "the phase in French", lambda e: str(e.get_phase_display())),
        Column("en_ligne", "online end to end: yes, partial, no or proactive", lambda e: str(e.online_status)),
        Column("date_debut", "start date", lambda e: e.start_date),
        Column("duree_initiale_mois", "planned duration at the start, in months", lambda e: e.duration_initial_months),
        Column("duree_actuelle_mois", "planned duration now, in months", lambda e: e.duration_current_months),
        Column(
            "derive_duree", "(current − initial) / initial duration, as a fraction", lambda e: rounded(e.duration_drift)
        ),
        Column("cout_initial_euros", "cost estimated at the start, in euros", lambda e: e.cost_initial_eur),
        Column("cout_actuel_euros", "cost estimated now, in euros", lambda e: e.cost_current_eur),
        Column("derive_cout", "(current − initial) / initial cost, as a fraction", lambda e: rounded(e.cost_drift)),
    ),
)


def rounded(value: ind.Number | None) -> Decimal | None:
    """A fraction as published: four decimals, rounded half up."""
    return None if value is None else ind.half_up(value, 4)


MONTHS = Table(
    "mois",
    "Mois par mois",
    (
        Column("mois", "the month (YYYY-MM)", lambda m: m.month.strftime("%Y-%m")),
        Column("depots", "dossiers filed in Guichet that month", lambda m: m.submitted_count),
        Column("decisions", "decisions taken that month", lambda m: m.decided_count),
        Column(
            "delai_median_jours",
            "median days from submission to decision, decisions of the month",
            lambda m: m.processing_median_days,
        ),
        Column("delai_9e_decile_jours", "90th percentile of the same", lambda m: m.processing_p90_days),
        Column("avis", "applicants' opinions given that month", lambda m: m.opinions_count),
        Column("satisfaction", "their satisfaction out of 10", lambda m: m.satisfaction),
    ),
)


BAROMETER = Table(
    "barometre",
    "Baromètre des résultats",
    (
        Column("mesure", "the measure or theme", lambda r: r.indicator.theme),
        Column("indicateur", "the indicator", lambda r: r.indicator.name),
        Column("id_indicateur", "the indicator's identifier (stable)", lambda r: r.indicator.code),
        Column("unite", "its unit", lambda r: r.indicator.unit),
        Column("sens", "higher or lower: which way is better", lambda r: r.indicator.direction),
        Column("maille_geographique", "national, regional or departmental", lambda r: str(r.zone_level)),
        Column("code_zone", "FRANCE, a region (R53) or a département (D01, D2A, D971)", lambda r: r.zone),
        Column("date_valeur_actuelle", "date of the value", lambda r: r.date),
        Column("valeur_actuelle", "the value", lambda r: r.value),
        Column("valeur_initiale", "the zone's initial value", lambda r: r.goal.initial_value if r.goal else None),
        Column("date_valeur_initiale", "its date", lambda r: r.goal.initial_date if r.goal else None),
        Column("progression", "value − initial value", lambda r: _progression(r)),
        Column(
            "pourcentage_progression",
            "progress from the initial value towards the target, 0 to 100",
            lambda r: rounded(r.progress),
        ),
        Column("cible", "the zone's target", lambda r: r.goal.target_value if r.goal else None),
        Column("date_cible", "the target's date", lambda r: r.goal.target_date if r.goal else None),
        Column("calculee", "true when Guichet computes the indicator itself", lambda r: r.indicator.is_computed),
    ),
)


def _progression(row: BarometerRow) -> float | None:
    if row.goal is None or row.value is None:
        return None
    return rounded(row.value - row.goal.initial_value)


TABLES = (QUALITY, PROGRAMME, MONTHS, BAROMETER)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def table_csv(table: Table, items: Iterable[Any]) -> str:
    """UTF-8 text, comma-separated, one header row of the column names, '.' as decimal point,
    empty for no value, booleans as true / false, dates in ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in table.columns])
    for row in table.rows(items):
        writer.writerow([_csv_cell(row[column.name]) for column in table.columns])
    return out.getvalue()


def table_document(table: Table, items: Iterable[Any], *, generated_at: datetime.datetime) -> dict[str, Any]:
    """{"table", "title", "generated_at", "columns": [{"name", "description"}], "rows": [{...}]}:
    the JSON download and the API's answer."""
    return {
        "table": table.slug,
        "title": table.title,
        "generated_at": generated_at.isoformat(),
        "columns": [{"name": column.name, "description": column.description} for column in table.columns],
        "rows": table.rows(items),
    }


def table_json(table: Table, items: Iterable[Any], *, generated_at: datetime.datetime) -> str:
    document = table_document(table, items, generated_at=generated_at)
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
