"""The applicant's journey through HTTP: start, fill (saved as they go), attach, submit once, follow,
exchange messages, correct, withdraw, delete, download, give an opinion; and nobody else's dossier."""

import io
import uuid

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guichet.core.models import AuditEvent
from guichet.dossiers.models import (
    Dossier,
    DossierFile,
    DossierSnapshot,
    DossierState,
    Message,
    Opinion,
    TransitionName,
)
from guichet.dossiers.workflow import dossier_transition
from guichet.instruction.messages import message_send
from tests.documents.test_pdfa import assert_pdfa_agrees
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db

PDF = minimal_pdf()
DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [
                {"id": "objet", "type": "text", "label": "Objet de la demande", "required": True},
                {"id": "urgent", "type": "yes_no", "label": "Est-ce urgent ?", "required": True},
                {
                    "id": "motif_urgence",
                    "type": "textarea",
                    "label": "Pourquoi est-ce urgent ?",
                    "required": True,
                    "condition": {"all": [{"field": "urgent", "op": "eq", "value": True}]},
                },
            ],
        },
        {
            "id": "pieces",
            "title": "Pièces justificatives",
            "fields": [
                {
                    "id": "justificatif",
                    "type": "file",
                    "label": "Justificatif",
                    "required": True,
                    "accept": ["application/pdf"],
                    "max_files": 1,
                }
            ],
        },
    ]
}


@pytest.fixture
def procedure():
    return ProcedureFactory(draft_definition=DEFINITION, processing_days=30)


@pytest.fixture
def applicant(client):
    user = UserFactory()
    client.force_login(user)
    return user


def start(client, procedure, key=None) -> Dossier:
    response = client.post(reverse("usager:dossier_start", args=[procedure.slug]), {"cle": str(key or uuid.uuid4())})
    assert response.status_code == 302
    return Dossier.objects.latest("pk")


def page_url(dossier, number):
    return reverse("usager:dossier_page", args=[dossier.pk, number])


def fill(client, dossier, *, objet="Copie d’acte", urgent="false", pdf=PDF):
    client.post(page_url(dossier, 1), {"objet": objet, "urgent": urgent, "motif_urgence": "Départ à l’étranger"})
    upload = SimpleUploadedFile("../../etc/passwd.pdf", pdf, content_type="text/plain")
    return client.post(page_url(dossier, 2), {"justificatif": upload})


def submit(client, dossier):
    return client.post(reverse("usager:dossier_summary", args=[dossier.pk]))


def test_the_procedure_page_starts_one_draft_even_on_a_double_click(client, applicant, procedure):
    detail = client.get(reverse("public:procedure_detail", args=[procedure.slug])).content.decode()
    assert "Commencer la démarche" in detail
    key = uuid.uuid4()
    first, second = start(client, procedure, key), start(client, procedure, key)
    assert first.pk == second.pk and Dossier.objects.filter(applicant=applicant).count() == 1
    assert first.state == DossierState.DRAFT and first.version == procedure.latest_version
    detail = client.get(reverse("public:procedure_detail", args=[procedure.slug])).content.decode()
    assert f"Reprendre le brouillon n°{first.pk}" in detail


def test_an_anonymous_visitor_is_asked_to_sign_in_first(client, procedure):
    detail = client.get(reverse("public:procedure_detail", args=[procedure.slug])).content.decode()
    assert "Se connecter pour commencer" in detail
    response = client.post(reverse("usager:dossier_start", args=[procedure.slug]), {"cle": str(uuid.uuid4())})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert not Dossier.objects.exists()


