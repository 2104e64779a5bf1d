"""Background tasks of casework. Tasks take ids (or nothing) and call services."""

from dataclasses import asdict

from django_tasks import task

from linli.casework.scheduled import sweep_deadlines


@task()
def sweep_deadlines_task() -> dict[str, int]:
    """One deadline sweep (CASE-5, CASE-6, CASE-9); the counts are the task's result."""
    return asdict(sweep_deadlines())
