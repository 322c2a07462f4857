"""The archivist's space and the builder's « Conservation et archivage » page, through HTTP."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import OrganisationRole, User
from guichet.archives.models import ArchivalState, ArchiveTransfer, DossierRetention, TransferStatus
from guichet.archives.retention import retention_review
from guichet.archives.supervision import dossier_litigation_hold
from guichet.core.models import AuditAction, AuditEvent
from guichet.demo.loader import ARCHIVIST
from guichet.demo.procedures import PROCEDURES
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

ATR = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<ArchiveTransferReply xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2"><ReplyCode>KO</ReplyCode>'
    "</ArchiveTransferReply>"
)


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Préfecture de test")


@pytest.fixture
def archivist(organisation):
    user = UserFactory(email="archiviste@exemple.fr")
    OrganisationRole.objects.create(user=user, organisation=organisation, role=OrganisationRole.Role.ARCHIVIST)
    return user


@pytest.fixture
def procedure(organisation):
    return ProcedureFactory(organisation=organisation, title="Permis de végétaliser", archival_agreement="IC-1")


def decided(procedure, **kwargs):
    dossier = DossierFactory(procedure=procedure, accepted=True, **kwargs)
    retention_review()
    return dossier


def url(name, *args):
    return reverse(f"archives:{name}", args=args)


def test_only_archivists_and_superusers_enter(client, archivist):
    assert client.get(url("home")).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(url("home")).status_code == 403
    assert "Archives</a>" not in client.get(reverse("usager:my_dossiers")).content.decode()
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(url("home")).status_code == 200
    client.force_login(archivist)
    assert client.get(url("home")).status_code == 200
    header = client.get(reverse("usager:my_dossiers")).content.decode()
    assert f'href="{url("home")}">Archives</a>' in header


def test_the_home_counts_dossiers_per_archival_state_of_the_archivists_organisations_only(client, archivist, procedure):
    decided(procedure)
    transferred = decided(procedure)
    DossierRetention.objects.filter(dossier=transferred).update(state=ArchivalState.TRANSFERRED)
    decided(ProcedureFactory())  # another organisation's
    client.force_login(archivist)
    html = client.get(url("home")).content.decode()
    assert 'data-state="active">1<' in html
    assert 'data-state="transferred">1<' in html
    assert "Versé aux archives" in html
    # The elimination lists are one click away.
    assert f'href="{url("elimination_lists")}">Bordereaux d’élimination</a>' in html


def test_an_archivist_sets_a_procedures_retention_with_clear_errors(client, archivist, procedure):
    client.force_login(archivist)
    page = url("procedure_retention", procedure.slug)
    assert "Permis de végétaliser" in client.get(url("procedures")).content.decode()
    form = {
        "retention_years": "0",
        "retention_start": "decision",
        "final_fate": "detruire",
        "archival_agreement": "IC 1",
        "originating_agency": "",
        "submission_agency": "",
        "archival_profile": "",
        "access_rule": "AR038",
    }
    html = client.post(page, form).content.decode()
    assert "La durée d’utilité administrative est d’un an au moins." in html
    assert "sans espace" in html
    procedure.refresh_from_db()
    assert procedure.final_fate == "conserver"
    response = client.post(page, {**form, "retention_years": "12", "archival_agreement": "IC-000042"})
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.retention_years, procedure.final_fate, procedure.archival_agreement) == (
        12,
        "detruire",
        "IC-000042",
    )
    assert AuditEvent.objects.get(action=AuditAction.PROCEDURE_RETENTION_UPDATE).actor == archivist
    # Another organisation's procedure is not reachable.
    assert client.get(url("procedure_retention", ProcedureFactory().slug)).status_code == 404


def test_the_builder_has_the_same_settings_page_for_administrators(client, organisation, procedure):
    admin = UserFactory()
    OrganisationRole.objects.create(
        user=admin, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    client.force_login(admin)
    page = reverse("admin_procedures:retention", args=[procedure.slug])
    html = client.get(page).content.decode()
    assert "Conservation et archivage" in html
    assert 'value="AR038"' in html
    response = client.post(
        page,
        {"retention_years": "3", "retention_start": "submission", "final_fate": "trier", "access_rule": "AR040"},
    )
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.retention_years, procedure.retention_start, procedure.access_rule) == (3, "submission", "AR040")
    # An archivist who is not an administrator does not enter the builder.
    other = UserFactory()
    OrganisationRole.objects.create(user=other, organisation=organisation, role=OrganisationRole.Role.ARCHIVIST)
    client.force_login(other)
    assert client.get(page).status_code == 403


def test_transfers_show_their_reply_and_a_refused_one_is_retried(client, archivist, procedure):
    dossier = decided(procedure)
    retention = DossierRetention.objects.get(dossier=dossier)
    DossierRetention.objects.filter(pk=retention.pk).update(state=ArchivalState.TRANSFER_REFUSED)
    refused = ArchiveTransfer.objects.create(
        dossier=dossier,
        target="vitam",
        status=TransferStatus.REFUSED,
        sip_name="GUICHET-1",
        reply_code="KO",
        reply=ATR,
        reply_message="Contrat d’entrée inconnu : IC-1",
        attempts=1,
    )
    ArchiveTransfer.objects.filter(pk=refused.pk).update(replied_at=refused.created_at)
    client.force_login(archivist)
    html = client.get(url("transfers") + "?etat=echecs").content.decode()
    assert "Contrat d’entrée inconnu : IC-1" in html
    assert "Code <strong>KO</strong>" in html
    atr = client.get(url("transfer_reply", refused.pk))
    assert atr["Content-Type"].startswith("application/xml")
    assert atr.content.decode() == ATR
    assert 'filename="ATR-GUICHET-1.xml"' in atr["Content-Disposition"]

    response = client.post(url("transfer_retry", refused.pk), follow=True)
    assert "est relancé" in response.content.decode()
    again = ArchiveTransfer.objects.exclude(pk=refused.pk).get(dossier=dossier)
    assert again.status == TransferStatus.PENDING and again.target == "vitam"
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.TO_TRANSFER
    assert AuditEvent.objects.filter(action=AuditAction.ARCHIVE_TRANSFER_RETRY).count() == 1
    # Twice: nothing more (the refused one is no longer the dossier's last word).
    response = client.post(url("transfer_retry", refused.pk), follow=True)
    assert "déjà en cours" in response.content.decode()
    assert ArchiveTransfer.objects.filter(dossier=dossier).count() == 2
    # Another organisation's transfers are out of reach.
    foreign = ArchiveTransfer.objects.create(dossier=decided(ProcedureFactory()), target="vitam", reply=ATR)
    assert client.get(url("transfer_reply", foreign.pk)).status_code == 404
    assert client.post(url("transfer_retry", foreign.pk)).status_code == 404


def test_an_archivist_holds_a_dossier_for_litigation_then_releases_it(client, archivist, procedure):
    dossier = decided(procedure)
    in_instruction = DossierFactory(procedure=procedure, in_instruction=True)
    client.force_login(archivist)
    html = client.post(url("holds"), {"number": in_instruction.number, "reason": "Recours"}).content.decode()
    assert "n’est pas encore traité" in html
    html = client.post(url("holds"), {"number": "XX-0000", "reason": "Recours"}).content.decode()
    assert "Aucun dossier de vos démarches ne porte ce numéro." in html

    response = client.post(url("holds"), {"number": dossier.number, "reason": "Recours n° 2401234, TA de Lyon"})
    assert response.status_code == 302
    retention = DossierRetention.objects.get(dossier=dossier)
    assert retention.litigation_hold and retention.litigation_hold_reason == "Recours n° 2401234, TA de Lyon"
    assert "Recours n° 2401234, TA de Lyon" in client.get(url("holds")).content.decode()
    assert AuditEvent.objects.get(action=AuditAction.DOSSIER_LITIGATION_HOLD).actor == archivist

    client.post(url("hold_release", dossier.pk))
    retention.refresh_from_db()
    assert not retention.litigation_hold
    assert AuditEvent.objects.filter(action=AuditAction.DOSSIER_LITIGATION_RELEASE).count() == 1
    # Another organisation's dossier: not found, by number or by id.
    foreign = decided(ProcedureFactory())
    html = client.post(url("holds"), {"number": foreign.number, "reason": "Recours"}).content.decode()
    assert "Aucun dossier de vos démarches" in html
    assert client.post(url("hold_release", foreign.pk)).status_code == 404


def test_a_held_dossier_is_not_transferred_when_its_dua_ends(archivist, procedure):
    dossier = decided(procedure)
    dossier_litigation_hold(dossier=dossier, actor=archivist, reason="Recours")
    retention_review(today=timezone.localdate() + timedelta(days=6 * 366))
    assert DossierRetention.objects.get(dossier=dossier).state == ArchivalState.ACTIVE


def test_instructors_see_the_dossiers_conservation_once_decided(client, procedure):
    instructor = instructor_of(procedure)
    pending = DossierFactory(procedure=procedure, in_instruction=True)
    client.force_login(instructor)
    assert 'id="conservation"' not in client.get(reverse("agent:dossier_detail", args=[pending.pk])).content.decode()

    dossier = decided(procedure)
    retention = DossierRetention.objects.get(dossier=dossier)
    dossier_litigation_hold(dossier=dossier, actor=None, reason="Recours n° 12")
    DossierRetention.objects.filter(pk=retention.pk).update(state=ArchivalState.TRANSFERRED)
    ArchiveTransfer.objects.create(
        dossier=dossier, target="vitam", status=TransferStatus.ACCEPTED, sip_name="GUICHET-42", operation_id="aeeaa"
    )
    html = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Conservation</h2>" in html
    assert f"jusqu’au {retention.ends_on:%d/%m/%Y}" in html
    assert "Sort final : Conserver (verser aux archives définitives)" in html
    assert "État : Versé aux archives" in html
    assert "Gel pour contentieux : oui — Recours n° 12" in html
    assert "<code>GUICHET-42</code>" in html


def test_the_demo_archivist_looks_after_every_demo_procedure(client, demo):
    client.force_login(User.objects.get(email=ARCHIVIST.email))
    html = client.get(url("procedures")).content.decode()
    assert all(procedure.title in html for procedure in PROCEDURES)
    assert client.get(url("home")).status_code == 200
