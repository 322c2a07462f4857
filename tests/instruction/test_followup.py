"""What follows a transition: one declared chain of steps per transition, each run once, retried
when it fails, taken up again when its worker dies, and never doing anything twice."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from guichet.core.hooks import Hook
from guichet.documents.models import Act, ActStatus
from guichet.dossiers.models import DossierState, TransitionLog, TransitionName
from guichet.dossiers.services import dossier_corrections_submit, dossier_submit, dossier_withdraw
from guichet.dossiers.workflow import TRANSITIONS, dossier_transition
from guichet.instruction.followup.chain import (
    LEASE,
    STEPS,
    _claim,
    followup_run,
    followup_steps,
    followups_quiet,
    followups_resume,
)
from guichet.instruction.models import FollowUpStep, InstructorNotification
from guichet.instruction.services import dossier_decide
from guichet.instruction.silence import dossiers_silence_decide
from tests.core.smtp_stand_in import smtp_stand_in_start
from tests.documents.test_acts import seal_status
from tests.factories import DossierFactory, ProcedureFactory, instructor_of

pytestmark = pytest.mark.django_db
Name, Status = FollowUpStep.Name, FollowUpStep.Status


def test_one_function_shows_what_follows_each_transition():
    told = [Name.WEBHOOKS, Name.EXCHANGES]
    submit = [Name.ISSUE_ACT, *told, Name.EMAIL_APPLICANT, Name.NOTIFY_INSTRUCTORS]
    assert followup_steps(TransitionName.SUBMIT) == submit
    assert followup_steps(TransitionName.ACCEPT) == [Name.ISSUE_ACT, *told, Name.EMAIL_APPLICANT]
    assert followup_steps(TransitionName.REFUSE) == [Name.ISSUE_ACT, *told, Name.EMAIL_APPLICANT]
    assert followup_steps(TransitionName.CLOSE) == [*told, Name.EMAIL_APPLICANT]
    assert followup_steps(TransitionName.SUBMIT_CORRECTIONS) == [*told, Name.NOTIFY_INSTRUCTORS]
    assert followup_steps(TransitionName.WITHDRAW) == [*told, Name.NOTIFY_INSTRUCTORS]
    # A fee due after acceptance: HubEE is told the decision, the act is delivered once paid.
    paying = followup_steps(TransitionName.ACCEPT, fee_after_acceptance=True)
    assert paying == [Name.ISSUE_ACT, *told, Name.AWAIT_PAYMENT, Name.EMAIL_APPLICANT]


def test_the_hooks_and_their_listeners_are_the_ones_expected():
    """A listener connected in an app's ready() is what makes the layers hold: losing one would
    silently stop what follows a transition or a publication."""
    assert Hook.declared() == {
        "agent_roles_collect": [
            "guichet.procedures.selectors.instructor_role_add",
            "guichet.instruction.selectors.expert_role_add",
        ],
        "procedure_retention_changed": ["guichet.archives.retention_settings.retention_reschedule"],
        "procedure_published": [
            "guichet.dossiers.tasks.drafts_move_on_publish",
            "guichet.observatory.programme_link.programme_entry_on_publish",
        ],
        "publication_checks_asked": [
            "guichet.documents.publication.act_publication_checks",
            "guichet.archives.retention_settings.retention_publication_checks",
        ],
        "payment_settled": ["guichet.instruction.followup.chain.followup_wake_on_payment"],
        "invoice_needs_attention": ["guichet.instruction.notifications.instructors_notify_invoice"],
        "received_message_written": ["guichet.instruction.messages.applicant_message_told"],
        "session_user_annotate": ["guichet.www.context_processors.session_user_roles"],
        "transition_applied": [
            "guichet.instruction.followup.chain.followup_start",
            "guichet.payments.rules.payment_on_transition",
        ],
        "transition_checked": [
            "guichet.payments.rules.payment_required_before_filing",
            "guichet.archives.retention.retention_on_transition",
        ],
    }


def _apply(name: TransitionName, dossier, instructor, actor_none: bool = False):
    """Apply `name` as the screens do (services), or as the platform (actor None)."""
    if name == TransitionName.SUBMIT:
        dossier_submit(actor=dossier.applicant, dossier=dossier)
    elif name == TransitionName.WITHDRAW:
        dossier_withdraw(actor=dossier.applicant, dossier=dossier, reason="Je déménage.")
    elif name == TransitionName.SUBMIT_CORRECTIONS:
        dossier.answers = {**dossier.answers, "objet": "Une demande corrigée"}
        dossier.save(update_fields=["answers"])
        dossier_corrections_submit(actor=dossier.applicant, dossier=dossier)
    else:
        dossier_decide(actor=instructor, dossier=dossier, name=name, motivation="Motif de test.")
    return TransitionLog.objects.filter(dossier=dossier).latest("at", "pk")


STATE_BEFORE = {
    TransitionName.SUBMIT: None,
    TransitionName.SUBMIT_CORRECTIONS: "correction_asked",
    TransitionName.START_INSTRUCTION: "submitted",
    TransitionName.REQUEST_CORRECTION: "in_instruction",
    TransitionName.ACCEPT: "in_instruction",
    TransitionName.REFUSE: "in_instruction",
    TransitionName.CLOSE: "in_instruction",
    TransitionName.REOPEN: "accepted",
    TransitionName.WITHDRAW: "submitted",
}


@pytest.mark.parametrize("name", list(TransitionName))
def test_each_transition_runs_its_declared_steps_once(name, django_capture_on_commit_callbacks):
    assert set(STATE_BEFORE) == set(TransitionName)
    before = STATE_BEFORE[name]
    procedure = ProcedureFactory()
    instructor = instructor_of(procedure)
    dossier = DossierFactory(
        procedure=procedure, target_state="in_instruction" if before == "correction_asked" else before
    )
    if before == "correction_asked":
        dossier_decide(actor=instructor, dossier=dossier, name=TransitionName.REQUEST_CORRECTION, motivation="Pièce.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        log = _apply(name, dossier, instructor)
    transition = TRANSITIONS[name]
    steps = list(FollowUpStep.objects.filter(transition=log).order_by("position"))
    assert [step.name for step in steps] == followup_steps(name)
    assert all(step.status == Status.DONE and step.attempts == 1 for step in steps)
    # The act, the applicant's email and the instructors' notice: each once, as the table says.
    acts = Act.objects.filter(transition=log)
    assert acts.count() == (1 if transition.act else 0)
    if transition.act:
        assert acts.get().status == ActStatus.ISSUED and acts.get().kind == transition.act
    to_applicant = [m for m in mail.outbox if m.to == [dossier.applicant.email]]
    assert len(to_applicant) == (1 if transition.applicant_email else 0)
    if transition.act:
        assert to_applicant[0].attachments[0][0] == acts.get().file_name
    notices = InstructorNotification.objects.filter(dossier=dossier, kind=transition.instructors_notice or "-")
    members = dossier.group.memberships.count()
    assert notices.count() == (members if transition.instructors_notice else 0) and members >= 1
    # Run again, by the task or by the resume loop: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert followup_run(transition_id=log.pk).done == []
        followup_run(transition_id=log.pk)
    assert len([m for m in mail.outbox if m.to == [dossier.applicant.email]]) == len(to_applicant)
    assert Act.objects.filter(transition=log).count() == acts.count()
    assert InstructorNotification.objects.filter(dossier=dossier).count() >= notices.count()


def test_implicit_decisions_have_their_act_and_email_too(django_capture_on_commit_callbacks):
    procedure = ProcedureFactory(processing_days=10, silence_rule="acceptance")
    dossier = DossierFactory(procedure=procedure, target_state="submitted")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = dossiers_silence_decide(now=timezone.now() + timedelta(days=30))
    assert report.decided == [dossier.pk]
    log = dossier.transitions.get(transition=TransitionName.ACCEPT)
    assert log.actor is None and Act.objects.get(transition=log).status == ActStatus.ISSUED
    (email,) = mail.outbox
    assert "acceptée" in email.body and "article L. 231-1" in email.body and email.attachments


def test_instructors_hear_of_a_new_dossier_whoever_files_it(django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    instructor = instructor_of(procedure)
    through_service = DossierFactory(procedure=procedure)
    straight = DossierFactory(procedure=procedure)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_submit(actor=through_service.applicant, dossier=through_service)
        # The workflow's own function, as the demo, the factories or a future API would call it.
        dossier_transition(dossier=straight, name=TransitionName.SUBMIT, actor=straight.applicant)
    told = InstructorNotification.objects.filter(user=instructor, kind=InstructorNotification.Kind.NEW_DOSSIER)
    assert sorted(told.values_list("dossier_id", flat=True)) == sorted([through_service.pk, straight.pk])


@pytest.fixture
def smtp(settings):
    server_state, server = smtp_stand_in_start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server_state.host, server_state.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server_state
    server.shutdown()
    server.server_close()


def test_a_mail_server_that_fails_then_works_delivers_the_email_once(smtp, django_capture_on_commit_callbacks):
    dossier = DossierFactory()
    applicant = dossier.applicant.email
    smtp.refuse_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        log = dossier_submit(actor=dossier.applicant, dossier=dossier).transitions.get()
    email_step = FollowUpStep.objects.get(transition=log, name=Name.EMAIL_APPLICANT)
    assert email_step.status == Status.PENDING and email_step.attempts == 1 and "421" in email_step.last_error
    assert smtp.to(applicant) == []
    # Not before its time; then the resume loop sends it, once, with the receipt.
    assert followups_resume(now=timezone.now()) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert followups_resume(now=timezone.now() + timedelta(minutes=2)) == [log.pk]
        followups_resume(now=timezone.now() + timedelta(minutes=30))
    (delivered,) = smtp.to(applicant)
    receipt = Act.objects.get(transition=log)
    assert dossier.number in delivered["Subject"]
    (attachment,) = [part for part in delivered.walk() if part.get_filename()]
    assert attachment.get_filename() == receipt.file_name
    email_step.refresh_from_db()
    assert email_step.status == Status.DONE and email_step.attempts == 2


def test_an_email_given_up_leaves_its_failure_visible_and_the_chain_goes_on(smtp, django_capture_on_commit_callbacks):
    procedure = ProcedureFactory()
    instructor_of(procedure)
    dossier = DossierFactory(procedure=procedure)
    smtp.refuse_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        log = dossier_submit(actor=dossier.applicant, dossier=dossier).transitions.get()
    moment = timezone.now()
    for hours in range(1, 12):
        followups_resume(now=moment + timedelta(hours=hours))
    step = FollowUpStep.objects.get(transition=log, name=Name.EMAIL_APPLICANT)
    assert step.status == Status.FAILED and step.attempts == 8 and "421" in step.last_error
    assert FollowUpStep.objects.get(transition=log, name=Name.NOTIFY_INSTRUCTORS).status == Status.DONE


def test_a_worker_killed_while_making_the_receipt_is_replaced_and_the_receipt_issued_once(
    django_capture_on_commit_callbacks,
):
    dossier = DossierFactory()
    log = dossier_submit(actor=dossier.applicant, dossier=dossier).transitions.get()  # its task is lost
    step = FollowUpStep.objects.get(transition=log, name=Name.ISSUE_ACT)
    # A worker took the step, wrote the act's row, and died before the PDF was stored.
    started = timezone.now()
    assert _claim(step, started)
    Act.objects.create(dossier=dossier, kind="receipt", transition=log, requested_at=log.at)
    # Another worker does not take it while the first one might still be at it...
    assert followup_run(transition_id=log.pk, now=started + LEASE / 2).waiting == Name.ISSUE_ACT
    # ...but the resume loop does, once the lease has run out.
    with django_capture_on_commit_callbacks(execute=True):
        assert followups_resume(now=started + LEASE + timedelta(seconds=1)) == [log.pk]
    receipt = Act.objects.get(dossier=dossier)
    assert receipt.status == ActStatus.ISSUED and receipt.transition_id == log.pk
    with receipt.pdf.open("rb") as stored:
        assert seal_status(stored.read()).bottom_line
    assert [m.to for m in mail.outbox] == [[dossier.applicant.email]]
    assert followups_resume(now=started + timedelta(hours=1)) == []


def test_a_resume_round_longer_than_a_lease_leases_each_step_from_when_it_takes_it(monkeypatch):
    """The soak's backlog: a round of the resume loop runs hundreds of chains one after the other,
    for minutes. A step it takes late in the round is leased from then: no worker takes it meanwhile
    (leased from the round's start, the lease was over at once, and a dossier got two receipts)."""
    first, second = DossierFactory(), DossierFactory()
    for dossier in (first, second):
        dossier_submit(actor=dossier.applicant, dossier=dossier)  # their tasks are lost
    real_now = timezone.now
    ahead = [timedelta(minutes=2)]  # past the resume loop's grace
    monkeypatch.setattr(timezone, "now", lambda: real_now() + ahead[0])
    issue_act = STEPS[Name.ISSUE_ACT]
    other_worker = []

    def slow_then_watched(*, log, step, last_attempt):
        if log.dossier_id == first.pk:
            ahead[0] += 2 * LEASE  # the first act takes two leases: a busy node
        elif not other_worker:
            other_worker.append("running")
            # Meanwhile a worker takes up the second chain (its task, or another resume round).
            other_worker.append(followup_run(transition_id=log.pk))
        return issue_act(log=log, step=step, last_attempt=last_attempt)

    monkeypatch.setitem(STEPS, Name.ISSUE_ACT, slow_then_watched)
    assert len(followups_resume()) == 2
    _, report = other_worker
    assert report.done == [] and report.waiting == Name.ISSUE_ACT
    for dossier in (first, second):
        (receipt,) = Act.objects.filter(dossier=dossier)
        assert receipt.status == ActStatus.ISSUED
        assert set(FollowUpStep.objects.filter(transition__dossier=dossier).values_list("attempts", flat=True)) == {1}


def test_two_workers_never_take_the_same_step():
    dossier = DossierFactory()
    log = dossier_submit(actor=dossier.applicant, dossier=dossier).transitions.get()
    step = FollowUpStep.objects.get(transition=log, name=Name.ISSUE_ACT)
    now = timezone.now()
    assert _claim(step, now) is True
    assert _claim(step, now) is False


def test_the_demo_tells_nobody_but_still_issues_its_acts(django_capture_on_commit_callbacks):
    dossier = DossierFactory()
    with django_capture_on_commit_callbacks(execute=True), followups_quiet():
        log = dossier_submit(actor=dossier.applicant, dossier=dossier).transitions.get()
    statuses = dict(FollowUpStep.objects.filter(transition=log).values_list("name", "status"))
    assert statuses == {
        Name.ISSUE_ACT: Status.DONE,
        Name.WEBHOOKS: Status.SKIPPED,
        Name.EXCHANGES: Status.SKIPPED,
        Name.EMAIL_APPLICANT: Status.SKIPPED,
        Name.NOTIFY_INSTRUCTORS: Status.SKIPPED,
    }
    assert mail.outbox == [] and Act.objects.get(transition=log).status == ActStatus.ISSUED
    assert dossier.state == DossierState.SUBMITTED


def test_an_email_sent_again_after_its_worker_died_carries_the_same_message_id(django_capture_on_commit_callbacks):
    dossier = DossierFactory()
    with django_capture_on_commit_callbacks(execute=True):
        log = dossier_submit(actor=dossier.applicant, dossier=dossier).transitions.get()
    (sent,) = [m for m in mail.outbox if m.to == [dossier.applicant.email]]
    # The worker sent the email and died before recording it: the step is still its, until the lease ends.
    step = FollowUpStep.objects.get(transition=log, name=Name.EMAIL_APPLICANT)
    started = timezone.now()
    FollowUpStep.objects.filter(pk=step.pk).update(status=Status.RUNNING, claimed_until=started + LEASE)
    with django_capture_on_commit_callbacks(execute=True):
        assert followups_resume(now=started + LEASE + timedelta(seconds=1)) == [log.pk]
    first, again = [m for m in mail.outbox if m.to == [dossier.applicant.email]]
    # Sending and recording are not one transaction: the email leaves twice, as the same message,
    # which mail servers and clients show once.
    expected = f"<suivi-{step.pk}@{urlsplit(settings.GUICHET_SITE_URL).hostname}>"
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"] == expected
    assert first.message()["Message-ID"] == expected
    assert sent is first
