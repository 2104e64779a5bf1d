"""`manage.py station_sweep [--loop SECONDS]`: one-stop application deadlines (SERVE-2)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.core.management.periodic import add_loop_argument, run_periodically
from linli.station.scheduled import SweepResult, station_sweep


def _line(r: SweepResult, seconds: float) -> str:
    return f"warned={r.warned} overdue={r.overdue} ({seconds:.2f}s)"


class Command(BaseCommand):
    help = "Warn and mark overdue one-stop service applications."

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        run_periodically(self, "station_sweep", options["loop"], station_sweep, _line)
