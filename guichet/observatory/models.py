"""The observatory's tables: what the steering team declares (the programme, the declared quality
values, the other channels' volumes, the barometer's indicators, targets and entered values) and
the summary tables that the aggregation task fills from the rest of Guichet, so that the public
pages never read dossiers (docs/decisions/0011-observatory.md)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import TimeStampedModel

from . import indicators


class Phase(models.TextChoices):
    """Where a procedure stands on its way online (the panorama's phases, then « en ligne »)."""

    FRAMING = "framing", _("Cadrage")
    EXPERIMENTATION = "experimentation", _("Expérimentation")
    BUILD = "build", _("Conception / réalisation")
    ROLLOUT = "rollout", _("Déploiement")
    ONLINE = "online", _("En ligne")


class Channel(models.TextChoices):
    """How applicants file a procedure's requests."""

    ONLINE = "online", _("En ligne")
    PAPER = "paper", _("Courrier")
    COUNTER = "counter", _("Au guichet")
    PHONE = "phone", _("Par téléphone")
    EMAIL = "email", _("Par courriel")

    @classmethod
    def offline(cls) -> list[tuple[str, str]]:
        """The channels whose volumes people record (online dossiers are counted by Guichet)."""
        return [(value, label) for value, label in cls.choices if value != cls.ONLINE]


class ProgrammeEntry(TimeStampedModel):
    """One procedure of the administration's programme, online or not yet: its phase, schedule,
    costs and the quality values the administration declares. A procedure published in Guichet
    gets its entry when it is published (observatory.services.programme_entry_link)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="programme_entries",
    )
    title = models.CharField(_("démarche"), max_length=200)
    procedure = models.OneToOneField(
        "procedures.Procedure",
        verbose_name=_("démarche publiée dans Guichet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programme_entry",
    )
    yearly_volume = models.PositiveIntegerField(
        _("volume annuel estimé (tous canaux)"),
        null=True,
        blank=True,
        help_text=_(
            "Laissé vide, le volume annuel est celui que Guichet compte, plus les volumes saisis des autres canaux."
        ),
    )
    channels = models.JSONField(_("canaux"), default=list, blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.FRAMING)
    proactive = models.BooleanField(
        _("démarche proactive"),
        default=False,
        help_text=_("L’administration accorde le droit sans que l’usager ait à le demander."),
    )
    partially_online = models.BooleanField(
        _("en ligne en partie seulement"),
        default=False,
        help_text=_("Par exemple : le dépôt se fait en ligne mais une pièce doit être apportée au guichet."),
    )
    start_date = models.DateField(_("date de lancement"), null=True, blank=True)
    duration_initial_months = models.PositiveSmallIntegerField(
        _("durée prévue initialement (mois)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    duration_current_months = models.PositiveSmallIntegerField(
        _("durée prévue actuellement (mois)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    cost_initial_eur = models.DecimalField(
        _("coût estimé initialement (€)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    cost_current_eur = models.DecimalField(
        _("coût estimé actuellement (€)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    rgaa_rate = models.DecimalField(
        _("taux de conformité RGAA déclaré (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Celui de la déclaration d’accessibilité ; vide s’il n’y en a pas."),
    )
    rgaa_declared_on = models.DateField(_("date de la déclaration d’accessibilité"), null=True, blank=True)
    dlnuf_count = models.PositiveSmallIntegerField(
        _("« Dites-le-nous une fois » : données demandées déjà détenues par une administration"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("démarche du programme")
        verbose_name_plural = _("démarches du programme")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rgaa_rate__isnull=True) | models.Q(rgaa_rate__gte=0, rgaa_rate__lte=100),
                name="programme_rgaa_rate_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_initial_eur__isnull=True) | models.Q(cost_initial_eur__gte=0),
                name="programme_cost_initial_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_current_eur__isnull=True) | models.Q(cost_current_eur__gte=0),
                name="programme_cost_current_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def cost_drift(self) -> float | None:
        return indicators.drift(initial=self.cost_initial_eur, current=self.cost_current_eur)

    @property
    def duration_drift(self) -> float | None:
        return indicators.drift(initial=self.duration_initial_months, current=self.duration_current_months)

    @property
    def online_status(self) -> str:
        return indicators.online_status(
            phase=self.phase,
            published=self.procedure_id is not None and self.procedure.status == "published",
            partially=self.partially_online,
            proactive=self.proactive,
        )

    @property
    def annual_volume(self) -> int | None:
        """The yearly volume declared, else the one counted by the last aggregation (online
        dossiers and other channels' recorded requests of the last 12 months)."""
        if self.yearly_volume is not None:
            return self.yearly_volume
        quality = self.shown_quality
        return quality.yearly_volume if quality is not None else None

    @property
    def shown_quality(self) -> "ProcedureQuality | None":
        """The computed indicators of the edition the entry was read for (observatory.selectors
        prefetches them as `edition_qualities`), else of its latest edition."""
        prefetched = getattr(self, "edition_qualities", None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return self.qualities.order_by("-edition").first()

    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(value, value)) for value in self.channels]


class ChannelVolume(TimeStampedModel):
    """How many requests of a procedure came through a channel other than Guichet in one month
    (paper, counter...), as recorded by its instructors or the steering team."""

    entry = models.ForeignKey(
        ProgrammeEntry, verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="channel_volumes"
    )
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    month = models.DateField(_("mois"), help_text=_("Le premier jour du mois."))
    count = models.PositiveIntegerField(_("nombre de demandes"))

    class Meta:
        verbose_name = _("volume d’un autre canal")
        verbose_name_plural = _("volumes des autres canaux")
        ordering = ["entry", "-month", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "channel", "month"], name="unique_channel_volume_month"),
            models.CheckConstraint(condition=~models.Q(channel="online"), name="channel_volume_not_online"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} — {self.get_channel_display()} — {self.month:%m/%Y} : {self.count}"


