"""The public verification page: genuine, unknown and tampered documents; nothing personal shown."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guichet.documents.verification import Verdict, pdf_verify
from tests.documents.conftest import pdf_of
from tests.documents.test_acts import one_byte_changed


@pytest.fixture
def act(draft, submit):
    act = submit(draft)
    act.refresh_from_db()
    return act


def upload(data: bytes, name: str = "acte.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_the_qr_code_page_shows_a_genuine_act_without_personal_data(client, act, draft):
    page = client.get(reverse("public:act_verify", args=[act.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mairie de Villebourg" in html and "Accusé de réception" in html and act.sha256 in html
    assert act.code_display in html and "PAdES-B-B" in html
    identity = draft.identity
    for personal in (identity["family_name"], identity["given_name"], draft.applicant.email, "pied d’arbre"):
        assert personal not in html
    # A code typed by a person, in lower case with dashes, leads to the same act.
    response = client.get(reverse("public:act_verify_home"), {"code": act.code_display.lower()})
    assert response["Location"] == reverse("public:act_verify", args=[act.code])


def test_uploading_the_act_itself_says_it_is_genuine(client, act):
    response = client.post(reverse("public:act_verify", args=[act.code]), {"fichier": upload(pdf_of(act))})
    html = response.content.decode()
    assert response.status_code == 200 and "Document authentique" in html and "Document modifié" not in html


def test_one_byte_changed_is_a_tampered_document(client, act):
    tampered = one_byte_changed(pdf_of(act))
    assert pdf_verify(tampered).verdict == Verdict.TAMPERED
    for url in (reverse("public:act_verify", args=[act.code]), reverse("public:act_verify_home")):
        html = client.post(url, {"fichier": upload(tampered)}).content.decode()
        assert "Document modifié" in html and "Document authentique" not in html and act.code_display in html


def test_the_home_page_recognises_a_genuine_file_by_its_fingerprint(client, act):
    html = client.post(reverse("public:act_verify_home"), {"fichier": upload(pdf_of(act))}).content.decode()
    assert "Document authentique" in html and "Mairie de Villebourg" in html


def test_an_unknown_code_or_document(client, db):
    response = client.get(reverse("public:act_verify", args=["ABCD-EFGH-JKMN"]))
    assert response.status_code == 404 and "Code inconnu" in response.content.decode()
    response = client.get(reverse("public:act_verify", args=["n-importe-quoi"]))
    assert response.status_code == 404
    html = client.post(
        reverse("public:act_verify_home"), {"fichier": upload(b"%PDF-1.7\n% un autre document\n%%EOF\n")}
    ).content.decode()
    assert "Document inconnu" in html


def test_a_file_that_is_not_a_pdf_is_refused_clearly(client, db):
    response = client.post(reverse("public:act_verify_home"), {"fichier": upload(b"bonjour", "texte.pdf")})
    assert response.status_code == 400 and "Ce fichier n’est pas un PDF." in response.content.decode()
    response = client.get(reverse("public:act_verify_home"), {"code": "trop-court"})
    assert "n’a pas la forme d’un code" in response.content.decode()


def test_an_unknown_code_is_shown_as_typed_not_as_normalised(client, db):
    # I and L read as 1 to find an act: that reading is never shown back as what the person typed.
    response = client.get(reverse("public:act_verify_home"), {"code": "ABCD-EFGH-IJKL"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 404
    assert "« ABCD-EFGH-IJKL »" in html and "ABCDEFGH1JK1" not in html


def test_the_act_page_does_not_repeat_a_title_that_is_its_kind(client, act):
    html = client.get(reverse("public:act_verify", args=[act.code])).content.decode()
    assert act.title == "Accusé de réception"
    assert "Accusé de réception — « Accusé de réception »" not in html
    assert "<dd>Accusé de réception</dd>" in html
