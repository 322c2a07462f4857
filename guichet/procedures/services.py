"""Writes on procedures and their versions."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import Organisation, User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction

from .definition import definition_validate
from .hooks import procedure_published
from .models import InstructorGroup, InstructorMembership, Procedure, ProcedureVersion
from .readiness import procedure_publication_blockers


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
    audit_record(actor=actor, action=AuditAction.PROCEDURE_CREATE, target=procedure, details={"slug": slug})
    return procedure


@transaction.atomic
def procedure_publish(*, actor: User | None, procedure: Procedure) -> ProcedureVersion:
    """Freeze the working form into a new immutable version and open the procedure."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if locked.status == Procedure.Status.CLOSED:
        raise ValidationError("Une démarche close doit être rouverte avant d’être publiée.")
    locked.full_clean()
    blockers = procedure_publication_blockers(locked)
    if blockers:
        raise ValidationError(blockers)
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
    audit_record(actor=actor, action=AuditAction.PROCEDURE_PUBLISH, target=locked, details={"version": version.number})
    # The apps above act on it: the observatory links its programme's row, the dossiers app moves
    # the drafts started on older versions (each app's listener, connected in its ready()).
    procedure_published.send(procedure=locked, version=version, actor=actor)
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
    audit_record(actor=actor, action=AuditAction.PROCEDURE_CLOSE, target=locked)
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
        action=AuditAction.PROCEDURE_DEFINITION_UPDATE,
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
    audit_record(actor=actor, action=AuditAction.PROCEDURE_SETTINGS_UPDATE, target=locked, details={"fields": changed})
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
    audit_record(actor=actor, action=AuditAction.PROCEDURE_REOPEN, target=locked)
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
        actor=actor,
        action=AuditAction.PROCEDURE_CLONE,
        target=clone,
        details={"from": procedure.slug, "slug": clone.slug},
    )
    return clone


# --- Instructor groups and routing: the procedure's instruction settings ----------------------------


@transaction.atomic
def instructor_group_create(
    *, actor: User | None, procedure: Procedure, name: str, is_default: bool = False
) -> InstructorGroup:
    """Create an instructor group for a procedure."""
    group = InstructorGroup(procedure=procedure, name=name, is_default=is_default)
    group.full_clean()
    group.save()
    audit_record(
        actor=actor,
        action=AuditAction.INSTRUCTOR_GROUP_CREATE,
        target=group,
        details={"name": name, "default": is_default},
    )
    return group


@transaction.atomic
def instructor_group_add_member(*, actor: User | None, group: InstructorGroup, user: User) -> InstructorMembership:
    """Make someone an instructor of a group (adding them twice changes nothing)."""
    membership, created = InstructorMembership.objects.get_or_create(group=group, user=user)
    if created:
        audit_record(
            actor=actor, action=AuditAction.INSTRUCTOR_GROUP_ADD_MEMBER, target=group, details={"user": user.email}
        )
    return membership


@transaction.atomic
def instructor_group_update(*, actor: User, group: InstructorGroup, name: str, is_default: bool) -> InstructorGroup:
    """Rename a group, or make it the procedure's default group (the previous default stops being one)."""
    group = InstructorGroup.objects.select_for_update().get(pk=group.pk)
    if group.is_default and not is_default:
        raise ValidationError("Choisissez un autre groupe par défaut : la démarche en garde toujours un.")
    if is_default and not group.is_default:
        InstructorGroup.objects.filter(procedure_id=group.procedure_id, is_default=True).update(is_default=False)
    group.name, group.is_default = name.strip(), is_default
    group.full_clean()
    group.save()
    audit_record(
        actor=actor,
        action=AuditAction.INSTRUCTOR_GROUP_UPDATE,
        target=group,
        details={"name": group.name, "default": is_default},
    )
    return group


@transaction.atomic
def instructor_group_delete(*, actor: User, group: InstructorGroup) -> None:
    """Delete a group that never received a dossier and is not the default one."""
    group = InstructorGroup.objects.select_for_update().get(pk=group.pk)
    if group.is_default:
        raise ValidationError("Le groupe par défaut ne peut pas être supprimé.")
    if group.dossiers.exists():
        raise ValidationError("Ce groupe a reçu des dossiers : il ne peut pas être supprimé.")
    procedure = Procedure.objects.select_for_update().get(pk=group.procedure_id)
    procedure.routing_map = {value: pk for value, pk in procedure.routing_map.items() if pk != group.pk}
    procedure.save(update_fields=["routing_map", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.INSTRUCTOR_GROUP_DELETE, target=procedure, details={"name": group.name}
    )
    group.delete()


@transaction.atomic
def instructor_group_remove_member(*, actor: User, group: InstructorGroup, user: User) -> None:
    """Take someone out of a group (dossiers they followed stay with the group)."""
    deleted, _ = InstructorMembership.objects.filter(group=group, user=user).delete()
    if deleted:
        audit_record(
            actor=actor, action=AuditAction.INSTRUCTOR_GROUP_REMOVE_MEMBER, target=group, details={"user": user.email}
        )


@transaction.atomic
def procedure_routing_set(*, actor: User, procedure: Procedure, field_id: str, mapping: dict[str, int]) -> Procedure:
    """Route filed dossiers by their answer to one choice or yes/no field: `mapping` gives the group
    (id) for each answer; answers without a group go to the default group. An empty field_id routes
    everything to the default group."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    group_ids = set(locked.instructor_groups.values_list("pk", flat=True))
    if any(pk not in group_ids for pk in mapping.values()):
        raise ValidationError("Un des groupes choisis n’appartient pas à cette démarche.")
    locked.routing_field = field_id
    locked.routing_map = {str(value): pk for value, pk in mapping.items() if pk} if field_id else {}
    locked.save(update_fields=["routing_field", "routing_map", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PROCEDURE_ROUTING_SET,
        target=locked,
        details={"field": field_id, "rules": len(locked.routing_map)},
    )
    procedure.refresh_from_db()
    return procedure
