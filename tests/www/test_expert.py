"""Experts through HTTP: invited by email (account created, password chosen through the link),
they see the one dossier while invited, give their opinion once; the instructors read it."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse

from guichet.accounts.models import User
from guichet.instruction.models import ExpertInvitation
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db

PDF = minimal_pdf()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return send


@pytest.fixture
def dossier():
    return DossierFactory(
        procedure=ProcedureFactory(title="Travaux sur monument"), in_instruction=True, answers={"objet": "Toiture"}
    )


@pytest.fixture
def instructor(dossier):
    return instructor_of(dossier.procedure, email="instructrice@drac.fr")


def test_a_new_expert_is_invited_chooses_a_password_and_answers(client, post, dossier, instructor):
    client.force_login(instructor)
    mail.outbox.clear()
    response = post(
        reverse("agent:expert_invite", args=[dossier.pk]),
        {"email": "Architecte@Exemple.fr", "question": "La toiture est-elle conforme ?", "ask_yes_no": "on"},
    )
    assert response.status_code == 302
    expert = User.objects.get(email="architecte@exemple.fr")
    assert not expert.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["architecte@exemple.fr"] and "La toiture est-elle conforme ?" in message.body
    password_link = re.search(r"(http://\S+/compte/\S+/)\n", message.body).group(1)

    # The link lets them choose a password, then they sign in and find the dossier.
    client.logout()
    form_page = client.get(password_link, follow=True)
    assert form_page.status_code == 200
    new_password = "Un mot de passe d’expert 2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert client.login(username="architecte@exemple.fr", password=new_password)
    invitation = ExpertInvitation.objects.get(expert=expert)
    assert reverse("expert:invitations") in client.get("/").content.decode()
    page = client.get(reverse("expert:invitation", args=[invitation.pk])).content.decode()
    assert "La toiture est-elle conforme ?" in page and "Toiture" in page

    # Without the yes/no asked, the answer is refused with the error next to the field.
    response = post(reverse("expert:invitation", args=[invitation.pk]), {"body": "Conforme."})
    assert response.status_code == 400 and "Répondez par oui ou par non." in response.content.decode()
    mail.outbox.clear()
    upload = io.BytesIO(PDF)
    upload.name = "rapport.pdf"
    response = post(
        reverse("expert:invitation", args=[invitation.pk]),
        {"yes_no": "true", "body": "Conforme.", "attachment": upload},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (
        invitation.answer == "Conforme."
        and invitation.answer_yes_no is True
        and invitation.answer_file.name == "rapport.pdf"
    )
    assert "instructrice@drac.fr" in mail.outbox[-1].to and expert.email not in mail.outbox[-1].to
    # Only once.
    post(reverse("expert:invitation", args=[invitation.pk]), {"yes_no": "false", "body": "Finalement non."})
    invitation.refresh_from_db()
    assert invitation.answer == "Conforme."

    # The instructor reads it on the dossier's page, with the report.
    client.force_login(instructor)
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Conforme." in page and "Réponse : oui" in page and "rapport.pdf" in page


def test_an_expert_sees_only_the_dossier_and_only_while_invited(client, post, dossier, instructor):
    expert = UserFactory(email="expert@exemple.fr")
    other = DossierFactory(procedure=dossier.procedure, submitted=True)
    client.force_login(instructor)
    post(reverse("agent:expert_invite", args=[dossier.pk]), {"email": expert.email, "question": "Avis ?"})
    invitation = ExpertInvitation.objects.get(expert=expert)
    stored = dossier.files.first()

    client.force_login(expert)
    assert client.get(reverse("expert:invitation", args=[invitation.pk])).status_code == 200
    # Not the back office, not another dossier, not someone else's invitation.
    assert client.get(reverse("agent:dossier_detail", args=[dossier.pk])).status_code == 403
    assert client.get(reverse("usager:dossier_detail", args=[other.pk])).status_code == 404
    someone = UserFactory()
    client.force_login(someone)
    assert client.get(reverse("expert:invitation", args=[invitation.pk])).status_code == 404
    assert client.get(reverse("expert:invitations")).status_code == 200  # an empty list

    # Revoked: the expert no longer sees it.
    client.force_login(instructor)
    post(reverse("agent:expert_revoke", args=[dossier.pk, invitation.pk]))
    client.force_login(expert)
    assert client.get(reverse("expert:invitation", args=[invitation.pk])).status_code == 404
    if stored is not None:
        assert client.get(reverse("expert:file", args=[invitation.pk, stored.key])).status_code == 404
    assert reverse("expert:invitations") not in client.get("/").content.decode()


def test_only_the_dossiers_instructors_invite_and_revoke(client, post, dossier, instructor):
    stranger = instructor_of(ProcedureFactory())
    client.force_login(stranger)
    response = post(reverse("agent:expert_invite", args=[dossier.pk]), {"email": "x@exemple.fr", "question": "?"})
    assert response.status_code == 404
    assert not ExpertInvitation.objects.exists()
    client.force_login(instructor)
    response = post(reverse("agent:expert_invite", args=[dossier.pk]), {"email": "pas-une-adresse", "question": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Cette adresse n’est pas valide." in page and "Indiquez la question posée à l’expert." in page
    response = post(
        reverse("agent:expert_invite", args=[dossier.pk]), {"email": dossier.applicant.email, "question": "?"}
    )
    assert response.status_code == 400 and "ne peut pas être expert de son propre dossier" in response.content.decode()
