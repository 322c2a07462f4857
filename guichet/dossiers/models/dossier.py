from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import DateField, F, Func
from django.utils.translation import gettext_lazy as _

from guichet.core.indexes import PostgresGinIndex
from guichet.core.models import TimeStampedModel

if TYPE_CHECKING:
    from guichet.procedures.answers import AnswersSending


class DossierState(models.TextChoices):
    """The states of a dossier; the transitions between them are in dossiers/workflow.py."""

    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    IN_INSTRUCTION = "in_instruction", _("En instruction")
    ACCEPTED = "accepted", _("Accepté")
    REFUSED = "refused", _("Refusé")
    CLOSED = "closed", _("Classé sans suite")
    WITHDRAWN = "withdrawn", _("Retiré par l’usager")

    @classmethod
    def decided(cls) -> frozenset["DossierState"]:
        return frozenset({cls.ACCEPTED, cls.REFUSED, cls.CLOSED})

    @classmethod
    def finished(cls) -> frozenset["DossierState"]:
        """The states where nothing more happens to the dossier unless an instructor reopens it."""
        return cls.decided() | {cls.WITHDRAWN}


class FilingDay(Func):
    """The day (UTC) a dossier was filed: the third column of the search's indexes, so that a
    searched list, the latest filed first, finds the matches of its last days without reading the
    older ones (instruction.search.latest_searched_rows). A literal time zone, not a parameter:
    PostgreSQL uses an index on an expression only for that very expression."""

    template = "((%(expressions)s AT TIME ZONE 'UTC')::date)"
    output_field = DateField()


