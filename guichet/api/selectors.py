from django.db.models import Max, QuerySet

from guichet.accounts.models import OrganisationRole, User
from guichet.observatory.selectors import organisation_subtree_ids

from .models import ApiToken, ServiceAccount, ServiceToken


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def organisation_ids_managing_service_accounts(user: User) -> set[int]:
    """The organisations whose service accounts a person manages: where they are « administrateur des
    démarches », and every organisation below (as for procedures)."""
    if not user.is_authenticated:
        return set()
    roots = set(
        OrganisationRole.objects.filter(user=user, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR).values_list(
            "organisation_id", flat=True
        )
    )
    return organisation_subtree_ids(roots) if roots else set()


def service_accounts_managed_by(user: User) -> QuerySet[ServiceAccount]:
    """The service accounts a person manages, each with its last use (`last_used_at`, over its tokens)."""
    return (
        ServiceAccount.objects.filter(organisation_id__in=organisation_ids_managing_service_accounts(user))
        .select_related("organisation")
        .annotate(last_used_at=Max("tokens__last_used_at"))
        .order_by("organisation__name", "name", "pk")
    )


def service_account_tokens(account: ServiceAccount) -> QuerySet[ServiceToken]:
    return ServiceToken.objects.filter(account=account).order_by("-created_at", "-pk")
