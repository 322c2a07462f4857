"""Characters no text may hold (NUL, halves of UTF-16 pairs) and bodies too large, wherever they
come in (forms, query strings, file names, cookies, the API's JSON): refused in French, nothing
stored, on SQLite and on PostgreSQL alike (the request guard, guichet/www/middleware.py)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guichet.api.services import api_token_create
from guichet.core.models import AuditEvent
from guichet.dossiers.models import DossierFile, DossierState, Message, TransitionLog
from tests.factories import DossierFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

REFUSED_TITLE = "Caractères non acceptés"


@pytest.fixture
def applicant(client):
    user = UserFactory()
    client.force_login(user)
    return user


def assert_refused_page(response):
    page = response.content.decode()
    assert response.status_code == 400, page
    assert f"<h1>{REFUSED_TITLE}</h1>" in page and "Rien n’a été enregistré" in page
    assert 'href="/"' in page


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_saved(client, applicant):
    draft = DossierFactory(applicant=applicant)
    events = AuditEvent.objects.count()
    response = client.post(reverse("usager:dossier_page", args=[draft.pk, 1]), {"objet": "Copie\x00 d’acte"})
    assert_refused_page(response)
    draft.refresh_from_db()
    assert draft.answers == {"objet": "Une demande"} and AuditEvent.objects.count() == events
    # In a field's name as well.
    assert_refused_page(client.post(reverse("usager:dossier_page", args=[draft.pk, 1]), {"ob\x00jet": "Copie"}))


def test_a_nul_in_a_message_with_a_file_is_refused_and_neither_is_stored(client, applicant):
    dossier = DossierFactory(applicant=applicant, submitted=True)
    url = reverse("usager:dossier_message", args=[dossier.pk])
    upload = SimpleUploadedFile("piece.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert_refused_page(client.post(url, {"body": "Bonjour\x00", "attachment": upload}))
    assert not Message.objects.filter(dossier=dossier).exists() and not DossierFile.objects.exists()


def test_a_nul_in_a_query_string_is_refused(client):
    procedure = DossierFactory(submitted=True).procedure
    client.force_login(instructor_of(procedure))
    url = reverse("agent:dossier_list", args=[procedure.slug])
    assert client.get(url, {"q": "Dupont"}).status_code == 200
    assert_refused_page(client.get(url, {"q": "Dup\x00ont"}))


def test_a_nul_in_the_sign_in_form_is_refused_before_anything_is_looked_up(client):
    response = client.post(reverse("accounts:login"), {"username": "a\x00@example.fr", "password": "x" * 12})
    assert_refused_page(response)


def test_a_header_with_a_nul_is_refused_before_a_sign_in_stores_it(client):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": "mot-de-passe-de-test"},
        headers={"User-Agent": "Navigateur\x00"},
    )
    assert_refused_page(response)
    assert "_auth_user_id" not in client.session


def test_a_cookie_with_a_nul_is_ignored_rather_than_failing(client, applicant):
    client.cookies["sessionid"] = "abc\x00defghijklmnop"
    response = client.get(reverse("public:home"))
    assert response.status_code == 200 and "Se connecter" in response.content.decode()


def test_a_form_body_above_the_limit_is_refused_with_a_page(client, applicant, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    draft = DossierFactory(applicant=applicant)
    response = client.post(reverse("usager:dossier_page", args=[draft.pk, 1]), {"objet": "x" * 2000})
    page = response.content.decode()
    assert response.status_code == 413 and "<h1>Envoi trop volumineux</h1>" in page
    draft.refresh_from_db()
    assert draft.answers == {"objet": "Une demande"}


@pytest.fixture
def api_world():
    dossier = DossierFactory(submitted=True)
    instructor = instructor_of(dossier.procedure)
    key = api_token_create(actor=instructor, name="Logiciel").key
    url = f"/api/v1/instruction/dossiers/{dossier.pk}/decision"
    return {"dossier": dossier, "headers": {"Authorization": f"Bearer {key}"}, "url": url}


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ('{"decision": "start_instruction", "motivation": "Vu\\u0000"}', ["body", "motivation"]),
        ('{"decision": "start_instruction", "motivation": "Vu \\ud800"}', ["body", "motivation"]),
        ('{"decision": "start_instruction", "notes": ["ok", "\\udfff"]}', ["body", "notes", 1]),
    ],
)
def test_the_api_refuses_a_body_with_such_characters_with_its_json_error(client, api_world, raw, where):
    logs = TransitionLog.objects.count()
    response = client.post(api_world["url"], raw, content_type="application/json", headers=api_world["headers"])
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"].startswith("La requête contient des caractères qui ne peuvent pas être enregistrés")
    assert [error["loc"] for error in body["errors"]] == [where]
    api_world["dossier"].refresh_from_db()
    assert api_world["dossier"].state == DossierState.SUBMITTED and TransitionLog.objects.count() == logs


def test_the_api_refuses_such_characters_in_a_query_string(client, api_world):
    slug = api_world["dossier"].procedure.slug
    url = f"/api/v1/instruction/procedures/{slug}/dossiers"
    response = client.get(url, {"q": "a\x00"}, headers=api_world["headers"])
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["query", "q"]


def test_the_api_answers_413_to_a_body_above_the_limit(client, api_world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"decision": "start_instruction", "motivation": "x" * 2000})
    response = client.post(api_world["url"], body, content_type="application/json", headers=api_world["headers"])
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Le corps de la requête dépasse la taille acceptée (1000 octets). Rien n’a été enregistré."
    }
    api_world["dossier"].refresh_from_db()
    assert api_world["dossier"].state == DossierState.SUBMITTED
    # Under the limit, the same call goes through.
    body = json.dumps({"decision": "start_instruction", "motivation": "Vu"})
    response = client.post(api_world["url"], body, content_type="application/json", headers=api_world["headers"])
    assert response.status_code == 200 and response.json()["state"] == "in_instruction"


def test_our_pages_scripts_json_is_guarded_too_and_answered_in_json(client):
    # The WebAuthn ceremony posts JSON outside the API (a key's name typed with a NUL, say).
    body = '{"credential": {}, "name": "cl\\u0000e"}'
    response = client.post(reverse("accounts:webauthn_sign_in_verify"), body, content_type="application/json")
    assert response.status_code == 400 and "caractères qui ne peuvent pas être enregistrés" in response.json()["error"]


def test_a_nul_sent_by_the_pages_live_save_says_what_to_do_in_the_page(client, applicant):
    """htmx shows the error inside the dossier page (request_errors.js): no "previous page" there.
    Without JavaScript the whole error page comes, with its way back (the test above)."""
    draft = DossierFactory(applicant=applicant)
    url = reverse("usager:dossier_page", args=[draft.pk, 1])
    response = client.post(url, {"objet": "Copie\x00", "_refresh": "1"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 400 and f"<h1>{REFUSED_TITLE}</h1>" in page
    assert "Retapez le texte concerné au lieu de le coller : il sera alors enregistré." in page
    assert "Revenez à la page précédente" not in page
    draft.refresh_from_db()
    assert draft.answers == {"objet": "Une demande"}
