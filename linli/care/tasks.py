"""Background tasks of care (django-tasks). Tasks take ids (or nothing) and call services."""

from dataclasses import asdict
from typing import Any

from django_tasks import task

from linli.care.scheduled import baseline_refresh, care_sweep


@task()
def care_sweep_task() -> dict[str, Any]:
    """One care sweep (CARE-3..5); the counts are the task's result."""
    return asdict(care_sweep())


@task()
def baseline_refresh_task() -> int:
    """The nightly electricity baseline refresh; returns the number of meters refreshed."""
    return baseline_refresh()
