"""The observatory benchmark's data: N filed dossiers and their applicants' opinions, written by
PostgreSQL itself (`INSERT … SELECT` over `generate_series`, secondary indexes dropped during the
load and built again after), so that ten million take minutes, not hours.

Runs after `migrate` and `manage.py demo`, with Django set up on a PostgreSQL database. Only what
the observatory's aggregation reads is drawn with care: the procedure (the demo's four, in the back
office benchmark's shares), the state, the dates of filing (over two years, busier recently) and of
decision (a processing time drawn per procedure), and one opinion for about one filed dossier in
five (answers varied per procedure). The rest is the least a dossier needs: a number, the
procedure's default group and published version, one of the demo's applicants, empty answers.
Not written: transition logs, snapshots, search vectors, audit events (nothing the observatory
reads; bench/backoffice_data.py writes them for the back office)."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction

from bench.backoffice_data import _secondary_indexes
from guichet.accounts.models import User
from guichet.demo.loader import APPLICANTS
from guichet.dossiers.models import Dossier, Opinion
from guichet.procedures.models import Procedure

# slug → (share of the dossiers, mean processing days, opinions' weights of 10 / 5 / 0): one
# procedure well liked, one middling, one poorly, so that every colour shows.
PROCEDURES = {
    "copie-integrale-acte-de-naissance": (0.38, 6, (7, 2, 1)),
    "inscription-liste-electorale": (0.24, 12, (5, 4, 1)),
    "autorisation-travaux-monument-historique": (0.19, 55, (2, 4, 4)),
    "subvention-fonctionnement-association": (0.14, 35, (4, 4, 2)),
    "reservation-salle-des-fetes": (0.05, 8, (6, 3, 1)),
}
DAYS = 730  # filed over the last two years; the aggregation reads the last 13 months
OPINION_SHARE = 0.2


@dataclass(frozen=True)
class Report:
    dossiers: int
    opinions: int
    seconds: float


def _targets(cursor) -> None:
    """A temporary table of the procedures with their cumulated shares (to draw one per dossier)."""
    cursor.execute(
        "CREATE TEMPORARY TABLE bench_obs_target (position integer, procedure_id bigint, version_id bigint, "
        "group_id bigint, share_from double precision, share_to double precision, mean_days double precision, "
        "good double precision, average double precision) ON COMMIT DROP"
    )
    cumulated = 0.0
    for position, (slug, (share, mean_days, (good, average, bad))) in enumerate(PROCEDURES.items()):
        procedure = Procedure.objects.get(slug=slug)
        group = procedure.instructor_groups.get(is_default=True)
        total = good + average + bad
        cursor.execute(
            "INSERT INTO bench_obs_target VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [position, procedure.pk, procedure.latest_version.pk, group.pk, cumulated, cumulated + share,
             mean_days, good / total, (good + average) / total],
        )  # fmt: skip
        cumulated += share
    cursor.execute("UPDATE bench_obs_target SET share_to = 1.0 WHERE position = %s", [len(PROCEDURES) - 1])


# One row per dossier: its random draws (a subquery with volatile functions is not flattened, so
# each draw is made once per row), then its procedure, its age in days and what follows from them.
_DRAWS = """
SELECT g, random() AS r_procedure, random() AS r_age, random() AS r_state, random() AS r_days,
       random() AS r_started, (g %% %(applicants)s) AS applicant_index
FROM generate_series(1, %(count)s) AS g
"""
# Filed over DAYS, more in the recent months (a platform that grows): age = DAYS × r².
_DOSSIERS = f"""
SELECT d.g, t.procedure_id, t.version_id, t.group_id, t.mean_days, d.r_state, d.r_days, d.r_started,
       d.applicant_index,
       %(now)s::timestamptz - make_interval(secs => {DAYS} * 86400 * d.r_age * d.r_age) AS submitted_at,
       {DAYS} * d.r_age * d.r_age AS age_days
FROM ({_DRAWS}) d JOIN bench_obs_target t ON d.r_procedure >= t.share_from AND d.r_procedure < t.share_to
"""  # noqa: S608 (constants)
# The later a dossier was filed, the likelier it still waits (as bench/backoffice_data.py).
_STATES = f"""
SELECT s.*,
  CASE
    WHEN s.age_days < 30 THEN CASE WHEN s.r_state < 0.55 THEN 'submitted' WHEN s.r_state < 0.95
      THEN 'in_instruction' ELSE 'withdrawn' END
    WHEN s.age_days < 120 THEN CASE WHEN s.r_state < 0.10 THEN 'submitted' WHEN s.r_state < 0.40
      THEN 'in_instruction' WHEN s.r_state < 0.75 THEN 'accepted' WHEN s.r_state < 0.85 THEN 'refused'
      WHEN s.r_state < 0.90 THEN 'closed' ELSE 'withdrawn' END
    ELSE CASE WHEN s.r_state < 0.02 THEN 'submitted' WHEN s.r_state < 0.07 THEN 'in_instruction'
      WHEN s.r_state < 0.72 THEN 'accepted' WHEN s.r_state < 0.87 THEN 'refused'
      WHEN s.r_state < 0.93 THEN 'closed' ELSE 'withdrawn' END
  END AS state,
  -- Processing time: exponential around the procedure's mean, never past now.
  LEAST(s.age_days * 0.999, 0.2 + -ln(1 - s.r_days * 0.999) * s.mean_days) AS processing_days
