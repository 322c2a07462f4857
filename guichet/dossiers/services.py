"""Writes on dossiers made by their applicant: drafts, answers, files, filing, corrections,
withdrawal, opinion. State changes go through the workflow (workflow.py), whose follow-up chain
(instruction/followup) issues the acts and tells people."""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.clock import today
from guichet.core.models import AuditAction
from guichet.core.prepared_writes import row_insert, row_update
from guichet.core.transactions import atomic_unless_held
from guichet.procedures.answers import AnswersSending, CleanedAnswers, answers_clean
from guichet.procedures.models import Procedure, ProcedureVersion
from guichet.procedures.selectors import procedure_latest_version_id, version_form

from .deadlines import due_at_after_corrections
from .files import answer_file_items, dossier_file_keys
from .models import CorrectionRequest, Dossier, DossierFile, DossierSnapshot, DossierState, Opinion, TransitionName
from .search import dossier_search_expression
from .selectors import applicant_dossier_numbers
from .sourced import answers_certified_kept, sourced_forget
from .workflow import TransitionNotAllowed, dossier_transition


def dossier_create(
    *,
    actor: User,
    procedure: Procedure,
    answers: dict[str, Any] | None = None,
    creation_key: uuid.UUID | None = None,
    version: ProcedureVersion | None = None,
    version_notice: str = "",
) -> Dossier:
    """Start a draft on the latest published version of a procedure (or on `version`, an older one
    that its answers were given on: a prefilled dossier's, with the notice that says why). With a
    `creation_key` (sent by the "Commencer" button), the same key gives back the same draft: a
    double click or a retried request never starts two."""
    values = {"answers": answers, "creation_key": creation_key, "version": version, "version_notice": version_notice}
    if transaction.get_connection().in_atomic_block:
        # Within the caller's transaction: the draft of the same key looked for first, and a clash
        # with a request that committed one meanwhile undone by a savepoint of its own.
        with transaction.atomic():
            return _dossier_create(actor, procedure, **values, savepoint=True)
    # A transaction of its own: the draft is written at once (a double click is rare), and the
    # unique key refuses a second one; the whole transaction is then undone (it wrote nothing else)
    # and the draft of the first click given back, even if the procedure closed in between.
    try:
        with transaction.atomic():
            return _dossier_create(actor, procedure, **values, savepoint=False)
    except (IntegrityError, ValidationError):
        existing = Dossier.objects.filter(applicant=actor, creation_key=creation_key).first() if creation_key else None
        if existing is None:
            raise
        return existing


def _dossier_create(
    actor: User,
    procedure: Procedure,
    *,
    answers: dict[str, Any] | None,
    creation_key: uuid.UUID | None,
    version: ProcedureVersion | None,
    version_notice: str,
    savepoint: bool,
) -> Dossier:
    if creation_key is not None and savepoint:
        existing = Dossier.objects.filter(applicant=actor, creation_key=creation_key).first()
        if existing is not None:
            return existing
    if procedure.status != Procedure.Status.PUBLISHED:
        raise ValidationError("Cette démarche n’accepte pas de nouveaux dossiers.")
    _procedure_open_check(procedure)
    # The latest version's id only: its whole form is read through version_form, kept in memory.
    version_id = version.pk if version is not None else procedure_latest_version_id(procedure)
    if version_id is None:
        raise ValidationError("Cette démarche n’a pas encore de formulaire publié.")
    dossier = Dossier(
        procedure=procedure,
        version_id=version_id,
        applicant=actor,
        answers=answers or {},
        creation_key=creation_key,
        version_notice=version_notice,
    )
    try:
        with transaction.atomic(savepoint=savepoint):
            row_insert(dossier)
    except IntegrityError:
        if not savepoint:
            raise
        # The same key, from a request that ran at the same time and committed first.
        return Dossier.objects.get(applicant=actor, creation_key=creation_key)
    if version is not None:
        dossier.version = version  # known already: no query when the caller reads it
    audit_record(actor=actor, action=AuditAction.DOSSIER_CREATE, target=dossier, details={"procedure": procedure.slug})
    return dossier


