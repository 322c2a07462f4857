"""Several web nodes and workers, killed and restarted, lose nothing (issue 23; decision 0057).

Two gunicorn web nodes, two workers and the follow-up loop share the test's PostgreSQL database,
a Redis database and a local S3 server, behind a round-robin proxy that routes on /sante/pret
(cluster.py, proxy.py). Applicants file dossiers through the proxy while one web node and one
worker are killed with SIGKILL, then started again.

PostgreSQL only: the nodes are separate processes that must share the test's database while it
runs, and the workers take tasks with SELECT … FOR UPDATE SKIP LOCKED and the loops their rounds
with advisory locks. The SQLite test database is a file that the tests' settings tune for a single
process (no durability, WAL), where none of this is what production does: there these tests are
skipped, with that reason."""

import signal
import threading
import time

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config.settings import test_bucket
from guichet.documents.models import Act, ActKind, ActStatus
from guichet.dossiers.models import Dossier, DossierState, TransitionLog, TransitionName
from guichet.instruction.models import FollowUpStep
from tests.multinode.applicants import applicants_run
from tests.multinode.cluster import Cluster, ClusterLayout, database_url, listening, redis_flushed
from tests.multinode.filing import filing_missing, filing_ready

POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.multinode,
    pytest.mark.skipif(
        not POSTGRESQL,
        reason="plusieurs processus partagent la base de test : PostgreSQL seulement (SQLite y est réglé "
        "pour un seul processus, sans SKIP LOCKED ni verrous consultatifs)",
    ),
]
Status = FollowUpStep.Status


def wait_until(condition, seconds: float, what, pause: float = 0.05) -> None:
    """Wait for `condition`; past `seconds`, fail saying `what` (a text, or a function that tells
    the state)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what() if callable(what) else what}: not within {seconds} s")
        time.sleep(pause)


@pytest.fixture(scope="module")
def bucket():
    return test_bucket.test_bucket_started()  # imported by its module: pytest would take it for a test


@pytest.fixture
def cluster_of(transactional_db, tmp_path, bucket):
    """Start a cluster on the test's database (committed data: every node sees it); stopped after."""
    if not listening("127.0.0.1", 6379):
        pytest.skip("Redis ne répond pas sur 127.0.0.1:6379 (cache et sessions partagés des nœuds)")
    made: list[Cluster] = []

    def start(layout: ClusterLayout) -> Cluster:
        cluster = Cluster(
            database_url=database_url(connection.settings_dict),
            bucket=bucket,
            workdir=tmp_path / f"cluster{len(made)}",
            layout=layout,
            redis_url=redis_flushed(),
        ).build()
        made.append(cluster)
        cluster.start()
        return cluster

    yield start
    for cluster in made:
        cluster.stop()
    connection.close()  # the nodes' connections are gone; the flush that follows takes no lock of theirs


def running_on(worker: str, since) -> bool:
    return DBTaskResult.objects.filter(status="RUNNING", worker_ids__contains=[worker], enqueued_at__gte=since).exists()


def _unfinished(dossiers: set[int]):
    return FollowUpStep.objects.filter(transition__dossier__in=dossiers, status__in=[Status.PENDING, Status.RUNNING])


def chains_finished(dossiers: set[int]) -> bool:
    tasks = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
    return not _unfinished(dossiers).exists() and not tasks.exists()


def chains_state(dossiers: set[int]) -> str:
    steps = list(_unfinished(dossiers).values_list("transition_id", "name", "status", "run_after", "claimed_until"))
    tasks = list(DBTaskResult.objects.exclude(status="SUCCESSFUL").values_list("task_path", "status", "worker_ids"))
    return f"every follow-up done (now {timezone.now()}; steps left {steps}; tasks not done {tasks})"


