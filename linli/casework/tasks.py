"""Background tasks of casework. Tasks take ids (or nothing) and call services."""

from dataclasses import asdict

from django_tasks import task

from linli.casework.notify import sms_for_event
from linli.casework.scheduled import sweep_deadlines


@task()
def sweep_deadlines_task() -> dict[str, int]:
    """One deadline sweep (CASE-5, CASE-6, CASE-9); the counts are the task's result."""
    return asdict(sweep_deadlines())


@task()
def sms_window_resident(*, event_id: int) -> str:
    """A step of a case entered at the window, texted to the number the resident gave."""
    return sms_for_event(event_id=event_id)
