import pytest
from django.urls import reverse

from guichet.core.models import AuditEvent
from guichet.demo.loader import APPLICANTS, DEMO_PASSWORD, SUPERADMIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_super_admin_uses_the_django_admin(client, demo):
    assert client.login(email=SUPERADMIN.email, password=DEMO_PASSWORD)
    for url in (
        reverse("admin:index"),
        reverse("admin:dossiers_dossier_changelist"),
        reverse("admin:core_auditevent_changelist"),
        reverse("admin:dossiers_transitionlog_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    event = AuditEvent.objects.first()
    # The audit trail can be read, never changed, from the admin.
    assert client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_applicant_cannot_open_the_admin(client, demo):
    assert client.login(email=APPLICANTS[0].email, password=DEMO_PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_the_admin_signs_in_through_guichet_s_own_sign_in_never_its_password_only_page(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(
        reverse("admin:login") + "?next=/admin/", {"username": superuser.email, "password": "mot-de-passe-de-test"}
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"] == reverse("admin:login") + "?next=/admin/"
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response["Location"] == reverse("accounts:login") + "?next=/admin/"
