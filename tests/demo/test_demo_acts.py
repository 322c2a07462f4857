"""After `manage.py demo` and the worker, a newcomer finds the sealed acts: every filed demo dossier
has its receipt, and every accepted or refused one its decision, each with a seal that validates.
One test per procedure, so that the workers share the ~200 acts to make."""

import pytest
from django.core import mail

from guichet.demo.archives import ARCHIVED_PREFIX
from guichet.demo.observatory import HISTORY_PREFIX
from guichet.demo.procedures import PROCEDURES
from guichet.documents.models import Act, ActStatus
from guichet.dossiers.models import ActKind, Dossier, DossierState, TransitionName
from guichet.instruction.followup.chain import followup_run
from guichet.instruction.models import FollowUpStep
from guichet.payments.quittance import quittance_issue, quittances_pending
from tests.documents.test_acts import seal_status

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.mark.parametrize("slug", [procedure.slug for procedure in PROCEDURES])
def test_the_worker_issues_every_act_of_the_demo_and_tells_nobody(slug, demo, django_capture_on_commit_callbacks):
    # The dossiers filed through the workflow; the past year that the observatory's figures come
    # from is imported as history (numbered REP-…), and so are the older dossiers the archives have
    # (ARC-…), with the acts their former system issued.
    filed = (
        Dossier.objects.filter(procedure__slug=slug, transitions__transition=TransitionName.SUBMIT)
        .exclude(number__startswith=f"{HISTORY_PREFIX}-")
        .exclude(number__startswith=f"{ARCHIVED_PREFIX}-")
        .distinct()
    )
    assert filed.exists()
    waiting = FollowUpStep.objects.filter(transition__dossier__in=filed, status=FollowUpStep.Status.PENDING)
    assert waiting.exists()  # the chains wait for the worker
    with django_capture_on_commit_callbacks(execute=True):
        for transition_id in sorted(set(waiting.values_list("transition_id", flat=True))):
            followup_run(transition_id=transition_id)
        # The quittances of the fees paid (the worker's task, or the reconciliation's round).
        for act_id in quittances_pending():
            quittance_issue(act_id=act_id)
    assert not waiting.exists()
    acts = Act.objects.filter(dossier__procedure__slug=slug)
    receipts = acts.filter(kind=ActKind.RECEIPT)
    assert sorted(receipts.values_list("dossier_id", flat=True)) == sorted(filed.values_list("pk", flat=True))
    decided = filed.filter(state__in=[DossierState.ACCEPTED, DossierState.REFUSED])
    decisions = acts.filter(kind__in=[ActKind.ACCEPTANCE, ActKind.REFUSAL])
    assert sorted(decisions.values_list("dossier_id", flat=True)) == sorted(decided.values_list("pk", flat=True))
    assert not acts.exclude(status=ActStatus.ISSUED).exists()
    for act in acts:
        with act.pdf.open("rb") as stored:
            status = seal_status(stored.read())
        assert status.bottom_line and status.intact and status.valid, act.code
    assert mail.outbox == []
