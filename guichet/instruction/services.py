"""Writes of the instruction: expert invitations, following, putting aside, the instructors' decisions
and the platform's implicit ones (state changes go through the workflow, dossiers/workflow.py, and
what follows them through the follow-up chain, followup/), annotations, labels, assignment."""

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.emails import email_send_on_commit
from guichet.core.models import AuditAction
from guichet.dossiers.actors import Actor, actor_label, actor_user
from guichet.dossiers.changes import dossier_changed
from guichet.dossiers.files import dossier_file_keep
from guichet.dossiers.models import Dossier, DossierState, TransitionLog, TransitionName
from guichet.dossiers.selectors import instructor_can_act_on
from guichet.dossiers.workflow import TRANSITIONS, TransitionNotAllowed, dossier_transition
from guichet.procedures.answers import answers_clean
from guichet.procedures.definition import annotations_form
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import version_form

from .exports import export_columns_available
from .models import (
    DossierFollow,
    ExpertInvitation,
    Label,
    ListPreference,
)
from .notifications import Kind, instructors_notify


@transaction.atomic
def expert_invite(
    *,
    actor: User,
    dossier: Dossier,
    expert: User,
    question: str,
    confidential: bool = False,
    ask_yes_no: bool = False,
) -> ExpertInvitation:
    """Ask someone for their opinion on one dossier (only an instructor of its group may)."""
    if not instructor_can_act_on(actor, dossier):
        raise PermissionDenied("Seuls les instructeurs du dossier peuvent demander un avis.")
    question = question.strip()
    if not question:
        raise ValidationError("Indiquez la question posée à l’expert.")
    if expert.pk == dossier.applicant_id:
        raise ValidationError("L’usager ne peut pas être expert de son propre dossier.")
    invitation = ExpertInvitation.objects.create(
        dossier=dossier,
        expert=expert,
        invited_by=actor,
        question=question,
        confidential=confidential,
        ask_yes_no=ask_yes_no,
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPERT_INVITE,
        target=dossier,
        details={"expert": expert.email, "invitation": invitation.pk},
    )
    return invitation


# --- The back office: following, putting aside, deciding ---------------------------------------------


def _instructor_check(actor: Actor, dossier: Dossier) -> None:
    if not instructor_can_act_on(actor, dossier):
        raise PermissionDenied("Seuls les instructeurs du dossier peuvent faire cela.")


@transaction.atomic
def dossier_follow(*, actor: User, dossier: Dossier) -> None:
    """Put the dossier in the instructor's « suivis » (twice is once)."""
    _instructor_check(actor, dossier)
    _, created = DossierFollow.objects.get_or_create(user=actor, dossier=dossier)
    if created:
        audit_record(actor=actor, action=AuditAction.DOSSIER_FOLLOW, target=dossier)


@transaction.atomic
def dossier_unfollow(*, actor: User, dossier: Dossier) -> None:
    _instructor_check(actor, dossier)
    deleted, _ = DossierFollow.objects.filter(user=actor, dossier=dossier).delete()
    if deleted:
        audit_record(actor=actor, action=AuditAction.DOSSIER_UNFOLLOW, target=dossier)


@transaction.atomic
def dossier_put_aside(*, actor: User, dossier: Dossier, aside: bool = True) -> Dossier:
    """Put a handled dossier aside, away from the working lists (or bring it back). Not archiving:
    « archivé » means transferred to the archives (guichet/archives). The field and the audit
    actions keep their first names (`archived_at`, `dossier.archive`): stored values."""
    _instructor_check(actor, dossier)
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if aside and locked.state not in {*DossierState.decided(), DossierState.WITHDRAWN}:
        raise ValidationError("Seul un dossier traité (décidé ou retiré) peut être mis de côté.")
    if (locked.archived_at is not None) == aside:
        return locked  # already so: a double click
    locked.archived_at = timezone.now() if aside else None
    locked.save(update_fields=["archived_at", "updated_at"])
    dossier_changed(locked)
    audit_record(
        actor=actor, action=AuditAction.DOSSIER_ARCHIVE if aside else AuditAction.DOSSIER_UNARCHIVE, target=locked
    )
    dossier.fields_copy(locked)
    return locked


