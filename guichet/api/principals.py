"""Who calls the API: a `Principal`, made by the authentication from the token and kept on
`request.auth`. A person's key (`gch_…`) acts with that person's rights as they are at each call
(an instructor: their groups' dossiers; a steering user: the statistics); a service account's key
(`gcs_…`) acts with the scopes and procedures its administrators gave it.

Every operation asks the principal, never the token: `principal.dossier_or_404(pk, Scope.X)`.
Outside its reach, an object does not exist (404, whatever the scope); within its reach but
without the scope, 403."""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.errors import HttpError

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierState
from guichet.instruction.access import dossiers_visible_to_instructor
from guichet.instruction.selectors import procedures_of_instructor
from guichet.observatory.selectors import organisation_subtree_ids, steering_organisation_ids
from guichet.procedures.models import InstructorMembership, Procedure

from .models import ServiceAccount
from .scopes import INSTRUCTOR_SCOPES, STEERING_SCOPES, Scope

NOT_FOUND_PROCEDURE = "Cette démarche n’existe pas ou vous n’y avez pas accès."
NOT_FOUND_DOSSIER = "Ce dossier n’existe pas ou vous n’y avez pas accès."


def _scope_missing(scope: Scope) -> HttpError:
    return HttpError(403, f"Cette clé n’a pas le droit « {scope.value} » ({scope.label.lower()}).")


@dataclass(frozen=True, eq=False)
class Principal:
    """The caller of one request. `user` is the person (None for a service account),
    `service_account` the account (None for a person), `label` how the audit trail names it."""

    label: str
    user: User | None = None
    service_account: ServiceAccount | None = None
    # Which token made the call (« gch:12 », « gcs:34 »): the rate limit counts per token.
    token_ref: str = ""
    # What the person's roles give, read once per request (a person's key only).
    _person_scopes: frozenset[Scope] = field(default=frozenset(), repr=False)

    @classmethod
    def of_person(cls, user: User, *, token_ref: str = "") -> "Principal":
        scopes: set[Scope] = set()
        if InstructorMembership.objects.filter(user=user).exists():
            scopes |= INSTRUCTOR_SCOPES
        if steering_organisation_ids(user):
            scopes |= STEERING_SCOPES
        return cls(label=user.email, user=user, token_ref=token_ref, _person_scopes=frozenset(scopes))

    @classmethod
    def of_service_account(cls, account: ServiceAccount, *, token_ref: str = "") -> "Principal":
        return cls(label=account.label, service_account=account, token_ref=token_ref)

    @property
    def is_service(self) -> bool:
        return self.service_account is not None

    @property
    def scopes(self) -> frozenset[Scope]:
        if self.service_account is not None:
            return frozenset(Scope(value) for value in self.service_account.scopes if value in Scope.values)
        return self._person_scopes

    @property
    def _person(self) -> User:
        if self.user is None:
            raise TypeError("A service account is no person.")
        return self.user

    def allows(self, scope: Scope) -> bool:
        return Scope(scope) in self.scopes

    # --- Procedures ---------------------------------------------------------------------------

    def procedures(self) -> QuerySet[Procedure]:
        """The procedures it may reach at all (whatever the scope)."""
        if self.service_account is not None:
            account = self.service_account
            tree = organisation_subtree_ids({account.organisation_id})
            reach = Procedure.objects.filter(organisation_id__in=tree)
            if account.procedures.exists():
                reach = reach.filter(pk__in=account.procedures.values("pk"))
            return reach.defer("draft_definition").order_by("title")
        instructed = procedures_of_instructor(self._person).values("pk")
        steered = steering_organisation_ids(self._person)
        reach = Procedure.objects.filter(pk__in=instructed)
        if steered:
            reach = reach | Procedure.objects.filter(organisation_id__in=steered)
        return reach.defer("draft_definition").order_by("title")

    def procedures_for(self, scope: Scope) -> QuerySet[Procedure]:
        """The procedures on which it holds `scope` (among `procedures()`)."""
        if not self.allows(scope):
            return Procedure.objects.none()
        if self.service_account is not None:
            return self.procedures()
        if scope in STEERING_SCOPES and scope not in INSTRUCTOR_SCOPES:
            return Procedure.objects.filter(organisation_id__in=steering_organisation_ids(self._person))
        return Procedure.objects.filter(pk__in=procedures_of_instructor(self._person).values("pk"))

    def procedure_or_404(self, id_or_slug: int | str, scope: Scope) -> Procedure:
        """The procedure named by its id or its slug: 404 outside its reach, 403 without `scope` on it."""
        lookup = {"pk": int(id_or_slug)} if str(id_or_slug).isdigit() else {"slug": str(id_or_slug)}
        procedure = self.procedures().filter(**lookup).first()
        if procedure is None:
            raise HttpError(404, NOT_FOUND_PROCEDURE)
        if not self.procedures_for(scope).filter(pk=procedure.pk).exists():
            raise _scope_missing(Scope(scope))
        return procedure

    # --- Dossiers -----------------------------------------------------------------------------

    def _reachable_dossiers(self) -> QuerySet[Dossier]:
        """The filed dossiers it may reach at all (drafts are the applicant's alone)."""
        if self.service_account is not None:
            return Dossier.objects.filter(procedure__in=self.procedures().values("pk")).exclude(
                state=DossierState.DRAFT
            )
        return dossiers_visible_to_instructor(self._person)

    def dossiers(self, scope: Scope) -> QuerySet[Dossier]:
        """The filed dossiers on which it holds `scope`."""
        if not self.allows(scope):
            return Dossier.objects.none()
        if self.user is not None and scope not in INSTRUCTOR_SCOPES:
            # A steering user reads statistics, not dossiers.
            return Dossier.objects.none()
        return self._reachable_dossiers()

    def dossier_or_404(self, dossier_id: int, scope: Scope) -> Dossier:
        """A filed dossier: 404 outside its reach, 403 without `scope` on it."""
        dossier = (
            self._reachable_dossiers()
            .select_related("procedure", "procedure__organisation", "group", "applicant")
            .defer("procedure__draft_definition")
            .filter(pk=dossier_id)
            .first()
        )
        if dossier is None:
            raise HttpError(404, NOT_FOUND_DOSSIER)
        if not self.dossiers(scope).filter(pk=dossier.pk).exists():
            raise _scope_missing(Scope(scope))
        return dossier


def principal_of(request: HttpRequest) -> Principal:
    """The caller, as the authentication found it."""
    principal = getattr(request, "auth", None)
    if not isinstance(principal, Principal):
        raise HttpError(401, "Clé d’API absente, inconnue ou révoquée.")
    return principal
