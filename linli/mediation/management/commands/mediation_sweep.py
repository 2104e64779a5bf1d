"""`manage.py mediation_sweep [--loop SECONDS]`: deadlines, follow-ups, court reminders."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.core.management.periodic import add_loop_argument, run_periodically
from linli.mediation.scheduled import SweepResult, mediation_sweep


def _line(r: SweepResult, seconds: float) -> str:
    return (
        f"warned={r.warned} overdue={r.overdue} follow_ups_due={r.follow_ups_due} "
        f"court_reminders={r.court_reminders} ({seconds:.2f}s)"
    )


class Command(BaseCommand):
    help = "Warn and mark overdue mediation deadlines; remind follow-ups and court windows."

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        run_periodically(self, "mediation_sweep", options["loop"], mediation_sweep, _line)
