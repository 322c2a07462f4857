"""Writes on procedures and their versions."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import Organisation, User
from guichet.core.audit import audit_record

from .models import Procedure, ProcedureVersion


@transaction.atomic
def procedure_create(
    *,
    actor: User | None,
    organisation: Organisation,
    title: str,
    slug: str,
    summary: str = "",
    description: str = "",
    definition: dict[str, Any],
    processing_days: int | None = None,
) -> Procedure:
    """Create a procedure in draft, with its working form."""
    procedure = Procedure(
        organisation=organisation,
        title=title,
        slug=slug,
        summary=summary,
        description=description,
        draft_definition=definition,
        processing_days=processing_days,
    )
    procedure.full_clean()
    procedure.save()
    audit_record(actor=actor, action="procedure.create", target=procedure, details={"slug": slug})
    return procedure


@transaction.atomic
def procedure_publish(*, actor: User | None, procedure: Procedure) -> ProcedureVersion:
    """Freeze the working form into a new immutable version and open the procedure."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if locked.status == Procedure.Status.CLOSED:
        raise ValidationError("Une démarche close doit être rouverte avant d’être publiée.")
    locked.full_clean()
    latest = locked.versions.order_by("-number").first()
    now = timezone.now()
    version = ProcedureVersion.objects.create(
        procedure=locked,
        number=(latest.number + 1) if latest else 1,
        definition=locked.draft_definition,
        published_at=now,
        published_by=actor,
    )
    locked.status = Procedure.Status.PUBLISHED
    locked.published_at = locked.published_at or now
    locked.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="procedure.publish", target=locked, details={"version": version.number})
    procedure.refresh_from_db()
    return version


@transaction.atomic
def procedure_close(*, actor: User | None, procedure: Procedure) -> Procedure:
    """Stop accepting new dossiers; dossiers already filed go on."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if locked.status != Procedure.Status.PUBLISHED:
        raise ValidationError("Seule une démarche publiée peut être close.")
    locked.status = Procedure.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action="procedure.close", target=locked)
    procedure.refresh_from_db()
    return procedure
