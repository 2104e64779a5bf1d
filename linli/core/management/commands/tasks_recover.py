"""`manage.py tasks_recover [--stale-after SECONDS] [--loop SECONDS]`: requeue the tasks a
dead worker left RUNNING (django_tasks_db never does; see linli.core.tasks.tasks_recover)."""

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.core.tasks import MAX_CLAIMS, tasks_recover


class Command(BaseCommand):
    help = "Requeue tasks left RUNNING by a worker that died (killed, out of memory, reboot)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-after",
            type=float,
            default=900,
            metavar="SECONDS",
            help="RUNNING longer than this means the worker is gone; must exceed the longest "
            "task (default 900). 0 when no worker is running, e.g. before starting them all.",
        )
        parser.add_argument("--max-claims", type=int, default=MAX_CLAIMS)
        parser.add_argument(
            "--loop",
            type=float,
            default=0,
            metavar="SECONDS",
            help="run again every SECONDS until stopped (default: run once)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = options["loop"]
        stale_after = dt.timedelta(seconds=options["stale_after"])
        while True:
            started = time.monotonic()
            try:
                result = tasks_recover(stale_after=stale_after, max_claims=options["max_claims"])
            except Exception as exc:
                if not interval:
                    raise
                # A failed pass (database restart …) must not stop the loop.
                self.stderr.write(f"tasks_recover failed: {type(exc).__name__}: {exc}")
            else:
                self.stdout.write(f"requeued={result.requeued} failed={result.failed}")
            if not interval:
                return
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
