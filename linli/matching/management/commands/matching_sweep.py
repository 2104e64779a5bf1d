"""`manage.py matching_sweep [--loop SECONDS]`: expire invitations, release bookings."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.core.management.periodic import add_loop_argument, run_periodically
from linli.matching.scheduled import SweepResult, matching_sweep


def _line(r: SweepResult, seconds: float) -> str:
    return f"expired={r.expired} released={r.released} done={r.done} ({seconds:.2f}s)"


class Command(BaseCommand):
    help = "Pass expired invitations on; release bookings not checked in within 15 minutes."

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        run_periodically(self, "matching_sweep", options["loop"], matching_sweep, _line)
