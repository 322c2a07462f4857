"""What the sender of a received case adds to it afterwards (a message, files deposited) becomes one
message from the applicant on the dossier, its files checked like any upload, the instructors told;
once, whatever HubEE delivers again or fails to hear."""

import pytest
from django.urls import reverse

from guichet.accounts.models import User
from guichet.dossiers.models import Message
from guichet.exchanges.models import ReceivedCase, ReceivedEvent
from guichet.exchanges.receiving import hubee_poll
from guichet.instruction.models import InstructorNotification
from tests.connectors.hubee.hub_cases import digest_of
from tests.connectors.hubee.stand_in import NORMAL, UNAVAILABLE
from tests.exchanges.conftest import PDF, deposit
from tests.factories import instructor_of
from tests.samples import EICAR, REFUSED_UPLOADS

EXE, WRONG_TYPE = REFUSED_UPLOADS["programme.exe"]


def _poll(capture):
    with capture(execute=True):
        return hubee_poll()


def _waiting(setup) -> list[dict]:
    return [n for n in setup["hubee"].hub.notifications.values() if n["recipient"]["type"] == "SI"]


@pytest.fixture
def received(town_setup, django_capture_on_commit_callbacks, private_disk):
    """A case received as a filed dossier, an instructor on its group; post(...) is the sender adding
    an event to it (notifying the town hall), poll() the town hall's next round."""
    hub = town_setup["hubee"].hub
    instructor = instructor_of(town_setup["procedure"])
    case = deposit(town_setup)
    _poll(django_capture_on_commit_callbacks)
    dossier = ReceivedCase.objects.get(case_id=case["id"]).dossier
    InstructorNotification.objects.all().delete()  # the new dossier's notice

    def post(**kwargs) -> dict:
        return hub.event_post(town_setup["osl"], case["id"], **kwargs)

    return {
        **town_setup,
        "hub": hub,
        "case": case,
        "dossier": dossier,
        "instructor": instructor,
        "post": post,
        "poll": lambda: _poll(django_capture_on_commit_callbacks),
    }


def _messages(dossier) -> list[Message]:
    return list(Message.objects.filter(dossier=dossier).prefetch_related("attachments__file"))


def _contents(message: Message) -> list[tuple[str, bytes]]:
    found = []
    for file in message.files:
        with file.content.open("rb") as stored:
            found.append((file.name, stored.read()))
    return found


def test_a_message_from_the_sender_becomes_the_applicants_message(received, client):
    event = received["post"](action="SENDING_MESSAGE", message="Je précise : acte intégral.", author="Camille Martin")
    report = received["poll"]()
    assert (report.events, report.messages, report.failures) == (1, 1, [])
    [message] = _messages(received["dossier"])
    assert message.author_role == Message.AuthorRole.APPLICANT
    assert message.author == received["subscription"].applicant_account == received["dossier"].applicant
    assert "transmis par HubEE" in message.body and "(auteur : Camille Martin)" in message.body
    assert "Je précise : acte intégral." in message.body and message.files == []
    # Taken into account on HubEE's side, the notification gone.
    assert event["status"] == "RECEIVED" and _waiting(received) == []
    # The instructors are told as for any message from an applicant, and read it on the dossier's page.
    notice = InstructorNotification.objects.get(user=received["instructor"], dossier=received["dossier"])
    assert notice.kind == InstructorNotification.Kind.MESSAGE and "Nouveau message de l’usager" in notice.text
    client.force_login(received["instructor"])
    page = client.get(reverse("agent:dossier_detail", args=[received["dossier"].pk]))
    assert page.status_code == 200 and "Je précise : acte intégral." in page.content.decode()


def test_files_deposited_by_the_sender_come_with_one_message(received, client):
    received["post"](action="ATTACH_DEPOSIT", files=[("livret.pdf", "LIVRET", "application/pdf", PDF)])
    assert received["poll"]().messages == 1
    [message] = _messages(received["dossier"])
    assert _contents(message) == [("livret.pdf", PDF)]
    assert "Fichier(s) joint(s) : 1." in message.body and "auteur" not in message.body
    # On the dossier's pages as any message's file: the instructor downloads it...
    dossier, [file] = received["dossier"], message.files
    client.force_login(received["instructor"])
    link = reverse("agent:dossier_file", args=[dossier.pk, file.key])
    assert link in client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert b"".join(client.get(link).streaming_content) == PDF
    # ... and the applicant's page shows it as theirs (the deposit account signs in nowhere: were it
    # to, this is what it would see).
    User.objects.filter(pk=dossier.applicant_id).update(is_active=True)
    client.force_login(dossier.applicant)
    page = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert reverse("usager:dossier_file", args=[dossier.pk, file.key]) in page and "transmis par HubEE" in page