def test_killed_nodes_lose_no_dossier_receipt_email_or_step(cluster_of):
    emails, password = filing_ready(4)
    cluster = cluster_of(ClusterLayout())
    since = timezone.now()
    stop = threading.Event()
    journal, threads = applicants_run(url=cluster.proxy.url, emails=emails, password=password, stop=stop)
    web, worker = cluster.web[0], cluster.workers[0]
    killed_web = cluster.proxy.backends[0]
    try:
        wait_until(lambda: len(journal.answered) >= 3, 60, "first dossiers filed")
        web.kill()
        wait_until(lambda: not killed_web.up, 5, "the proxy sees the dead node")
        # The worker is killed with a task in hand when one comes within the time (else as it waits).
        mid_task = True
        try:
            wait_until(lambda: running_on("worker0", since), 20, "a task on worker0", pause=0.01)
        except AssertionError:
            mid_task = False
        worker.kill()
        answered_while_down = len(journal.answered)
        wait_until(lambda: len(journal.answered) >= answered_while_down + 2, 60, "dossiers filed on what remains")
        cluster.restart(web)
        cluster.restart(worker)
        forwarded = killed_web.forwarded
        wait_until(lambda: killed_web.forwarded > forwarded + 5, 30, "the restarted node serves again")
        wait_until(lambda: len(journal.answered) >= answered_while_down + 4, 60, "dossiers filed after the restart")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=130)
    mine = Dossier.objects.filter(applicant__email__in=emails).exclude(state=DossierState.DRAFT)
    filed = {dossier.pk: dossier for dossier in mine}
    wait_until(lambda: chains_finished(set(filed)), 60, lambda: chains_state(set(filed)), pause=0.5)
    cluster.check_alive()

    # Every dossier answered « déposé » exists once, with its number; the only others filed are
    # those whose answer was lost with the node that carried it: complete all the same (below).
    assert journal.answered <= set(filed), cluster.logs()
    assert set(filed) - journal.answered <= journal.uncertain
    assert journal.confirmed == journal.answered
    assert all(dossier.state == DossierState.SUBMITTED and dossier.number for dossier in filed.values())
    assert len({dossier.number for dossier in filed.values()}) == len(filed)
    # No request failed but those in flight on the node killed (the proxy's 502): sessions, CSRF
    # tokens and drafts started on one node are known to the other.
    assert journal.failures_outside_lost_nodes() == [], journal.failures
    assert {port for _, port, _ in cluster.proxy.log.lost} <= {killed_web.port}

    # Each filed dossier: one filing, one receipt issued, every step of its chain done once.
    submits = TransitionLog.objects.filter(dossier__in=filed, transition=TransitionName.SUBMIT)
    assert sorted(submits.values_list("dossier_id", flat=True)) == sorted(filed)
    receipts = Act.objects.filter(transition__in=submits, kind=ActKind.RECEIPT)
    assert sorted(receipts.values_list("transition__dossier_id", flat=True)) == sorted(filed)
    assert set(receipts.values_list("status", flat=True)) == {ActStatus.ISSUED}
    steps = FollowUpStep.objects.filter(transition__in=submits)
    assert set(steps.values_list("status", flat=True)) == {Status.DONE}
    assert set(steps.values_list("attempts", flat=True)) == {1}  # never failed, never counted twice

    # One receipt email per dossier, its act attached.
    subjects = [message["Subject"] for message in cluster.emails()]
    for dossier in filed.values():
        sent = [message for message in cluster.emails() if f"n°{dossier.number} est déposé" in message["Subject"]]
        assert len(sent) == 1, (dossier.number, subjects)
        assert sent[0]["Message-ID"].startswith("<suivi-")  # the same at each attempt: duplicates recognisable
        assert any(part.get_content_type() == "application/pdf" for part in sent[0].iter_attachments())

    # What the soak checks after its run (bench/soak.py) says the same.
    nothing = {"answered_not_filed": 0, "filed_without_one_receipt": 0, "steps_not_done": 0, "tasks_failed": 0}
    assert filing_missing(journal.answered) == nothing

    # Every task done, none failed: the one the killed worker had in hand was put back in the queue
    # (tasks_recover) and done by another worker (its chain, taken up meanwhile by followups_resume
    # once its lease ran out, did nothing twice).
    results = DBTaskResult.objects.filter(enqueued_at__gte=since)
    assert set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}
    taken_again = [ids for ids in results.values_list("worker_ids", flat=True) if len(ids) > 1]
    assert len(taken_again) <= (1 if mid_task else 0) and all(ids[0] == "worker0" for ids in taken_again)
    print(  # seen with -s: what the run went through
        f"filed {len(filed)}, answered {len(journal.answered)}, uncertain {len(journal.uncertain)}, "
        f"lost with the node {len(cluster.proxy.log.lost)}, worker killed mid-task {mid_task}, "
        f"tasks taken again {len(taken_again)}, tasks {results.count()}"
    )


def test_a_web_node_stopped_with_sigterm_finishes_the_request_in_hand(cluster_of):
    cluster = cluster_of(ClusterLayout(web_nodes=1, workers=1))
    (web,) = cluster.web
    answers = []
    url = f"http://127.0.0.1:{web.port}/__multinode__/lent/?secondes=3"
    request = threading.Thread(target=lambda: answers.append(requests.get(url, timeout=30)))
    request.start()
    time.sleep(1)  # the request is in the worker's hands
    web.signal(signal.SIGTERM)
    request.join(timeout=30)
    assert answers and answers[0].status_code == 200 and answers[0].text == "fini"
    assert web.process.wait(timeout=30) == 0
    assert not listening("127.0.0.1", web.port)  # and it takes no new request


def test_a_worker_stopped_with_sigterm_finishes_the_task_in_hand(cluster_of):
    cluster = cluster_of(ClusterLayout(web_nodes=1, workers=1))
    (web,), (worker,) = cluster.web, cluster.workers
    task = requests.get(f"http://127.0.0.1:{web.port}/__multinode__/tache-lente/?secondes=3", timeout=10).json()
    result = DBTaskResult.objects.filter(pk=task["tache"])
    wait_until(lambda: result.filter(status="RUNNING").exists(), 20, "the task taken")
    stopped_at = timezone.now()
    worker.signal(signal.SIGTERM)
    assert worker.process.wait(timeout=30) == 0
    finished = result.get()
    assert finished.status == "SUCCESSFUL" and finished.return_value == "fini"
    assert finished.finished_at > stopped_at
