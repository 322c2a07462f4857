"""Whether a draft's answers fit a newer version of its form, and what to tell its applicant when not.

Answers follow a field by its id across versions (see procedures/definition.py). A draft fits the
new version when cleaning its raw answers against it reports no error and keeps, unchanged, every
answer that its own version kept: nothing the applicant gave may silently disappear. After a
publication, `dossiers_version_migrate` moves the drafts that fit and tells the others' applicants."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.emails import email_send_on_commit
from guichet.core.models import AuditAction
from guichet.procedures.answers import CleanedAnswers, answers_clean
from guichet.procedures.definition import DISPLAY_ONLY, FieldType, FormDefinition, FormField, definition_validate
from guichet.procedures.models import Procedure, ProcedureVersion

from .models import Dossier, DossierState

# (label of the field, why its answer does not fit the new version), both for the applicant.
Problem = tuple[str, str]

REMOVED = "ce champ a été retiré"
NOT_ASKED = "ce champ n’est plus demandé dans votre situation"
MOVED = "ce champ a été déplacé dans le formulaire"
RETYPED = "ce champ attend désormais un autre type de réponse"
NO_LONGER_ACCEPTED = "cette réponse n’est plus acceptée : {message}"
NOT_ACCEPTED = "cette réponse n’est pas acceptée : {message}"


@dataclass(frozen=True)
class _Place:
    field: FormField
    block_id: str | None


def _places(form: FormDefinition) -> dict[str, _Place]:
    """Every field by id (ids are unique in a whole form, blocks included), with its block."""
    places: dict[str, _Place] = {}

    def walk(fields: list[FormField], block_id: str | None) -> None:
        for f in fields:
            places[f.id] = _Place(f, block_id)
            walk(f.fields, f.id)

    for page in form.pages:
        walk(page.fields, None)
    return places


class _Comparison:
    def __init__(self, old_form: FormDefinition, new_form: FormDefinition, old: CleanedAnswers, new: CleanedAnswers):
        self.old_places, self.new_places = _places(old_form), _places(new_form)
        self.old, self.new = old, new
        self.problems: dict[str, Problem] = {}

    def label(self, path: str) -> str:
        """The field's label in the old version; for a field in a block, which row of which block."""
        parts = path.split(".")

        def label_of(field_id: str) -> str:
            place = self.old_places.get(field_id) or self.new_places.get(field_id)
            return place.field.label if place else field_id

        text = label_of(parts[-1])
        if len(parts) >= 3:
            text += f" ({label_of(parts[-3])}, ligne {int(parts[-2]) + 1})"
        return text

    def rejected(self) -> None:
        for path, message in self.new.errors.items():
            template = NOT_ACCEPTED if path in self.old.errors else NO_LONGER_ACCEPTED
            self.problems[path] = (self.label(path), template.format(message=message))

    def lost(self, old_values: Mapping[str, Any], new_values: Mapping[str, Any], prefix: str = "") -> None:
        for field_id, old_value in old_values.items():
            path = f"{prefix}{field_id}"
            old_field = self.old_places[field_id].field
            if old_field.type == FieldType.COMPUTED or path in self.problems:
                continue  # a computed value is not an answer; a rejected one is already reported
            new_place = self.new_places.get(field_id)
            if field_id not in new_values:
                self.problems[path] = (self.label(path), self.why_missing(field_id, new_place))
            elif new_place is None or new_place.field.type != old_field.type:
                self.problems[path] = (self.label(path), RETYPED)
            elif old_field.type == FieldType.BLOCK:
                new_rows = new_values[field_id]
                for index, row in enumerate(old_value):
                    new_row = new_rows[index] if index < len(new_rows) else {}
                    self.lost(row, new_row, f"{path}.{index}.")
            elif not _same(old_field, old_value, new_values[field_id]):
                self.problems[path] = (self.label(path), RETYPED)

    def why_missing(self, field_id: str, new_place: _Place | None) -> str:
        if new_place is None or new_place.field.type in DISPLAY_ONLY or new_place.field.type == FieldType.COMPUTED:
            return REMOVED
        if new_place.block_id != self.old_places[field_id].block_id:
            return MOVED
        return NOT_ASKED  # hidden by a condition, of the field or of its page


def _same(f: FormField, old_value: Any, new_value: Any) -> bool:
    if f.type == FieldType.MULTIPLE_CHOICE and isinstance(old_value, list) and isinstance(new_value, list):
        return set(old_value) == set(new_value)  # reordered options change the order, not the answer
    return old_value == new_value


