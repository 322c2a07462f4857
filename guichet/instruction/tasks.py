from django.utils import timezone
from django_tasks import task

from .silence import dossiers_silence_decide


@task()
def dossiers_silence_decide_task() -> dict[str, list[int]]:
    """Decide the dossiers whose deadline passed in silence (instruction.silence.dossiers_silence_decide).
    Idempotent: a repeated or retried run decides nothing twice. `manage.py deadlines_apply` runs
    the same work from a timer."""
    report = dossiers_silence_decide(now=timezone.now())
    return {"decided": report.decided, "skipped": report.skipped, "failed": report.failed}
