"""Lock-out after repeated sign-in failures (django-axes): 5 wrong passwords for one account from one
address lock that pair for 15 minutes; 30 failures from one address, whatever the accounts, lock the
address (password spraying)."""

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


def test_password_spraying_from_one_address_locks_the_address_across_accounts(client, settings):
    """One common password tried on many accounts: fewer than 5 failures per account, but the address
    is locked after 30 (settings.GUICHET_SIGNIN_FAILURE_LIMIT_PER_ADDRESS), whatever the account."""
    assert settings.GUICHET_SIGNIN_FAILURE_LIMIT_PER_ADDRESS == 30
    UserFactory(email=EMAIL)
    mine = UserFactory(email="mon.compte@exemple.fr")
    for n in range(29):
        assert (
            attempt(client, "Motdepasse123!", email=f"agent{n}@exemple.fr", address="198.51.100.7").status_code == 200
        )
    # A sign-in that succeeds on one's own account does not wipe the address's failures on the others.
    assert attempt(client, PASSWORD, email=mine.email, address="198.51.100.7").status_code == 302
    client.logout()

    response = attempt(client, "Motdepasse123!", email="agent29@exemple.fr", address="198.51.100.7")

    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop d’essais de connexion depuis votre réseau" in html
    assert "bloquées pendant 15 minutes après 30 essais infructueux, quels que soient les comptes essayés" in html
    last_failure = AccessAttempt.objects.filter(ip_address="198.51.100.7").latest("attempt_time").attempt_time
    retry_at = timezone.localtime(last_failure + datetime.timedelta(minutes=15))
    assert f"Vous pourrez réessayer à partir de <strong>{retry_at:%H}h{retry_at:%M}</strong>" in html
    # Every account is refused from that address, even with its right password; not from another one.
    response = attempt(client, PASSWORD, address="198.51.100.7")
    assert response.status_code == 429 and not response.wsgi_request.user.is_authenticated
    assert attempt(client, PASSWORD, address="203.0.113.9").status_code == 302

    # Fifteen minutes later, the address may try again.
    client.logout()
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=15, seconds=1))
    assert attempt(client, PASSWORD, address="198.51.100.7").status_code == 302


def test_the_per_account_limit_is_still_five_with_the_address_limit(client):
    UserFactory(email=EMAIL)
    for _ in range(4):
        assert attempt(client, "faux", address="198.51.100.8").status_code == 200
    response = attempt(client, "faux", address="198.51.100.8")
    assert response.status_code == 429
    assert "Trop d’essais de connexion (mot de passe ou code)" in response.content.decode()