def _procedure_open_check(procedure: Procedure) -> None:
    day = today()
    if procedure.opens_on and day < procedure.opens_on:
        raise ValidationError(f"Cette démarche ouvrira le {procedure.opens_on:%d/%m/%Y}.")
    if procedure.closes_on and day > procedure.closes_on:
        raise ValidationError(f"Cette démarche est close depuis le {procedure.closes_on:%d/%m/%Y}.")


def _own_locked(actor: User, dossier: Dossier, *, already_locked: bool = False) -> Dossier:
    if already_locked:
        if dossier.applicant_id != actor.pk:
            raise PermissionDenied("Seul l’usager peut modifier son dossier.")
        return dossier
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.applicant_id != actor.pk:
        raise PermissionDenied("Seul l’usager peut modifier son dossier.")
    locked.applicant = actor
    if Dossier.procedure.is_cached(dossier) and dossier.procedure_id == locked.procedure_id:
        locked.procedure = dossier.procedure  # read by this same request: no need to read it again
    return locked


def dossier_answers_save(
    *,
    actor: User,
    dossier: Dossier,
    answers: dict[str, Any],
    page: int | None = None,
    already_locked: bool = False,
    sending: AnswersSending | None = None,
) -> Dossier:
    """Replace the working answers of a dossier that its applicant may edit (a draft, or a filed
    dossier with corrections asked); `page` is where "Reprendre" will take them back.
    `already_locked` says that the caller read `dossier` under its lock in this transaction (and
    merged the new answers into what it read then, so that two tabs never overwrite each other).
    `sending` says which sending of a page in the browser these answers come from: one that arrives
    after a later sending of the same tab was saved changes nothing."""
    with atomic_unless_held(already_locked):
        return _answers_save(actor, dossier, answers, page=page, already_locked=already_locked, sending=sending)


def _answers_save(
    actor: User,
    dossier: Dossier,
    answers: dict[str, Any],
    *,
    page: int | None,
    already_locked: bool,
    sending: AnswersSending | None,
) -> Dossier:
    locked = _own_locked(actor, dossier, already_locked=already_locked)
    if not dossier_is_editable(locked):
        raise ValidationError("Ce dossier ne peut plus être modifié.")
    if locked.sending_is_late(sending):
        return dossier
    answers = answers_certified_kept(locked, answers)
    changed = sorted(
        key for key in answers.keys() | locked.answers.keys() if locked.answers.get(key) != answers.get(key)
    )
    fields = ["answers", "updated_at"]
    locked.answers = answers
    if sending is not None:
        locked.answers_tab, locked.answers_order = sending.tab, sending.order
        fields += ["answers_tab", "answers_order"]
    if page is not None and page != locked.resume_page:
        locked.resume_page = page
        fields.append("resume_page")
    row_update(locked, fields)
    if changed:
        audit_record(actor=actor, action=AuditAction.DOSSIER_ANSWERS_SAVE, target=locked, details={"fields": changed})
    if locked is not dossier:
        for name in {*fields, "resume_page"}:
            setattr(dossier, name, getattr(locked, name))
        sourced_forget(dossier)  # stale ones may have gone with the answers kept
    return dossier


def _changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def dossier_resume_mark(*, dossier: Dossier, page: int) -> None:
    """Remember the page the applicant is on (0: the summary), where "Reprendre" takes them back.
    A reading position, not an answer: no audit event."""
    if dossier.resume_page != page:
        Dossier.objects.filter(pk=dossier.pk).update(resume_page=page)
        dossier.resume_page = page


def dossier_is_editable(dossier: Dossier) -> bool:
    """A draft, or a filed dossier on which an instructor asked for corrections not yet made."""
    if dossier.state == DossierState.DRAFT:
        return True
    return dossier.state == DossierState.SUBMITTED and dossier_open_correction(dossier) is not None


def dossier_open_correction(dossier: Dossier) -> CorrectionRequest | None:
    if dossier.state != DossierState.SUBMITTED:
        return None  # corrections are asked on filed dossiers only: no query for a draft
    return dossier.correction_requests.filter(resolved_at__isnull=True).first()


