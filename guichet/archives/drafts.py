"""Drafts never filed: deleted, with their files, once left untouched for
GUICHET_DRAFT_RETENTION_DAYS; their applicant is warned by email GUICHET_DRAFT_EXPIRY_WARNING_DAYS
before, once. Any change to the draft (its `updated_at`) starts the count again; a warning older
than the last change speaks of an idleness that has ended, and a new one will be sent.

A draft is deleted only once its applicant was warned at least the warning's days before: a round
that did not run for a while (a server stopped) delays deletions, never shortens the notice."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from guichet.core.audit import audit_record
from guichet.core.emails import email_send_on_commit
from guichet.core.models import AuditAction
from guichet.dossiers.models import Dossier, DossierFile, DossierState
from guichet.payments.models import PaymentStatus

BATCH = 500


@dataclass(frozen=True)
class DraftsReport:
    warned: int
    deleted: int


def _days() -> tuple[timedelta, timedelta]:
    return (
        timedelta(days=settings.GUICHET_DRAFT_RETENTION_DAYS),
        timedelta(days=settings.GUICHET_DRAFT_EXPIRY_WARNING_DAYS),
    )


def _to_warn(now: datetime) -> QuerySet[Dossier]:
    retention, notice = _days()
    return Dossier.objects.filter(state=DossierState.DRAFT, updated_at__lte=now - retention + notice).filter(
        Q(expiry_warned_at__isnull=True) | Q(expiry_warned_at__lt=F("updated_at"))
    )


def _to_delete(now: datetime) -> QuerySet[Dossier]:
    retention, notice = _days()
    return Dossier.objects.filter(
        state=DossierState.DRAFT,
        updated_at__lte=now - retention,
        expiry_warned_at__lte=now - notice,
        expiry_warned_at__gte=F("updated_at"),
    ).exclude(payments__status=PaymentStatus.PAID)  # paid, but its filing failed: a person decides


@transaction.atomic
def draft_expiry_warn(*, dossier_id: int, now: datetime) -> bool:
    """Tell the applicant that their draft will be deleted, once (False: nothing to tell any more)."""
    dossier = _to_warn(now).select_for_update().select_related("procedure", "applicant").filter(pk=dossier_id).first()
    if dossier is None:
        return False
    retention, notice = _days()
    # A queryset update: the warning is not a change of the draft, its `updated_at` stays.
    Dossier.objects.filter(pk=dossier.pk).update(expiry_warned_at=now)
    delete_on = max(dossier.updated_at + retention, now + notice)
    email_send_on_commit(
        name="archives/draft_expiry_warning",
        context={
            "dossier": dossier,
            "procedure": dossier.procedure,
            "delete_on": timezone.localtime(delete_on),
            "retention_days": settings.GUICHET_DRAFT_RETENTION_DAYS,
            "resume_path": reverse("usager:dossier_detail", args=[dossier.pk]),
        },
        to=[dossier.applicant.email] if dossier.applicant.is_active else [],
    )
    audit_record(
        actor=None,
        action=AuditAction.DOSSIER_DRAFT_EXPIRY_WARN,
        target=dossier,
        details={"procedure": dossier.procedure.slug, "delete_on": delete_on},
    )
    return True


@transaction.atomic
def draft_expire(*, dossier_id: int, now: datetime) -> bool:
    """Delete an expired draft and its files (False: it was changed or filed meanwhile)."""
    dossier = _to_delete(now).select_for_update().select_related("procedure").filter(pk=dossier_id).first()
    if dossier is None:
        return False
    names = list(dossier.files.values_list("content", flat=True))
    audit_record(
        actor=None,
        action=AuditAction.DOSSIER_DRAFT_EXPIRE,
        target=dossier,
        details={"procedure": dossier.procedure.slug, "files": len(names)},
    )
    dossier.delete()
    storage = DossierFile._meta.get_field("content").storage
    # The files go once the rows are gone for good (a rollback keeps both).
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return True


def drafts_expire(*, now: datetime | None = None) -> DraftsReport:
    """The round (`manage.py drafts_expire`, run by `serve`): warn those whose draft will soon be
    deleted, delete the drafts whose notice has run out. Each draft in its own transaction."""
    now = now or timezone.now()
    warned = deleted = 0
    for ids in _batches(_to_warn(now)):
        warned += sum(draft_expiry_warn(dossier_id=pk, now=now) for pk in ids)
    for ids in _batches(_to_delete(now)):
        deleted += sum(draft_expire(dossier_id=pk, now=now) for pk in ids)
    return DraftsReport(warned=warned, deleted=deleted)


def _batches(queryset: QuerySet[Dossier]):
    last = 0
    while ids := list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]):
        yield ids
        last = ids[-1]
