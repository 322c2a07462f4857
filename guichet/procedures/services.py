"""Writes on procedures and their versions."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import Organisation, User
from guichet.core.audit import audit_record
from guichet.dossiers.tasks import dossiers_version_migrate_task
from guichet.instruction.models import InstructorGroup
from guichet.observatory.services import programme_entry_link

from .definition import definition_validate
from .models import Procedure, ProcedureVersion


class DraftConflict(Exception):
    """The working form changed since the page was shown (a colleague, another tab, a double click)."""

    def __init__(self) -> None:
        super().__init__(
            "Le formulaire a été modifié entre-temps (dans un autre onglet ou par une autre personne) : "
            "votre modification n’a pas été enregistrée. Voici la version à jour ; refaites-la si besoin."
        )


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
    silence_rule: str = Procedure.SilenceRule.NONE,
    correction_clock: str = Procedure.CorrectionClock.SUSPEND,
    data_needed: str = "",
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
        silence_rule=silence_rule,
        correction_clock=correction_clock,
        data_needed=data_needed,
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
    if not InstructorGroup.objects.filter(procedure=locked, is_default=True).exists():
        # Filed dossiers must always reach someone: a new procedure gets a first group.
        InstructorGroup.objects.create(procedure=locked, name="Groupe principal", is_default=True)
    # Its row in the observatory's programme (created, or the one waiting under its title).
    programme_entry_link(actor=actor, procedure=locked)
    audit_record(actor=actor, action="procedure.publish", target=locked, details={"version": version.number})
    # Drafts started on an older version move to this one when their answers fit (after commit, so
    # that the worker sees the new version).
    transaction.on_commit(lambda: dossiers_version_migrate_task.enqueue(locked.pk, version.pk))
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


@transaction.atomic
def procedure_definition_save(
    *, actor: User, procedure: Procedure, definition: dict[str, Any], revision: int, change: str
) -> Procedure:
    """Save the working form after a builder edit. The whole form is validated (DefinitionInvalid
    names every problem and its place, and nothing is saved); `revision` is the one the edit was made
    on, and an outdated one raises DraftConflict. Published versions never change."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if locked.draft_revision != revision:
        raise DraftConflict
    definition_validate(definition)
    locked.draft_definition = definition
    locked.draft_revision += 1
    locked.save(update_fields=["draft_definition", "draft_revision", "updated_at"])
    audit_record(
        actor=actor,
        action="procedure.definition_update",
        target=locked,
        details={"change": change, "revision": locked.draft_revision},
    )
    procedure.draft_definition, procedure.draft_revision = locked.draft_definition, locked.draft_revision
    return procedure


SETTINGS_FIELDS = (
    "title",
    "summary",
    "description",
    "organisation",
    "opens_on",
    "closes_on",
    "data_needed",
    "processing_days",
    "silence_rule",
    "correction_clock",
)


@transaction.atomic
def procedure_settings_update(*, actor: User, procedure: Procedure, **values: Any) -> Procedure:
    """Change a procedure's settings (title, organisation, dates, deadline, silence rule,
    what a correction request does to the deadline...)."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    audit_record(actor=actor, action="procedure.settings_update", target=locked, details={"fields": changed})
    procedure.refresh_from_db()
    return procedure


@transaction.atomic
def procedure_reopen(*, actor: User, procedure: Procedure) -> Procedure:
    """Accept new dossiers again on a closed procedure, with its latest published version."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if locked.status != Procedure.Status.CLOSED:
        raise ValidationError("Seule une démarche close peut être rouverte.")
    locked.status = Procedure.Status.PUBLISHED
    locked.closed_at = None
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action="procedure.reopen", target=locked)
    procedure.refresh_from_db()
    return procedure


@transaction.atomic
def procedure_clone(*, actor: User, procedure: Procedure, title: str, slug: str, organisation) -> Procedure:
    """A new procedure in draft with a copy of another's working form, settings and group names
    (not its members, dossiers or versions)."""
    clone = Procedure(
        organisation=organisation,
        title=title,
        slug=slug,
        **{name: getattr(procedure, name) for name in SETTINGS_FIELDS if name not in {"title", "organisation"}},
        draft_definition=procedure.draft_definition,
        routing_field=procedure.routing_field,
    )
    clone.full_clean()
    clone.save()
    groups = {}
    for group in procedure.instructor_groups.order_by("name"):
        groups[str(group.pk)] = InstructorGroup.objects.create(
            procedure=clone, name=group.name, is_default=group.is_default
        ).pk
    clone.routing_map = {value: groups[str(pk)] for value, pk in procedure.routing_map.items() if str(pk) in groups}
    clone.save(update_fields=["routing_map"])
    audit_record(
        actor=actor, action="procedure.clone", target=clone, details={"from": procedure.slug, "slug": clone.slug}
    )
    return clone
