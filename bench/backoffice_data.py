"""The back office benchmark's data: N filed dossiers over the demo procedures, written with
PostgreSQL's COPY rather than through the services (a million in minutes, not hours).

Runs after `migrate` and `manage.py demo`, with Django set up on a PostgreSQL database. Each dossier
gets what the services would have given it: a number of its year (`YYYY-NNNNNN`, the `core_sequence`
counters moved past them), an instructor group of its procedure, answers valid for the procedure's
published form (drawn by the demo's own `fake_answers`), the applicant's identity, a state with its
dates, its search vector (dossiers/search.py), the snapshot of its submission and its transition log.
Not written: audit events (a hash chain; nothing of the back office reads them) and attachments.

Answers are drawn once per procedure into a pool that the dossiers share (drawing a million takes
half an hour); applicants, dates, states and numbers are drawn for each dossier."""

import itertools
import json
import random
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from guichet.accounts.models import User
from guichet.core.models import Sequence
from guichet.demo import answers as demo_answers
from guichet.demo import pools as demo
from guichet.dossiers.models import Dossier, DossierSnapshot, DossierState, TransitionLog
from guichet.dossiers.search import (
    CONFIG,
    accents_fold,
    answers_search_text,
    dossier_search_head,
    identity_search_words,
)
from guichet.procedures.definition import definition_validate
from guichet.procedures.models import InstructorMembership, Procedure

# How the dossiers spread over the demo procedures, and over each one's groups (in the demo's order).
PROCEDURE_SHARES = {
    "copie-integrale-acte-de-naissance": 0.37,
    "inscription-liste-electorale": 0.25,
    "autorisation-travaux-monument-historique": 0.20,
    "subvention-fonctionnement-association": 0.15,
    "reservation-salle-des-fetes": 0.03,
}
GROUP_SHARES = (0.5, 0.3, 0.2)
DAYS = 730  # submissions over the last two years
DOSSIERS_PER_APPLICANT = 3
S = DossierState
# The later a dossier was filed, the likelier it still waits: (younger than, in days) → states.
STATES_BY_AGE = (
    (30, {S.SUBMITTED: 55, S.IN_INSTRUCTION: 40, S.WITHDRAWN: 5}),
    (120, {S.SUBMITTED: 10, S.IN_INSTRUCTION: 30, S.ACCEPTED: 35, S.REFUSED: 10, S.CLOSED: 5, S.WITHDRAWN: 10}),
    (DAYS + 1, {S.SUBMITTED: 2, S.IN_INSTRUCTION: 5, S.ACCEPTED: 65, S.REFUSED: 15, S.CLOSED: 6, S.WITHDRAWN: 7}),
)
ARCHIVED_AFTER_DAYS, ARCHIVED_SHARE = 180, 0.6
MOTIVATIONS = {
    "refuse": "Le dossier ne remplit pas les conditions prévues par la réglementation.",
    "close": "Le demandeur a indiqué renoncer à sa demande.",
    "withdraw": "Je n’ai finalement plus besoin de cette démarche.",
}


@dataclass(frozen=True)
class Target:
    procedure_id: int
    version_id: int
    group_ids: tuple[int, ...]
    instructor_id: int | None
    pool: range  # ids of its answers in the pool


