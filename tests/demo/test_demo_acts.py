"""After `manage.py demo` and the worker, a newcomer finds the sealed acts: every filed demo dossier
has its receipt, and every accepted or refused one its decision, each with a seal that validates."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from guichet.demo.observatory import HISTORY_PREFIX
from guichet.documents.models import Act, ActStatus
from guichet.dossiers.models import ActKind, Dossier, DossierState, TransitionName
from guichet.instruction.followup.chain import followups_due, followups_resume
from tests.documents.test_acts import seal_status

pytestmark = pytest.mark.django_db


def test_the_worker_issues_every_act_of_the_demo_and_tells_nobody(demo, django_capture_on_commit_callbacks):
    # The dossiers filed through the workflow; the past year that the observatory's figures come
    # from is imported as history (numbered REP-…), with the acts its former system issued.
    filed = (
        Dossier.objects.filter(transitions__transition=TransitionName.SUBMIT)
        .exclude(number__startswith=f"{HISTORY_PREFIX}-")
        .distinct()
    )
    assert filed.count() >= 150
    assert followups_due(now=timezone.now())  # the chains wait for the worker
    with django_capture_on_commit_callbacks(execute=True):
        followups_resume(grace=timedelta(0))
    receipts = Act.objects.filter(kind=ActKind.RECEIPT)
    assert sorted(receipts.values_list("dossier_id", flat=True)) == sorted(filed.values_list("pk", flat=True))
    decided = filed.filter(state__in=[DossierState.ACCEPTED, DossierState.REFUSED])
    decisions = Act.objects.filter(kind__in=[ActKind.ACCEPTANCE, ActKind.REFUSAL])
    assert sorted(decisions.values_list("dossier_id", flat=True)) == sorted(decided.values_list("pk", flat=True))
    assert not Act.objects.exclude(status=ActStatus.ISSUED).exists()
    for act in Act.objects.all():
        with act.pdf.open("rb") as stored:
            status = seal_status(stored.read())
        assert status.bottom_line and status.intact and status.valid, act.code
    assert followups_due(now=timezone.now() + timedelta(days=1)) == []
    assert mail.outbox == []
