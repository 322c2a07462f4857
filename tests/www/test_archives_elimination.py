"""The archivist's elimination screens: their organisations' lists only, the sealed PDFs, the visa
given or refused from the page."""

from datetime import timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import OrganisationRole
from guichet.archives.models import ArchivalState, DossierRetention, EliminationList, EliminationStatus, Tombstone
from guichet.archives.retention import retention_review
from guichet.procedures.models import FinalFate
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _disk(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path)
    for name in ("list_pdf", "visa_pdf"):
        monkeypatch.setattr(EliminationList._meta.get_field(name), "storage", storage)


@pytest.fixture
def setting():
    procedure = ProcedureFactory(final_fate=FinalFate.DESTROY, retention_years=1)
    dossier = DossierFactory(procedure=procedure, refused=True)
    retention_review()
    retention_review(today=timezone.localdate() + timedelta(days=800))
    archivist = UserFactory()
    OrganisationRole.objects.create(
        user=archivist, organisation=procedure.organisation, role=OrganisationRole.Role.ARCHIVIST
    )
    return procedure, dossier, archivist


def test_an_archivist_draws_up_a_list_reads_it_and_gives_the_visa(client, setting, django_capture_on_commit_callbacks):
    procedure, dossier, archivist = setting
    client.force_login(archivist)
    page = client.get(reverse("archives:elimination_lists")).content.decode()
    assert "Aucun bordereau n’attend votre visa." in page

    response = client.post(reverse("archives:elimination_list_new"), {"organisation": procedure.organisation.pk})
    created = EliminationList.objects.get()
    assert response["Location"] == reverse("archives:elimination_list", args=[created.pk])
    page = client.get(response["Location"]).content.decode()
    assert dossier.number in page and "Viser : autoriser l’élimination" in page
    pdf = client.get(reverse("archives:elimination_list_file", args=[created.pk, "bordereau"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("archives:elimination_list_file", args=[created.pk, "visa"])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("archives:elimination_list_decide", args=[created.pk]), {"decision": "approve"})
    page = client.get(reverse("archives:elimination_list", args=[created.pk])).content.decode()
    assert "Élimination effectuée" in page and "1 dossier éliminé" in page
    assert Tombstone.objects.filter(dossier=dossier).exists()
    # What remains still shows in the back office's list and page, without any answer.
    instructor = instructor_of(procedure)
    client.force_login(instructor)
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk]))
    assert page.status_code == 200
    assert "Une demande" not in page.content.decode()


def test_a_refusal_needs_its_reasons(client, setting):
    procedure, dossier, archivist = setting
    client.force_login(archivist)
    client.post(reverse("archives:elimination_list_new"), {"organisation": procedure.organisation.pk})
    created = EliminationList.objects.get()
    url = reverse("archives:elimination_list_decide", args=[created.pk])
    response = client.post(url, {"decision": "refuse", "comment": ""})
    assert response.status_code == 400
    assert "Indiquez le motif du refus" in response.content.decode()
    client.post(url, {"decision": "refuse", "comment": "Série à conserver pour l’histoire locale."})
    assert EliminationList.objects.get().status == EliminationStatus.REFUSED
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TO_ELIMINATE


def test_other_people_see_no_list(client, setting):
    procedure, dossier, archivist = setting
    client.force_login(archivist)
    client.post(reverse("archives:elimination_list_new"), {"organisation": procedure.organisation.pk})
    created = EliminationList.objects.get()
    other_archivist = UserFactory()
    OrganisationRole.objects.create(
        user=other_archivist, organisation=OrganisationFactory(), role=OrganisationRole.Role.ARCHIVIST
    )
    client.force_login(other_archivist)
    assert client.get(reverse("archives:elimination_list", args=[created.pk])).status_code == 404
    assert (
        client.post(reverse("archives:elimination_list_decide", args=[created.pk]), {"decision": "approve"}).status_code
        == 404
    )
    assert (
        client.post(reverse("archives:elimination_list_new"), {"organisation": procedure.organisation.pk}).status_code
        == 404
    )
    client.force_login(dossier.applicant)
    assert client.get(reverse("archives:elimination_lists")).status_code == 403
    client.logout()
    assert client.get(reverse("archives:elimination_lists")).status_code == 302
    assert EliminationList.objects.get().status == EliminationStatus.AWAITING
