"""Telling instructors what happens on their groups' dossiers (a new dossier, a message, corrections,
a withdrawal, an expert's opinion): an email at once, a daily digest, or nothing, as each chooses
(NotificationPreference). Every notification is kept, sent or not, so that a digest misses none."""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from guichet.accounts.models import User
from guichet.core.emails import email_send_on_commit
from guichet.core.sequences import sequence_next
from guichet.dossiers.models import Dossier
from guichet.invoicing.models import Invoice
from guichet.procedures.models import InstructorMembership

from .models import InstructorNotification, NotificationMode, NotificationPreference

Kind = InstructorNotification.Kind


def _mode(user: User) -> str:
    try:
        return user.notification_preference.mode
    except NotificationPreference.DoesNotExist:
        return NotificationMode.IMMEDIATE


def _link(dossier_id: int) -> str:
    return settings.GUICHET_SITE_URL + reverse("agent:dossier_detail", args=[dossier_id])


def instructors_notify(*, dossier: Dossier, kind: str, text: str) -> int:
    """Tell the instructors of the dossier's group, inside the caller's transaction: the emails of
    those who want them at once leave after the commit. Returns how many were told."""
    if dossier.group_id is None:
        return 0
    members = InstructorMembership.objects.filter(group_id=dossier.group_id).values("user_id")
    users = User.objects.filter(pk__in=members, is_active=True).select_related("notification_preference")
    now, rows, at_once = timezone.now(), [], []
    for user in users:
        mode = _mode(user)
        if mode == NotificationMode.NONE:
            continue
        immediate = mode == NotificationMode.IMMEDIATE
        rows.append(
            InstructorNotification(
                user=user, dossier=dossier, kind=kind, text=text[:300], sent_at=now if immediate else None
            )
        )
        if immediate:
            at_once.append(user.email)
    InstructorNotification.objects.bulk_create(rows)
    for email in at_once:
        email_send_on_commit(name="instruction/notice", context={"text": text, "link": _link(dossier.pk)}, to=[email])
    return len(rows)


def instructors_notify_invoice(*, invoice: Invoice, text: str) -> int:
    """An invoice of the dossier waits for the organisation on Chorus Pro (invoicing's hook
    `invoice_needs_attention`, inside the transaction that records it)."""
    return instructors_notify(dossier=invoice.dossier, kind=Kind.MESSAGE, text=text)


def notification_preference_set(*, actor: User, mode: str) -> NotificationPreference:
    if mode not in NotificationMode.values:
        raise ValueError(f"mode inconnu : {mode}")
    preference, _ = NotificationPreference.objects.update_or_create(user=actor, defaults={"mode": mode})
    return preference


def notifications_digest_send(*, now: datetime | None = None) -> int:
    """One email per instructor gathering what they have not been sent yet; returns the emails sent.
    Each person's notifications are marked sent in the transaction that enqueues their email."""
    now = now or timezone.now()
    pending = (
        InstructorNotification.objects.filter(sent_at__isnull=True)
        .select_related("user", "dossier")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[User, list[InstructorNotification]] = defaultdict(list)
    for notification in pending.iterator(chunk_size=2000):
        by_user[notification.user].append(notification)
    sent = 0
    for user, notifications in by_user.items():
        if not user.is_active or not user.email:
            continue
        lines = [{"text": n.text, "link": _link(n.dossier_id)} for n in notifications]
        context = {"notifications": notifications, "lines": lines}
        with transaction.atomic():
            InstructorNotification.objects.filter(pk__in=[n.pk for n in notifications]).update(sent_at=now)
            email_send_on_commit(name="instruction/digest", context=context, to=[user.email])
        sent += 1
    return sent


def notifications_daily_digest(*, now: datetime | None = None) -> int:
    """The digest once a day, from 8:00 (Paris): however often it is called (the `serve` loop calls
    it every few minutes), the day's counter lets only the first call after 8:00 send."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < 8:
        return 0
    if sequence_next(f"digest-{local.date().isoformat()}") != 1:
        return 0
    return notifications_digest_send(now=now)


@task()
def notifications_digest_task() -> int:
    return notifications_daily_digest()


__all__ = ["Kind", "instructors_notify", "notification_preference_set", "notifications_digest_send"]
