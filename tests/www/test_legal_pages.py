"""The footer's legal pages: every page links to them, and each installation fills them from its
settings (GUICHET_LEGAL); the accessibility statement follows the RGAA model."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from guichet.www.public.legal import accessibility_conformity

pytestmark = pytest.mark.django_db

FOOTER_LINKS = {
    "Mentions légales": "public:legal_notice",
    "Données personnelles": "public:personal_data",
    "Gestion des cookies": "public:cookies",
    "Accessibilité : non conforme": "public:accessibility",
    "Plan du site": "public:site_map",
}


def legal(**values):
    return settings.GUICHET_LEGAL | values


def test_every_page_has_the_legal_links_in_its_footer(client):
    for url in (reverse("public:home"), reverse("accounts:login"), reverse("public:cookies")):
        html = client.get(url).content.decode()
        footer = html[html.index('id="pied-de-page"') :]
        for text, name in FOOTER_LINKS.items():
            assert f'href="{reverse(name)}">{text}</a>' in footer, (url, text)


def test_the_legal_notice_names_the_installations_publisher_director_and_host(client, settings):
    settings.GUICHET_LEGAL = legal(
        publisher="Mairie de Sainte-Croix-en-Val",
        publisher_address="2 rue de la Mairie, 45000 Sainte-Croix-en-Val",
        publication_director="Mme Anne Lefèvre, maire",
        host="Hébergeur Public SAS",
        host_address="10 rue du Centre, 59000 Lille",
    )
    html = client.get(reverse("public:legal_notice")).content.decode()
    assert "Mairie de Sainte-Croix-en-Val, 2 rue de la Mairie, 45000 Sainte-Croix-en-Val" in html
    assert "Mme Anne Lefèvre, maire" in html and "Hébergeur Public SAS, 10 rue du Centre, 59000 Lille" in html


def test_the_personal_data_page_gives_the_dpo_and_the_cnil(client, settings):
    settings.GUICHET_LEGAL = legal(dpo_contact="dpo@mairie.example.fr")
    html = client.get(reverse("public:personal_data")).content.decode()
    assert 'href="mailto:dpo@mairie.example.fr"' in html and "CNIL" in html


def test_the_cookies_page_lists_the_cookies_that_guichet_sets_and_says_no_consent_is_needed(client, django_user_model):
    html = client.get(reverse("public:cookies")).content.decode()
    assert "dispense de consentement" in html
    listed = set(re.findall(r'<code data-testid="cookie">([^<]+)</code>', html))
    # What a visitor's browser actually receives: the form's CSRF cookie, then after signing in the
    # session, and a confirmation's message.
    client.get(reverse("accounts:login"))
    user = django_user_model.objects.create_user(email="cookie@exemple.fr", password="Un mot de passe solide 2026")
    client.force_login(user)
    set_cookies = set(client.cookies)
    assert {settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME} <= set_cookies
    assert set_cookies <= listed and "messages" in listed


@pytest.mark.parametrize(
    ("rate", "state"),
    [
        ("", "non conforme"),
        ("pas encore", "non conforme"),
        ("32", "non conforme"),
        ("50", "partiellement conforme"),
        ("87,5 %", "partiellement conforme"),
        ("100", "totalement conforme"),
        ("120", "non conforme"),
    ],
)
def test_the_conformity_state_follows_the_rgaa_thresholds(rate, state):
    assert accessibility_conformity(rate).state == state


def test_the_accessibility_statement_follows_the_rgaa_model(client, settings):
    html = client.get(reverse("public:accessibility")).content.decode()
    assert "non conforme</strong>" in html and "faute d’audit" in html
    settings.GUICHET_LEGAL = legal(
        accessibility_rate="72.5",
        accessibility_auditor="Cabinet Audit Accessible",
        accessibility_audit_date="3 novembre 2026",
        accessibility_non_conformities=["Les graphiques de l’observatoire n’ont pas d’alternative textuelle complète."],
        accessibility_contact="accessibilite@mairie.example.fr",
    )
    html = client.get(reverse("public:accessibility")).content.decode()
    for part in (
        "partiellement conforme</strong>",
        "réalisé par Cabinet Audit Accessible le 3 novembre 2026 révèle que <strong>72,5 %</strong>",
        "Les graphiques de l’observatoire n’ont pas d’alternative textuelle complète.",
        "Dérogations pour charge disproportionnée",
        "Contenus non soumis à l’obligation d’accessibilité",
        "Établissement de cette déclaration d’accessibilité",
        "Technologies utilisées",
        "Environnement de test",
        'href="mailto:accessibilite@mairie.example.fr"',
        "Voies de recours",
        "Défenseur des droits",
        "l’indiquent quand l’administration qui a conçu la démarche l’a précisée",  # 11.13
    ):
        assert part in html, part
    footer = html[html.index('id="pied-de-page"') :]
    assert "Accessibilité : partiellement conforme</a>" in footer


def test_the_site_map_links_to_every_public_space(client):
    html = client.get(reverse("public:site_map")).content.decode()
    main = html[html.index('id="contenu"') : html.index('id="pied-de-page"')]
    for name in (
        "public:home",
        "usager:my_dossiers",
        "accounts:login",
        "accounts:signup",
        "accounts:profile",
        "public:act_verify_home",
        "observatoire:quality",
        "public:accessibility",
        "public:legal_notice",
        "public:personal_data",
        "public:cookies",
    ):
        assert f'href="{reverse(name)}"' in main, name
