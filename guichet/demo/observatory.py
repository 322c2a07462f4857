"""The observatory's demonstration data, through the same services as real use: applicants'
opinions on their filed dossiers, the programme's procedures not yet online (with phases, costs and
drifts), other channels' volumes, the barometer's indicators with their targets, then a first
computation. Loading twice changes nothing.

One exception, for speed: the past year of two procedures (decided dossiers and their opinions,
enough for the opinion-based indicators to be judged) is written in bulk, as a takeover of the
system that the procedure replaces would write it (`_history`): its applicants' accounts (without a
password), each dossier's transition log and submission snapshot, one audit event per procedure."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify

from guichet.accounts.models import Organisation, User
from guichet.accounts.selectors import applicant_identity_for_dossier
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.dossiers.models import Dossier, DossierSnapshot, DossierState, Opinion, TransitionLog
from guichet.dossiers.search import answers_search_text, dossier_search_vector, full_text_search_available
from guichet.dossiers.services import opinion_give
from guichet.observatory.aggregation import observatory_aggregate
from guichet.observatory.models import (
    Channel,
    ChannelVolume,
    Computation,
    Indicator,
    Phase,
    ProcedureQuality,
    ProgrammeEntry,
)
from guichet.observatory.services import (
    channel_volume_record,
    indicator_create,
    indicator_goal_set,
    indicator_value_record,
    programme_entry_create,
    programme_entry_update,
)
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import version_form

from .answers import fake_answers
from .pools import FEMALE_FIRST_NAMES, LAST_NAMES, MAIL_DOMAINS, MALE_FIRST_NAMES

# Procedures of the programme not yet in Guichet: (organisation, title, phase, volume, channels,
# start, initial and current months, initial and current cost in euros, RGAA %, DLNUF).
NOT_YET_ONLINE = (
    ("mairie-sainte-croix-en-val", "Inscription à la restauration scolaire", Phase.ROLLOUT, 640,
     ["paper", "counter"], date(2025, 3, 1), 12, 15, "45000", "52000", "75", 1),
    ("mairie-sainte-croix-en-val", "Réservation d’une salle municipale", Phase.BUILD, 210,
     ["phone", "email"], date(2025, 9, 1), 9, 9, "18000", "21000", None, 2),
    ("mairie-sainte-croix-en-val", "Demande de permis de stationnement sur la voie publique", Phase.FRAMING, 90,
     ["paper"], date(2026, 6, 1), 6, 8, "12000", "12000", None, None),
    ("ministere-culture", "Demande de label « Maison des Illustres »", Phase.EXPERIMENTATION, 60,
     ["paper", "email"], date(2024, 11, 1), 18, 24, "150000", "195000", "50", 3),
    ("drac-ile-de-france", "Déclaration de découverte fortuite archéologique", Phase.BUILD, 300,
     ["paper"], date(2025, 1, 1), 24, 30, "320000", "410000", None, 5),
)  # fmt: skip

# The declared values of the procedures published in Guichet: (slug, RGAA %, DLNUF, volumes of
# the other channels per month).
PUBLISHED = {
    "copie-integrale-acte-de-naissance": ("100", {"counter": 12, "paper": 6}),
    "inscription-liste-electorale": ("75", {"counter": 20}),
    "subvention-fonctionnement-association": ("50", {"paper": 3}),
    "autorisation-travaux-monument-historique": (None, {"paper": 4}),
}
VOLUME_MONTHS = (date(2026, 9, 1), date(2026, 10, 1))


# The past year taken over from the systems the procedures replace: (dossiers decided over the
# last 12 months, weights of the « Très bien » / « Moyen » / « Pas bien » answers). The two others
# keep only the opinions on their current dossiers: fewer than 100, so gray.
HISTORY = {
    "copie-integrale-acte-de-naissance": (150, (30, 3, 1)),
    "inscription-liste-electorale": (130, (4, 5, 2)),
}
HISTORY_PREFIX = "REP"  # « reprise » : the numbers of the system taken over
HISTORY_OPINION_SHARE = 0.85
REFUSAL = "Les pièces fournies ne permettent pas d’établir la demande."


def _history(seed: int, *, instructors: dict[str, User]) -> None:
    """The last 12 months of the procedures of HISTORY: dossiers filed and decided through the
    year, most of them with the applicant's opinion, given once the decision was known."""
    if Dossier.objects.filter(number__startswith=f"{HISTORY_PREFIX}-").exists():
        return
    rng = random.Random(seed)
    now = timezone.now()
    # Their applicants are people of the town, not the demo's accounts (whose lists stay short).
    applicants = _history_applicants(rng, now)
    identities = {applicant.pk: applicant_identity_for_dossier(applicant) for applicant in applicants}
    for slug, (count, weights) in HISTORY.items():
        procedure = Procedure.objects.filter(slug=slug).first()
        if procedure is None:
            continue
        version = procedure.latest_version
        group = procedure.instructor_groups.get(is_default=True)
        instructor = instructors[slug]
        dossiers, lives = [], []
        for index in range(count):
            submitted = now - timedelta(days=rng.uniform(8, 362), hours=rng.uniform(0, 10))
            started = submitted + timedelta(hours=rng.uniform(2, 72))
            decided = min(
                now, started + timedelta(days=rng.expovariate(1 / max(2, (procedure.processing_days or 30) / 3)))
            )
            accepted = rng.random() < 0.87
            applicant = applicants[index % len(applicants)]
            number = f"{HISTORY_PREFIX}-{timezone.localtime(submitted).year}-{procedure.pk:02d}{index + 1:04d}"
            dossiers.append(
                Dossier(
                    procedure=procedure, version=version, applicant=applicant, number=number,
                    state=DossierState.ACCEPTED if accepted else DossierState.REFUSED,
                    answers=fake_answers(version.definition, rng), group=group,
                    identity=identities[applicant.pk], submitted_at=submitted, instruction_started_at=started,
                    decided_at=decided, last_transition_at=decided,
                )
            )  # fmt: skip
            lives.append((submitted, started, decided, accepted))
        dossiers = Dossier.objects.bulk_create(dossiers)
        for dossier, (submitted, _started, decided, _accepted) in zip(dossiers, lives, strict=True):
            dossier.created_at, dossier.updated_at = submitted - timedelta(minutes=rng.uniform(5, 90)), decided
        Dossier.objects.bulk_update(dossiers, ["created_at", "updated_at"])
        _history_logs(dossiers, lives, instructor)
        _history_opinions(dossiers, lives, weights, rng, now)
        _history_search(dossiers)
        audit_record(
            actor=None,
            action=AuditAction.DEMO_HISTORY_IMPORT,
            target=procedure,
            details={"dossiers": len(dossiers), "from": HISTORY_PREFIX},
        )


