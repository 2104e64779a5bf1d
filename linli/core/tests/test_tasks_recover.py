"""tasks_recover: a task its dead worker left RUNNING goes back to READY once stale; a live
one, a finished one and a task that keeps killing its worker are treated as such."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from linli.core.tasks import MAX_CLAIMS, deliver_notification, tasks_recover

pytestmark = pytest.mark.django_db


def _running(*, minutes_ago: float, claims: int = 1) -> DBTaskResult:
    result = deliver_notification.enqueue(delivery_id=1)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("dead-worker")
    row.worker_ids = [f"w{i}" for i in range(claims)]
    row.started_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    row.save()
    return row


def _status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return str(row.status)


def test_only_tasks_running_longer_than_the_threshold_are_requeued():
    stale, live = _running(minutes_ago=20), _running(minutes_ago=1)
    done = _running(minutes_ago=30)
    done.set_successful("sent")
    assert tasks_recover(stale_after=dt.timedelta(minutes=15)).requeued == 1
    assert _status(stale) == TaskResultStatus.READY
    assert _status(live) == TaskResultStatus.RUNNING
    assert _status(done) == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.ready().filter(pk=stale.pk).exists()  # a worker takes it


def test_a_task_that_keeps_killing_its_worker_is_failed():
    poison = _running(minutes_ago=20, claims=MAX_CLAIMS)
    result = tasks_recover(stale_after=dt.timedelta(minutes=15))
    assert (result.requeued, result.failed) == (0, 1)
    poison.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED
    assert poison.exception_class_path == "linli.core.tasks.WorkerLost"


def test_command_reports_counts(capsys):
    _running(minutes_ago=20)
    call_command("tasks_recover", stale_after=0)
    assert capsys.readouterr().out.strip() == "requeued=1 failed=0"
