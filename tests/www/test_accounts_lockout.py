"""Lock-out after repeated sign-in failures (django-axes): 5 wrong passwords for one account from one
address lock that pair for 15 minutes."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EMAIL, PASSWORD = "usager@exemple.fr", "mot-de-passe-de-test"


def attempt(client, password, *, email=EMAIL, address="127.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_on_this_address_for_15_minutes(client):
    UserFactory(email=EMAIL)
    for _ in range(4):
        response = attempt(client, "faux")
        assert response.status_code == 200
        assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()

    response = attempt(client, "faux")

    assert response.status_code == 429
    html = response.content.decode()
    assert "Connexion bloquée temporairement" in html
    assert "bloquée pendant 15 minutes après 5 essais infructueux" in html
    last_failure = AccessAttempt.objects.get(username=EMAIL).attempt_time
    retry_at = timezone.localtime(last_failure + datetime.timedelta(minutes=15))
    assert f"Vous pourrez réessayer à partir de <strong>{retry_at:%H}h{retry_at:%M}</strong>" in html
    assert f'href="{reverse("accounts:password_reset")}"' in html

    # Even the right password is refused during the lock-out, and trying does not make it longer.
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    assert AccessAttempt.objects.get(username=EMAIL).attempt_time == last_failure

    # Fifteen minutes later, the right password works.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=15, seconds=1))
    response = attempt(client, PASSWORD)
    assert response.status_code == 302
    assert response.wsgi_request.user.email == EMAIL


def test_the_lock_is_per_account_and_address(client):
    UserFactory(email=EMAIL)
    other = UserFactory(email="autre@exemple.fr")
    for _ in range(5):
        attempt(client, "faux")

    assert attempt(client, PASSWORD, address="192.0.2.10").status_code == 302
    client.logout()
    response = attempt(client, "mot-de-passe-de-test", email=other.email)
    assert response.status_code == 302


def test_the_address_counts_whatever_its_case(client):
    UserFactory(email=EMAIL)
    for email in ("Usager@exemple.fr", "USAGER@EXEMPLE.FR", " usager@exemple.fr", "usager@Exemple.fr"):
        assert attempt(client, "faux", email=email).status_code == 200
    assert attempt(client, "faux").status_code == 429


def test_a_successful_sign_in_clears_the_failures(client):
    UserFactory(email=EMAIL)
    for _ in range(4):
        attempt(client, "faux")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "faux").status_code == 200


def test_password_reset_still_works_while_locked_out(client, django_capture_on_commit_callbacks):
    UserFactory(email=EMAIL)
    for _ in range(5):
        attempt(client, "faux")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": EMAIL}, follow=True)
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert mail.outbox[0].to == [EMAIL]