HISTORY_APPLICANTS = 120


def _history_applicants(rng: random.Random, now: datetime) -> list[User]:
    """The accounts of the past years' applicants, taken over without a password (they set one
    through « mot de passe oublié »)."""
    people = []
    for index in range(HISTORY_APPLICANTS):
        first = rng.choice(FEMALE_FIRST_NAMES if index % 2 else MALE_FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        joined = now - timedelta(days=rng.uniform(370, 1500))
        people.append(
            User(
                email=f"{slugify(first)}.{slugify(last)}.{index + 1}@{rng.choice(MAIL_DOMAINS)}",
                first_name=first, last_name=last, password=make_password(None), date_joined=joined,
                email_confirmed_at=joined,
            )
        )  # fmt: skip
    return User.objects.bulk_create(people)


def _history_logs(dossiers: list[Dossier], lives: list[tuple], instructor: User) -> None:
    logs, snapshots = [], []
    S, role = DossierState, TransitionLog.ActorRole
    for dossier, (submitted, started, decided, accepted) in zip(dossiers, lives, strict=True):
        decision = ("accept", S.ACCEPTED, "") if accepted else ("refuse", S.REFUSED, REFUSAL)
        logs += [
            TransitionLog(dossier=dossier, transition="submit", from_state=S.DRAFT, to_state=S.SUBMITTED,
                          actor=dossier.applicant, actor_role=role.APPLICANT, at=submitted),
            TransitionLog(dossier=dossier, transition="start_instruction", from_state=S.SUBMITTED,
                          to_state=S.IN_INSTRUCTION, actor=instructor, actor_role=role.INSTRUCTOR, at=started),
            TransitionLog(dossier=dossier, transition=decision[0], from_state=S.IN_INSTRUCTION, to_state=decision[1],
                          actor=instructor, actor_role=role.INSTRUCTOR, motivation=decision[2], at=decided),
        ]  # fmt: skip
        snapshots.append(
            DossierSnapshot(
                dossier=dossier, version_id=dossier.version_id, kind=DossierSnapshot.Kind.SUBMISSION,
                answers=dossier.answers, author=dossier.applicant, created_at=submitted,
            )
        )  # fmt: skip
    TransitionLog.objects.bulk_create(logs)
    DossierSnapshot.objects.bulk_create(snapshots)


def _history_opinions(dossiers: list[Dossier], lives: list[tuple], weights, rng: random.Random, now: datetime):
    opinions = []
    for dossier, (_submitted, _started, decided, accepted) in zip(dossiers, lives, strict=True):
        if rng.random() > HISTORY_OPINION_SHARE:
            continue
        # A refusal is seldom « Très bien ».
        overall = rng.choices([10, 5, 0], weights=weights if accepted else (2, 4, 4))[0]
        needed = rng.random() < 0.35
        opinion = Opinion(
            dossier=dossier,
            procedure_id=dossier.procedure_id,
            overall=overall,
            clarity=max(1, min(5, overall // 2 - rng.randint(0, 2) + rng.randint(0, 1) + 1)),
            help_needed=needed,
            help_channels=sorted(rng.sample(list(Opinion.HelpChannel.values), rng.randint(1, 2))) if needed else [],
            help_reached=rng.random() < 0.78 if needed else None,
            help_quality=rng.randint(2, 5) if needed else None,
        )
        opinion.full_clean(exclude=["dossier"])
        opinions.append((opinion, min(now, decided + timedelta(hours=rng.uniform(0.2, 96)))))
    created = Opinion.objects.bulk_create([opinion for opinion, _at in opinions])
    for opinion, (_opinion, given_at) in zip(created, opinions, strict=True):
        opinion.created_at = opinion.updated_at = given_at
    Opinion.objects.bulk_update(created, ["created_at", "updated_at"])


def _history_search(dossiers: list[Dossier]) -> None:
    """What the submission writes for the back office's search (PostgreSQL only)."""
    if not full_text_search_available():
        return
    for dossier in dossiers:
        text = answers_search_text(version_form(dossier.version_id), dossier.answers)
        vector = dossier_search_vector(number=dossier.number, identity=dossier.identity, answers_text=text)
        Dossier.objects.filter(pk=dossier.pk).update(search_vector=vector)


def _opinions(seed: int) -> None:
    """About two applicants in three give their opinion once their dossier is filed."""
    rng = random.Random(seed)
    filed = (
        Dossier.objects.exclude(state=DossierState.DRAFT)
        .filter(opinion__isnull=True)
        .select_related("applicant")
        .order_by("pk")
    )
    for dossier in filed:
        if rng.random() > 0.66:
            continue
        needed = rng.random() < 0.4
        opinion_give(
            actor=dossier.applicant,
            dossier=dossier,
            overall=rng.choices([10, 5, 0], weights=[6, 3, 1])[0],
            clarity=rng.choices([5, 4, 3, 2, 1], weights=[4, 4, 2, 1, 1])[0],
            help_needed=needed,
            help_channels=[rng.choice(list(Opinion.HelpChannel.values))] if needed else [],
            help_reached=rng.random() < 0.8 if needed else None,
            help_quality=rng.randint(2, 5) if needed else None,
        )


def _programme(steering: User, organisations: dict[str, Organisation]) -> None:
    for (slug, title, phase, volume, channels, start, months_initial, months_current, cost_initial,
         cost_current, rgaa, dlnuf) in NOT_YET_ONLINE:  # fmt: skip
        if ProgrammeEntry.objects.filter(title=title).exists():
            continue
        programme_entry_create(
            actor=steering,
            organisation=organisations[slug],
            title=title,
            phase=phase,
            yearly_volume=volume,
            channels=channels,
            start_date=start,
            duration_initial_months=months_initial,
            duration_current_months=months_current,
            cost_initial_eur=Decimal(cost_initial),
            cost_current_eur=Decimal(cost_current),
            rgaa_rate=Decimal(rgaa) if rgaa else None,
            dlnuf_count=dlnuf,
        )
    # Their « Dites-le-nous une fois » is computed from their forms (decision 0033).
    for slug, (rgaa, volumes) in PUBLISHED.items():
        entry = ProgrammeEntry.objects.filter(procedure__slug=slug).first()
        if entry is None or ChannelVolume.objects.filter(entry=entry).exists():
            continue
        programme_entry_update(
            actor=steering,
            entry=entry,
            rgaa_rate=Decimal(rgaa) if rgaa else None,
            rgaa_declared_on=date(2026, 5, 1) if rgaa else None,
        )
        for month in VOLUME_MONTHS:
            for channel, count in volumes.items():
                if not ChannelVolume.objects.filter(entry=entry, channel=channel, month=month).exists():
                    channel_volume_record(
                        actor=steering, entry=entry, channel=Channel(channel), month=month, count=count
                    )


def _barometer(steering: User, organisations: dict[str, Organisation]) -> None:
    town = organisations["mairie-sainte-croix-en-val"]
    ministry = organisations["ministere-culture"]
    if Indicator.objects.filter(code="actes-etat-civil-en-ligne").exists():
        return
    civil = indicator_create(
        actor=steering,
        organisation=town,
        code="actes-etat-civil-en-ligne",
        name="Part des actes d’état civil demandés en ligne",
        theme="Simplifier les démarches des usagers",
        unit="%",
    )
    for zone, initial, target in (("FRANCE", 72, 90), ("R24", 65, 85), ("D45", 61, 85)):
        indicator_goal_set(
            actor=steering, indicator=civil, zone=zone, initial_value=initial, initial_date=date(2024, 1, 1),
            target_value=target, target_date=date(2027, 12, 31),
        )  # fmt: skip
    for zone, values in (("FRANCE", (74, 79, 83, 87)), ("R24", (66, 70, 74, 77)), ("D45", (62, 68, 71, 76))):
        for day, value in zip(
            (date(2024, 6, 30), date(2024, 12, 31), date(2025, 6, 30), date(2025, 12, 31)), values, strict=True
        ):  # noqa: E501
            indicator_value_record(actor=steering, indicator=civil, zone=zone, date=day, value=value)
    delay = indicator_create(
        actor=steering,
        organisation=ministry,
        code="delai-autorisation-travaux-mh",
        name="Délai moyen d’instruction des autorisations de travaux sur monument historique",
        theme="Protéger le patrimoine",
        unit="jours",
        direction="lower",
    )
    indicator_goal_set(
        actor=steering, indicator=delay, zone="FRANCE", initial_value=118, initial_date=date(2024, 1, 1),
        target_value=90, target_date=date(2027, 6, 30),
    )  # fmt: skip
    for day, value in ((date(2024, 12, 31), 112), (date(2025, 12, 31), 101)):
        indicator_value_record(actor=steering, indicator=delay, zone="FRANCE", date=day, value=value)
    online = indicator_create(
        actor=steering,
        organisation=town,
        code="demarches-commune-en-ligne",
        name="Part des démarches de la commune en ligne de bout en bout",
        theme="Dématérialiser les démarches les plus utilisées",
        unit="%",
        computation=Computation.PROGRAMME_ONLINE_SHARE,
        scope_top=5,
    )
    indicator_goal_set(
        actor=steering, indicator=online, zone="FRANCE", initial_value=0, initial_date=date(2025, 1, 1),
        target_value=100, target_date=date(2027, 12, 31),
    )  # fmt: skip
    electoral = ProgrammeEntry.objects.filter(procedure__slug="inscription-liste-electorale").first()
    if electoral is not None:
        share = indicator_create(
            actor=steering,
            organisation=town,
            code="inscriptions-electorales-en-ligne",
            name="Part des inscriptions sur les listes électorales faites en ligne",
            theme="Dématérialiser les démarches les plus utilisées",
            unit="%",
            computation=Computation.PROCEDURE_ONLINE_SHARE,
            entry=electoral,
        )
        indicator_goal_set(
            actor=steering, indicator=share, zone="FRANCE", initial_value=0, initial_date=date(2025, 1, 1),
            target_value=80, target_date=date(2027, 12, 31),
        )  # fmt: skip


def demo_observatory_load(
    *,
    steering: User,
    organisations: dict[str, Organisation],
    instructors: dict[str, User] | None = None,
) -> None:
    """The past year of the busiest procedures, opinions, programme, barometer, then the first
    computation (only once: a second load leaves the figures and the audit trail as they are).
    `instructors`: the instructor of each procedure (by slug), who decided its past dossiers."""
    if ProcedureQuality.objects.exists():
        return
    if instructors:
        _history(seed=11, instructors=instructors)
    _opinions(seed=7)
    _programme(steering, organisations)
    _barometer(steering, organisations)
    observatory_aggregate()
