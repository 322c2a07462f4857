"""Every error a person can meet, with DEBUG off (as in production): a page in French in the DSFR's
« page d'erreur » pattern (title, status, what to do, a link home), never Django's bare English or a
blank page; the API keeps its JSON errors."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db


def assert_error_page(response, status: int, title: str):
    page = response.content.decode()
    assert response.status_code == status, page
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="fr"' in page and f"<h1>{title}</h1>" in page and f"Erreur {status}" in page
    assert f"<title>{title} — " in page
    assert '<a class="fr-btn' in page and 'href="/">Page d’accueil</a>' in page
    assert "Not Found" not in page and "Server Error" not in page
    return page


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = "tests.www.error_urls"
    assert settings.DEBUG is False


def test_an_unknown_address_gets_the_french_404_page(client, settings):
    assert settings.DEBUG is False
    assert_error_page(client.get("/nulle-part/"), 404, "Page non trouvée")
    # A dossier that is not the person's is not found either, with the same page.
    client.force_login(UserFactory())
    other = DossierFactory(submitted=True)
    assert_error_page(client.get(reverse("usager:dossier_detail", args=[other.pk])), 404, "Page non trouvée")


def test_a_signed_in_person_keeps_their_header_on_an_error_page(client):
    user = UserFactory()
    client.force_login(user)
    page = assert_error_page(client.get("/nulle-part/"), 404, "Page non trouvée")
    assert "Se déconnecter" in page


def test_the_page_before_is_offered_when_it_is_ours(client):
    page = assert_error_page(
        client.get("/nulle-part/", headers={"Referer": "http://testserver/demarches/"}), 404, "Page non trouvée"
    )
    assert 'href="http://testserver/demarches/">Page précédente</a>' in page
    page = client.get("/nulle-part/", headers={"Referer": "https://ailleurs.example/"}).content.decode()
    assert "ailleurs.example" not in page and "Page précédente" not in page


def test_a_contact_address_is_offered_when_one_is_set(client, settings):
    settings.GUICHET_CONTACT_EMAIL = "aide@demarches.example.fr"
    page = assert_error_page(client.get("/nulle-part/"), 404, "Page non trouvée")
    assert 'href="mailto:aide@demarches.example.fr">Nous contacter</a>' in page


def test_400_403_429_and_500_get_their_french_pages(error_urls):
    client = Client(raise_request_exception=False)
    assert_error_page(client.get("/essai/400/"), 400, "Demande incorrecte")
    assert_error_page(client.get("/essai/403/"), 403, "Accès refusé")
    assert_error_page(client.get("/essai/429/"), 429, "Trop de demandes")
    page = assert_error_page(client.get("/essai/500/"), 500, "Erreur inattendue")
    assert "réessayez plus tard" in page or "revenez plus tard" in page


def test_the_api_keeps_json_for_its_own_errors(error_urls, client):
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404 and response.json() == {"detail": "Cette adresse n’existe pas dans l’API."}
    response = client.delete("/api/v1/observatory/quality")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json()["detail"].startswith("Méthode DELETE non acceptée")


def test_a_form_sent_without_its_csrf_token_gets_the_french_403_page(db):
    client = Client(enforce_csrf_checks=True)
    page = assert_error_page(
        client.post(reverse("accounts:login"), {"username": "a@example.fr", "password": "x"}), 403, "Formulaire expiré"
    )
    assert "Rien n’a été enregistré" in page


def test_a_post_only_address_opened_by_get_shows_a_page_not_a_blank(client):
    user = UserFactory()
    client.force_login(user)
    dossier = DossierFactory(applicant=user, submitted=True)
    response = client.get(reverse("usager:dossier_message", args=[dossier.pk]))
    assert_error_page(response, 405, "Cette page ne s’ouvre pas ainsi")
    assert response["Allow"] == "POST"


def test_reloading_the_opinion_form_or_the_notification_choice_leads_back(client):
    user = UserFactory()
    client.force_login(user)
    dossier = DossierFactory(applicant=user, submitted=True)
    response = client.get(reverse("usager:dossier_opinion", args=[dossier.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("usager:dossier_detail", args=[dossier.pk])
    # Someone else's dossier stays out of reach.
    other = DossierFactory(submitted=True)
    assert client.get(reverse("usager:dossier_opinion", args=[other.pk])).status_code == 404

    client.force_login(instructor_of(ProcedureFactory()))
    response = client.get(reverse("agent:notifications"))
    assert response.status_code == 302 and response["Location"] == reverse("agent:procedures")


def test_the_sign_in_lockout_answers_429_with_a_french_page(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": user.email, "password": "pas-le-bon-mot-de-passe"})
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "pas-le-bon-mot-de-passe"})
    page = response.content.decode()
    assert response.status_code == 429 and "<h1>Connexion bloquée temporairement</h1>" in page
    assert f'href="{reverse("public:home")}">Retour à l’accueil</a>' in page


def test_the_500_page_is_drawn_even_when_the_persons_header_cannot_be(error_urls, monkeypatch):
    def header_fails(*args, **kwargs):
        raise RuntimeError("La base de données ne répond pas")

    monkeypatch.setattr("guichet.www.errors.render", header_fails)
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    page = assert_error_page(client.get("/essai/500/"), 500, "Erreur inattendue")
    # Drawn as for someone not signed in: nothing read from the database.
    assert "Se déconnecter" not in page and "Se connecter" in page
