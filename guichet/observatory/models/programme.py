"""The programme of procedures, online or not yet, with what the administration declares about each
(phase, schedule, costs, quality values), and the volumes of requests filed through the other
channels."""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import TimeStampedModel

from .. import indicators

if TYPE_CHECKING:
    from .summaries import ProcedureQuality


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
    gets its entry when it is published (observatory.programme_link.programme_entry_link)."""

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
        help_text=_("Pour une démarche pas encore en ligne ; celles de Guichet le calculent d’après leur formulaire."),
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
    def cost_drift(self) -> Decimal | None:
        return indicators.drift(initial=self.cost_initial_eur, current=self.cost_current_eur)

    @property
    def duration_drift(self) -> Decimal | None:
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