@transaction.atomic
def dossier_decide(*, actor: Actor, dossier: Dossier, name: TransitionName, motivation: str = "") -> TransitionLog:
    """An instructor's step on a dossier (start instruction, ask for a correction, accept, refuse,
    close, reopen: the transitions that the workflow's table lets instructors apply), logged; its
    follow-up chain issues the act and tells the applicant. `actor` is a person, or software acting
    as an instructor through the API (a ServiceActor, within the reach the API gives it)."""
    transition = TRANSITIONS.get(name)
    if transition is None or TransitionLog.ActorRole.INSTRUCTOR not in transition.roles:
        raise TransitionNotAllowed("Cette action n’est pas une décision d’instructeur.")
    return dossier_transition(dossier=dossier, name=name, actor=actor, motivation=motivation)


# --- Experts' opinions (avis) ----------------------------------------------------------------------


@transaction.atomic
def expert_invite_by_email(
    *,
    actor: User,
    dossier: Dossier,
    email: str,
    question: str,
    site_url: str,
    confidential: bool = False,
    ask_yes_no: bool = False,
) -> ExpertInvitation:
    """Invite someone by their email address: their account is created if they have none (they
    choose their password through the link sent), and they are told what is asked of them."""
    email = User.objects.normalize_email(email.strip()).lower()
    expert = User.objects.filter(email__iexact=email).first()
    created = expert is None
    if created:
        expert = User.objects.create_user(email=email, password=None)
        audit_record(actor=actor, action=AuditAction.USER_CREATE, target=expert, details={"as": "expert"})
    invitation = expert_invite(
        actor=actor, dossier=dossier, expert=expert, question=question, confidential=confidential, ask_yes_no=ask_yes_no
    )
    link = site_url + reverse("expert:invitation", args=[invitation.pk])
    if created or not expert.has_usable_password():
        token = default_token_generator.make_token(expert)
        uid = urlsafe_base64_encode(force_bytes(expert.pk))
        password_link = site_url + reverse("accounts:password_reset_confirm", args=[uid, token])
    else:
        password_link = ""
    context = {"invitation": invitation, "dossier": dossier, "link": link, "password_link": password_link}
    email_send_on_commit(name="instruction/expert_invited", context=context, to=[expert.email])
    return invitation


@transaction.atomic
def expert_answer(
    *,
    actor: User,
    invitation: ExpertInvitation,
    answer: str,
    yes_no: bool | None = None,
    attachment: UploadedFile | None = None,
) -> ExpertInvitation:
    """The expert gives their opinion, once; the dossier's instructors are told."""
    locked = ExpertInvitation.objects.select_for_update().select_related("dossier").get(pk=invitation.pk)
    if locked.expert_id != actor.pk or locked.revoked_at is not None:
        raise PermissionDenied("Cette demande d’avis ne vous est pas (ou plus) adressée.")
    if locked.answered_at is not None:
        raise ValidationError("Vous avez déjà donné votre avis sur ce dossier.")
    answer = answer.strip()
    if not answer:
        raise ValidationError("Écrivez votre avis.")
    if locked.ask_yes_no and yes_no is None:
        raise ValidationError("Répondez par oui ou par non à la question posée.")
    stored = dossier_file_keep(actor=actor, dossier=locked.dossier, uploaded=attachment) if attachment else None
    locked.answer, locked.answer_yes_no, locked.answer_file = answer, yes_no if locked.ask_yes_no else None, stored
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "answer_yes_no", "answer_file", "answered_at", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.EXPERT_ANSWER, target=locked.dossier, details={"invitation": locked.pk}
    )
    instructors_notify(
        dossier=locked.dossier,
        kind=Kind.AVIS,
        text=f"Avis de {actor} sur le dossier n°{locked.dossier.number} ({locked.dossier.procedure.title})",
    )
    return locked


@transaction.atomic
def expert_revoke(*, actor: User, invitation: ExpertInvitation) -> ExpertInvitation:
    """Withdraw a request for an opinion: the expert no longer sees the dossier."""
    _instructor_check(actor, invitation.dossier)
    locked = ExpertInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.EXPERT_REVOKE, target=invitation.dossier, details={"invitation": locked.pk}
        )
    return locked


