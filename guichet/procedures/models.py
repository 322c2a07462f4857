from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import AppendOnlyModel, TimeStampedModel

from .definition import DefinitionInvalid, definition_validate


def validate_definition(value) -> None:
    try:
        definition_validate(value)
    except DefinitionInvalid as error:
        raise ValidationError([f"{path} : {message}" for path, message in error.errors]) from error


class ProcedureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Procedure.Status.PUBLISHED)


class RetentionStart(models.TextChoices):
    """The event from which a dossier's administrative usefulness period (DUA) runs."""

    DECISION = "decision", _("Date de la décision")
    SUBMISSION = "submission", _("Date du dépôt")


# A retention identifier (archival agreement, agencies, profile, access rule) goes as it is into the
# SEDA manifest (xsd:token) and the archival system's referentials: one word, no spaces.
RETENTION_IDENTIFIER = r"[A-Za-z0-9][A-Za-z0-9_.:/-]*"
RETENTION_IDENTIFIER_PATTERN = rf"^{RETENTION_IDENTIFIER}$"


class FinalFate(models.TextChoices):
    """What becomes of a dossier once its DUA has ended (« sort final », Code du patrimoine)."""

    KEEP = "conserver", _("Conserver (verser aux archives définitives)")
    DESTROY = "detruire", _("Détruire")
    SORT = "trier", _("Trier (verser, le service d’archives choisit ce qu’il garde)")


class Procedure(TimeStampedModel):
    """A démarche that an organisation offers online."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")
        CLOSED = "closed", _("Close")

    class SilenceRule(models.TextChoices):
        """What the administration's silence means once the processing deadline has passed."""

        NONE = "none", _("Pas de décision implicite")
        ACCEPTANCE = "acceptance", _("Le silence vaut accord")
        REFUSAL = "refusal", _("Le silence vaut rejet")

    class CorrectionClock(models.TextChoices):
        """What a correction request does to the processing deadline (dossiers/deadlines.py)."""

        SUSPEND = "suspend", _("Suspend le délai jusqu’à la réception des corrections")
        RESTART = "restart", _("Fait repartir le délai en entier à la réception des corrections")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse publique"), max_length=100, unique=True)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    draft_definition = models.JSONField(
        _("formulaire en cours de rédaction"), default=dict, validators=[validate_definition]
    )
    processing_days = models.PositiveSmallIntegerField(_("délai d’instruction (jours)"), null=True, blank=True)
    silence_rule = models.CharField(
        _("à l’expiration du délai"), max_length=20, choices=SilenceRule.choices, default=SilenceRule.NONE
    )
    correction_clock = models.CharField(
        _("effet d’une demande de correction sur le délai"),
        max_length=20,
        choices=CorrectionClock.choices,
        default=CorrectionClock.SUSPEND,
    )
    opens_on = models.DateField(_("ouverture le"), null=True, blank=True)
    closes_on = models.DateField(_("clôture le"), null=True, blank=True)
    data_needed = models.TextField(_("pièces et informations à préparer"), blank=True)
    # Routing of filed dossiers: the value of one choice field decides the instructor group.
    routing_field = models.CharField(_("champ d’aiguillage"), max_length=63, blank=True)
    routing_map = models.JSONField(_("aiguillage (valeur → groupe)"), default=dict, blank=True)
    # Bumped on every save of the working form: an edit made on an outdated page is refused
    # instead of silently undoing a colleague's (or a double click's) change.
    draft_revision = models.PositiveIntegerField(_("révision du brouillon"), default=0)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    # Archiving (guichet/archives): how long a decided dossier is kept for its administrative
    # usefulness (DUA), what then becomes of it, and what its archive packages (SEDA) declare.
    retention_years = models.PositiveSmallIntegerField(
        _("durée d’utilité administrative (années)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    retention_start = models.CharField(
        _("point de départ de la durée"), max_length=20, choices=RetentionStart.choices, default=RetentionStart.DECISION
    )
    final_fate = models.CharField(_("sort final"), max_length=20, choices=FinalFate.choices, default=FinalFate.KEEP)
    archival_agreement = models.CharField(
        _("contrat d’entrée (identifiant de l’accord de versement)"), max_length=100, blank=True
    )
    originating_agency = models.CharField(_("identifiant du service producteur"), max_length=100, blank=True)
    submission_agency = models.CharField(_("identifiant du service versant"), max_length=100, blank=True)
    archival_profile = models.CharField(_("profil d’archivage"), max_length=100, blank=True)
    access_rule = models.CharField(
        _("règle de communicabilité des données personnelles"),
        max_length=20,
        default="AR038",
        help_text=_("Code de la règle d’accès du référentiel (AR038 : vie privée, 50 ans)."),
    )

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True)
                | models.Q(closes_on__isnull=True)
                | models.Q(closes_on__gte=models.F("opens_on")),
                name="procedure_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(silence_rule="none") | models.Q(processing_days__isnull=False),
                name="procedure_silence_needs_deadline",
            ),
        ]

    def clean(self) -> None:
        errors = {}
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("La date de clôture doit suivre la date d’ouverture.")
        if self.silence_rule != self.SilenceRule.NONE and not self.processing_days:
            errors["processing_days"] = _("Indiquez le délai d’instruction au terme duquel le silence vaut décision.")
        if errors:
            raise ValidationError(errors)

    def __str__(self) -> str:
        return self.title

    @property
    def has_unpublished_changes(self) -> bool:
        latest = self.latest_version
        return latest is None or latest.definition != self.draft_definition

    @property
    def latest_version(self) -> "ProcedureVersion | None":
        return self.versions.order_by("-number").first()


class ProcedureVersion(AppendOnlyModel):
    """A published form, frozen: dossiers keep the version they were filled with."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("démarche"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("numéro de version"))
    definition = models.JSONField(_("formulaire"), validators=[validate_definition])
    published_at = models.DateTimeField(_("publiée le"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("version publiée")
        verbose_name_plural = _("versions publiées")
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="unique_procedure_version_number")]

    def __str__(self) -> str:
        return f"{self.procedure} — v{self.number}"


class InstructorGroup(TimeStampedModel):
    """The instructors who handle part of a procedure's dossiers (a département, a service...)."""

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("démarche"),
        on_delete=models.CASCADE,
        related_name="instructor_groups",
    )
    name = models.CharField(_("nom"), max_length=150)
    is_default = models.BooleanField(_("groupe par défaut"), default=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructeurs"),
        through="InstructorMembership",
        related_name="instructor_groups",
    )

    class Meta:
        verbose_name = _("groupe instructeur")
        verbose_name_plural = _("groupes instructeurs")
        ordering = ["procedure", "name"]
        db_table = "instruction_instructorgroup"  # moved from instruction: no data moved
        constraints = [
            models.UniqueConstraint(fields=["procedure", "name"], name="unique_group_name_per_procedure"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(is_default=True),
                name="one_default_group_per_procedure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} — {self.name}"


class InstructorMembership(TimeStampedModel):
    group = models.ForeignKey(InstructorGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("appartenance à un groupe instructeur")
        verbose_name_plural = _("appartenances aux groupes instructeurs")
        db_table = "instruction_instructormembership"
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="unique_instructor_membership")]

    def __str__(self) -> str:
        return f"{self.user} ∈ {self.group}"
