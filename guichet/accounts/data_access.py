"""Organisations' accesses to the state's data APIs (decision 0032): the token an organisation holds,
or its parent's, or the platform's; and what each call to API Entreprise or API Particulier says
about who asks (`recipient`: the organisation's SIRET) and why (`context`, `object`)."""

from django.conf import settings
from django.db import transaction

from guichet.connectors.data_sources import SourceAccess
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction

from .models import DataSourceAccess, Organisation, User

_SETTINGS = {
    DataSourceAccess.Provider.API_ENTREPRISE: "GUICHET_API_ENTREPRISE_TOKEN",
    DataSourceAccess.Provider.API_PARTICULIER: "GUICHET_API_PARTICULIER_TOKEN",
}


@transaction.atomic
def data_access_set(
    *, actor: User | None, organisation: Organisation, provider: str, token: str, context: str = ""
) -> DataSourceAccess:
    """Record (or replace) an organisation's token for `provider`. The audit event says who changed
    which access, never the token."""
    access, created = DataSourceAccess.objects.select_for_update().get_or_create(
        organisation=organisation, provider=provider, defaults={"token": token, "context": context}
    )
    if not created:
        access.token, access.context = token, context
        access.save(update_fields=["token", "context", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DATA_ACCESS_SET,
        target=organisation,
        details={"provider": provider, "created": created},
    )
    return access


def source_access(*, organisation: Organisation, provider: str, purpose: str) -> SourceAccess | None:
    """The access to use for a call made for `organisation` (about `purpose`: the procedure): its own
    token, else its nearest ancestor's, else the platform's; None when there is none. The recipient
    is always the organisation's own SIRET."""
    chain = [organisation, *reversed(organisation.ancestors())]
    held = {access.organisation_id: access for access in DataSourceAccess.objects.filter(
        organisation__in=chain, provider=provider
    )}  # fmt: skip
    access = next((held[node.pk] for node in chain if node.pk in held), None)
    token = access.token if access else getattr(settings, _SETTINGS[DataSourceAccess.Provider(provider)])
    if not token:
        return None
    context = (access.context if access else "") or settings.GUICHET_API_ENTREPRISE_CONTEXT
    return SourceAccess(token=token, recipient=organisation.siret, context=context, object=purpose[:200])
