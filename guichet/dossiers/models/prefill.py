import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import TimeStampedModel

from .dossier import Dossier


class PrefilledDraft(TimeStampedModel):
    """Answers that a partner's software filled in advance (« préremplissage », through the API) for
    someone not known yet: a Dossier needs its applicant, so the real draft is made only when a person
    follows the one-use link and claims it. Only the SHA-256 of the link's token is kept."""

    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("démarche"), on_delete=models.CASCADE, related_name="prefilled_drafts"
    )
    version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("version du formulaire"),
        on_delete=models.PROTECT,
        related_name="prefilled_drafts",
    )
    answers = models.JSONField(_("réponses préremplies"), default=dict, blank=True)
    token_sha256 = models.CharField(_("empreinte du jeton"), max_length=64, unique=True)
    # The claimed dossier's creation key: a repeated claim by the same person gives back the same draft.
    key = models.UUIDField(_("clé"), default=uuid.uuid4, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expire le"))
    claimed_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("brouillon créé"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who made it: the service account's label, or the person's email (their personal key).
    created_by_label = models.CharField(_("créé par"), max_length=254)

    class Meta:
        verbose_name = _("dossier prérempli")
        verbose_name_plural = _("dossiers préremplis")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Dossier prérempli n°{self.pk} ({self.procedure_id})"
