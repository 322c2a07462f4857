import io

import pytest
from django.apps import apps
from django.core.management import call_command

from guichet.core.audit_verification import audit_verify
from guichet.dossiers.models import Dossier, DossierState
from guichet.procedures.models import Procedure

pytestmark = pytest.mark.django_db

SNAPSHOT_MODELS = [
    "accounts.User", "accounts.Organisation", "accounts.OrganisationRole", "procedures.Procedure",
    "procedures.ProcedureVersion", "dossiers.Dossier", "procedures.InstructorGroup",
    "procedures.InstructorMembership", "dossiers.TransitionLog", "instruction.ExpertInvitation",
    "core.AuditEvent",
]  # fmt: skip


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the demo, as plain values."""
    result = {}
    for label in SNAPSHOT_MODELS:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields]
        result[label] = list(model.objects.order_by("pk").values_list(*fields))
    return result


def test_loading_the_demo_twice_gives_the_same_data(demo):
    first = snapshot()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert snapshot() == first
    assert "Demo-Guichet-2026" in out.getvalue()


def test_the_demo_has_five_procedures_and_dossiers_in_every_state(demo):
    assert Procedure.objects.published().count() == 5
    for state in DossierState:
        assert Dossier.objects.filter(state=state).count() >= 24, f"a few dozen dossiers {state.label}"
    for procedure in Procedure.objects.all():
        assert procedure.dossiers.count() > 0
        assert procedure.instructor_groups.filter(is_default=True, memberships__isnull=False).exists()


def test_every_demo_dossier_went_through_the_workflow(demo):
    for dossier in Dossier.objects.exclude(state=DossierState.DRAFT):
        logs = list(dossier.transitions.order_by("at", "pk"))
        assert logs[0].from_state == DossierState.DRAFT and logs[-1].to_state == dossier.state
        assert dossier.number and dossier.group_id
    checked, broken = audit_verify()
    assert broken is None and checked > 100