def answers_fit(
    *, old_form: FormDefinition, new_form: FormDefinition, raw: Mapping[str, Any], today: date
) -> list[Problem]:
    """What keeps a draft's raw answers, given on `old_form`, from moving to `new_form`.

    Returns (label in the old version, reason) pairs, in French for the applicant; an empty list
    means the answers fit: the new form rejects none of them and keeps, equal, every answer that the
    old form kept, within block rows too. Missing required answers do not count: it is a draft."""
    old = answers_clean(old_form, raw, today=today, require_complete=False)
    new = answers_clean(new_form, raw, today=today, require_complete=False)
    comparison = _Comparison(old_form, new_form, old, new)
    comparison.rejected()
    comparison.lost(old.values, new.values)
    return list(comparison.problems.values())


def version_notice_text(*, published_on: date, problems: list[Problem]) -> str:
    """The notice an applicant reads on a draft that stays on its version of the form."""
    listed = " ; ".join(f"« {label} » ({reason})" for label, reason in problems)
    which = "la réponse suivante n’entre plus" if len(problems) == 1 else "les réponses suivantes n’entrent plus"
    return (
        f"La démarche a été mise à jour le {published_on:%d/%m/%Y}. Votre brouillon reste sur la version "
        f"précédente du formulaire, car {which} dans la nouvelle version : {listed}. "
        "Vous pouvez continuer et déposer votre dossier tel quel."
    )


# --- Moving drafts to a newly published version ------------------------------------------------


@dataclass
class MigrationReport:
    """What `dossiers_version_migrate` found: the drafts moved, and those kept with their problems."""

    moved: list[int] = field(default_factory=list)
    kept: dict[int, list[Problem]] = field(default_factory=dict)


def dossiers_version_migrate(
    *, procedure: Procedure, version: ProcedureVersion, actor: User | None = None
) -> MigrationReport:
    """Move the drafts filled on an older version of the procedure's form to `version` when their
    answers fit it (see `answers_fit`); leave the others where they are, with a notice for the applicant.

    One transaction per dossier, under a lock, and only while the dossier is still a draft: a dossier
    filed meanwhile keeps the version and answers it was filed with. Safe to run again: a draft
    already moved, or already told the same thing, is left alone and gets no new audit event. Does
    nothing when `version` is no longer the latest: the run for the later version takes over."""
    report = MigrationReport()
    if procedure.latest_version != version:
        return report
    versions = {v.pk: v for v in procedure.versions.all()}
    forms: dict[int, FormDefinition] = {version.pk: definition_validate(version.definition)}
    today, published_on = timezone.localdate(), timezone.localdate(version.published_at)
    pending = Dossier.objects.filter(
        procedure=procedure, state=DossierState.DRAFT, version__number__lt=version.number
    ).order_by("pk")
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().filter(pk=pk).first()
            if dossier is None or dossier.state != DossierState.DRAFT:
                continue  # deleted or filed since the list was read
            old = versions.get(dossier.version_id) or dossier.version
            if old.number >= version.number:
                continue
            if old.pk not in forms:
                forms[old.pk] = definition_validate(old.definition)
            problems = answers_fit(old_form=forms[old.pk], new_form=forms[version.pk], raw=dossier.answers, today=today)
            if not problems:
                dossier.version, dossier.version_notice = version, ""
                dossier.save(update_fields=["version", "version_notice", "updated_at"])
                details = {"from_version": old.number, "to_version": version.number}
                audit_record(actor=actor, action=AuditAction.DOSSIER_VERSION_MIGRATE, target=dossier, details=details)
                report.moved.append(pk)
                continue
            report.kept[pk] = problems
            notice = version_notice_text(published_on=published_on, problems=problems)
            if dossier.version_notice != notice:
                dossier.version_notice = notice
                dossier.save(update_fields=["version_notice", "updated_at"])
                details = {"version": old.number, "new_version": version.number, "problems": problems}
                audit_record(actor=actor, action=AuditAction.DOSSIER_VERSION_KEPT, target=dossier, details=details)
                _version_notice_send(dossier, procedure, notice)
    return report


def _version_notice_send(dossier: Dossier, procedure: Procedure, notice: str) -> None:
    """Tell the applicant by email, once the notice is stored (it also shows on their draft)."""
    context = {"dossier": dossier, "procedure": procedure, "notice": notice}
    email_send_on_commit(name="dossiers/version_notice", context=context, to=[dossier.applicant.email])
