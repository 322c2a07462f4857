"""Actions on many dossiers at once: asked from a list (at most BULK_LIMIT dossiers), run by the
worker one dossier after the other, each in its own transaction with its outcome, so that a
refused transition does not stop the others and a retried run does not redo what was done."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.task_queue import task_enqueue_after_commit
from guichet.dossiers.models import Dossier, TransitionName
from guichet.dossiers.workflow import TRANSITIONS, TransitionError
from guichet.instruction.messages import message_send
from guichet.procedures.models import Procedure

from .access import dossier_for_instructor
from .models import BulkAction
from .selectors import dossiers_of_instructor_in
from .services import dossier_decide, dossier_follow, dossier_put_aside

BULK_LIMIT = 500
Action = BulkAction.Action
_NEEDS_TEXT = {
    # The decisions whose motivation the workflow's table requires, and messages.
    **{
        Action(name): f"Une motivation est obligatoire pour {TRANSITIONS[name].label.lower()}."
        for name in TransitionName
        if name in Action.values and TRANSITIONS[name].motivation_required
    },
    Action.MESSAGE: "Écrivez le message à envoyer.",
}


@transaction.atomic
def bulk_action_create(
    *, actor: User, procedure: Procedure, action: str, dossier_ids: Iterable[int], text: str = ""
) -> BulkAction:
    """Ask for one action on the selected dossiers of a procedure; the worker runs it."""
    ids = list(dict.fromkeys(int(pk) for pk in dossier_ids))
    if not ids:
        raise ValidationError("Sélectionnez au moins un dossier.")
    if len(ids) > BULK_LIMIT:
        raise ValidationError(f"Sélectionnez au plus {BULK_LIMIT} dossiers à la fois.")
    if action not in Action.values:
        raise ValidationError("Cette action groupée n’existe pas.")
    text = text.strip()
    if action in _NEEDS_TEXT and not text:
        raise ValidationError(_NEEDS_TEXT[Action(action)])
    visible = set(dossiers_of_instructor_in(actor, procedure).filter(pk__in=ids).values_list("pk", flat=True))
    if len(visible) != len(ids):
        raise PermissionDenied("Certains dossiers sélectionnés ne sont pas dans vos groupes instructeurs.")
    bulk = BulkAction.objects.create(actor=actor, procedure=procedure, action=action, text=text, dossier_ids=ids)
    audit_record(
        actor=actor, action=AuditAction.BULK_CREATE, target=bulk, details={"action": action, "dossiers": len(ids)}
    )
    task_enqueue_after_commit(bulk_action_run_task, bulk_id=bulk.pk)
    return bulk


def _apply(bulk: BulkAction, dossier: Dossier) -> None:
    actor = bulk.actor
    if bulk.action == Action.FOLLOW:
        dossier_follow(actor=actor, dossier=dossier)
    elif bulk.action == Action.PUT_ASIDE:
        dossier_put_aside(actor=actor, dossier=dossier)
    elif bulk.action == Action.MESSAGE:
        message_send(actor=actor, dossier=dossier, body=bulk.text)
    else:
        name = TransitionName(bulk.action)
        dossier_decide(actor=actor, dossier=dossier, name=name, motivation=bulk.text)


def _reason(error: Exception) -> str:
    messages = getattr(error, "messages", None)
    return " ".join(messages) if messages else str(error) or "Action impossible sur ce dossier."


def bulk_action_run(*, bulk_id: int) -> BulkAction:
    """Run what is left of a bulk action; each dossier's action and its outcome commit together."""
    bulk = BulkAction.objects.select_related("actor").get(pk=bulk_id)
    if bulk.status == BulkAction.Status.DONE:
        return bulk
    BulkAction.objects.filter(pk=bulk.pk).update(status=BulkAction.Status.RUNNING)
    for dossier_id in bulk.dossier_ids:
        key = str(dossier_id)
        if key in bulk.outcomes:
            continue  # done by an earlier, interrupted run
        try:
            with transaction.atomic():
                # Read again under the actor's rights: they may have left the group meanwhile.
                dossier = dossier_for_instructor(bulk.actor, dossier_id)
                _apply(bulk, dossier)
                bulk.outcomes[key] = ""
                BulkAction.objects.filter(pk=bulk.pk).update(outcomes=bulk.outcomes)
        except Dossier.DoesNotExist:
            bulk.outcomes[key] = "Ce dossier n’est plus dans vos groupes instructeurs."
        except (TransitionError, ValidationError, PermissionDenied) as error:
            bulk.outcomes[key] = _reason(error)
        if bulk.outcomes[key]:
            BulkAction.objects.filter(pk=bulk.pk).update(outcomes=bulk.outcomes)
    bulk.status, bulk.finished_at = BulkAction.Status.DONE, timezone.now()
    bulk.save(update_fields=["status", "finished_at", "outcomes", "updated_at"])
    return bulk


@task()
def bulk_action_run_task(*, bulk_id: int) -> dict[str, int]:
    bulk = bulk_action_run(bulk_id=bulk_id)
    return {"done": len(bulk.outcomes) - len(bulk.failures), "refused": len(bulk.failures)}
