"""The `--loop SECONDS` shared by the periodic commands (casework_sweep, care_sweep,
tasks_recover): once, or every SECONDS until stopped, where a failed pass is reported and the
loop goes on."""

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def add_loop_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--loop",
        type=float,
        default=0,
        metavar="SECONDS",
        help="run again every SECONDS until stopped (default: run once)",
    )


def run_periodically(
    command: BaseCommand,
    name: str,
    interval: float,
    one_pass: Callable[[], Any],
    report: Callable[[Any, float], str],
) -> None:
    """Run `one_pass`, write `report(result, seconds)`; a single run raises its error."""
    while True:
        started = time.monotonic()
        try:
            result = one_pass()
        except Exception as exc:
            if not interval:
                raise
            # A failed pass (database restart …) must not stop the loop.
            command.stderr.write(f"{name} failed: {type(exc).__name__}: {exc}")
        else:
            command.stdout.write(report(result, time.monotonic() - started))
        if not interval:
            return
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
