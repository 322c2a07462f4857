import re

import pyotp
import pytest
from django.core import mail
from django.urls import reverse

from guichet.demo.loader import APPLICANTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, INSTRUCTOR_CULTURE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("account", [APPLICANTS[0], INSTRUCTOR_CULTURE], ids=["applicant", "agent"])
def test_demo_accounts_sign_in_and_out(client, demo, account):
    response = client.post(
        reverse("accounts:login"), {"username": account.email, "password": DEMO_PASSWORD}, follow=True
    )
    if account is INSTRUCTOR_CULTURE:  # an agent: the second factor, the demo's authenticator app
        assert response.redirect_chain[-1][0] == reverse("accounts:second_factor")
        code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
        response = client.post(reverse("accounts:second_factor"), {"code": code}, follow=True)
    assert response.context["user"].email == account.email
    assert f"{account.first_name} {account.last_name}" in response.content.decode()
    assert "Se déconnecter" in response.content.decode()

    response = client.post(reverse("accounts:logout"), follow=True)
    assert not response.context["user"].is_authenticated
    assert "Se connecter" in response.content.decode()


def test_a_wrong_password_says_so_and_keeps_the_email(client):
    UserFactory(email="usager@exemple.fr")
    response = client.post(reverse("accounts:login"), {"username": "usager@exemple.fr", "password": "faux"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in html
    assert 'value="usager@exemple.fr"' in html
    assert not response.context["user"].is_authenticated


def test_sign_in_form_reports_missing_fields_next_to_them_in_french(client):
    html = client.post(
        reverse("accounts:login"), {"username": "", "password": ""}, headers={"accept-language": "en-US,en"}
    ).content.decode()
    assert 'aria-describedby="id_username-aide id_username-erreur"' in html  # hint, then error
    assert "Ce champ est obligatoire." in html


def test_password_reset_by_email(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="oubli@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "oubli@exemple.fr"}, follow=True)
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["oubli@exemple.fr"]
    assert mail.outbox[0].subject == "Choisir un nouveau mot de passe sur Guichet"
    link = re.search(r"http://testserver(/compte/mot-de-passe/nouveau/\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    new_password = "Un-nouveau-mot-de-passe-2026"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert "Mot de passe modifié" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_for_an_unknown_address_reveals_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@exemple.fr"}, follow=True)
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert mail.outbox == []
