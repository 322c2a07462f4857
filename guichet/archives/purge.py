"""The purge of one dossier's personal data, once an archivist approved the elimination list that
carries it (archives/elimination.py calls it; nothing else does).

What goes, model by model (every model with a key to Dossier, in every app):
- dossiers.Dossier: the row stays (the observatory counts it: procedure, states, dates); its
  answers, identity, private annotations, version notice, search index and creation key are emptied,
  and it points to the « usager supprimé » account instead of its applicant.
- dossiers.DossierSnapshot (the answers as filed): deleted, through the one deliberate path that
  append-only rows have (EliminableQuerySet.elimination_delete).
- dossiers.TransitionLog: the rows stay (states and dates, for the statistics and the acts' links);
  the motivations are emptied and the applicant's own moves point to « usager supprimé ».
- dossiers.DossierFile: the stored files and their rows are deleted.
- dossiers.Message, dossiers.CorrectionRequest: deleted (their texts are the applicant's case).
- dossiers.SourcedValue: deleted (the values a data source certified, and the consent text, go with
  the answers they filled).
- exchanges.ReceivedCase: kept with HubEE's case id (a case delivered again must still find it and
  make no new dossier); the applicant as HubEE named them, and the rejection text, are emptied.
  exchanges.ReceivedEvent: kept with HubEE's event id (a re-delivery must write no message); its
  message goes with the others, and the refused files' names and reasons are emptied.
  exchanges.StatusSent and SentFolder keep only HubEE's ids and statuses: left as they are.
- dossiers.Opinion: kept for the satisfaction figures, its free comment emptied.
- documents.Act: the sealed PDF is deleted; the row keeps its kind, dates, code and SHA-256, so that
  the verification page answers « acte éliminé le … » instead of « inconnu ».
- instruction.ExpertInvitation: kept (an avis was asked), question and answer emptied, file gone.
- instruction.DossierFollow, InstructorNotification, labels: deleted.
- instruction.BulkAction: the dossier's id leaves its list and its outcomes; its text (a motivation,
  a message) is emptied once none of its dossiers is left alive.
- instruction.ExportJob: the files of the procedure's exports made before the elimination, and not
  yet expired, are deleted (they are lists of dossiers with their answers) and the exports marked
  expired; their authors export again if they need to.
- instruction.FollowUpStep: what its outcome kept (the applicant's address) is emptied; a step still
  due is skipped, so that nothing is ever sent about an eliminated dossier.
- archives.ArchiveTransfer: kept (status, package digest, archive unit ids); the reply document
  (ATR), which repeats the package's descriptions, is emptied and its digest kept.
- archives.DossierRetention: kept, ELIMINATED; archives.Tombstone: written.
Left as they are: the audit trail (its events hold ids, numbers and field names, never answers; the
actor's address is part of the hash chain). The worker's finished task results (django-tasks-db),
which may hold a rendered email, cannot be found by dossier: the daily round deletes them all after
GUICHET_TASK_RESULTS_KEPT_DAYS (archives_review, core/task_results.py; decision 0023).

The files are removed before the transaction commits: a crash then leaves rows that a second run
eliminates (it reads only the digests stored in rows, never the files), never a file without a row."""

import hashlib
import json
from typing import Any

from django.core.files.storage import Storage
from django.db import connection, transaction
from django.utils import timezone

from guichet.accounts.closure import deleted_applicant, user_pseudonymise
from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.documents.models import Act
from guichet.dossiers.changes import dossier_changed
from guichet.dossiers.models import (
    CorrectionRequest,
    Dossier,
    DossierFile,
    DossierSnapshot,
    DossierState,
    Message,
    Opinion,
    SourcedValue,
    TransitionLog,
)
from guichet.exchanges.models import ReceivedCase, ReceivedEvent
from guichet.instruction.models import (
    BulkAction,
    DossierFollow,
    ExpertInvitation,
    ExportJob,
    FollowUpStep,
    InstructorNotification,
)

from .models import AccountClosure, ArchivalState, ArchiveTransfer, DossierRetention, EliminationEntry, Tombstone
from .retention import retention_move


