"""The files of dossiers: kept only once checked (type and size from their content, readable PDFs
without active content, the antivirus), and removed once nothing refers to them any more."""

import hashlib
import logging
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Q, QuerySet

from guichet.connectors.antivirus import upload_scan
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.core.prepared import PreparedQuery
from guichet.core.prepared_writes import row_insert
from guichet.core.transactions import atomic_unless_held
from guichet.core.uploads import upload_check

from .actors import Actor, actor_label, actor_user
from .models import Dossier, DossierFile, DossierSnapshot, MessageAttachment
from .selectors import instructor_can_act_on

logger = logging.getLogger(__name__)

FILES_ROOT = "dossiers"  # where DossierFile keeps its contents in the private storage


def dossier_file_store(
    *,
    actor: Actor,
    dossier: Dossier,
    uploaded: UploadedFile,
    accept: Collection[str] = (),
    max_size_mb: int | None = None,
    already_locked: bool = False,
) -> DossierFile:
    """Keep a file that the dossier's applicant or one of its instructors uploads (see dossier_file_keep)."""
    applicant = actor_user(actor) is not None and dossier.applicant_id == actor.pk
    if not applicant and not instructor_can_act_on(actor, dossier):
        raise PermissionDenied("Vous ne pouvez pas joindre de fichier à ce dossier.")
    return dossier_file_keep(
        actor=actor,
        dossier=dossier,
        uploaded=uploaded,
        accept=accept,
        max_size_mb=max_size_mb,
        already_locked=already_locked,
    )


def dossier_file_keep(
    *,
    actor: Actor,
    dossier: Dossier,
    uploaded: UploadedFile,
    accept: Collection[str] = (),
    max_size_mb: int | None = None,
    already_locked: bool = False,
) -> DossierFile:
    """Keep an uploaded file for a dossier, under a random name, once checked: UploadRefused (its
    message for the person, naming the file) and nothing written when it is empty, too large, of a
    type that `accept` (else the usual documents) does not list, a risky PDF, or when the antivirus
    finds something or cannot answer. The caller has checked that `actor` may add it
    (dossier_file_store, or an expert's answer); the field's count of files is the caller's too.
    `already_locked`: the caller's transaction holds the dossier's lock, and is the file's."""
    description = upload_check(uploaded, accept=accept, max_size_mb=max_size_mb)
    upload_scan(uploaded, description["name"], where=f"dossier {dossier.pk}")
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    stored = DossierFile(
        dossier=dossier,
        name=description["name"][:255],
        size=description["size"],
        content_type=description["content_type"],
        sha256=digest.hexdigest(),
        uploaded_by=actor_user(actor),
    )
    stored.content.save("fichier", uploaded, save=False)
    try:
        with atomic_unless_held(already_locked):
            row_insert(stored)
            audit_record(
                actor=actor_user(actor),
                actor_label=actor_label(actor),
                action=AuditAction.DOSSIER_FILE_STORE,
                target=dossier,
                details={"file": str(stored.key), "size": stored.size, "content_type": stored.content_type},
            )
    except BaseException:
        stored.content.delete(save=False)
        raise
    return stored


def file_answer(stored: DossierFile) -> dict[str, Any]:
    """How an answer refers to an attached file."""
    return {"name": stored.name, "size": stored.size, "content_type": stored.content_type, "key": str(stored.key)}


def answer_file_items(answers: Any) -> Iterator[dict]:
    """Every attached file in the answers, block rows included."""
    if isinstance(answers, dict):
        if "key" in answers and "content_type" in answers:
            yield answers
            return
        for value in answers.values():
            yield from answer_file_items(value)
    elif isinstance(answers, list):
        for value in answers:
            yield from answer_file_items(value)


_KEYS = PreparedQuery(lambda dossier: DossierFile.objects.filter(dossier_id=dossier).values("key"))


def dossier_file_keys(dossier: Dossier) -> set[str]:
    """The keys of the files received for the dossier (what its answers may refer to)."""
    return {str(row["key"]) for row in _KEYS.rows(dossier.pk)}


def dossier_files_of_applicant(dossier: Dossier) -> QuerySet[DossierFile]:
    """The files of a dossier that its applicant may see: what they uploaded, what their answers
    (working copy and every filing) refer to, and the messages' attachments. Never an expert's
    answer file (an avis may be confidential) nor any other file the administration keeps."""
    keys = {str(item.get("key")) for item in answer_file_items(dossier.answers)}
    for answers in DossierSnapshot.objects.filter(dossier=dossier).values_list("answers", flat=True):
        keys.update(str(item.get("key")) for item in answer_file_items(answers))
    messages = MessageAttachment.objects.filter(message__dossier=dossier).values("file")
    return DossierFile.objects.filter(dossier=dossier).filter(
        Q(uploaded_by=dossier.applicant_id) | Q(key__in=_valid_keys(keys)) | Q(pk__in=messages)
    )


