"""`manage.py casework_sweep [--loop SECONDS]`: the deadline sweep (CASE-5), once or forever."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.casework.scheduled import SweepResult, sweep_deadlines
from linli.core.management.periodic import add_loop_argument, run_periodically


def _line(result: SweepResult, seconds: float) -> str:
    return (
        f"warned={result.warned} overdue={result.overdue} escalated={result.escalated} "
        f"follow_ups={result.follow_ups} whistle_calls={result.whistle_calls} "
        f"({seconds:.2f}s)"
    )


class Command(BaseCommand):
    help = "Warn, mark overdue and escalate cases; create 回访 tasks; escalate 吹哨 calls."

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = options["loop"]
        run_periodically(self, "casework_sweep", interval, sweep_deadlines, _line)
