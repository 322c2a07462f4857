"""Supervised elimination: a list of the dossiers whose retention ended, an archivist's visa, then the
purge of their personal data, leaving tombstones; nothing destroyed before the visa, nothing
personal left after it, the statistics and the audit chain unchanged."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from guichet.accounts.closure import DELETED_APPLICANT_EMAIL
from guichet.accounts.models import OrganisationRole, User
from guichet.archives.elimination import (
    EliminationRefused,
    elimination_list_approve,
    elimination_list_propose,
    elimination_list_refuse,
    elimination_run,
    eliminations_resume,
)
from guichet.archives.models import (
    ArchivalState,
    DossierRetention,
    EliminationEntry,
    EliminationList,
    EliminationStatus,
    Tombstone,
)
from guichet.archives.personal_data import account_delete
from guichet.archives.purge import dossier_eliminate
from guichet.archives.retention import retention_review
from guichet.core.audit_verification import audit_verify
from guichet.core.models import AuditAction, AuditEvent
from guichet.documents.models import Act
from guichet.documents.verification import Verdict, pdf_verify
from guichet.dossiers.models import Dossier, DossierChange, DossierFile, Message, Opinion, TransitionLog, TransitionName
from guichet.dossiers.services import dossier_corrections_submit, dossier_submit, opinion_give
from guichet.instruction.messages import message_send
from guichet.instruction.models import BulkAction, ExportJob
from guichet.instruction.services import dossier_decide, dossier_follow, expert_answer, expert_invite
from guichet.observatory.aggregation import observatory_aggregate
from guichet.observatory.models import ProcedureMonth
from guichet.procedures.models import FinalFate
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

SECRETS = {
    "answers": "Réponse-Xylophage-4417",
    "corrected": "Correction-Quetzal-8812",
    "correction_reason": "Motif-Correction-Ornithorynque-3301",
    "message": "Message-Ptérodactyle-5521",
    "reply": "Réponse-Instructeur-Mandragore-9003",
    "file_name": "justificatif-Hippocampe-7734.pdf",
    "file_content": "Contenu-Salamandre-6620",
    "annotation": "Annotation-Basilic-1188",
    "motivation": "Motivation-Chrysanthème-2290",
    "question": "Question-Expert-Narval-4456",
    "avis": "Avis-Expert-Okapi-7781",
    "comment": "Commentaire-Usager-Pangolin-3367",
    "bulk_text": "Motivation-Groupée-Tamanoir-5150",
    "export": "Export-Liste-Axolotl-6061",
    "first_name": "Zéphyrine",
    "last_name": "Vandermeersch-Quintaine",
}


@pytest.fixture
def disk(tmp_path, monkeypatch):
    """Every stored file (attachments, acts, lists and visas) in a folder of the test's own."""
    folder = tmp_path / "private"
    folder.mkdir()
    storage = FileSystemStorage(location=folder)
    for model, name in ((DossierFile, "content"), (Act, "pdf"), (EliminationList, "list_pdf"), (ExportJob, "file")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    monkeypatch.setattr(EliminationList._meta.get_field("visa_pdf"), "storage", storage)
    return folder


def _pdf_with(text: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def procedure():
    organisation = OrganisationFactory(name="Mairie de Villebourg")
    return ProcedureFactory(organisation=organisation, final_fate=FinalFate.DESTROY, retention_years=2)


@pytest.fixture
def archivist(procedure):
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=procedure.organisation, role=OrganisationRole.Role.ARCHIVIST
    )
    return user


def _run(callbacks, function, **kwargs):
    with callbacks(execute=True):
        return function(**kwargs)


@pytest.fixture
def full_dossier(procedure, django_capture_on_commit_callbacks):
    """A decided dossier with something personal in every place a dossier keeps something."""
    c = django_capture_on_commit_callbacks
    applicant = UserFactory(first_name=SECRETS["first_name"], last_name=SECRETS["last_name"])
    dossier = DossierFactory(procedure=procedure, applicant=applicant, answers={"objet": SECRETS["answers"]})
    instructor = instructor_of(procedure)
    _run(c, dossier_submit, actor=applicant, dossier=dossier)
    _run(c, dossier_decide, actor=instructor, dossier=dossier, name=TransitionName.START_INSTRUCTION)
    _run(
        c,
        dossier_decide,
        actor=instructor,
        dossier=dossier,
        name=TransitionName.REQUEST_CORRECTION,
        motivation=SECRETS["correction_reason"],
    )
    dossier.refresh_from_db()
    dossier.answers = {"objet": SECRETS["corrected"]}
    dossier.save(update_fields=["answers"])
    _run(c, dossier_corrections_submit, actor=applicant, dossier=dossier)
    upload = SimpleUploadedFile(SECRETS["file_name"], _pdf_with(SECRETS["file_content"]))
    _run(c, message_send, actor=applicant, dossier=dossier, body=SECRETS["message"], attachments=[upload])
    _run(c, message_send, actor=instructor, dossier=dossier, body=SECRETS["reply"])
    expert = UserFactory()
    invitation = _run(c, expert_invite, actor=instructor, dossier=dossier, expert=expert, question=SECRETS["question"])
    _run(c, expert_answer, actor=expert, invitation=invitation, answer=SECRETS["avis"])
    dossier_follow(actor=instructor, dossier=dossier)
    Dossier.objects.filter(pk=dossier.pk).update(annotations={"note": SECRETS["annotation"]})
    dossier.refresh_from_db()
    _run(c, dossier_decide, actor=instructor, dossier=dossier, name=TransitionName.START_INSTRUCTION)
    _run(
        c,
        dossier_decide,
        actor=instructor,
        dossier=dossier,
        name=TransitionName.ACCEPT,
        motivation=SECRETS["motivation"],
    )
    _run(c, opinion_give, actor=applicant, dossier=dossier, overall=10, comment=SECRETS["comment"])
    # A bulk action that named it (already run: the dossier was decided), and a large export of the
    # procedure's list, still downloadable.
    BulkAction.objects.create(
        actor=instructor, procedure=procedure, action="refuse", text=SECRETS["bulk_text"],
        dossier_ids=[dossier.pk], outcomes={str(dossier.pk): "Impossible : le dossier est accepté."},
        status=BulkAction.Status.DONE,
    )  # fmt: skip
    export = ExportJob.objects.create(
        actor=instructor, procedure=procedure, format="csv", status=ExportJob.Status.DONE,
        expires_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    export.file.save("exports/liste.csv", ContentFile(f"{dossier.number};{SECRETS['export']}".encode()))
    dossier.refresh_from_db()
    assert dossier.acts.filter(status="issued").count() == 2  # the receipt and the decision
    return dossier


def _due(procedure_dossiers_years: int = 3):
    retention_review()
    return retention_review(today=timezone.localdate() + timedelta(days=366 * procedure_dossiers_years))


def _everything_stored(folder: Path) -> str:
    """Every row of every table, and every stored file, as one text."""
    parts = []
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.values_list():
            parts.append(repr(row))
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            parts.append(data.decode("latin-1"))
            if data.startswith(b"%PDF"):
                reader = PdfReader(io.BytesIO(data))
                parts.append(str(reader.metadata))
                parts.extend(page.extract_text() for page in reader.pages)
    return "\n".join(parts)


def _pdf(field_file) -> PdfReader:
    with field_file.open("rb") as stored:
        return PdfReader(io.BytesIO(stored.read()))


def _statistics() -> list[tuple]:
    observatory_aggregate()
    return sorted(
        ProcedureMonth.objects.values_list(
            "entry__procedure_id",
            "month",
            "submitted_count",
            "decided_count",
            "processing_median_days",
            "opinions_count",
            "satisfaction",
        )
    )


@pytest.mark.slow
def test_after_the_visa_nothing_personal_remains_but_the_tombstone_statistics_and_audit_chain_do(
    disk, procedure, archivist, full_dossier, django_capture_on_commit_callbacks, client
):
    dossier = full_dossier
    applicant = dossier.applicant
    # The applicant closed their account meanwhile: their identity is kept while the dossier is.
    account_delete(user=applicant)
    _due()
    statistics = _statistics()
    stored = _everything_stored(disk)
    assert all(secret in stored for secret in SECRETS.values()), [s for s in SECRETS.values() if s not in stored]

    elimination_list = elimination_list_propose(organisation=procedure.organisation)
    # Listed, not destroyed: the list waits for its visa.
    assert elimination_list.status == EliminationStatus.AWAITING
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.LISTED
    with pytest.raises(EliminationRefused):
        elimination_run(elimination_list=elimination_list)
    eliminations_resume()
    stored = _everything_stored(disk)
    assert all(secret in stored for secret in SECRETS.values())
    assert _pdf(elimination_list.list_pdf).get_fields()["Cachet"]  # sealed
    list_text = " ".join(page.extract_text() for page in _pdf(elimination_list.list_pdf).pages)
    assert dossier.number in list_text

    decision = dossier.acts.get(kind="acceptance")
    with decision.pdf.open("rb") as stored:
        copy_held_by_the_applicant = stored.read()
    with django_capture_on_commit_callbacks(execute=True):
        elimination_list_approve(elimination_list=elimination_list, actor=archivist, comment="Vu et approuvé.")

    elimination_list.refresh_from_db()
    assert elimination_list.status == EliminationStatus.DONE
    assert _pdf(elimination_list.visa_pdf).get_fields()["Cachet"]
    stored = _everything_stored(disk)
    left = [name for name, secret in SECRETS.items() if secret in stored]
    assert left == []
    tombstone = Tombstone.objects.get(dossier=dossier)
    assert tombstone.number == dossier.number
    assert tombstone.state == "accepted"
    # The API's changes feed tells its clients, so that their copies go too.
    assert DossierChange.objects.filter(dossier=dossier, at__gte=tombstone.eliminated_at).exists()
    whats = [digest["what"] for digest in tombstone.digests]
    assert "pièce jointe" in whats and "message" in whats and "motivation" in whats
    assert sum(what.startswith("acte ") for what in whats) == 2
    assert _statistics() == statistics
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.ELIMINATED
    eliminated = Dossier.objects.get(pk=dossier.pk)
    assert eliminated.applicant.email == DELETED_APPLICANT_EMAIL
    assert eliminated.transitions.count() == TransitionLog.objects.filter(dossier=dossier).count() > 0
    assert Act.objects.filter(dossier=dossier, pdf="").count() == 2  # codes and digests kept
    assert not Message.objects.filter(dossier=dossier).exists()
    assert Opinion.objects.get(dossier=dossier).overall == 10  # the satisfaction figure stays
    bulk = BulkAction.objects.get()
    assert (bulk.dossier_ids, bulk.outcomes, bulk.text) == ([], {}, "")
    export = ExportJob.objects.get()
    assert export.file == "" and export.expires_at <= timezone.now()
    applicant = User.objects.get(pk=applicant.pk)
    assert not applicant.is_active and applicant.email.endswith(".invalid")
    assert AuditEvent.objects.filter(action=AuditAction.DOSSIER_ELIMINATE, object_id=str(dossier.pk)).exists()
    checked, broken = audit_verify()
    assert broken is None and checked > 0
    # The act's code and digest remain: the verification page says it was eliminated, and the
    # applicant's own copy is still recognised.
    page = client.get(reverse("public:act_verify", args=[decision.code])).content.decode()
    assert "Acte éliminé le" in page
    assert pdf_verify(copy_held_by_the_applicant, code=decision.code).verdict == Verdict.GENUINE
    # Run again (a retried task, the daily round): nothing more happens.
    assert elimination_run(elimination_list=elimination_list) == 0


def _decided(procedure, n=1, **kwargs):
    return [DossierFactory(procedure=procedure, accepted=True, **kwargs) for _ in range(n)]


@pytest.mark.slow
def test_a_dossier_under_litigation_hold_is_never_listed_nor_one_of_another_organisation(procedure, disk):
    kept, held = _decided(procedure, 2)
    other = DossierFactory(procedure=ProcedureFactory(final_fate=FinalFate.DESTROY, retention_years=2), accepted=True)
    _due()
    DossierRetention.objects.filter(dossier=held).update(litigation_hold=True)
    elimination_list = elimination_list_propose(organisation=procedure.organisation)
    assert list(elimination_list.entries.values_list("dossier", flat=True)) == [kept.pk]
    assert DossierRetention.objects.get(dossier=other).state == ArchivalState.TO_ELIMINATE
    assert elimination_list_propose(organisation=procedure.organisation) is None  # nothing left to list


@pytest.mark.slow
def test_a_hold_placed_after_the_list_keeps_the_dossier_whole(
    procedure, archivist, disk, django_capture_on_commit_callbacks
):
    first, second = _decided(procedure, 2)
    _due()
    elimination_list = elimination_list_propose(organisation=procedure.organisation)
    DossierRetention.objects.filter(dossier=second).update(litigation_hold=True)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, at once in tests
        elimination_list_approve(elimination_list=elimination_list, actor=archivist)
    assert Tombstone.objects.filter(dossier=first).exists()
    assert not Tombstone.objects.filter(dossier=second).exists()
    assert Dossier.objects.get(pk=second.pk).answers == {"objet": "Une demande"}
    assert DossierRetention.objects.get(dossier=second).state == ArchivalState.TO_ELIMINATE
    assert EliminationEntry.objects.get(dossier=second).kept_for_litigation
    assert EliminationList.objects.get(pk=elimination_list.pk).status == EliminationStatus.DONE


@pytest.mark.slow
def test_only_an_archivist_of_the_organisation_gives_the_visa_and_a_refusal_puts_dossiers_back(procedure, disk):
    (dossier,) = _decided(procedure)
    _due()
    elimination_list = elimination_list_propose(organisation=procedure.organisation)
    stranger = UserFactory()
    OrganisationRole.objects.create(
        user=stranger, organisation=OrganisationFactory(), role=OrganisationRole.Role.ARCHIVIST
    )
    with pytest.raises(PermissionDenied):
        elimination_list_approve(elimination_list=elimination_list, actor=stranger)
    with pytest.raises(PermissionDenied):
        elimination_list_approve(elimination_list=elimination_list, actor=instructor_of(procedure))
    archivist = UserFactory()
    OrganisationRole.objects.create(
        user=archivist, organisation=procedure.organisation, role=OrganisationRole.Role.ARCHIVIST
    )
    with pytest.raises(EliminationRefused):
        elimination_list_refuse(elimination_list=elimination_list, actor=archivist, comment=" ")
    elimination_list_refuse(elimination_list=elimination_list, actor=archivist, comment="Intérêt historique.")
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TO_ELIMINATE
    assert Dossier.objects.get(pk=dossier.pk).answers == {"objet": "Une demande"}
    with pytest.raises(EliminationRefused):
        elimination_list_approve(elimination_list=elimination_list, actor=archivist)
    assert not Tombstone.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.ELIMINATION_LIST_REFUSE).count() == 1


@pytest.mark.slow
def test_a_purge_stopped_midway_resumes_where_it_stopped(procedure, archivist, disk, monkeypatch):
    dossiers = _decided(procedure, 3)
    _due()
    elimination_list = elimination_list_propose(organisation=procedure.organisation)
    calls = {"n": 0}
    real = dossier_eliminate

    def crashing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr("guichet.archives.elimination.dossier_eliminate", crashing)
    elimination_list = elimination_list_approve(elimination_list=elimination_list, actor=archivist)
    with pytest.raises(RuntimeError):  # the worker's task, killed on the second dossier
        elimination_run(elimination_list=elimination_list)
    assert Tombstone.objects.count() == 1
    assert EliminationList.objects.get(pk=elimination_list.pk).status == EliminationStatus.APPROVED
    monkeypatch.setattr("guichet.archives.elimination.dossier_eliminate", real)
    assert eliminations_resume() == 2
    assert Tombstone.objects.filter(dossier__in=dossiers).count() == 3
    assert EliminationList.objects.get(pk=elimination_list.pk).status == EliminationStatus.DONE


@pytest.mark.slow
def test_the_daily_round_draws_up_one_list_per_organisation_awaiting_its_visa(procedure, disk, capsys):
    _decided(procedure, 2)
    other = ProcedureFactory(final_fate=FinalFate.DESTROY, retention_years=2)
    _decided(other)
    _due()
    call_command("archives_review")
    assert "en attente du visa" in capsys.readouterr().out
    lists = EliminationList.objects.order_by("pk")
    assert [(item.organisation_id, item.entries.count()) for item in lists] == [
        (procedure.organisation_id, 2),
        (other.organisation_id, 1),
    ]
    assert all(item.created_by is None and item.status == EliminationStatus.AWAITING for item in lists)
    _decided(procedure)
    _due()
    call_command("archives_review")  # the organisation's list still awaits: no second one
    assert EliminationList.objects.count() == 2


@pytest.mark.slow
def test_a_bulk_actions_text_stays_while_one_of_its_dossiers_is_alive(
    procedure, archivist, disk, django_capture_on_commit_callbacks
):
    first, second = _decided(procedure, 2)
    bulk = BulkAction.objects.create(
        actor=instructor_of(procedure), procedure=procedure, action="message", text="Pièce manquante, M. Dupont",
        dossier_ids=[first.pk, second.pk], outcomes={str(first.pk): "", str(second.pk): ""},
        status=BulkAction.Status.DONE,
    )  # fmt: skip
    _due()
    elimination_list = elimination_list_propose(organisation=procedure.organisation)
    DossierRetention.objects.filter(dossier=second).update(litigation_hold=True)  # kept whole, for now
    with django_capture_on_commit_callbacks(execute=True):
        elimination_list_approve(elimination_list=elimination_list, actor=archivist)
    bulk.refresh_from_db()
    assert (bulk.dossier_ids, bulk.outcomes) == ([second.pk], {str(second.pk): ""})
    assert bulk.text == "Pièce manquante, M. Dupont"  # the text of the dossier still kept
    # The hold lifted, the second one goes too: nothing is left of the action's text.
    DossierRetention.objects.filter(dossier=second).update(litigation_hold=False)
    entry = EliminationEntry.objects.get(dossier=second)
    EliminationEntry.objects.filter(pk=entry.pk).update(kept_for_litigation=False)
    DossierRetention.objects.filter(dossier=second).update(state=ArchivalState.LISTED)
    dossier_eliminate(entry=EliminationEntry.objects.get(pk=entry.pk), actor=archivist)
    bulk.refresh_from_db()
    assert (bulk.dossier_ids, bulk.outcomes, bulk.text) == ([], {}, "")