class Dossier(TimeStampedModel):
    """What one applicant files for one procedure, filled with one version of its form."""

    # The indexes that start with `procedure`, `applicant` and `group` (Meta) serve their foreign
    # keys too: a million rows do not need a second index of each.
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("démarche"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("version du formulaire"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usager"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    # Given at the first submission; drafts have none.
    number = models.CharField(_("numéro"), max_length=20, unique=True, null=True, blank=True)
    state = models.CharField(_("état"), max_length=20, choices=DossierState.choices, default=DossierState.DRAFT)
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    # Shown to the applicant when a newer version of the form was published but this draft's
    # answers do not fit it, so the draft stays on its version; cleared once it moves.
    version_notice = models.TextField(_("avis de changement de version"), blank=True)
    group = models.ForeignKey(
        "procedures.InstructorGroup",
        verbose_name=_("groupe instructeur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    # A random key sent with the "Commencer" button: the same key twice (a double click, a retried
    # request) gives back the draft created the first time instead of a second one.
    creation_key = models.UUIDField(_("clé de création"), null=True, blank=True, editable=False)
    # Who filed it, as known at submission: the identity certified by FranceConnect when the
    # applicant signed in with it ("certified_by"), else the account's names.
    identity = models.JSONField(_("identité du demandeur"), default=dict, blank=True)
    # The page the applicant last saw, where "Reprendre" takes them back.
    resume_page = models.PositiveSmallIntegerField(_("page où reprendre"), default=1)
    # Which page of the applicant's browser sent the answers last saved, and when by its clock
    # (ms): an older sending from that same page, arriving late, must not overwrite newer answers.
    answers_tab = models.CharField(
        _("onglet des dernières réponses"), max_length=32, blank=True, default="", db_default=""
    )
    answers_order = models.PositiveBigIntegerField(_("ordre des dernières réponses"), default=0, db_default=0)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    instruction_started_at = models.DateTimeField(_("passé en instruction le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    last_transition_at = models.DateTimeField(_("dernier changement d’état"), null=True, blank=True)
    # The instructors' private annotations (fields the procedure defines for them): never shown to
    # the applicant, in no page, email or export of theirs.
    annotations = models.JSONField(_("annotations privées"), default=dict, blank=True)
    # The instructor in charge, among those of its group (anyone of the group may still act on it).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructeur en charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Put away by an instructor once handled: out of the back office's working lists.
    # Put aside by an instructor, out of the daily lists (the « Mis de côté » tab). Not archived:
    # that is the archives app's DossierRetention. The name stays: indexes and queries use it.
    archived_at = models.DateTimeField(_("mis de côté le"), null=True, blank=True)
    # When the processing deadline ends (dossiers/deadlines.py), kept by the workflow and the
    # resubmission of corrections so that lists filter and sort on it; null while no deadline runs
    # (none set, waiting for the applicant's corrections, decided, withdrawn).
    due_at = models.DateTimeField(_("fin du délai d’instruction"), null=True, blank=True)
    # When the applicant was told that this draft, left untouched, will be deleted (archives/drafts.py);
    # a warning older than the draft's last change speaks of an idleness that has ended.
    expiry_warned_at = models.DateTimeField(_("usager prévenu de l’expiration le"), null=True, blank=True)
    # The back office's full-text search on PostgreSQL (dossiers/search.py), written when the dossier
    # is filed and when corrections are filed; empty on other databases and on drafts.
    search_vector = SearchVectorField(_("index de recherche"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["procedure", "state"], name="dossier_procedure_state_idx"),
            models.Index(fields=["applicant", "state"], name="dossier_applicant_state_idx"),
            # The back office's lists: a group's dossiers, the latest filed first (keyset pages), of
            # one state (« à traiter ») or of any. `archived_at` last, so that the tabs' counts
            # read this index only (docs/decisions/0009-backoffice-at-scale.md).
            models.Index(
                fields=["group", "state", "-submitted_at", "-id", "archived_at"],
                name="dossier_group_state_list_idx",
            ),
            models.Index(fields=["group", "-submitted_at", "-id"], name="dossier_group_submitted_idx"),
            # The API's list of a procedure's filed dossiers, the latest filed first (keyset pages): read
            # in order, never sorted (0.4 ms against 430 ms over 20,000 dossiers). Drafts are left out,
            # so that saving a draft never writes to it.
            models.Index(
                fields=["procedure", "-submitted_at", "-id"],
                condition=~models.Q(state="draft"),
                name="dossier_procedure_filed_idx",
            ),
            models.Index(fields=["state", "due_at"], name="dossier_state_due_idx"),
            # A list sorted by deadline, nearest first (the dossiers without one last).
            models.Index(
                fields=["group", "due_at", "id"],
                condition=models.Q(archived_at__isnull=True),
                name="dossier_group_due_idx",
            ),
            # The back office's search and its filter on an answer (`answers @> {"field": value}`),
            # within the instructor's groups: the group first (btree_gin), so that a word frequent
            # in other procedures costs nothing in this one. Every tab is either current or
            # archived: the search's index is split alike, so that it yields only the tab's dossiers.
            # The filing day last: a list searched for a name that thousands of dossiers match
            # reads only those of its last days (docs/decisions/0009-backoffice-at-scale.md).
            PostgresGinIndex(
                F("group"),
                F("search_vector"),
                FilingDay("submitted_at"),
                condition=models.Q(archived_at__isnull=True),
                name="dossier_current_search_on_idx",
            ),
            PostgresGinIndex(
                F("group"),
                F("search_vector"),
                FilingDay("submitted_at"),
                condition=models.Q(archived_at__isnull=False),
                name="dossier_archived_search_on_idx",
            ),
            PostgresGinIndex(
                fields=["group", "answers"], opclasses=["int8_ops", "jsonb_path_ops"], name="dossier_group_answers_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "creation_key"], name="unique_dossier_creation_key"),
            models.CheckConstraint(
                condition=models.Q(state=DossierState.DRAFT) | models.Q(number__isnull=False),
                name="dossier_filed_has_number",
            ),
        ]

    def fields_copy(self, saved: "Dossier") -> None:
        """Take the values of another copy of this dossier (one just saved under a lock), so that
        the caller's object reflects them without reading the row again."""
        known = saved.__dict__
        for field in self._meta.concrete_fields:
            if field.attname in known:
                setattr(self, field.attname, known[field.attname])
            else:  # deferred there (or written as an expression): read again here if ever asked
                self.__dict__.pop(field.attname, None)

    def sending_is_late(self, sending: "AnswersSending | None") -> bool:
        """True when the answers saved come from a later sending of the same tab than `sending`:
        `sending` arrived late and must not replace them."""
        return sending is not None and sending.is_older_than(self.answers_tab, self.answers_order)

    def __str__(self) -> str:
        return f"Dossier {self.number}" if self.number else f"Brouillon n°{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.state == DossierState.DRAFT
