from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import TimeStampedModel


class DossierState(models.TextChoices):
    """The states of a dossier; the transitions between them are in instruction/workflow.py."""

    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("En construction")
    IN_INSTRUCTION = "in_instruction", _("En instruction")
    ACCEPTED = "accepted", _("Accepté")
    REFUSED = "refused", _("Refusé")
    CLOSED = "closed", _("Classé sans suite")

    @classmethod
    def decided(cls) -> frozenset["DossierState"]:
        return frozenset({cls.ACCEPTED, cls.REFUSED, cls.CLOSED})


class Dossier(TimeStampedModel):
    """What one applicant files for one procedure, filled with one version of its form."""

    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("démarche"), on_delete=models.PROTECT, related_name="dossiers"
    )
    version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("version du formulaire"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("usager"), on_delete=models.PROTECT, related_name="dossiers"
    )
    # Given at the first submission; drafts have none.
    number = models.CharField(_("numéro"), max_length=20, unique=True, null=True, blank=True)
    state = models.CharField(_("état"), max_length=20, choices=DossierState.choices, default=DossierState.DRAFT)
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    # Shown to the applicant when a newer version of the form was published but this draft's
    # answers do not fit it, so the draft stays on its version; cleared once it moves.
    version_notice = models.TextField(_("avis de changement de version"), blank=True)
    group = models.ForeignKey(
        "instruction.InstructorGroup",
        verbose_name=_("groupe instructeur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    instruction_started_at = models.DateTimeField(_("passé en instruction le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    last_transition_at = models.DateTimeField(_("dernier changement d’état"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["procedure", "state"], name="dossier_procedure_state_idx"),
            models.Index(fields=["applicant", "state"], name="dossier_applicant_state_idx"),
            models.Index(fields=["group", "state"], name="dossier_group_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state=DossierState.DRAFT) | models.Q(number__isnull=False),
                name="dossier_filed_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"Dossier {self.number}" if self.number else f"Brouillon n°{self.pk}"
