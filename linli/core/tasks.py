import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from linli.core.notifications.services import delivery_perform

log = logging.getLogger(__name__)

# A task claimed this many times without finishing keeps killing its worker: stop retrying.
MAX_CLAIMS = 5


@task()
def deliver_notification(*, delivery_id: int) -> str:
    return str(delivery_perform(delivery_id=delivery_id).status)


@dataclass(frozen=True)
class RecoverResult:
    requeued: int = 0
    failed: int = 0


def tasks_recover(
    *, stale_after: dt.timedelta, max_claims: int = MAX_CLAIMS, now: dt.datetime | None = None
) -> RecoverResult:
    """Put tasks back in the queue whose worker died while running them.

    django_tasks_db marks a claimed task RUNNING and has no heartbeat: a worker killed
    (SIGKILL, OOM, power) leaves it RUNNING and no worker ever takes it again. A task
    RUNNING for longer than `stale_after` (longer than any task takes) is taken as
    orphaned and made READY again; Linli's tasks are idempotent (a delivery already sent
    is not sent again; sweeps redo only what is left). A task claimed `max_claims` times is
    marked FAILED instead, so a task that kills its worker does not loop forever."""
    cutoff = (now or timezone.now()) - stale_after
    with transaction.atomic():
        stale = list(
            DBTaskResult.objects.running()
            .filter(started_at__lte=cutoff)
            .select_for_update(skip_locked=True)
            .only("id", "task_path", "worker_ids")
        )
        requeue = [t.pk for t in stale if len(t.worker_ids) < max_claims]
        give_up = [t.pk for t in stale if len(t.worker_ids) >= max_claims]
        # status=RUNNING again in the UPDATE: a task its worker finished meanwhile stays done.
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        requeued = running.filter(pk__in=requeue).update(status=TaskResultStatus.READY)
        failed = running.filter(pk__in=give_up).update(
            status=TaskResultStatus.FAILED,
            finished_at=now or timezone.now(),
            exception_class_path="linli.core.tasks.WorkerLost",
            traceback=f"worker lost {max_claims} times while running this task",
        )
    for t in stale:
        log.warning(
            "tasks_recover: %s %s (workers %s) %s",
            t.task_path,
            t.pk,
            ",".join(t.worker_ids),
            "requeued" if t.pk in requeue else "failed",
        )
    return RecoverResult(requeued=requeued, failed=failed)
