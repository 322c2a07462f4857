from django.conf import settings
from django.core.exceptions import ValidationError
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


class Procedure(TimeStampedModel):
    """A démarche that an organisation offers online."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")
        CLOSED = "closed", _("Close")

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
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

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
