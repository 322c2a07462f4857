"""Creating a local account: sign-up, the confirmation email, the link that activates the account."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from guichet.accounts.models import User
from guichet.core.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Un-mot-de-passe-solide-2026"
CONFIRM_LINK = re.compile(r"http://testserver(/compte/inscription/confirmer/\S+)")


def signup(client, capture, *, email="nouvelle@exemple.fr", password=PASSWORD, next_url=None, follow=True):
    data = {
        "first_name": "Camille",
        "last_name": "Martin",
        "email": email,
        "password1": password,
        "password2": password,
    }
    url = reverse("accounts:signup")
    if next_url is not None:
        data["next"] = next_url
    with capture(execute=True):
        return client.post(url, data, follow=follow)


def confirmation_link(message) -> str:
    return CONFIRM_LINK.search(message.body).group(1)


def test_signup_confirm_and_land_signed_in_where_the_person_was_going(client, django_capture_on_commit_callbacks):
    page = client.get(reverse("accounts:signup") + "?next=/demarches/permis/")
    assert 'name="next" value="/demarches/permis/"' in page.content.decode()

    response = signup(
        client, django_capture_on_commit_callbacks, email="Nouvelle@Exemple.fr", next_url="/demarches/permis/"
    )

    assert "Vérifiez votre messagerie" in response.content.decode()
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert not user.is_active and user.email_confirmed_at is None
    assert not response.wsgi_request.user.is_authenticated
    (message,) = mail.outbox
    assert message.to == ["nouvelle@exemple.fr"]
    assert message.subject == "Confirmez votre adresse électronique sur Guichet"
    link = confirmation_link(message)
    assert "next=%2Fdemarches%2Fpermis%2F" in link

    # Opening the link (as a mail scanner would) confirms nothing: it asks for a click.
    page = client.get(link)
    assert "Confirmer mon adresse et me connecter" in page.content.decode()
    user.refresh_from_db()
    assert not user.is_active

    response = client.post(link, {"next": "/demarches/permis/"})

    assert response.status_code == 302 and response["Location"] == "/demarches/permis/"
    user.refresh_from_db()
    assert user.is_active and user.email_confirmed_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(action="user.signup", actor=user).exists()
    assert AuditEvent.objects.filter(action="user.email_confirm", actor=user).exists()
    # The link served once.
    assert "Ce lien n’est plus valable" in client.get(link).content.decode()


def test_a_next_address_on_another_site_is_ignored(client, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks, next_url="https://malveillant.example/piege")
    link = confirmation_link(mail.outbox[0])
    assert "malveillant" not in link

    response = client.post(link, {"next": "https://malveillant.example/piege"})

    assert response["Location"] == reverse("public:home")


def test_an_address_that_has_an_account_gets_an_email_and_the_same_page(client, django_capture_on_commit_callbacks):
    existing = UserFactory(email="deja@exemple.fr")

    response = signup(client, django_capture_on_commit_callbacks, email="deja@exemple.fr")

    assert "Vérifiez votre messagerie" in response.content.decode()
    assert User.objects.filter(email="deja@exemple.fr").count() == 1
    existing.refresh_from_db()
    assert existing.check_password("mot-de-passe-de-test"), "the password is not changed"
    (message,) = mail.outbox
    assert message.to == ["deja@exemple.fr"]
    assert message.subject == "Vous avez déjà un compte sur Guichet"
    assert "http://testserver/compte/mot-de-passe/oubli/" in message.body
    assert not CONFIRM_LINK.search(message.body)


def test_signing_up_again_before_confirming_sends_a_new_link_and_voids_the_old(
    client, django_capture_on_commit_callbacks
):
    signup(client, django_capture_on_commit_callbacks, password="Premier-mot-de-passe-2026")
    first_link = confirmation_link(mail.outbox[0])

    signup(client, django_capture_on_commit_callbacks, password="Second-mot-de-passe-2026")

    assert User.objects.filter(email="nouvelle@exemple.fr").count() == 1
    assert "Ce lien n’est plus valable" in client.get(first_link).content.decode()
    second_link = confirmation_link(mail.outbox[1])
    client.post(second_link)
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert user.is_active and user.check_password("Second-mot-de-passe-2026")


def test_a_deactivated_account_cannot_be_reactivated_by_signing_up(client, django_capture_on_commit_callbacks):
    closed = UserFactory(email="ferme@exemple.fr", is_active=False)

    signup(client, django_capture_on_commit_callbacks, email="ferme@exemple.fr")

    closed.refresh_from_db()
    assert not closed.is_active
    assert mail.outbox[0].subject == "Vous avez déjà un compte sur Guichet"
    assert not CONFIRM_LINK.search(mail.outbox[0].body)


def test_password_rules_are_explained_in_french_with_an_error_summary(client, django_capture_on_commit_callbacks):
    response = client.post(
        reverse("accounts:signup"),
        {
            "first_name": "Camille",
            "last_name": "Martin",
            "email": "pas-une-adresse",
            "password1": "azerty",
            "password2": "azertyuiop",
        },
        headers={"accept-language": "en-US,en"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 informations sont à corriger" in html
    assert 'href="#id_email"' in html and 'href="#id_password1"' in html and 'href="#id_password2"' in html
    assert "Saisissez une adresse de courriel valide." in html
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères." in html
    assert "Ce mot de passe est trop courant." in html
    assert "Les deux mots de passe ne sont pas identiques." in html
    assert 'aria-describedby="id_password1-aide id_password1-erreur"' in html  # hint, then error
    assert not User.objects.exists() and mail.outbox == []


def test_a_password_too_close_to_the_address_is_refused(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "first_name": "Jean",
            "last_name": "Dupont",
            "email": "jean.dupont.martin@exemple.fr",
            "password1": "jean.dupont.martin",
            "password2": "jean.dupont.martin",
        },
    )
    assert "Le mot de passe est trop semblable au champ «\xa0adresse électronique\xa0»." in response.content.decode()


def test_signing_in_before_confirming_says_so_and_offers_a_new_link(client, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks, next_url="/demarches/permis/")

    response = client.post(
        reverse("accounts:login"),
        {"username": "nouvelle@exemple.fr", "password": PASSWORD, "next": "/demarches/permis/"},
    )

    html = response.content.decode()
    assert "Votre adresse électronique n’est pas encore confirmée" in html
    assert "Recevoir un nouveau lien de confirmation" in html
    assert not response.wsgi_request.user.is_authenticated
    assert not AccessAttempt.objects.exists(), "a right password is not a failure that leads to a lock-out"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup_resend"),
            {"email": "nouvelle@exemple.fr", "next": "/demarches/permis/"},
            follow=True,
        )
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert len(mail.outbox) == 2
    client.post(confirmation_link(mail.outbox[1]))
    assert User.objects.get(email="nouvelle@exemple.fr").is_active


def test_a_wrong_password_on_an_unconfirmed_account_reveals_nothing(client, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks)

    response = client.post(reverse("accounts:login"), {"username": "nouvelle@exemple.fr", "password": "faux"})

    html = response.content.decode()
    assert "Adresse électronique ou mot de passe incorrect." in html
    assert "pas encore confirmée" not in html


def test_asking_a_new_link_for_an_unknown_address_sends_nothing(client, django_capture_on_commit_callbacks):
    UserFactory(email="actif@exemple.fr")
    for email in ("inconnu@exemple.fr", "actif@exemple.fr"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:signup_resend"), {"email": email}, follow=True)
        assert "Vérifiez votre messagerie" in response.content.decode()
    assert mail.outbox == []


def test_a_tampered_link_is_refused(client, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks)
    link = confirmation_link(mail.outbox[0])
    tampered = re.sub(r"/([^/]+)/$", "/abc-0123456789abcdef/", link.split("?")[0])

    assert "Ce lien n’est plus valable" in client.get(tampered).content.decode()
    assert client.post(tampered).status_code == 400
    assert client.post("/compte/inscription/confirmer/!!!/abc/").status_code == 400
    assert not User.objects.get(email="nouvelle@exemple.fr").is_active


def test_the_sign_in_page_leads_to_signup_keeping_next(client):
    html = client.get(reverse("accounts:login") + "?next=/demarches/permis/").content.decode()
    assert 'href="/compte/inscription/?next=%2Fdemarches%2Fpermis%2F"' in html


def test_a_local_account_edits_its_name_on_the_account_page(client):
    user = UserFactory(first_name="Jean", last_name="Dupont")
    client.force_login(user)

    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Mon compte" in page and 'value="Jean"' in page and "Identité certifiée" not in page

    response = client.post(reverse("accounts:profile"), {"first_name": " Jeanne ", "last_name": "Durand"}, follow=True)

    assert "Vos informations sont enregistrées." in response.content.decode()
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Jeanne", "Durand")
    event = AuditEvent.objects.get(action="user.profile_update")
    assert event.actor_id == user.pk and event.details == {"changed": ["first_name", "last_name"]}


def test_the_account_page_needs_a_signed_in_person(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/?next=/compte/profil/")


def test_emails_to_one_address_are_limited_per_hour(client, django_capture_on_commit_callbacks, settings):
    settings.GUICHET_EMAILS_PER_ADDRESS = "2/h"
    signup(client, django_capture_on_commit_callbacks)
    resend = reverse("accounts:signup_resend")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend, {"email": "nouvelle@exemple.fr"})
        response = client.post(resend, {"email": "Nouvelle@Exemple.fr"})  # the same address

    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de courriels demandés" in html and "Aucun courriel n’a été envoyé" in html
    assert len(mail.outbox) == 2  # the sign-up's and one more: the third is refused
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(resend, {"email": "autre@exemple.fr"}).status_code == 302  # another address


def test_emails_asked_from_one_client_are_limited_per_hour(client, django_capture_on_commit_callbacks, settings):
    settings.GUICHET_EMAILS_PER_CLIENT = "3/h"
    UserFactory(email="oubli@exemple.fr")
    outcomes = []
    for email in ("oubli@exemple.fr", "a@exemple.fr", "b@exemple.fr", "c@exemple.fr"):
        with django_capture_on_commit_callbacks(execute=True):
            outcomes.append(client.post(reverse("accounts:password_reset"), {"email": email}).status_code)
    assert outcomes == [302, 302, 302, 429]
    assert len(mail.outbox) == 1  # the only known address
    other = client.__class__(REMOTE_ADDR="192.0.2.8")
    with django_capture_on_commit_callbacks(execute=True):
        assert other.post(reverse("accounts:password_reset"), {"email": "d@exemple.fr"}).status_code == 302