class SubmissionInvalid(ValidationError):
    """The answers are incomplete or wrong, or the applicant is not eligible: nothing was filed."""

    def __init__(self, message: str, cleaned: CleanedAnswers | None = None):
        super().__init__(message)
        self.cleaned = cleaned


def _answers_check(dossier: Dossier) -> None:
    form = version_form(dossier.version_id)
    own = applicant_dossier_numbers(dossier.applicant)
    cleaned = answers_clean(form, dossier.answers, today=today(), own_dossiers=own)
    if cleaned.ineligible:
        raise SubmissionInvalid("Votre demande n’est pas recevable : " + " ".join(cleaned.ineligible), cleaned)
    if cleaned.errors:
        raise SubmissionInvalid("Des réponses sont à compléter ou à corriger.", cleaned)
    attached = list(answer_file_items(dossier.answers))
    known = dossier_file_keys(dossier) if attached else set()
    if any(item.get("key") not in known for item in attached):
        raise SubmissionInvalid("Un fichier n’a pas été reçu : déposez-le à nouveau.", cleaned)


def dossier_submit(*, actor: User, dossier: Dossier, already_locked: bool = False) -> Dossier:
    """File a draft: check the answers once more, give the dossier its number and its instructor
    group (the workflow's "submit" transition, whose follow-up chain then issues the sealed receipt,
    emails it to the applicant and tells the instructors), and freeze the answers in a snapshot.
    Submitting a dossier already filed returns it unchanged (a double click).
    `already_locked` says that the caller read `dossier` under its lock in this transaction (which
    is then the filing's: no savepoint of its own)."""
    with atomic_unless_held(already_locked):
        return _submit(actor, dossier, already_locked=already_locked)


def _submit(actor: User, dossier: Dossier, *, already_locked: bool) -> Dossier:
    locked = _own_locked(actor, dossier, already_locked=already_locked)
    if locked.state != DossierState.DRAFT:
        return locked
    procedure = locked.procedure
    if procedure.status == Procedure.Status.CLOSED:
        raise SubmissionInvalid("Cette démarche est close : elle n’accepte plus de dossiers.")
    _procedure_open_check(procedure)
    _answers_check(locked)
    # The transition gives the number and the group, and freezes the applicant's identity.
    dossier_transition(dossier=locked, name=TransitionName.SUBMIT, actor=actor, already_locked=True)
    row_insert(
        DossierSnapshot(
            dossier=locked,
            version_id=locked.version_id,
            kind=DossierSnapshot.Kind.SUBMISSION,
            answers=locked.answers,
            author=actor,
            created_at=locked.submitted_at,
        )
    )
    if locked is not dossier:
        dossier.fields_copy(locked)
    return locked


def _search_index(dossier: Dossier) -> None:
    """Make the back office's search find the dossier by what was just filed (PostgreSQL's
    full-text search; other databases search the columns themselves). Written here rather than by a
    trigger: the answers are read with their form, so that options are found by their labels."""
    vector = dossier_search_expression(dossier)
    if vector is not None:
        Dossier.objects.filter(pk=dossier.pk).update(search_vector=vector)


