"""A procedure's retention settings: one service checks and records them, and the dossiers whose
DUA still runs follow them; the publication warns when transfers would lack an archival agreement."""

import pytest
from django.core.exceptions import ValidationError

from guichet.archives.models import ArchivalState, DossierRetention
from guichet.archives.retention import retention_review
from guichet.archives.retention_settings import procedure_retention_update
from guichet.core.models import AuditAction, AuditEvent
from guichet.procedures.models import FinalFate, RetentionStart
from guichet.procedures.readiness import procedure_publication_checks
from tests.factories import DossierFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_settings_are_saved_and_audited():
    procedure = ProcedureFactory()
    actor = UserFactory()
    procedure_retention_update(
        procedure=procedure,
        actor=actor,
        retention_years=10,
        retention_start=RetentionStart.SUBMISSION,
        final_fate=FinalFate.SORT,
        archival_agreement=" IC-000001 ",
        originating_agency="FRAN_NP_009913",
        access_rule="AR038",
    )
    procedure.refresh_from_db()
    assert (procedure.retention_years, procedure.retention_start, procedure.final_fate) == (10, "submission", "trier")
    assert procedure.archival_agreement == "IC-000001"
    event = AuditEvent.objects.get(action=AuditAction.PROCEDURE_RETENTION_UPDATE)
    assert event.actor == actor
    assert event.details["fields"] == [
        "archival_agreement",
        "final_fate",
        "originating_agency",
        "retention_start",
        "retention_years",
    ]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"retention_years": 0}, "retention_years", "de 1 à 100"),
        ({"retention_years": 101}, "retention_years", "de 1 à 100"),
        ({"final_fate": "garder"}, "final_fate", "conserver, détruire ou trier"),
        ({"retention_start": "hier"}, "retention_start", "point de départ"),
        ({"archival_agreement": "IC 000001"}, "archival_agreement", "sans espace"),
        ({"originating_agency": "Service é"}, "originating_agency", "sans espace"),
        ({"access_rule": ""}, "access_rule", "AR038"),
        ({"archival_profile": "P" * 101}, "archival_profile", "100 caractères"),
    ],
)
def test_refused_values_are_named_in_french_and_nothing_changes(values, field, message):
    procedure = ProcedureFactory(retention_years=5)
    with pytest.raises(ValidationError) as refused:
        procedure_retention_update(procedure=procedure, actor=None, **{"retention_years": 7, **values})
    assert field in refused.value.message_dict
    assert message in " ".join(refused.value.message_dict[field])
    procedure.refresh_from_db()
    assert procedure.retention_years == 5
    assert not AuditEvent.objects.filter(action=AuditAction.PROCEDURE_RETENTION_UPDATE).exists()


def test_the_dossiers_whose_dua_runs_follow_new_rules_the_others_keep_theirs():
    procedure = ProcedureFactory(retention_years=5, final_fate=FinalFate.KEEP)
    running = DossierFactory(procedure=procedure, accepted=True)
    past = DossierFactory(procedure=procedure, refused=True)
    retention_review()
    DossierRetention.objects.filter(dossier=past).update(state=ArchivalState.TO_TRANSFER)
    before = DossierRetention.objects.get(dossier=past)

    procedure_retention_update(procedure=procedure, actor=None, retention_years=2, final_fate=FinalFate.DESTROY)

    now_running = DossierRetention.objects.get(dossier=running)
    assert now_running.ends_on == now_running.starts_on.replace(year=now_running.starts_on.year + 2)
    assert now_running.final_fate == FinalFate.DESTROY
    after = DossierRetention.objects.get(dossier=past)
    assert (after.ends_on, after.final_fate) == (before.ends_on, FinalFate.KEEP)
    assert AuditEvent.objects.get(action=AuditAction.PROCEDURE_RETENTION_UPDATE).details["rescheduled"] == 1


def test_publication_warns_when_dossiers_would_be_transferred_without_an_agreement():
    procedure = ProcedureFactory(final_fate=FinalFate.KEEP, archival_agreement="")
    messages = [check.message for check in procedure_publication_checks(procedure) if check.where == "retention"]
    assert len(messages) == 1 and "contrat d’entrée" in messages[0]
    assert not next(c for c in procedure_publication_checks(procedure) if c.where == "retention").blocking
    procedure_retention_update(procedure=procedure, actor=None, final_fate=FinalFate.DESTROY)
    assert not [check for check in procedure_publication_checks(procedure) if check.where == "retention"]
    procedure_retention_update(procedure=procedure, actor=None, final_fate=FinalFate.SORT, archival_agreement="IC-1")
    assert not [check for check in procedure_publication_checks(procedure) if check.where == "retention"]