def test_answers_are_saved_as_the_person_goes_and_resume_where_they_left(client, applicant, procedure):
    dossier = start(client, procedure)
    # htmx sends the page on each change: it is saved, and the conditional question appears.
    response = client.post(
        page_url(dossier, 1), {"objet": "Copie", "urgent": "true", "_refresh": "1"}, HTTP_HX_REQUEST="true"
    )
    assert "Pourquoi est-ce urgent ?" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.answers == {"objet": "Copie", "urgent": True}
    # Without JavaScript: "Enregistrer le brouillon" keeps the person on the page.
    response = client.post(page_url(dossier, 1), {"objet": "Copie intégrale", "urgent": "false", "_save": "1"})
    assert response.status_code == 302 and response["Location"] == page_url(dossier, 1)
    assert "Votre brouillon est enregistré" in client.get(page_url(dossier, 1)).content.decode()
    client.post(page_url(dossier, 1), {"objet": "Copie intégrale", "urgent": "false"})
    client.get(page_url(dossier, 2))
    # Coming back later: the dossier opens where they left.
    response = client.get(reverse("usager:dossier_detail", args=[dossier.pk]))
    assert response["Location"] == page_url(dossier, 2)
    dossier.refresh_from_db()
    assert dossier.answers == {"objet": "Copie intégrale", "urgent": False}
    assert AuditEvent.objects.filter(action="dossier.answers_save", object_id=str(dossier.pk)).exists()


def test_a_live_update_overtaken_by_a_later_one_does_not_replace_its_answers(client, applicant, procedure):
    dossier = start(client, procedure)
    tab = "0123456789abcdef0123456789abcdef"

    def send(answers, sent_at, tab=tab, **extra):
        data = {**answers, "_onglet": tab, "_envoi": str(sent_at), "_refresh": "1", **extra}
        return client.post(page_url(dossier, 1), data, HTTP_HX_REQUEST="true")

    # The tab sent "objet" alone, then "objet" and "urgent"; the second sending arrives first.
    assert send({"objet": "Copie", "urgent": "true"}, 1_780_000_000_200).status_code == 200
    late = send({"objet": "Copie", "urgent": ""}, 1_780_000_000_100)
    assert late.status_code == 200 and "Pourquoi est-ce urgent ?" in late.content.decode()  # what is saved
    dossier.refresh_from_db()
    assert dossier.answers == {"objet": "Copie", "urgent": True}
    assert (dossier.answers_tab, dossier.answers_order) == (tab, 1_780_000_000_200)
    # A later sending of that tab, another tab, and a page sent without JavaScript are all saved.
    send({"objet": "Copie intégrale", "urgent": "true"}, 1_780_000_000_300)
    dossier.refresh_from_db()
    assert dossier.answers["objet"] == "Copie intégrale"
    send({"objet": "Extrait", "urgent": "true"}, 5, tab="fedcba9876543210")
    dossier.refresh_from_db()
    assert dossier.answers["objet"] == "Extrait"
    client.post(page_url(dossier, 1), {"objet": "Extrait avec filiation", "urgent": "true", "_save": "1"})
    dossier.refresh_from_db()
    assert dossier.answers["objet"] == "Extrait avec filiation"
    # Values that are not the script's are ignored: the answers are saved as without JavaScript.
    send({"objet": "Acte", "urgent": "true"}, "1e3", tab="../../x")
    dossier.refresh_from_db()
    assert dossier.answers["objet"] == "Acte" and dossier.answers_tab == "fedcba9876543210"