@dataclass(frozen=True)
class Report:
    dossiers: int
    applicants: int
    pool: int
    seconds: float


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def pool_size(count: int) -> int:
    """Answers drawn per procedure: enough for varied lists, few enough to draw in seconds."""
    return max(20, min(3_000, count // 40))


def answers_pool(definition: dict, size: int, rng: random.Random) -> list[dict]:
    return [demo_answers.fake_answers(definition, rng) for _ in range(size)]


def _weighted(rng: random.Random, table: dict) -> object:
    return rng.choices(list(table), weights=list(table.values()))[0]


# The applicants' names: the demo's, and more of the most frequent in France, drawn as often as
# their rank says (Zipf). With the demo's 56 family names alone, a name and a first name matched
# one dossier in a hundred: a search cost what it never costs on real data.
FAMILY_NAMES = tuple(
    dict.fromkeys(
        (
            *demo.LAST_NAMES,
            *"""Bertin Boyer Brun Caron Carpentier Chauvin Colin Collet Cordier Cousin
        Denis Deschamps Dufour Dumas Dupuis Durand Fabre Fleury Fournier Gaillard Garnier Gautier
        Gérard Gilbert Girard Giraud Guillaume Hubert Huet Jacob Jacquet Joly Julien Lacroix
        Lambert Leblanc Lebrun Leclerc Lecomte Lefebvre Legrand Lejeune Lemaire Lemoine Leroux
        Lucas Maillard Marchal Marchand Marie Martinez Mathieu Meunier Meyer Michaud Millet
        Moulin Muller Noël Olivier Paris Perret Perrot Picard Pierre Poirier Prévost Renard
        Renaud Rey Riviere Roche Roger Rolland Rousseau Roy Sanchez Schmitt Barbier Baron Benoit
        Bouvier Breton Brunet Charpentier Chevallier Clerc Delmas Germain Guerin Hamon Hoarau
        Humbert Laine Langlois Laporte Leclercq Leroux Marty Masson Mallet Menard Mercier Nicolas
        Perrin Petitjean Philippe Poulain Rémy Robert Roussel Tessier Texier Vidal Weber
        Adam Arnaud Aubert Aubry Bailly Barre Bazin Besson Blanchard Bonneau Bouchet Boucher Bourgeois
        Camus Chartier Collin Courtois Daniel Delorme Devaux Dubois Etienne Ferrand Fontaine Gauthier
        Gillet Grégoire Guillot Hardy Hebert Jean Klein Labbé Lacombe Lamy Laurent Lebon Leduc
        Lemaitre Levêque Marechal Mathis Morin Navarro Pasquier Pichon Pons Raymond Renault Royer""".split(),
        )
    )
)
FIRST_NAMES = tuple(
    dict.fromkeys(
        (
            *demo.FEMALE_FIRST_NAMES,
            *demo.MALE_FIRST_NAMES,
            *"""Adèle Agathe Alice Alix Ambre Amélie Anaïs
        Apolline Audrey Aurore Bernadette Brigitte Capucine Caroline Cécile Céline Charlotte Christine
        Clémence Colette Coralie Delphine Denise Diane Dominique Éva Fabienne Florence Gabrielle
        Géraldine Ginette Héloïse Iris Jade Jacqueline Jeanne Joséphine Juliette Karine Laetitia Laura
        Laurence Léna Lina Lou Lucie Madeleine Maëlle Marion Martine Mathilde Maud Mila Monique
        Morgane Nina Noémie Odile Pauline Rose Sandrine Solène Suzanne Valérie Véronique Virginie Yvette
        Zoé Adam Adrien Alexandre Arnaud Arthur Benjamin Benoît Bernard Bruno Cédric Charles Christian
        Christophe Clément Damien Daniel David Denis Dylan Emmanuel Enzo Étienne Fabien Florian
        Franck Frédéric Gaël Gérard Grégory Guillaume Henri Jacques Jordan Joseph Jules Kévin Léo
        Liam Louis Luc Marc Marcel Martin Maxime Nathan Noah Olivier Pascal Patrick Paul Raphaël
        Robert Romain Samuel Simon Stéphane Sylvain Timothée Tom Valentin Victor Vincent Xavier
        Yves""".split(),
        )
    )
)
_FAMILY_RANKS = list(itertools.accumulate(1 / (rank + 8) for rank in range(len(FAMILY_NAMES))))
_FIRST_RANKS = list(itertools.accumulate(1 / (rank + 8) for rank in range(len(FIRST_NAMES))))


def _applicant_names(rng: random.Random) -> tuple[str, str]:
    first = rng.choices(FIRST_NAMES, cum_weights=_FIRST_RANKS)[0]
    last = rng.choices(FAMILY_NAMES, cum_weights=_FAMILY_RANKS)[0]
    if rng.random() < 0.2:  # double-barrelled names
        last = f"{last}-{rng.choices(FAMILY_NAMES, cum_weights=_FAMILY_RANKS)[0]}"
    return first, last


def _state_and_dates(rng: random.Random, submitted: datetime, now: datetime) -> dict:
    age = (now - submitted).days
    table = next(states for younger_than, states in STATES_BY_AGE if age < younger_than)
    state = _weighted(rng, table)
    started = decided = withdrawn = archived = None
    taken = state not in {S.SUBMITTED, S.WITHDRAWN} or (state == S.WITHDRAWN and rng.random() < 0.5)
    if taken:
        started = submitted + (now - submitted) * rng.uniform(0.02, 0.25)
    if state in DossierState.decided():
        decided = started + (now - started) * rng.uniform(0.05, 0.5)
    if state == S.WITHDRAWN:
        withdrawn = (started or submitted) + (now - (started or submitted)) * rng.uniform(0.05, 0.5)
    last = withdrawn or decided or started or submitted
    if state in DossierState.finished() and age > ARCHIVED_AFTER_DAYS and rng.random() < ARCHIVED_SHARE:
        archived = last + (now - last) * rng.uniform(0.2, 0.9)
    return {"state": state, "started": started, "decided": decided, "last": last, "archived": archived}


def _targets(count: int, rng: random.Random) -> tuple[list[Target], list[tuple[int, int, dict, str]]]:
    """The procedures with their groups and instructor, and the pool of answers:
    (pool id, procedure id, answers, searchable text of the answers)."""
    targets, pool = [], []
    size = pool_size(count)
    for slug in PROCEDURE_SHARES:
        procedure = Procedure.objects.get(slug=slug)
        version = procedure.latest_version
        groups = list(procedure.instructor_groups.order_by("-is_default", "name").values_list("pk", flat=True))
        member = (
            InstructorMembership.objects.filter(group_id=groups[0]).order_by("pk").values_list("user_id", flat=True)
        )
        form = definition_validate(version.definition)
        start = len(pool)
        for answers in answers_pool(version.definition, size, rng):
            pool.append((len(pool), procedure.pk, answers, accents_fold(answers_search_text(form, answers))))
        targets.append(Target(procedure.pk, version.pk, tuple(groups), member.first(), range(start, len(pool))))
    return targets, pool


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 (a model's table)
    return cursor.fetchone()[0]


def _identity_sync(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
    )


def _applicants(cursor, count: int, rng: random.Random, now: datetime) -> list[tuple[int, str, str]]:
    """`count` applicant accounts (without a usable password): their ids, identities (JSON) and
    the searchable words of these."""
    table = User._meta.db_table
    first_id = _next_id(cursor, table)
    people = []
    columns = "id, password, is_superuser, email, first_name, last_name, is_active, is_staff, date_joined, "
    columns += "email_confirmed_at"
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for index in range(count):
            first, last = _applicant_names(rng)
            email = f"{_slug(first)}.{_slug(last)}.{first_id + index}@{rng.choice(demo.MAIL_DOMAINS)}"
            joined = now - timedelta(days=rng.uniform(1, DAYS + 365))
            copy.write_row((first_id + index, "!", False, email, first, last, True, False, joined, joined))
            identity = {"given_name": first, "family_name": last, "email": email, "certified_by": ""}
            people.append((first_id + index, json.dumps(identity, ensure_ascii=False), identity_search_words(identity)))
    _identity_sync(cursor, table)
    return people


def _submission_times(count: int, rng: random.Random, now: datetime) -> list[datetime]:
    # Busier on weekdays and in office hours, as real filings are.
    times = []
    while len(times) < count:
        moment = now - timedelta(days=rng.uniform(0, DAYS))
        local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
        weight = (0.35 if local.weekday() >= 5 else 1.0) * (1.0 if 8 <= local.hour < 20 else 0.25)
        if rng.random() < weight:
            times.append(moment)
    return sorted(times)


def _numbers(cursor, times: list[datetime]) -> Iterator[str]:
    """The numbers of dossiers filed at `times` (in order), as `dossier_number_next` gives them;
    the counters of each year end past the last one."""
    zone = ZoneInfo(settings.TIME_ZONE)
    table = Sequence._meta.db_table
    cursor.execute(f"SELECT name, last_value FROM {table}")  # noqa: S608
    last = dict(cursor.fetchall())
    for moment in times:
        name = f"dossier-{moment.astimezone(zone).year}"
        last[name] = last.get(name, 0) + 1
        yield f"{name.removeprefix('dossier-')}-{last[name]:06d}"
    for name, value in last.items():
        cursor.execute(
            f"INSERT INTO {table} (name, last_value) VALUES (%s, %s) "  # noqa: S608
            "ON CONFLICT (name) DO UPDATE SET last_value = EXCLUDED.last_value",
            [name, value],
        )


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """The table's indexes that no constraint needs: dropped during the load, built again after
    (building an index at once is much faster than growing it row by row)."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    return cursor.fetchall()


STAGING = "bench_dossier_load"
POOL = "bench_answers_pool"


def dossiers_generate(
    count: int, *, seed: int = 2026, now: datetime | None = None, say: Callable[[str], None] = lambda text: None
) -> Report:
    """Add `count` filed dossiers (see the module's docstring); one transaction. `say` hears of
    each step as it ends."""
    started_at = time.monotonic()
    step_at = [started_at]

    def done(step: str) -> None:
        say(f"{step}: {time.monotonic() - step_at[0]:.1f} s")
        step_at[0] = time.monotonic()

    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    dossiers, snapshots, logs = Dossier._meta.db_table, DossierSnapshot._meta.db_table, TransitionLog._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are right by construction here; their deferred triggers would queue millions
        # of checks until the commit. (Checks pending from earlier in the transaction run first:
        # a table with pending checks cannot have its indexes built.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        targets, pool = _targets(count, rng)
        done(f"answers drawn ({len(pool)})")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {POOL} (id integer PRIMARY KEY, answers jsonb, words text, vector tsvector) "
            "ON COMMIT DROP"
        )
        with cursor.copy(f"COPY {POOL} (id, answers, words) FROM STDIN") as copy:
            for pool_id, _procedure, answers, words in pool:
                copy.write_row((pool_id, json.dumps(answers, ensure_ascii=False), words))
        cursor.execute(f"UPDATE {POOL} SET vector = to_tsvector(%s::regconfig, words)", [CONFIG])  # noqa: S608
        done("their search vectors")

        applicants = _applicants(cursor, max(1, count // DOSSIERS_PER_APPLICANT), rng, now)
        done(f"applicants ({len(applicants)})")
        times = _submission_times(count, rng, now)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} (id bigint, procedure_id bigint, version_id bigint, "
            "group_id bigint, applicant_id bigint, instructor_id bigint, number varchar(20), state varchar(20), "
            "created_at timestamptz, submitted_at timestamptz, instruction_started_at timestamptz, "
            "decided_at timestamptz, last_transition_at timestamptz, archived_at timestamptz, "
            "identity jsonb, head text, pool_id integer) ON COMMIT DROP"
        )
        first_id = _next_id(cursor, dossiers)
        shares = list(PROCEDURE_SHARES.values())
        numbers = list(_numbers(cursor, times))
        with cursor.copy(f"COPY {STAGING} FROM STDIN") as copy:
            for index, (submitted, number) in enumerate(zip(times, numbers, strict=True)):
                target = rng.choices(targets, weights=shares)[0]
                group = rng.choices(target.group_ids, weights=GROUP_SHARES[: len(target.group_ids)])[0]
                applicant_id, identity, identity_words = rng.choice(applicants)
                life = _state_and_dates(rng, submitted, now)
                copy.write_row(
                    (
                        first_id + index,
                        target.procedure_id,
                        target.version_id,
                        group,
                        applicant_id,
                        target.instructor_id,
                        number,
                        life["state"],
                        submitted - timedelta(minutes=rng.uniform(10, 14 * 24 * 60)),
                        submitted,
                        life["started"],
                        life["decided"],
                        life["last"],
                        life["archived"],
                        identity,
                        dossier_search_head(number=number, identity_words=identity_words),
                        rng.choice(target.pool),
                    )
                )
        done("dossiers drawn")
        indexes = _secondary_indexes(cursor, dossiers)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            f"INSERT INTO {dossiers} (id, created_at, updated_at, number, state, answers, submitted_at, "  # noqa: S608
            "instruction_started_at, decided_at, last_transition_at, applicant_id, group_id, procedure_id, "
            "version_id, version_notice, creation_key, resume_page, identity, annotations, archived_at, search_vector) "
            "SELECT s.id, s.created_at, COALESCE(s.archived_at, s.last_transition_at), s.number, s.state, p.answers, "
            "s.submitted_at, s.instruction_started_at, s.decided_at, s.last_transition_at, s.applicant_id, "
            "s.group_id, s.procedure_id, s.version_id, '', NULL, 0, s.identity, '{}'::jsonb, s.archived_at, "
            f"to_tsvector(%s::regconfig, s.head) || p.vector FROM {STAGING} s JOIN {POOL} p ON p.id = s.pool_id "
            "ORDER BY s.id",
            [CONFIG],
        )
        done("dossiers written with their search vectors")
        for _name, definition in indexes:
            cursor.execute(definition)
        done("indexes built again")
        _identity_sync(cursor, dossiers)
        cursor.execute(
            f"INSERT INTO {snapshots} (kind, answers, changed_fields, created_at, author_id, dossier_id, "  # noqa: S608
            "version_id) SELECT %s, p.answers, '[]', s.submitted_at, s.applicant_id, s.id, s.version_id "
            f"FROM {STAGING} s JOIN {POOL} p ON p.id = s.pool_id ORDER BY s.id",
            [DossierSnapshot.Kind.SUBMISSION],
        )
        _transition_logs(cursor, logs)
        done("snapshots and transition logs")
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares its foreign keys
    return Report(dossiers=count, applicants=len(applicants), pool=len(pool), seconds=time.monotonic() - started_at)


@dataclass(frozen=True)
class _Step:
    transition: str
    from_state: str  # SQL over the staging table
    to_state: str
    actor: str  # column of the staging table
    role: str
    at: str  # column of the staging table
    which: str  # SQL condition over the staging table
    motivation: str = ""


_ROLE = TransitionLog.ActorRole
_STEPS = (
    _Step("submit", "'draft'", "'submitted'", "applicant_id", _ROLE.APPLICANT, "submitted_at", "TRUE"),
    _Step(
        "start_instruction",
        "'submitted'",
        "'in_instruction'",
        "instructor_id",
        _ROLE.INSTRUCTOR,
        "instruction_started_at",
        "instruction_started_at IS NOT NULL",
    ),
    *(
        _Step(name, "'in_instruction'", f"'{state}'", "instructor_id", _ROLE.INSTRUCTOR, "decided_at",
              f"state = '{state}'", MOTIVATIONS.get(name, ""))
        for name, state in (("accept", S.ACCEPTED), ("refuse", S.REFUSED), ("close", S.CLOSED))
    ),
    _Step(
        "withdraw",
        "CASE WHEN instruction_started_at IS NULL THEN 'submitted' ELSE 'in_instruction' END",
        "'withdrawn'",
        "applicant_id",
        _ROLE.APPLICANT,
        "last_transition_at",
        "state = 'withdrawn'",
        MOTIVATIONS["withdraw"],
    ),
)  # fmt: skip


def _transition_logs(cursor, table: str) -> None:
    """Each dossier's changes of state, read back from its dates: filed, taken into instruction,
    decided or withdrawn."""
    selects, params = [], []
    for step in _STEPS:
        selects.append(
            f"SELECT id, %s, {step.from_state}, {step.to_state}, {step.actor}, %s, %s, {step.at} "  # noqa: S608
            f"FROM {STAGING} WHERE {step.which}"
        )
        params += [step.transition, step.role, step.motivation]
    cursor.execute(
        f"INSERT INTO {table} (dossier_id, transition, from_state, to_state, actor_id, actor_role, "  # noqa: S608
        f"motivation, at) SELECT * FROM ({' UNION ALL '.join(selects)}) steps ORDER BY 1, 8",
        params,
    )


def database_tidy() -> None:
    """What autovacuum does in a database that lives: statistics for the planner, and the
    visibility map that lets index-only scans skip the table (outside any transaction)."""
    with connection.cursor() as cursor:
        for model in (User, Dossier, DossierSnapshot, TransitionLog):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
