"""Organisations' accesses to API Entreprise and API Particulier: the token an organisation holds, or
its parent's, or the platform's; written in the Django administration, kept encrypted, never shown
back nor audited in clear."""

import pytest
from django.db import connection
from django.urls import reverse

from guichet.accounts.data_access import data_access_set, source_access
from guichet.accounts.models import DataSourceAccess
from guichet.core.models import AuditEvent
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_nearest_token_serves_and_the_recipient_is_the_organisation_itself(settings):
    settings.GUICHET_API_ENTREPRISE_TOKEN = "jeton-plateforme"
    ministry = OrganisationFactory()
    directorate = OrganisationFactory(parent=ministry)
    service = OrganisationFactory(parent=directorate)
    access = source_access(organisation=service, provider="api_entreprise", purpose="Aide")
    assert (access.token, access.recipient, access.object) == ("jeton-plateforme", service.siret, "Aide")
    data_access_set(actor=None, organisation=ministry, provider="api_entreprise", token="jeton-ministere")
    assert source_access(organisation=service, provider="api_entreprise", purpose="Aide").token == "jeton-ministere"
    data_access_set(actor=None, organisation=directorate, provider="api_entreprise", token="jeton-dir", context="Aides")
    access = source_access(organisation=service, provider="api_entreprise", purpose="Aide")
    assert (access.token, access.context, access.recipient) == ("jeton-dir", "Aides", service.siret)
    assert "jeton" not in repr(access)
    assert source_access(organisation=service, provider="api_particulier", purpose="Aide") is None


def test_the_administration_screen_keeps_the_token_encrypted_and_unshown(client):
    organisation = OrganisationFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {"organisation": organisation.pk, "provider": "api_entreprise", "token": "jeton-secret-123", "context": ""}
    assert client.post(reverse("admin:accounts_datasourceaccess_add"), data).status_code == 302
    access = DataSourceAccess.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM accounts_datasourceaccess")
        assert "jeton-secret-123" not in cursor.fetchone()[0]
    change = reverse("admin:accounts_datasourceaccess_change", args=[access.pk])
    assert "jeton-secret-123" not in client.get(change).content.decode()
    assert client.post(change, {"token": "", "context": "Marchés publics"}).status_code == 302  # token kept
    access.refresh_from_db()
    assert (access.token, access.context) == ("jeton-secret-123", "Marchés publics")
    events = AuditEvent.objects.filter(action="data_access.set")
    assert events.count() == 2 and "jeton-secret-123" not in str([event.details for event in events])


def test_franceconnect_s_gender_is_kept_for_api_particulier():
    from guichet.accounts.services import franceconnect_sign_in

    claims = {"sub": "fc-1", "email": "camille@exemple.fr", "family_name": "MARTIN", "gender": "female"}
    user = franceconnect_sign_in(claims=claims)
    assert user.franceconnect_identity.gender == "female"
    franceconnect_sign_in(claims={**claims, "gender": "unknown"})
    user.franceconnect_identity.refresh_from_db()
    assert user.franceconnect_identity.gender == ""
