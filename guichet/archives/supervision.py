"""What an archivist does by hand: send again a transfer the archival system refused (once the
cause is fixed), and put a dossier under litigation hold (« gel pour contentieux ») or lift it.
The transfers themselves are run by the worker; these services only change the records."""

from django.core.exceptions import ValidationError
from django.db import transaction

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.dossiers.models import Dossier

from .models import ArchivalState, ArchiveTransfer, DossierRetention, TransferStatus
from .retention import RetentionMoveRefused, retention_move, retention_schedule

HOLD_REASON_MAX = DossierRetention._meta.get_field("litigation_hold_reason").max_length


@transaction.atomic
def archive_transfer_retry(*, transfer: ArchiveTransfer, actor: User | None) -> ArchiveTransfer:
    """Send again a transfer the archival system refused: a new pending transfer of the same
    dossier to the same target (the refused one is kept, with its reply), and the dossier back
    to « à verser ». Refused while the dossier is under litigation hold. Returns the new transfer."""
    locked = ArchiveTransfer.objects.select_for_update().get(pk=transfer.pk)
    if locked.status != TransferStatus.REFUSED:
        raise ValidationError("Seul un versement refusé par le système d’archivage peut être relancé.")
    retention = DossierRetention.objects.select_for_update().filter(dossier_id=locked.dossier_id).first()
    if retention is None:
        raise ValidationError("Ce dossier n’a pas de durée de conservation : il ne peut pas être versé.")
    if retention.litigation_hold:
        raise ValidationError("Ce dossier est gelé pour contentieux : levez le gel avant de relancer le versement.")
    if ArchiveTransfer.objects.filter(
        dossier_id=locked.dossier_id, status__in=[TransferStatus.PENDING, TransferStatus.SENT, TransferStatus.ACCEPTED]
    ).exists():
        raise ValidationError("Un versement de ce dossier est déjà en cours ou accepté : rien n’est relancé.")
    if retention.state != ArchivalState.TO_TRANSFER:
        try:
            retention_move(retention=retention, to=ArchivalState.TO_TRANSFER)
        except RetentionMoveRefused as refusal:
            raise ValidationError(f"Ce versement ne peut pas être relancé : {refusal}") from None
    again = ArchiveTransfer.objects.create(dossier_id=locked.dossier_id, target=locked.target)
    audit_record(
        actor=actor,
        action=AuditAction.ARCHIVE_TRANSFER_RETRY,
        target=again,
        details={"dossier": retention.dossier.number, "refused": locked.pk, "reply_code": locked.reply_code},
    )
    return again


def _retention_locked(dossier: Dossier) -> DossierRetention:
    retention = DossierRetention.objects.select_for_update().filter(dossier=dossier).first()
    if retention is None:
        # Decided since the last daily round: its retention is written now.
        retention_schedule(dossier=dossier)
        retention = DossierRetention.objects.select_for_update().filter(dossier=dossier).first()
    if retention is None:
        raise ValidationError(
            "Ce dossier n’est pas encore traité : sa durée de conservation ne court pas, il n’y a rien à geler."
        )
    return retention


@transaction.atomic
def dossier_litigation_hold(*, dossier: Dossier, actor: User | None, reason: str) -> DossierRetention:
    """Put a finished dossier under litigation hold: it is neither transferred nor listed for
    elimination until the hold is lifted, whatever its DUA. The reason is required."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Indiquez le motif du gel (par exemple, la référence du recours).")
    if len(reason) > HOLD_REASON_MAX:
        raise ValidationError(f"Le motif du gel tient en {HOLD_REASON_MAX} caractères au plus.")
    retention = _retention_locked(dossier)
    if retention.state == ArchivalState.ELIMINATED:
        raise ValidationError("Les données de ce dossier ont déjà été éliminées : il ne peut plus être gelé.")
    if retention.litigation_hold:
        raise ValidationError("Ce dossier est déjà gelé pour contentieux.")
    retention.litigation_hold, retention.litigation_hold_reason = True, reason
    retention.save(update_fields=["litigation_hold", "litigation_hold_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DOSSIER_LITIGATION_HOLD,
        target=dossier,
        details={"number": dossier.number, "reason": reason},
    )
    return retention


@transaction.atomic
def dossier_litigation_release(*, dossier: Dossier, actor: User | None) -> DossierRetention:
    """Lift a dossier's litigation hold: the next daily round moves it on if its DUA has ended."""
    retention = DossierRetention.objects.select_for_update().filter(dossier=dossier, litigation_hold=True).first()
    if retention is None:
        raise ValidationError("Ce dossier n’est pas gelé pour contentieux.")
    reason = retention.litigation_hold_reason
    retention.litigation_hold, retention.litigation_hold_reason = False, ""
    retention.save(update_fields=["litigation_hold", "litigation_hold_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DOSSIER_LITIGATION_RELEASE,
        target=dossier,
        details={"number": dossier.number, "reason": reason},
    )
    return retention