def _sha256_json(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _sha256_text(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _digest(what: str, sha256: str, size: int | None = None) -> dict[str, Any]:
    return {"what": what, "sha256": sha256, **({"size": size} if size is not None else {})}


def _files_remove(storage: Storage, names: list[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)


@transaction.atomic
def dossier_eliminate(*, entry: EliminationEntry, actor: User | None) -> Tombstone | None:
    """Destroy the personal data of the dossier of `entry` and leave its tombstone. Idempotent: a
    dossier already eliminated gives back its tombstone. A dossier put under litigation hold since
    the list was drawn up is left whole and goes back where it was (None)."""
    dossier = Dossier.objects.select_for_update().select_related("procedure").get(pk=entry.dossier_id)
    done = Tombstone.objects.filter(dossier=dossier).first()
    if done is not None:
        return done
    retention = DossierRetention.objects.select_for_update().get(dossier=dossier)
    if dossier.state not in DossierState.finished():
        # Reopened while listed (which the workflow refuses): being instructed again, it is left whole.
        return None
    if retention.litigation_hold:
        if retention.state == ArchivalState.LISTED:
            retention_move(retention=retention, to=ArchivalState(entry.previous_state))
        EliminationEntry.objects.filter(pk=entry.pk).update(kept_for_litigation=True)
        return None
    elimination_list = entry.elimination_list
    now = timezone.now()
    placeholder = deleted_applicant()
    applicant_id = dossier.applicant_id
    digests: list[dict[str, Any]] = []

    # What is destroyed, digested first (from the rows: the files are never read again).
    if dossier.answers:
        digests.append(_digest("réponses en cours", _sha256_json(dossier.answers)))
    if dossier.identity:
        digests.append(_digest("identité du demandeur", _sha256_json(dossier.identity)))
    if dossier.annotations:
        digests.append(_digest("annotations privées", _sha256_json(dossier.annotations)))
    snapshots = DossierSnapshot.objects.filter(dossier=dossier)
    for answers, at in snapshots.values_list("answers", "created_at"):
        digests.append(_digest(f"réponses déposées le {at:%d/%m/%Y %H:%M}", _sha256_json(answers)))
    files = list(DossierFile.objects.filter(dossier=dossier).values_list("content", "sha256", "size"))
    digests += [_digest("pièce jointe", sha256, size) for _, sha256, size in files]
    acts = list(Act.objects.filter(dossier=dossier).exclude(pdf="").values_list("pdf", "sha256", "size", "code"))
    digests += [_digest(f"acte {code}", sha256, size) for _, sha256, size, code in acts]
    for body in Message.objects.filter(dossier=dossier).values_list("body", flat=True):
        digests.append(_digest("message", _sha256_text(body)))
    for reason in CorrectionRequest.objects.filter(dossier=dossier).values_list("reason", flat=True):
        digests.append(_digest("demande de correction", _sha256_text(reason)))
    transitions = TransitionLog.objects.filter(dossier=dossier)
    for motivation in transitions.exclude(motivation="").values_list("motivation", flat=True):
        digests.append(_digest("motivation", _sha256_text(motivation)))
    invitations = ExpertInvitation.objects.filter(dossier=dossier)
    for question, answer in invitations.values_list("question", "answer"):
        digests.append(_digest("demande d’avis", _sha256_text(question + "\n" + answer)))
    transfers = ArchiveTransfer.objects.filter(dossier=dossier).exclude(reply="")
    for reply in transfers.values_list("reply", flat=True):
        digests.append(_digest("accusé de versement", _sha256_text(reply)))
    bulk_actions = _bulk_actions_of(dossier)
    for bulk in bulk_actions:
        if bulk.text and not _others_alive(bulk, dossier):
            digests.append(_digest("texte d’une action groupée", _sha256_text(bulk.text)))
    exports = list(
        ExportJob.objects.select_for_update()
        .filter(procedure=dossier.procedure_id, created_at__lt=now)
        .exclude(file="")
        .values_list("pk", "file")
    )

    # The stored files first (see the module's docstring).
    _files_remove(DossierFile._meta.get_field("content").storage, [name for name, _, _ in files])
    _files_remove(Act._meta.get_field("pdf").storage, [name for name, _, _, _ in acts])
    _files_remove(ExportJob._meta.get_field("file").storage, [name for _, name in exports])

    # Then the rows, children before what they protect.
    Message.objects.filter(dossier=dossier).delete()
    CorrectionRequest.objects.filter(dossier=dossier).delete()
    SourcedValue.objects.filter(dossier=dossier).delete()
    ReceivedCase.objects.filter(dossier=dossier).update(applicant={}, error="")
    ReceivedEvent.objects.filter(case__dossier=dossier).update(refused=[])
    snapshots.elimination_delete()
    invitations.update(question="", answer="", answer_file=None)
    DossierFile.objects.filter(dossier=dossier).delete()
    transitions.exclude(motivation="").elimination_redact(motivation="")
    transitions.filter(actor_id=applicant_id).elimination_redact(actor=placeholder)
    Act.objects.filter(dossier=dossier).update(pdf="", last_error="")
    Act.objects.filter(dossier=dossier, requested_by_id=applicant_id).update(requested_by=placeholder)
    Opinion.objects.filter(dossier=dossier).update(comment="")
    steps = FollowUpStep.objects.filter(transition__dossier=dossier)
    steps.filter(status__in=[FollowUpStep.Status.PENDING, FollowUpStep.Status.RUNNING]).update(
        status=FollowUpStep.Status.SKIPPED, claimed_until=None
    )
    steps.update(outcome={}, last_error="")
    DossierFollow.objects.filter(dossier=dossier).delete()
    InstructorNotification.objects.filter(dossier=dossier).delete()
    dossier.labels.clear()
    transfers.update(reply="")
    for bulk in bulk_actions:
        BulkAction.objects.filter(pk=bulk.pk).update(
            dossier_ids=[pk for pk in bulk.dossier_ids if pk != dossier.pk],
            outcomes={key: value for key, value in bulk.outcomes.items() if key != str(dossier.pk)},
            text=bulk.text if _others_alive(bulk, dossier) else "",
        )
    ExportJob.objects.filter(pk__in=[pk for pk, _ in exports]).update(file="", expires_at=now, updated_at=now)
    Dossier.objects.filter(pk=dossier.pk).update(
        applicant=placeholder,
        answers={},
        identity={},
        annotations={},
        version_notice="",
        search_vector=None,
        creation_key=None,
        answers_tab="",
        updated_at=now,
    )

    accepted = ArchiveTransfer.objects.filter(dossier=dossier, status="accepted").first()
    tombstone = Tombstone.objects.create(
        dossier=dossier,
        number=dossier.number or "",
        procedure=dossier.procedure,
        state=dossier.state,
        submitted_at=dossier.submitted_at,
        decided_at=dossier.decided_at,
        archive_reference=entry.archive_reference or (accepted.operation_id if accepted else ""),
        digests=digests,
        elimination_list=elimination_list,
        eliminated_at=now,
    )
    retention_move(retention=retention, to=ArchivalState.ELIMINATED)
    dossier_changed(dossier)  # the API's changes feed tells its clients (their copy must go too)
    audit_record(
        actor=actor,
        action=AuditAction.DOSSIER_ELIMINATE,
        target=dossier,
        details={"number": dossier.number, "list": elimination_list.number, "destroyed": len(digests)},
    )
    _closed_account_release(applicant_id, actor=actor)
    return tombstone


def _bulk_actions_of(dossier: Dossier) -> list[BulkAction]:
    """The bulk actions that name the dossier (of its procedure: an action is on one procedure's)."""
    actions = BulkAction.objects.select_for_update().filter(procedure=dossier.procedure_id)
    if connection.features.supports_json_field_contains:  # PostgreSQL: the database picks them
        actions = actions.filter(dossier_ids__contains=[dossier.pk])
    return [
        action
        for action in actions.order_by("pk")
        if dossier.pk in action.dossier_ids or str(dossier.pk) in action.outcomes
    ]


def _others_alive(action: BulkAction, dossier: Dossier) -> bool:
    """Whether a dossier of the action, other than `dossier`, still has its personal data."""
    others = [pk for pk in action.dossier_ids if pk != dossier.pk]
    return Dossier.objects.filter(pk__in=others).exclude(pk__in=Tombstone.objects.values("dossier")).exists()


def _closed_account_release(user_id: int, *, actor: User | None) -> None:
    """An applicant who closed their account is pseudonymised once the last dossier that kept
    their identity is eliminated."""
    closure = AccountClosure.objects.select_for_update().filter(user_id=user_id, pseudonymised_at__isnull=True).first()
    if closure is None or Dossier.objects.filter(applicant_id=user_id).exists():
        return
    user = User.objects.get(pk=user_id)
    user_pseudonymise(user)
    AccountClosure.objects.filter(pk=closure.pk).update(pseudonymised_at=timezone.now())
    audit_record(actor=actor, action=AuditAction.ACCOUNT_DELETE, target=user, details={"pseudonymised": True})