def test_a_page_with_errors_keeps_what_was_typed_and_links_each_error(client, applicant, procedure):
    dossier = start(client, procedure)
    response = client.post(page_url(dossier, 1), {"objet": "", "urgent": "false", "motif_urgence": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Erreur : " in html
    assert 'href="#champ-objet"' in html and "fr-error-text" in html
    dossier.refresh_from_db()
    assert dossier.answers == {"urgent": False}


def test_an_attachment_is_stored_under_a_random_name_and_typed_by_its_content(client, applicant, procedure):
    dossier = start(client, procedure)
    fill(client, dossier)
    dossier.refresh_from_db()
    stored = DossierFile.objects.get(dossier=dossier)
    assert dossier.answers["justificatif"] == [
        {"name": "passwd.pdf", "size": len(PDF), "content_type": "application/pdf", "key": str(stored.key)}
    ]
    assert stored.content.name.startswith(f"dossiers/{dossier.pk}/") and "passwd" not in stored.content.name
    download = client.get(reverse("usager:dossier_file", args=[dossier.pk, stored.key]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf" and 'filename="passwd.pdf"' in download["Content-Disposition"]
    # A text file named .pdf is refused for what it is.
    response = client.post(
        page_url(dossier, 2), {"justificatif": SimpleUploadedFile("faux.pdf", b"hello", content_type="application/pdf")}
    )
    assert "Le fichier « faux.pdf » n’est pas d’un type accepté" in response.content.decode()
    assert DossierFile.objects.filter(dossier=dossier).count() == 1  # the refused file is not kept
    # "Retirer" takes it off the answers.
    client.post(page_url(dossier, 2), {"_remove_file": "justificatif.0"})
    dossier.refresh_from_db()
    assert "justificatif" not in dossier.answers


def test_submitting_files_the_dossier_once_with_number_group_snapshot_and_email(
    client, applicant, procedure, django_capture_on_commit_callbacks
):
    dossier = start(client, procedure)
    fill(client, dossier)
    summary = client.get(reverse("usager:dossier_summary", args=[dossier.pk])).content.decode()
    assert "Déposer le dossier" in summary and "passwd.pdf" in summary
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first, second = submit(client, dossier), submit(client, dossier)
    confirmation = reverse("usager:dossier_submitted", args=[dossier.pk])
    assert first["Location"] == confirmation and second["Location"] == confirmation
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED and dossier.number and dossier.group.is_default
    assert Dossier.objects.filter(applicant=applicant).count() == 1
    snapshot = DossierSnapshot.objects.get(dossier=dossier)
    assert snapshot.answers == dossier.answers and snapshot.kind == DossierSnapshot.Kind.SUBMISSION
    assert len(mail.outbox) == 1 and dossier.number in mail.outbox[0].subject
    assert "Délai d’instruction prévu : 30 jours" in mail.outbox[0].body
    page = client.get(confirmation).content.decode()
    assert f"Votre dossier n°{dossier.number} est déposé" in page and "Et maintenant ?" in page
    assert "De façon générale, comment ça s’est passé ?" in page
    # Filed: its pages no longer take answers.
    response = client.post(page_url(dossier, 1), {"objet": "Changement", "urgent": "false"})
    assert response["Location"] == reverse("usager:dossier_detail", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.answers["objet"] == "Copie d’acte"


def test_an_incomplete_dossier_is_not_filed(client, applicant, procedure):
    dossier = start(client, procedure)
    client.post(page_url(dossier, 1), {"objet": "Copie", "urgent": "false"})
    summary = client.get(reverse("usager:dossier_summary", args=[dossier.pk])).content.decode()
    assert "Déposer le dossier" not in summary and "Une réponse est à compléter" in summary
    response = submit(client, dossier)
    assert response["Location"] == reverse("usager:dossier_summary", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT and dossier.number is None


def test_an_expired_session_loses_nothing_typed(client, procedure):
    applicant = UserFactory()
    client.force_login(applicant)
    dossier = start(client, procedure)
    client.logout()
    response = client.post(page_url(dossier, 1), {"objet": "Saisi pendant l’expiration", "urgent": "false"})
    login = reverse("accounts:login")
    assert response.status_code == 302 and response["Location"] == f"{login}?next={page_url(dossier, 1)}"
    client.force_login(applicant)
    page = client.get(page_url(dossier, 1)).content.decode()
    assert "Les réponses saisies avant l’expiration de votre session sont enregistrées" in page
    dossier.refresh_from_db()
    assert dossier.answers == {"objet": "Saisi pendant l’expiration", "urgent": False}
    # htmx's autosave is told where to sign in.
    client.logout()
    response = client.post(page_url(dossier, 1), {"objet": "x", "_refresh": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(login)


def test_my_dossiers_lists_each_with_its_state_and_next_action(client, applicant, procedure):
    draft = start(client, procedure)
    filed = DossierFactory(applicant=applicant, submitted=True)
    DossierFactory(submitted=True)  # someone else's
    html = client.get(reverse("usager:my_dossiers")).content.decode()
    assert f"Brouillon n°{draft.pk}" in html and f"n°{filed.number}" in html
    assert "Compléter et déposer le dossier" in html and "Rien : le dossier attend d’être examiné" in html
    assert html.count('data-testid="dossier-carte"') == 2  # one card each, no table to scroll sideways
    assert "<table" not in html


def test_the_dossier_page_shows_answers_history_and_messages_both_ways(
    client, applicant, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(applicant=applicant, in_instruction=True, answers={"objet": "<script>alert(1)</script>"})
    instructor = instructor_of(dossier.procedure)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=instructor, dossier=dossier, body="Merci de préciser l’adresse.")
    assert mail.outbox[-1].to == [applicant.email]
    html = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "Dossier déposé" in html and "Dossier pris en charge" in html
    assert "Merci de préciser l’adresse." in html and "L’administration" in html
    mail.outbox.clear()
    attachment = SimpleUploadedFile("plan.pdf", PDF)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("usager:dossier_message", args=[dossier.pk]), {"body": "Voici le plan.", "attachment": attachment}
        )
    assert response.status_code == 302
    message = Message.objects.get(dossier=dossier, author=applicant)
    assert message.files[0].content_type == "application/pdf"
    assert {email for m in mail.outbox for email in m.to} >= {
        u.email for u in dossier.group.members.all()
    }  # the instructors are told
    empty = client.post(reverse("usager:dossier_message", args=[dossier.pk]), {"body": "  "})
    assert empty.status_code == 400 and "Écrivez votre message." in empty.content.decode()
    program = SimpleUploadedFile("note.pdf", b"\x7fELF\x02\x01\x01" + bytes(200))
    refused = client.post(
        reverse("usager:dossier_message", args=[dossier.pk]), {"body": "Et ça", "attachment": program}
    )
    assert refused.status_code == 400
    assert "Le fichier « note.pdf » n’est pas d’un type accepté" in refused.content.decode()
    assert "Et ça" in refused.content.decode()  # what was typed is still there
    assert dossier.messages.count() == 2


def test_every_form_refuses_a_post_without_its_csrf_token(applicant):
    from django.test import Client

    dossier = DossierFactory(applicant=applicant, submitted=True)
    draft = DossierFactory(applicant=applicant)
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    for url in (
        reverse("usager:dossier_start", args=[draft.procedure.slug]),
        page_url(draft, 1),
        reverse("usager:dossier_summary", args=[draft.pk]),
        reverse("usager:dossier_message", args=[dossier.pk]),
        reverse("usager:dossier_opinion", args=[dossier.pk]),
        reverse("usager:dossier_withdraw", args=[dossier.pk]),
        reverse("usager:dossier_delete", args=[draft.pk]),
    ):
        assert client.post(url, {"objet": "x", "body": "x", "overall": "10"}).status_code == 403, url
    draft.refresh_from_db()
    assert draft.answers == {"objet": "Une demande"} and dossier.messages.count() == 0


def test_corrections_are_asked_made_and_resubmitted_with_the_changes_visible(
    client, applicant, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(applicant=applicant, in_instruction=True)
    instructor = instructor_of(dossier.procedure)
    dossier_transition(
        dossier=dossier, name=TransitionName.REQUEST_CORRECTION, actor=instructor, motivation="Objet imprécis."
    )
    detail = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert "L’administration vous demande une correction" in detail and "Objet imprécis." in detail
    assert "Corriger le dossier à la demande" in client.get(reverse("usager:my_dossiers")).content.decode()
    client.post(page_url(dossier, 1), {"objet": "Objet précisé"})
    summary = client.get(reverse("usager:dossier_summary", args=[dossier.pk])).content.decode()
    assert "Déposer mes corrections" in summary
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, dossier)
    assert response["Location"] == reverse("usager:dossier_detail", args=[dossier.pk])
    snapshot = dossier.snapshots.latest("created_at")
    assert snapshot.kind == DossierSnapshot.Kind.CORRECTION and snapshot.changed_fields == ["objet"]
    assert snapshot.answers["objet"] == "Objet précisé"
    assert not dossier.correction_requests.filter(resolved_at__isnull=True).exists()
    assert any("corrigé" in m.subject for m in mail.outbox)
    detail = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Corrections déposées" in detail and "Objet de la demande" in detail and "Objet précisé" in detail
    # Resubmitting again changes nothing more.
    submit(client, dossier)
    assert dossier.snapshots.count() == 2


def test_a_filed_dossier_is_withdrawn_before_the_decision_only(client, applicant):
    dossier = DossierFactory(applicant=applicant, submitted=True)
    url = reverse("usager:dossier_withdraw", args=[dossier.pk])
    assert "Retirer mon dossier" in client.get(url).content.decode()
    client.post(url, {"reason": "Plus besoin."})
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN
    assert (
        "Dossier retiré à votre demande"
        in client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    )
    decided = DossierFactory(applicant=applicant, accepted=True)
    client.post(reverse("usager:dossier_withdraw", args=[decided.pk]))
    decided.refresh_from_db()
    assert decided.state == DossierState.ACCEPTED


def test_a_draft_is_deleted_with_its_files_but_a_filed_dossier_is_not(
    client, applicant, procedure, django_capture_on_commit_callbacks
):
    dossier = start(client, procedure)
    fill(client, dossier)
    stored = DossierFile.objects.get(dossier=dossier)
    storage, name = stored.content.storage, stored.content.name
    assert storage.exists(name)
    url = reverse("usager:dossier_delete", args=[dossier.pk])
    assert "Supprimer le brouillon" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == reverse("usager:my_dossiers")
    assert not Dossier.objects.filter(pk=dossier.pk).exists() and not storage.exists(name)
    filed = DossierFactory(applicant=applicant, submitted=True)
    client.post(reverse("usager:dossier_delete", args=[filed.pk]))
    assert Dossier.objects.filter(pk=filed.pk).exists()


def test_the_dossier_downloads_as_a_pdf(client, applicant):
    dossier = DossierFactory(applicant=applicant, submitted=True)
    response = client.get(reverse("usager:dossier_pdf", args=[dossier.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and f"dossier-{dossier.number}.pdf" in response["Content-Disposition"]
    from pypdf import PdfReader  # noqa: PLC0415

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert dossier.number in text and "Une demande" in text
    assert_pdfa_agrees(response.content)  # PDF/A-3a on PDF 1.7, as the archives want it


def test_the_opinion_is_given_once_per_dossier(client, applicant):
    dossier = DossierFactory(applicant=applicant, submitted=True)
    url = reverse("usager:dossier_opinion", args=[dossier.pk])
    invalid = client.post(url, {"clarity": "4"})
    assert invalid.status_code == 400 and "Dites-nous comment ça s’est passé." in invalid.content.decode()
    client.post(
        url,
        {
            "overall": "10",
            "clarity": "4",
            "help_needed": "true",
            "help_channels": ["phone", "relative"],
            "help_reached": "true",
            "help_quality": "5",
            "comment": "Très simple.",
        },
    )
    opinion = Opinion.objects.get(dossier=dossier)
    assert (opinion.overall, opinion.clarity, opinion.help_channels, opinion.help_quality) == (
        10, 4, ["phone", "relative"], 5,
    )  # fmt: skip
    assert opinion.procedure == dossier.procedure
    client.post(url, {"overall": "0"})
    assert Opinion.objects.get(dossier=dossier).overall == 10


def test_nobody_reaches_another_persons_dossier(client, procedure):
    owner = UserFactory()
    client.force_login(owner)
    draft = start(client, procedure)
    fill(client, draft)
    stored = DossierFile.objects.get(dossier=draft)
    filed = DossierFactory(applicant=owner, submitted=True)
    urls = {
        "get": [
            reverse("usager:dossier_detail", args=[filed.pk]),
            page_url(draft, 1),
            reverse("usager:dossier_summary", args=[draft.pk]),
            reverse("usager:dossier_submitted", args=[filed.pk]),
            reverse("usager:dossier_file", args=[draft.pk, stored.key]),
            reverse("usager:dossier_withdraw", args=[filed.pk]),
            reverse("usager:dossier_delete", args=[draft.pk]),
            reverse("usager:dossier_pdf", args=[filed.pk]),
        ],
        "post": [
            page_url(draft, 1),
            reverse("usager:dossier_summary", args=[draft.pk]),
            reverse("usager:dossier_opinion", args=[filed.pk]),
            reverse("usager:dossier_message", args=[filed.pk]),
            reverse("usager:dossier_withdraw", args=[filed.pk]),
            reverse("usager:dossier_delete", args=[draft.pk]),
        ],
    }
    client.force_login(UserFactory())
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"objet": "Intrusion", "body": "x", "overall": "0"}).status_code == 404, url
    # The file of another dossier is not reached through one's own dossier either.
    own = DossierFactory(applicant=UserFactory(), submitted=True)
    client.force_login(own.applicant)
    assert client.get(reverse("usager:dossier_file", args=[own.pk, stored.key])).status_code == 404
    draft.refresh_from_db()
    filed.refresh_from_db()
    assert draft.answers.get("objet") == "Copie d’acte" and filed.state == DossierState.SUBMITTED
    client.logout()
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_the_identity_is_shown_with_the_dossier_and_kept_at_submission(client, applicant, procedure):
    dossier = start(client, procedure)
    page = client.get(page_url(dossier, 1)).content.decode()
    assert "Identité du demandeur" in page and applicant.last_name in page
    assert "Modifier mon nom et mon prénom dans « Mon compte »" in page
    fill(client, dossier)
    submit(client, dossier)
    dossier.refresh_from_db()
    assert dossier.identity == {
        "given_name": applicant.first_name,
        "family_name": applicant.last_name,
        "email": applicant.email,
        "certified_by": "",
    }


def test_an_identity_certified_by_franceconnect_is_prefilled_locked_and_frozen(client, applicant, procedure):
    from datetime import date

    from guichet.accounts.models import FranceConnectIdentity

    FranceConnectIdentity.objects.create(
        user=applicant,
        sub="abc123",
        given_name="Angela Claire Louise",
        family_name="DUBOIS",
        birthdate=date(1962, 8, 24),
        birthplace="75107",
        birthcountry="99100",
    )
    dossier = start(client, procedure)
    page = client.get(page_url(dossier, 1)).content.decode()
    assert "Identité certifiée par FranceConnect" in page and "24/08/1962" in page
    assert "elles ne peuvent pas être modifiées ici" in page and "Modifier mon nom" not in page
    fill(client, dossier)
    submit(client, dossier)
    dossier.refresh_from_db()
    assert dossier.identity["certified_by"] == "FranceConnect" and dossier.identity["birthdate"] == "1962-08-24"
    # Frozen: a later sign-in with other data does not change what was filed.
    FranceConnectIdentity.objects.filter(user=applicant).update(family_name="MARTIN")
    detail = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert "DUBOIS" in detail and "MARTIN" not in detail


def test_reprendre_takes_back_to_the_page_the_answers_sent_the_person_to(client, applicant, procedure):
    """The answers are saved with the page that their sending leads to, before it is even shown:
    the next page once a page is complete, the same page when it has errors, the one before for
    « Précédent », the summary (0) after the last page."""
    dossier = start(client, procedure)
    client.post(page_url(dossier, 1), {"objet": "", "urgent": "false"})
    dossier.refresh_from_db()
    assert dossier.resume_page == 1 and dossier.answers["urgent"] is False
    client.post(page_url(dossier, 1), {"objet": "Copie d’acte", "urgent": "false"})
    dossier.refresh_from_db()
    assert dossier.resume_page == 2 and dossier.answers["objet"] == "Copie d’acte"
    client.post(page_url(dossier, 2), {"_previous": "1"})
    dossier.refresh_from_db()
    assert dossier.resume_page == 1
    fill(client, dossier)
    dossier.refresh_from_db()
    assert dossier.resume_page == 0