class ProcedureQuality(models.Model):
    """The computed quality indicators of one programme entry published in Guichet in one edition
    (a quarter, as the state's observatory publishes them): each run of the aggregation rewrites
    the current quarter's edition and leaves the past ones as they were. The declared values stay
    on the entry; each edition keeps a copy of them as they were at its last computation, so that
    a past edition shows what it showed then."""

    entry = models.ForeignKey(
        ProgrammeEntry, verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="qualities"
    )
    edition = models.CharField(
        _("édition"),
        max_length=7,
        validators=[RegexValidator(indicators.EDITION_PATTERN)],
        help_text=_("Le trimestre : « 2026-T4 »."),
    )
    computed_at = models.DateTimeField(_("calculé le"))
    # The declared values as they were at the edition's last computation.
    online_status = models.CharField(_("en ligne (à ce calcul)"), max_length=20, blank=True)
    rgaa_rate = models.DecimalField(
        _("taux RGAA déclaré (à ce calcul)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    dlnuf_count = models.PositiveSmallIntegerField(_("« Dites-le-nous une fois » (à ce calcul)"), null=True)
    declared_yearly_volume = models.PositiveIntegerField(_("volume annuel déclaré (à ce calcul)"), null=True)
    # The applicants' opinions of the last 12 months.
    opinions_count = models.PositiveIntegerField(_("avis (12 mois)"), default=0)
    satisfaction = models.FloatField(_("satisfaction /10"), null=True)
    clarity_count = models.PositiveIntegerField(_("avis sur la clarté (12 mois)"), default=0)
    clarity = models.FloatField(_("clarté du langage /10"), null=True)
    help_needed_count = models.PositiveIntegerField(_("avis ayant eu besoin d’aide (12 mois)"), default=0)
    help_used_pct = models.FloatField(_("besoin d’aide (%)"), null=True)
    help_reachable_pct = models.FloatField(_("aide joignable (%)"), null=True)
    help_efficiency = models.FloatField(_("efficacité de l’aide /10"), null=True)
    franceconnect = models.BooleanField(_("FranceConnect proposé"), default=False)
    # Requests of the last 12 months: filed in Guichet, and recorded for the other channels.
    online_12_months = models.PositiveIntegerField(_("dossiers déposés en ligne (12 mois)"), default=0)
    other_channels_12_months = models.PositiveIntegerField(_("demandes par les autres canaux (12 mois)"), default=0)
    online_share_pct = models.FloatField(_("part des demandes en ligne (%)"), null=True)
    # Time from submission to decision, for the decisions of the last 30 days.
    decisions_30_days = models.PositiveIntegerField(_("décisions (30 jours)"), default=0)
    processing_median_days = models.FloatField(_("délai médian (jours)"), null=True)
    processing_p90_days = models.FloatField(_("délai du 9e décile (jours)"), null=True)
    # From the platform's own visits of the start page (PageProbe): availability over 3 months,
    # and the median time the page took over 30 days.
    uptime_pct = models.FloatField(_("disponibilité sur 3 mois (%)"), null=True)
    load_seconds = models.FloatField(_("temps d’affichage médian (s)"), null=True)

    class Meta:
        verbose_name = _("qualité d’une démarche (calculée)")
        verbose_name_plural = _("qualité des démarches (calculée)")
        constraints = [
            models.UniqueConstraint(fields=["entry", "edition"], name="unique_quality_entry_edition"),
        ]
        indexes = [models.Index(fields=["edition"], name="quality_edition_idx")]

    def __str__(self) -> str:
        return f"Qualité de {self.entry} ({self.edition})"

    @property
    def yearly_volume(self) -> int:
        return self.online_12_months + self.other_channels_12_months


class PageProbe(models.Model):
    """One visit of a procedure's start page by the platform itself (observatory/probes.py): whether
    it answered, and how long the page took to come. Uptime and load time are computed from them."""

    entry = models.ForeignKey(ProgrammeEntry, verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("le"))
    ok = models.BooleanField(_("page servie"))
    status = models.PositiveSmallIntegerField(_("code HTTP"), null=True, blank=True)
    seconds = models.FloatField(_("durée (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("visite de contrôle")
        verbose_name_plural = _("visites de contrôle")
        indexes = [models.Index(fields=["entry", "at"], name="probe_entry_at_idx")]

    def __str__(self) -> str:
        return f"{self.entry} — {self.at:%Y-%m-%d %H:%M} — {'ok' if self.ok else 'échec'}"


class ProcedureMonth(models.Model):
    """One month of one procedure published in Guichet (filled by the aggregation task): dossiers
    filed, decisions and their processing time, opinions."""

    entry = models.ForeignKey(
        ProgrammeEntry, verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="months"
    )
    month = models.DateField(_("mois"))
    submitted_count = models.PositiveIntegerField(_("dossiers déposés"), default=0)
    decided_count = models.PositiveIntegerField(_("décisions"), default=0)
    processing_median_days = models.FloatField(_("délai médian (jours)"), null=True)
    processing_p90_days = models.FloatField(_("délai du 9e décile (jours)"), null=True)
    opinions_count = models.PositiveIntegerField(_("avis"), default=0)
    satisfaction = models.FloatField(_("satisfaction /10"), null=True)

    class Meta:
        verbose_name = _("mois d’une démarche (calculé)")
        verbose_name_plural = _("mois des démarches (calculés)")
        ordering = ["entry", "month"]
        constraints = [models.UniqueConstraint(fields=["entry", "month"], name="unique_procedure_month")]

    def __str__(self) -> str:
        return f"{self.entry} — {self.month:%m/%Y}"


class AggregationRun(models.Model):
    """One run of the aggregation: when, why, and how it ended."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("Quotidien")
        ON_DEMAND = "on_demand", _("À la demande")
        COMMAND = "command", _("Ligne de commande")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("En échec")

    trigger = models.CharField(_("déclenchement"), max_length=20, choices=Trigger.choices)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    entries = models.PositiveIntegerField(_("démarches calculées"), default=0)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("calcul des indicateurs")
        verbose_name_plural = _("calculs des indicateurs")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} — {self.get_status_display()}"


class Direction(models.TextChoices):
    HIGHER = "higher", _("Plus haut, c’est mieux")
    LOWER = "lower", _("Plus bas, c’est mieux")


class Computation(models.TextChoices):
    """Where an indicator's values come from."""

    ENTERED = "entered", _("Saisi par l’équipe de pilotage")
    PROCEDURE_ONLINE_SHARE = "procedure_online_share", _("Calculé : part des demandes d’une démarche faites en ligne")
    PROGRAMME_ONLINE_SHARE = "programme_online_share", _("Calculé : part des démarches du programme en ligne")


validate_zone = RegexValidator(
    indicators.ZONE_PATTERN,
    _("Indiquez FRANCE, une région (R suivi de son code, par exemple R53) ou un département (D01, D2A, D971)."),
)


class Indicator(TimeStampedModel):
    """One indicator of the results barometer, e.g. « part des actes d’état civil demandés en ligne »."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("indicateur"), max_length=250)
    theme = models.CharField(_("mesure ou thème"), max_length=250, blank=True)
    unit = models.CharField(_("unité"), max_length=30, help_text=_("Par exemple : %, jours, dossiers."))
    direction = models.CharField(_("sens"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    computation = models.CharField(
        _("origine des valeurs"), max_length=30, choices=Computation.choices, default=Computation.ENTERED
    )
    entry = models.ForeignKey(
        ProgrammeEntry,
        verbose_name=_("démarche mesurée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        help_text=_("Pour un indicateur calculé sur une démarche."),
    )
    scope_top = models.PositiveIntegerField(
        _("limité aux N démarches les plus utilisées"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Pour la part des démarches du programme en ligne, par exemple les 250 plus utilisées."),
    )

    class Meta:
        verbose_name = _("indicateur du baromètre")
        verbose_name_plural = _("indicateurs du baromètre")
        ordering = ["theme", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(computation="procedure_online_share") | models.Q(entry__isnull=False),
                name="indicator_procedure_share_has_entry",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.computation != Computation.ENTERED


class IndicatorGoal(TimeStampedModel):
    """Where an indicator started and where it should be, in one zone."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicateur"), on_delete=models.CASCADE, related_name="goals"
    )
    zone = models.CharField(_("zone"), max_length=6, default="FRANCE", validators=[validate_zone])
    initial_value = models.FloatField(_("valeur initiale"))
    initial_date = models.DateField(_("date de la valeur initiale"))
    target_value = models.FloatField(_("cible"))
    target_date = models.DateField(_("date de la cible"))

    class Meta:
        verbose_name = _("cible d’un indicateur")
        verbose_name_plural = _("cibles des indicateurs")
        ordering = ["indicator", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "zone"], name="unique_indicator_goal_zone"),
            models.CheckConstraint(
                condition=models.Q(target_date__gte=models.F("initial_date")), name="indicator_goal_target_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.zone}"


class IndicatorValue(TimeStampedModel):
    """One measured value of an indicator in one zone at one date."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicateur"), on_delete=models.CASCADE, related_name="values"
    )
    zone = models.CharField(_("zone"), max_length=6, default="FRANCE", validators=[validate_zone])
    date = models.DateField(_("date"))
    value = models.FloatField(_("valeur"))
    computed = models.BooleanField(_("calculée par Guichet"), default=False)

    class Meta:
        verbose_name = _("valeur d’un indicateur")
        verbose_name_plural = _("valeurs des indicateurs")
        ordering = ["indicator", "zone", "date"]
        constraints = [models.UniqueConstraint(fields=["indicator", "zone", "date"], name="unique_indicator_value")]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.zone} — {self.date} : {self.value}"