def dossier_files_filed(dossier: Dossier) -> QuerySet[DossierFile]:
    """The files that a dossier's readers on the administration's side get through the API: those
    its filed answers refer to (every filing) and the messages' attachments. Not a file of answers
    being corrected and not yet filed, nor an expert's answer file (an avis may be confidential)."""
    keys: set[str] = set()
    for answers in DossierSnapshot.objects.filter(dossier=dossier).values_list("answers", flat=True):
        keys.update(str(item.get("key")) for item in answer_file_items(answers))
    messages = MessageAttachment.objects.filter(message__dossier=dossier).values("file")
    return DossierFile.objects.filter(dossier=dossier).filter(Q(key__in=_valid_keys(keys)) | Q(pk__in=messages))


def _valid_keys(keys: set[str]) -> list[uuid.UUID]:
    # An answer's key is text that went through the browser: only well-formed ones are looked up.
    valid = []
    for key in keys:
        try:
            valid.append(uuid.UUID(key))
        except ValueError:
            continue
    return valid


@dataclass
class PurgeReport:
    files: int = 0  # rows (and their contents) removed
    strays: int = 0  # contents in storage that no row describes (a rolled back upload)
    dossiers: list[int] = field(default_factory=list)


def dossier_files_purge(*, now: datetime) -> PurgeReport:
    """Remove the files, older than GUICHET_UPLOAD_ORPHAN_GRACE_HOURS, that nothing refers to: no
    answer of the dossier (its working copy or any answers filed), no message, no avis. The grace
    keeps a file being uploaded, which is kept before the answers that refer to it are saved. Also
    removes stored contents without a row (an upload whose transaction was rolled back). The
    platform acts: one audit event per dossier, without actor."""
    cutoff = now - timedelta(hours=settings.GUICHET_UPLOAD_ORPHAN_GRACE_HOURS)
    report = PurgeReport()
    candidates = DossierFile.objects.filter(created_at__lt=cutoff)
    for model, foreign_key in _references():
        candidates = candidates.exclude(pk__in=model._default_manager.values(foreign_key.attname))
    for dossier_id in candidates.values_list("dossier_id", flat=True).distinct().order_by("dossier_id"):
        removed = _dossier_orphans_remove(dossier_id, cutoff)
        if removed:
            report.files += removed
            report.dossiers.append(dossier_id)
    report.strays = _stray_contents_remove(cutoff)
    return report


def _references() -> Iterator[tuple[type[models.Model], models.ForeignKey]]:
    """The foreign keys towards DossierFile, of whatever app (a message's file, an avis's file)."""
    for model in apps.get_models():
        for foreign_key in model._meta.concrete_fields:
            if isinstance(foreign_key, models.ForeignKey) and foreign_key.related_model is DossierFile:
                yield model, foreign_key


@transaction.atomic
def _dossier_orphans_remove(dossier_id: int, cutoff: datetime) -> int:
    # Under the dossier's lock: its answers cannot change while they are read here.
    dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
    if dossier is None:
        return 0
    referred = {str(item.get("key")) for item in answer_file_items(dossier.answers)}
    for answers in DossierSnapshot.objects.filter(dossier=dossier).values_list("answers", flat=True):
        referred.update(str(item.get("key")) for item in answer_file_items(answers))
    orphans = DossierFile.objects.filter(dossier=dossier, created_at__lt=cutoff)
    for model, foreign_key in _references():
        orphans = orphans.exclude(pk__in=model._default_manager.values(foreign_key.attname))
    orphans = [stored for stored in orphans if str(stored.key) not in referred]
    if not orphans:
        return 0
    names = [stored.content.name for stored in orphans]
    DossierFile.objects.filter(pk__in=[stored.pk for stored in orphans]).delete()
    audit_record(
        actor=None,
        action=AuditAction.DOSSIER_FILES_PURGE,
        target=dossier,
        details={"files": [str(stored.key) for stored in orphans]},
    )
    storage = DossierFile._meta.get_field("content").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return len(orphans)


def _stray_contents_remove(cutoff: datetime) -> int:
    storage = DossierFile._meta.get_field("content").storage
    if not storage.exists(FILES_ROOT):
        return 0
    removed = 0
    for folder in storage.listdir(FILES_ROOT)[0]:
        if not folder.isdigit():
            continue
        names = {f"{FILES_ROOT}/{folder}/{name}" for name in storage.listdir(f"{FILES_ROOT}/{folder}")[1]}
        known = set(DossierFile.objects.filter(dossier_id=int(folder)).values_list("content", flat=True))
        for name in sorted(names - known):
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
    return removed