def test_a_message_and_its_files_make_one_message(received):
    files = [("livret.pdf", "LIVRET", "application/pdf", PDF), ("copie.pdf", "COPIE", "application/pdf", PDF)]
    received["post"](action="ATTACH_DEPOSIT", message="Voici les deux pièces.", comment="Dossier urgent", files=files)
    received["post"](action="COM_ADD", message="Merci d’avance.")
    assert received["poll"]().messages == 2
    first, second = _messages(received["dossier"])
    assert [name for name, _ in _contents(first)] == ["livret.pdf", "copie.pdf"]
    assert "Voici les deux pièces." in first.body
    assert "Commentaire à l’intention du service instructeur : Dossier urgent" in first.body
    assert "Merci d’avance." in second.body and second.files == []
    assert InstructorNotification.objects.filter(user=received["instructor"]).count() == 2


def test_an_event_delivered_again_makes_no_second_message(received):
    hub = received["hub"]
    event = received["post"](action="SENDING_MESSAGE", message="Une seule fois.")
    received["poll"]()
    case = hub.cases[received["case"]["id"]]
    hub._notify(recipient=case["recipient"], transmitter=case["transmitter"], case=case, event_id=event["id"])
    report = received["poll"]()
    assert (report.events, report.messages) == (1, 0)
    assert len(_messages(received["dossier"])) == 1 and _waiting(received) == []
    assert ReceivedEvent.objects.get().message == _messages(received["dossier"])[0]


def test_an_acknowledgement_lost_is_made_at_the_next_round_without_a_second_message(received):
    event = received["post"](action="SENDING_MESSAGE", message="Reçu ?")
    # GET /notifications and GET the event pass; each attempt at PATCH (RECEIVED) meets a hub down.
    received["hubee"].script = [NORMAL, NORMAL, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE]
    report = received["poll"]()
    assert "503" in report.failures[0] and report.messages == 0
    assert len(_messages(received["dossier"])) == 1  # written, with its ReceivedEvent
    assert event["status"] == "SENT" and len(_waiting(received)) == 1
    report = received["poll"]()
    assert (report.events, report.messages, report.failures) == (1, 0, [])
    assert len(_messages(received["dossier"])) == 1
    assert event["status"] == "RECEIVED" and _waiting(received) == []


def test_a_refused_file_is_named_in_the_message_and_the_others_kept(received):
    files = [
        ("programme.exe", "AUTRE", "application/octet-stream", EXE),
        ("livret.pdf", "LIVRET", "application/pdf", PDF),
    ]
    event = received["post"](action="ATTACH_DEPOSIT", message="Deux pièces.", files=files)
    assert received["poll"]().messages == 1
    [message] = _messages(received["dossier"])
    assert _contents(message) == [("livret.pdf", PDF)]
    assert f"Le fichier « programme.exe » {WRONG_TYPE}" in message.body
    assert ReceivedEvent.objects.get().refused[0].startswith("Le fichier « programme.exe »")
    assert event["status"] == "RECEIVED" and _waiting(received) == []


def test_a_virus_is_refused_and_an_antivirus_down_makes_the_event_wait(received, clamd, settings):
    files = [("eicar.txt", "AUTRE", "text/plain", EICAR), ("livret.pdf", "LIVRET", "application/pdf", PDF)]
    settings.GUICHET_CLAMAV_ADDRESS = "/nonexistent/clamd.sock"
    event = received["post"](action="ATTACH_DEPOSIT", files=files)
    report = received["poll"]()
    # The antivirus cannot answer: nothing refused for good, nothing written, HubEE not told.
    assert (report.waiting, report.messages, report.failures) == (1, 0, [])
    assert _messages(received["dossier"]) == [] and event["status"] == "SENT" and len(_waiting(received)) == 1
    settings.GUICHET_CLAMAV_ADDRESS = clamd.unix
    assert received["poll"]().messages == 1
    [message] = _messages(received["dossier"])
    assert _contents(message) == [("livret.pdf", PDF)]
    assert "« eicar.txt » contient un virus" in message.body and event["status"] == "RECEIVED"