# --- Private annotations ---------------------------------------------------------------------------


class AnnotationsInvalid(ValidationError):
    """Some annotations were refused: `errors` maps each field's path to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Certaines annotations ne sont pas valides.")
        self.errors = errors


@transaction.atomic
def dossier_annotations_save(*, actor: Actor, dossier: Dossier, raw: dict[str, Any], merge: bool = False) -> Dossier:
    """Store the instructors' private annotations of a dossier, checked against the fields its
    procedure defines for them (raises AnnotationsInvalid, nothing stored, on a wrong value). With
    `merge`, `raw` changes only the annotations it names (None removes one), merged with those stored
    under the row's lock: two partial writes at once both land."""
    _instructor_check(actor, dossier)
    form = annotations_form(version_form(dossier.version_id))
    if form is None:
        raise ValidationError("Cette démarche ne définit pas d’annotations privées.")
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if merge:
        raw = {key: value for key, value in {**locked.annotations, **raw}.items() if value is not None}
    cleaned = answers_clean(form, raw, today=timezone.localdate(), require_complete=False)
    if cleaned.errors:
        raise AnnotationsInvalid(dict(cleaned.errors))
    changed = sorted(
        key for key in raw.keys() | locked.annotations.keys() if raw.get(key) != locked.annotations.get(key)
    )
    if changed:
        locked.annotations = raw
        locked.save(update_fields=["annotations", "updated_at"])
        dossier_changed(locked)
        audit_record(
            actor=actor_user(actor),
            actor_label=actor_label(actor),
            action=AuditAction.DOSSIER_ANNOTATIONS_SAVE,
            target=locked,
            details={"fields": changed},
        )
    dossier.fields_copy(locked)
    return locked


# --- Labels and assignment -------------------------------------------------------------------------


@transaction.atomic
def dossier_labels_set(*, actor: Actor, dossier: Dossier, names: list[str]) -> list[Label]:
    """Put exactly these labels on the dossier; a name never used on the procedure creates it."""
    _instructor_check(actor, dossier)
    wanted: dict[str, str] = {}  # once each whatever its case, spelled as first typed
    for name in names:
        name = " ".join(name.split())[:60]
        if name:
            wanted.setdefault(name.casefold(), name)
    labels = []
    for name in wanted.values():
        label = Label.objects.filter(procedure_id=dossier.procedure_id, name__iexact=name).first()
        labels.append(label or Label.objects.create(procedure_id=dossier.procedure_id, name=name))
    before = sorted(dossier.labels.values_list("name", flat=True))
    dossier.labels.set(labels)
    after = sorted(label.name for label in labels)
    if before != after:
        dossier_changed(dossier)
        audit_record(
            actor=actor_user(actor),
            actor_label=actor_label(actor),
            action=AuditAction.DOSSIER_LABELS_SET,
            target=dossier,
            details={"labels": after},
        )
    return labels


@transaction.atomic
def dossier_assign(*, actor: Actor, dossier: Dossier, assignee: User | None) -> Dossier:
    """Give the dossier to an instructor of its group (None: to nobody in particular)."""
    _instructor_check(actor, dossier)
    if assignee is not None and not instructor_can_act_on(assignee, dossier):
        raise ValidationError("Cette personne n’est pas instructrice du groupe de ce dossier.")
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.assignee_id != (assignee.pk if assignee else None):
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        dossier_changed(locked)
        details = {"assignee": assignee.email if assignee else ""}
        audit_record(
            actor=actor_user(actor),
            actor_label=actor_label(actor),
            action=AuditAction.DOSSIER_ASSIGN,
            target=locked,
            details=details,
        )
    dossier.fields_copy(locked)
    return locked


@transaction.atomic
def list_columns_set(*, actor: User, procedure: Procedure, field_ids: list[str]) -> ListPreference:
    """Remember the answer columns an instructor adds to a procedure's lists (unknown ids dropped)."""
    known = {column.field_id for column in export_columns_available(procedure=procedure) if column.field_id}
    kept = [field_id for field_id in dict.fromkeys(field_ids) if field_id in known]
    preference, _ = ListPreference.objects.update_or_create(
        user=actor, procedure=procedure, defaults={"answer_columns": kept}
    )
    return preference
