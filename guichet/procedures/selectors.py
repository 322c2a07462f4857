from collections import OrderedDict
from threading import Lock

from django.db.models import OuterRef, Q, QuerySet, Subquery

from guichet.accounts.models import Organisation, User
from guichet.accounts.selectors import organisations_administered_by
from guichet.core.prepared import PreparedQuery

from .definition import FormDefinition, definition_validate
from .models import InstructorMembership, Procedure, ProcedureVersion


def procedures_public() -> QuerySet[Procedure]:
    """What the catalogue shows to anyone: the published procedures."""
    return Procedure.objects.published().select_related("organisation").order_by("title")


def _procedure_to_start(slug: str) -> QuerySet[Procedure]:
    latest = ProcedureVersion.objects.filter(procedure=OuterRef("pk")).order_by("-number").values("pk")[:1]
    return (
        procedures_public().filter(slug=slug).defer("draft_definition").annotate(latest_version_id=Subquery(latest))
    )[:1]


_PROCEDURE_TO_START = PreparedQuery(_procedure_to_start)


def procedure_to_start(slug: str) -> Procedure | None:
    """The published procedure that « Commencer » starts a dossier on, with its organisation and the
    id of its latest published version (`latest_version_id`), in one query compiled once; without its
    draft form (large): the dossier is made on the published version."""
    return _PROCEDURE_TO_START.first(slug)


def procedures_catalogue(*, query: str = "", organisation_slug: str = "") -> QuerySet[Procedure]:
    """The published procedures as the catalogue lists them, without their forms (which can be large),
    matching every word of `query` (in the title, summary, description or organisation) and, when
    given, offered by one organisation or the organisations below it."""
    procedures = (
        procedures_public()
        .select_related("organisation__parent")
        .only(
            "title",
            "slug",
            "summary",
            "organisation__name",
            "organisation__slug",
            "organisation__parent__name",
            "organisation__parent__slug",
        )
    )
    for word in query.split()[:10]:
        procedures = procedures.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(description__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    if organisation_slug:
        procedures = procedures.filter(
            Q(organisation__slug=organisation_slug) | Q(organisation__parent__slug=organisation_slug)
        )
    return procedures


def catalogue_organisations(procedures: list[Procedure]) -> list[tuple[str, str]]:
    """(slug, name) of the organisations offering the given catalogue procedures, and of those above
    them (choosing a ministry shows its directorates' procedures): the catalogue's filter."""
    found = {}
    for procedure in procedures:
        organisation = procedure.organisation
        found[organisation.slug] = organisation.name
        if organisation.parent_id:
            found[organisation.parent.slug] = organisation.parent.name
    return sorted(found.items(), key=lambda item: item[1])


def organisation_ids_administered_by(user: User) -> set[int]:
    """The organisations whose procedures a person administers: those where they hold the role, and
    everything below them (a ministry's administrator administers its directorates' procedures)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Organisation.objects.values_list("pk", flat=True))
    ids = set(organisations_administered_by(user).values_list("pk", flat=True))
    frontier = set(ids)
    while frontier:  # a tree is a few levels deep: one query per level
        frontier = set(Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def organisation_administered(user: User, organisation_pk: int) -> Organisation:
    """An organisation whose procedures the person administers; Organisation.DoesNotExist for any
    other (its accountant's exports)."""
    if organisation_pk not in organisation_ids_administered_by(user):
        raise Organisation.DoesNotExist
    return Organisation.objects.get(pk=organisation_pk)


def procedures_administered_by(user: User) -> QuerySet[Procedure]:
    """The procedures a person may edit, publish and close."""
    return (
        Procedure.objects.filter(organisation_id__in=organisation_ids_administered_by(user))
        .select_related("organisation")
        .order_by("title")
    )


def procedure_for_administrator(user: User, slug: str) -> Procedure | None:
    """One procedure by its slug, if the person administers it."""
    return procedures_administered_by(user).filter(slug=slug).first()


# Published versions never change: their parsed forms are kept in memory, per process.
_VERSION_FORMS: OrderedDict[int, FormDefinition] = OrderedDict()
_VERSION_FORMS_MAX = 256
_VERSION_FORMS_LOCK = Lock()


def procedure_latest_version_id(procedure: Procedure) -> int | None:
    """The id of the procedure's latest published version (None before its first publication):
    the `latest_version_id` that a list of procedures annotates, else read alone (not the version's
    whole definition, which version_form keeps in memory)."""
    known = getattr(procedure, "latest_version_id", None)
    if known is not None:
        return known
    return procedure.versions.order_by("-number").values_list("pk", flat=True).first()


def version_form(version_id: int) -> FormDefinition:
    """The parsed form of a published version, read from the database once per process.
    (Only published versions are stored as ProcedureVersion rows, and they are immutable.)"""
    with _VERSION_FORMS_LOCK:
        form = _VERSION_FORMS.get(version_id)
        if form is not None:
            _VERSION_FORMS.move_to_end(version_id)
            return form
    definition = ProcedureVersion.objects.values_list("definition", flat=True).get(pk=version_id)
    form = definition_validate(definition)
    with _VERSION_FORMS_LOCK:
        _VERSION_FORMS[version_id] = form
        while len(_VERSION_FORMS) > _VERSION_FORMS_MAX:
            _VERSION_FORMS.popitem(last=False)
    return form


def version_form_forget(sender=None, instance: ProcedureVersion | None = None, **kwargs) -> None:
    """Drop a version from the memory (connected to its saves and deletions: a restored database or
    a test database can give a new version the id of an old one)."""
    with _VERSION_FORMS_LOCK:
        if instance is None:
            _VERSION_FORMS.clear()
        else:
            _VERSION_FORMS.pop(instance.pk, None)


def instructor_role_add(*, user, roles: set[str]) -> None:
    """Listener of `accounts.hooks.agent_roles_collect`: a member of an instructor group instructs."""
    if InstructorMembership.objects.filter(user=user).exists():
        roles.add("instructor")
