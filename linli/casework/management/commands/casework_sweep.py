"""`manage.py casework_sweep [--loop SECONDS]`: the deadline sweep (CASE-5), once or forever."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.casework.scheduled import SweepResult, sweep_deadlines


def _line(result: SweepResult, seconds: float) -> str:
    return (
        f"warned={result.warned} overdue={result.overdue} escalated={result.escalated} "
        f"follow_ups={result.follow_ups} whistle_calls={result.whistle_calls} "
        f"({seconds:.2f}s)"
    )


class Command(BaseCommand):
    help = "Warn, mark overdue and escalate cases; create 回访 tasks; escalate 吹哨 calls."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            type=float,
            default=0,
            metavar="SECONDS",
            help="run again every SECONDS until stopped (default: run once)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = options["loop"]
        while True:
            started = time.monotonic()
            try:
                result = sweep_deadlines()
            except Exception as exc:
                if not interval:
                    raise
                # A failed pass (database restart …) must not stop the loop.
                self.stderr.write(f"casework_sweep failed: {type(exc).__name__}: {exc}")
            else:
                self.stdout.write(_line(result, time.monotonic() - started))
            if not interval:
                return
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
