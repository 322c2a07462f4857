"""The observatory's demonstration data, through the same services as real use: applicants'
opinions on their filed dossiers, the programme's procedures not yet online (with phases, costs and
drifts), other channels' volumes, the barometer's indicators with their targets, then a first
computation. Loading twice changes nothing."""

import random
from datetime import date
from decimal import Decimal

from guichet.accounts.models import Organisation, User
from guichet.dossiers.models import Dossier, DossierState, Opinion
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
    "copie-integrale-acte-de-naissance": ("100", 0, {"counter": 12, "paper": 6}),
    "inscription-liste-electorale": ("75", 1, {"counter": 20}),
    "subvention-fonctionnement-association": ("50", 4, {"paper": 3}),
    "autorisation-travaux-monument-historique": (None, 2, {"paper": 4}),
}
VOLUME_MONTHS = (date(2026, 9, 1), date(2026, 10, 1))


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
    for slug, (rgaa, dlnuf, volumes) in PUBLISHED.items():
        entry = ProgrammeEntry.objects.filter(procedure__slug=slug).first()
        if entry is None or entry.dlnuf_count is not None:
            continue
        programme_entry_update(
            actor=steering,
            entry=entry,
            rgaa_rate=Decimal(rgaa) if rgaa else None,
            rgaa_declared_on=date(2026, 5, 1) if rgaa else None,
            dlnuf_count=dlnuf,
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


def demo_observatory_load(*, steering: User, organisations: dict[str, Organisation]) -> None:
    """Opinions, programme, barometer, then the first computation (only once: a second load
    leaves the figures and the audit trail as they are)."""
    if ProcedureQuality.objects.exists():
        return
    _opinions(seed=7)
    _programme(steering, organisations)
    _barometer(steering, organisations)
    observatory_aggregate()