def test_an_event_whose_file_is_not_uploaded_yet_waits_for_the_next_round(received):
    hub = received["hub"]
    event = received["post"](
        action="ATTACH_DEPOSIT",
        message="En cours d’envoi",
        files=[("livret.pdf", "LIVRET", "application/pdf", PDF)],
        upload=False,
    )
    report = received["poll"]()
    assert (report.waiting, report.messages, report.events, report.failures) == (1, 0, 0, [])
    assert _messages(received["dossier"]) == [] and event["status"] == "SENT" and len(_waiting(received)) == 1
    attachment = event["attachments"][0]
    hub.event_attachment_upload(
        received["osl"], received["case"]["id"], event["id"], attachment["id"], PDF, digest_of(PDF)
    )
    assert received["poll"]().messages == 1
    [message] = _messages(received["dossier"])
    assert _contents(message) == [("livret.pdf", PDF)] and "En cours d’envoi" in message.body


def test_our_own_events_and_events_that_carry_nothing_are_only_acknowledged(received):
    hub, case_id = received["hub"], received["case"]["id"]
    case = hub.cases[case_id]
    # Our own status, had HubEE told it back to us; a sender's event with nothing in it.
    ours = next(event for event in case["events"] if event["actionType"] == "STATUS_UPDATE")
    hub._notify(recipient=case["recipient"], transmitter=case["recipient"], case=case, event_id=ours["id"])
    empty = hub.event_create(
        received["osl"], case_id, {"actionType": "COM_ADD", "message": "  x  ", "notification": True}
    )
    empty["message"] = ""  # as HubEE would hold an event without text
    report = received["poll"]()
    assert (report.events, report.messages) == (2, 0)
    assert _messages(received["dossier"]) == [] and not ReceivedEvent.objects.exists()
    assert ours["status"] == empty["status"] == "RECEIVED" and _waiting(received) == []


def test_an_event_on_a_case_that_made_no_dossier_is_only_acknowledged(town_setup, django_capture_on_commit_callbacks):
    hub = town_setup["hubee"].hub
    case = deposit(town_setup, data=b'{"demande": {"acte": {"date": "1990-04-12"}}}')  # refused by the form
    assert _poll(django_capture_on_commit_callbacks).rejected == 1
    event = hub.event_post(town_setup["osl"], case["id"], action="SENDING_MESSAGE", message="Et ma demande ?")
    report = _poll(django_capture_on_commit_callbacks)
    assert (report.events, report.messages, report.failures) == (1, 0, [])
    assert not Message.objects.exists() and event["status"] == "RECEIVED" and _waiting(town_setup) == []


def test_an_event_before_its_case_was_taken_makes_the_dossier_then_the_message(
    town_setup, django_capture_on_commit_callbacks
):
    """HubEE promises no order between notifications: an event's may come before its case's, or the
    case's be lost; the case is received first, once, and the message is not lost."""
    hub = town_setup["hubee"].hub
    case = deposit(town_setup)
    hub.event_post(town_setup["osl"], case["id"], action="SENDING_MESSAGE", message="Arrivé avant.")
    notifications = list(hub.notifications.items())
    hub.notifications = dict(notifications[::-1])  # the event's first
    report = _poll(django_capture_on_commit_callbacks)
    assert (report.received, report.repeated, report.messages, report.failures) == (1, 1, 1, [])
    dossier = ReceivedCase.objects.get(case_id=case["id"]).dossier
    [message] = Message.objects.filter(dossier=dossier)
    assert "Arrivé avant." in message.body and _waiting(town_setup) == []


def test_a_file_declared_larger_than_allowed_is_refused_without_being_downloaded(received, settings):
    """HubEE describes each file with its size: one above the uploads' limit is refused from its
    description, never read whole into the poller's memory; the others come with the message."""
    settings.GUICHET_UPLOAD_MAX_MB = 1
    huge = PDF + b"%" * (2 * 1024 * 1024)
    files = [("livret.pdf", "LIVRET", "application/pdf", PDF), ("scan.pdf", "SCAN", "application/pdf", huge)]
    event = received["post"](action="ATTACH_DEPOSIT", message="Deux pièces.", files=files)
    received["hubee"].requests.clear()
    assert received["poll"]().messages == 1
    [message] = _messages(received["dossier"])
    assert _contents(message) == [("livret.pdf", PDF)]
    assert "Le fichier « scan.pdf » dépasse 1 Mo : il n’a pas été joint." in message.body
    big = next(item for item in event["attachments"] if item["fileName"] == "scan.pdf")
    downloads = [path for method, path in received["hubee"].requests if method == "GET" and "/attachments/" in path]
    assert len(downloads) == 1 and not any(path.endswith(f"/attachments/{big['id']}") for path in downloads)
    assert event["status"] == "RECEIVED"