FROM ({_DOSSIERS}) s
"""  # noqa: S608 (constants)
_INSERT_DOSSIERS = f"""
INSERT INTO {{dossiers}} (id, created_at, updated_at, number, state, answers, submitted_at,
  instruction_started_at, decided_at, last_transition_at, applicant_id, group_id, procedure_id, version_id,
  version_notice, resume_page, identity, annotations)
SELECT %(first_id)s + x.g - 1, x.submitted_at - interval '20 minutes', x.last_at, 'OBS-' || lpad(x.g::text, 9, '0'),
  x.state, '{{{{}}}}'::jsonb, x.submitted_at, x.started_at, x.decided_at, x.last_at,
  (%(applicant_ids)s::bigint[])[x.applicant_index + 1], x.group_id, x.procedure_id, x.version_id, '', 0,
  '{{{{}}}}'::jsonb, '{{{{}}}}'::jsonb
FROM (
  SELECT y.*, COALESCE(y.decided_at, y.started_at, y.submitted_at) AS last_at FROM (
    SELECT z.*,
      CASE WHEN z.state IN ('in_instruction', 'accepted', 'refused', 'closed')
        THEN z.submitted_at + make_interval(secs => 86400 * z.processing_days * z.r_started * 0.3) END AS started_at,
      CASE WHEN z.state IN ('accepted', 'refused', 'closed')
        THEN z.submitted_at + make_interval(secs => 86400 * z.processing_days) END AS decided_at
    FROM ({_STATES}) z
  ) y
) x
"""  # noqa: S608 (constants)
# About one filed dossier in five gets an opinion, given soon after its last change of state.
_INSERT_OPINIONS = """
INSERT INTO {opinions} (created_at, updated_at, dossier_id, procedure_id, overall, clarity, help_needed,
  help_channels, help_reached, help_quality, comment)
SELECT o.at, o.at, o.id, o.procedure_id,
  CASE WHEN o.r1 < t.good THEN 10 WHEN o.r1 < t.average THEN 5 ELSE 0 END,
  CASE WHEN o.r2 < 0.1 THEN NULL ELSE LEAST(5, 1 + floor(o.r2 * 3.999 + 1.5 * t.good))::integer END,
  o.r3 < 0.4,
  CASE WHEN o.r3 < 0.4 THEN '["phone"]'::jsonb ELSE '[]'::jsonb END,
  CASE WHEN o.r3 < 0.4 THEN o.r4 < 0.82 END,
  CASE WHEN o.r3 < 0.4 THEN 1 + floor(o.r4 * 4.999)::integer END,
  ''
FROM (
  SELECT d.id, d.procedure_id, LEAST(%(now)s::timestamptz, d.last_transition_at + interval '2 hours') AS at,
    random() AS r0, random() AS r1, random() AS r2, random() AS r3, random() AS r4
  FROM {dossiers} d WHERE d.state <> 'draft' AND d.id >= %(first_id)s
) o JOIN bench_obs_target t ON t.procedure_id = o.procedure_id
WHERE o.r0 < %(share)s
ORDER BY o.at
"""


def observatory_data_generate(
    count: int, *, seed: float = 0.2026, now: datetime | None = None, say: Callable[[str], None] = lambda text: None
) -> Report:
    """Add `count` filed dossiers and their opinions (see the module's docstring); one transaction."""
    started_at = time.monotonic()
    step_at = [started_at]

    def done(step: str) -> None:
        say(f"{step}: {time.monotonic() - step_at[0]:.1f} s")
        step_at[0] = time.monotonic()

    now = now or datetime.now(UTC)
    dossiers, opinions = Dossier._meta.db_table, Opinion._meta.db_table
    applicant_ids = list(
        User.objects.filter(email__in=[account.email for account in APPLICANTS])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL session_replication_role = replica")  # no foreign-key triggers
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SELECT setseed(%s)", [seed])
        _targets(cursor)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {dossiers}")  # noqa: S608 (a model's table)
        first_id = cursor.fetchone()[0]
        indexes = _secondary_indexes(cursor, dossiers) + _secondary_indexes(cursor, opinions)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        done(f"{len(indexes)} indexes dropped")
        cursor.execute(
            _INSERT_DOSSIERS.format(dossiers=dossiers),
            {"count": count, "now": now, "first_id": first_id, "applicants": len(applicant_ids),
             "applicant_ids": applicant_ids},
        )  # fmt: skip
        done(f"{count:,} dossiers")
        cursor.execute(
            _INSERT_OPINIONS.format(opinions=opinions, dossiers=dossiers),
            {"now": now, "first_id": first_id, "share": OPINION_SHARE},
        )
        written = cursor.rowcount
        done(f"{written:,} opinions")
        for _name, definition in indexes:
            cursor.execute(definition)
        done("indexes built again")
        for table in (dossiers, opinions):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return Report(dossiers=count, opinions=written, seconds=time.monotonic() - started_at)


def database_tidy() -> None:
    """What autovacuum does in a database that lives: statistics for the planner and the visibility
    map (outside any transaction)."""
    with connection.cursor() as cursor:
        for model in (Dossier, Opinion):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
