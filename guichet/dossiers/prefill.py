"""Prefilled dossiers (« préremplissage »): a partner's software gives some answers in advance, checked
against the procedure's published form like any answer, and gets a one-use link for the person
concerned; following it, signed in, that person claims a draft of their own holding those answers.
The link's token is shown once and only its SHA-256 is kept."""

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.procedures.answers import answers_clean
from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormField
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import version_form

from .models import Dossier, PrefilledDraft
from .services import dossier_create
from .versions import answers_fit, version_notice_text

TOKEN_BYTES = 32
# What the applicant gives themselves: files (they upload them), formulas (computed), linked
# dossiers (one of their own, unknown to the partner).
NOT_PREFILLABLE = {FieldType.FILE, FieldType.COMPUTED, FieldType.LINKED_DOSSIER}
UNKNOWN_FIELD = "Ce champ n’existe pas dans le formulaire publié de la démarche."
NOT_PREFILLED = "Ce champ ne peut pas être prérempli : l’usager le remplit lui-même."


class PrefillInvalid(ValidationError):
    """Some answers were refused: `errors` maps each field's path (`bloc.0.champ` in a block's
    row) to why, in French."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Certaines réponses ne conviennent pas au formulaire de la démarche.")
        self.errors = errors


class PrefillUnavailable(ValidationError):
    """The link cannot be followed: `reason` is "unknown", "used" or "expired"; the message is for
    the person who followed it."""

    MESSAGES = {
        "unknown": "Ce lien n’est pas valide. Vérifiez qu’il est complet, ou demandez un nouveau lien à "
        "l’organisme qui vous l’a envoyé.",
        "used": "Ce lien a déjà été utilisé : le dossier prérempli a été repris. Si c’est vous, il est dans "
        "« Mes dossiers » ; sinon, demandez un nouveau lien à l’organisme qui vous l’a envoyé.",
        "expired": "Ce lien a expiré : le dossier prérempli n’est plus disponible. Demandez un nouveau lien "
        "à l’organisme qui vous l’a envoyé.",
    }

    def __init__(self, reason: str):
        super().__init__(self.MESSAGES[reason])
        self.reason = reason


@dataclass(frozen=True)
class PrefillMade:
    draft: PrefilledDraft
    token: str  # shown once, never stored


def prefill_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _shape_errors(fields: list[FormField], raw: Mapping[str, Any], prefix: str, errors: dict[str, str]) -> None:
    """Answers to fields that the form does not have, or that only the applicant may fill."""
    by_id = {field.id: field for field in fields}
    for key, value in raw.items():
        field, path = by_id.get(key), f"{prefix}{key}"
        if field is None or field.type in DISPLAY_ONLY:
            errors[path] = UNKNOWN_FIELD
        elif field.type in NOT_PREFILLABLE:
            errors[path] = NOT_PREFILLED
        elif field.type == FieldType.BLOCK and isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, Mapping):
                    _shape_errors(field.fields, row, f"{path}.{index}.", errors)


@transaction.atomic
def prefilled_draft_create(
    *, procedure: Procedure, answers: dict[str, Any], actor: User | None, actor_label: str
) -> PrefillMade:
    """Keep answers given in advance for the latest published version of `procedure`, and make the
    one-use token of the link that claims them. `actor` is the person whose key made the call (None
    for a service account), `actor_label` names who did in the audit trail and on the record.
    Raises PrefillInvalid (located errors, nothing kept) when an answer names a field the form does
    not have or one that only the applicant fills, or breaks the field's rules (as a draft's answers:
    required fields may stay empty); ValidationError when the procedure takes no new dossier."""
    version = procedure.latest_version
    if procedure.status != Procedure.Status.PUBLISHED or version is None:
        raise ValidationError("Cette démarche n’accepte pas de nouveaux dossiers.")
    form = version_form(version.pk)
    errors: dict[str, str] = {}
    _shape_errors([field for page in form.pages for field in page.fields], answers, "", errors)
    cleaned = answers_clean(form, answers, today=timezone.localdate(), require_complete=False)
    errors = {**cleaned.errors, **errors}
    if errors:
        raise PrefillInvalid(errors)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    draft = PrefilledDraft.objects.create(
        procedure=procedure,
        version=version,
        answers=answers,
        token_sha256=prefill_token_digest(token),
        expires_at=timezone.now() + timedelta(days=settings.GUICHET_PREFILL_LINK_DAYS),
        created_by_label=actor_label[:254],
    )
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.DOSSIER_PREFILL_CREATE,
        target=draft,
        details={"procedure": procedure.slug, "fields": sorted(answers)},
    )
    return PrefillMade(draft=draft, token=token)


def prefilled_draft_of_token(token: str) -> PrefilledDraft:
    """The prefilled dossier that a link names, still claimable: PrefillUnavailable when the token is
    unknown, already used or expired. Reads only: the claim decides under a lock."""
    draft = _find(token).select_related("procedure").first()
    _claimable_check(draft)
    return draft


def _find(token: str):
    if not token or len(token) > 100:
        return PrefilledDraft.objects.none()
    return PrefilledDraft.objects.filter(token_sha256=prefill_token_digest(token))


def _claimable_check(draft: PrefilledDraft | None) -> None:
    if draft is None:
        raise PrefillUnavailable("unknown")
    if draft.claimed_at is not None:
        raise PrefillUnavailable("used")
    if draft.expires_at <= timezone.now():
        raise PrefillUnavailable("expired")


@transaction.atomic
def prefilled_draft_claim(*, actor: User, token: str) -> Dossier:
    """The signed-in person takes the prefilled answers: a draft of theirs is made with them, on the
    latest version of the form when they fit it (else on the version they were given for, with the
    usual notice). The link then stops working: PrefillUnavailable for anyone who follows it again,
    except that the same person claiming twice (a double click) gets the same draft back."""
    draft = _find(token).select_for_update().first()
    if draft is not None and draft.claimed_by_id == actor.pk and draft.dossier_id is not None:
        return draft.dossier
    _claimable_check(draft)
    procedure = draft.procedure
    latest = procedure.latest_version
    version, notice = latest, ""
    if latest is not None and latest.pk != draft.version_id:
        problems = answers_fit(
            old_form=version_form(draft.version_id),
            new_form=version_form(latest.pk),
            raw=draft.answers,
            today=timezone.localdate(),
        )
        if problems:
            version = draft.version
            notice = version_notice_text(published_on=timezone.localdate(latest.published_at), problems=problems)
    dossier = dossier_create(
        actor=actor,
        procedure=procedure,
        answers=draft.answers,
        creation_key=draft.key,
        version=version,
        version_notice=notice,
    )
    draft.claimed_at, draft.claimed_by, draft.dossier = timezone.now(), actor, dossier
    draft.save(update_fields=["claimed_at", "claimed_by", "dossier", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DOSSIER_PREFILL_CLAIM,
        target=dossier,
        details={"prefill": draft.pk, "made_by": draft.created_by_label},
    )
    return dossier
