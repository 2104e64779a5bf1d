"""`manage.py care_sweep [--loop SECONDS] [--baseline]`: the care rule sweep (CARE-3..5),
once or forever; --baseline runs the nightly electricity baseline refresh instead."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.care.scheduled import SweepResult, baseline_refresh, care_sweep
from linli.core.management.periodic import add_loop_argument, run_periodically


def _line(r: SweepResult, seconds: float) -> str:
    if r.skipped:
        return f"skipped: another sweep is running ({seconds:.2f}s)"
    return (
        f"opened={r.opened} deferred={r.deferred} released={r.released} resolved={r.resolved} "
        f"escalated={r.escalated} tasks_opened={r.tasks_opened} "
        f"tasks_resolved={r.tasks_resolved} homes_judged={r.homes_judged} "
        f"power_hour={r.power_hour} ({seconds:.2f}s)"
    )


class Command(BaseCommand):
    help = "Judge every monitored home: welfare alerts, maintenance tasks, escalation."

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_argument(parser)
        parser.add_argument("--baseline", action="store_true", help="refresh baselines")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["baseline"]:
            started = time.monotonic()
            n = baseline_refresh()
            self.stdout.write(
                f"baselines refreshed for {n} meters ({time.monotonic() - started:.1f}s)"
            )
            return
        interval: float = options["loop"]
        run_periodically(self, "care_sweep", interval, care_sweep, _line)
