"""`manage.py tasks_recover [--stale-after SECONDS] [--loop SECONDS]`: requeue the tasks a
dead worker left RUNNING (django_tasks_db never does; see linli.core.tasks.tasks_recover)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.core.management.periodic import add_loop_argument, run_periodically
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
        add_loop_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = options["loop"]
        stale_after = dt.timedelta(seconds=options["stale_after"])
        run_periodically(
            self,
            "tasks_recover",
            interval,
            lambda: tasks_recover(stale_after=stale_after, max_claims=options["max_claims"]),
            lambda r, _seconds: f"requeued={r.requeued} failed={r.failed}",
        )