@transaction.atomic
def dossier_corrections_submit(*, actor: User, dossier: Dossier) -> DossierSnapshot:
    """Resubmit a dossier after an instructor asked for corrections: the new answers are frozen
    in a snapshot that lists the fields changed, the request is marked corrected, the processing
    deadline runs again (suspended or restarted, as the procedure says), and the workflow's
    "submit_corrections" transition is logged (its follow-up chain tells the instructors).
    Resubmitting twice returns the snapshot of the first time."""
    locked = _own_locked(actor, dossier)
    request = dossier_open_correction(locked)
    latest = locked.snapshots.order_by("-created_at", "-pk").first()
    if request is None:
        if latest is not None and latest.answers == locked.answers:
            return latest
        raise ValidationError("Aucune correction n’est demandée sur ce dossier.")
    _answers_check(locked)
    previous = latest.answers if latest is not None else {}
    changed = sorted(
        key for key in previous.keys() | locked.answers.keys() if previous.get(key) != locked.answers.get(key)
    )
    now = timezone.now()
    snapshot = DossierSnapshot.objects.create(
        dossier=locked,
        version=locked.version,
        kind=DossierSnapshot.Kind.CORRECTION,
        answers=locked.answers,
        changed_fields=changed,
        author=actor,
        created_at=now,
    )
    request.resolved_at, request.snapshot = now, snapshot
    request.save(update_fields=["resolved_at", "snapshot", "updated_at"])
    locked.due_at = due_at_after_corrections(procedure=locked.procedure, request=request, resubmitted_at=now)
    locked.save(update_fields=["due_at", "updated_at"])
    dossier.due_at = locked.due_at
    audit_record(
        actor=actor,
        action=AuditAction.DOSSIER_CORRECTIONS_SUBMIT,
        target=locked,
        details={"fields": changed, "due_at": locked.due_at},
    )
    dossier_transition(dossier=locked, name=TransitionName.SUBMIT_CORRECTIONS, actor=actor, already_locked=True)
    # After the transition, which saves the whole row: the search finds what was corrected.
    _search_index(locked)
    return snapshot


@transaction.atomic
def dossier_withdraw(*, actor: User, dossier: Dossier, reason: str = "") -> Dossier:
    """The applicant withdraws a filed dossier before the decision (withdrawing twice is harmless)."""
    locked = _own_locked(actor, dossier)
    if locked.state == DossierState.WITHDRAWN:
        return locked
    try:
        dossier_transition(dossier=locked, name=TransitionName.WITHDRAW, actor=actor, motivation=reason)
    except TransitionNotAllowed:
        raise ValidationError("Ce dossier ne peut plus être retiré : une décision a été prise.") from None
    dossier.refresh_from_db()
    return locked


@transaction.atomic
def dossier_draft_delete(*, actor: User, dossier: Dossier) -> None:
    """Delete a draft and its files (a filed dossier is never deleted: it can be withdrawn)."""
    locked = _own_locked(actor, dossier)
    if locked.state != DossierState.DRAFT:
        raise ValidationError("Seul un brouillon peut être supprimé ; un dossier déposé peut être retiré.")
    names = list(locked.files.values_list("content", flat=True))
    audit_record(
        actor=actor,
        action=AuditAction.DOSSIER_DRAFT_DELETE,
        target=locked,
        details={"procedure": locked.procedure.slug},
    )
    locked.delete()
    storage = DossierFile._meta.get_field("content").storage

    def _remove_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(_remove_files)


@transaction.atomic
def opinion_give(
    *,
    actor: User,
    dossier: Dossier,
    overall: int,
    clarity: int | None = None,
    help_needed: bool | None = None,
    help_channels: list[str] | None = None,
    help_reached: bool | None = None,
    help_quality: int | None = None,
    comment: str = "",
) -> Opinion:
    """The applicant's opinion on the procedure, once per filed dossier."""
    if dossier.applicant_id != actor.pk:
        raise PermissionDenied("Seul l’usager peut donner son avis sur son dossier.")
    if dossier.state == DossierState.DRAFT:
        raise ValidationError("Vous pourrez donner votre avis une fois le dossier déposé.")
    if Opinion.objects.filter(dossier=dossier).exists():
        raise ValidationError("Vous avez déjà donné votre avis sur cette démarche pour ce dossier : merci !")
    opinion = Opinion(
        dossier=dossier,
        procedure_id=dossier.procedure_id,
        overall=overall,
        clarity=clarity,
        help_needed=help_needed,
        help_channels=sorted(set(help_channels or [])) if help_needed else [],
        help_reached=help_reached if help_needed else None,
        help_quality=help_quality if help_needed else None,
        comment=comment.strip(),
    )
    opinion.full_clean(exclude=["dossier"])
    try:
        with transaction.atomic():
            opinion.save()
    except IntegrityError:
        raise ValidationError("Vous avez déjà donné votre avis sur cette démarche pour ce dossier : merci !") from None
    audit_record(actor=actor, action=AuditAction.OPINION_GIVE, target=dossier, details={"overall": overall})
    return opinion
