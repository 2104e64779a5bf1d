"""`manage.py evaluation_snapshot [--month YYYY-MM [--recompute --reason TEXT]] [--loop S]`

Without --month: the scheduled run, freezing every ended month (of the last twelve) that has
no snapshot yet, once or every SECONDS. With --month: that month; an existing snapshot is
only recomputed with --recompute and a reason (a new revision; the old one stays)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.errors import ApplicationError
from linli.core.management.periodic import add_loop_argument, run_periodically
from linli.evaluation.models import Snapshot
from linli.evaluation.services import snapshot_due, snapshot_month


def _line(made: list[Snapshot], seconds: float) -> str:
    months = ", ".join(f"{s.month:%Y-%m}" for s in made) or "-"
    return f"snapshots={len(made)} months={months} ({seconds:.2f}s)"


class Command(BaseCommand):
    help = "Freeze monthly evaluation figures (EVAL-3)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM: this month only")
        parser.add_argument("--recompute", action="store_true", help="a new revision")
        parser.add_argument("--reason", default="", help="why a published month is recomputed")
        add_loop_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["month"]:
            run_periodically(self, "evaluation_snapshot", options["loop"], snapshot_due, _line)
            return
        try:
            month = dt.date.fromisoformat(f"{options['month']}-01")
        except ValueError as exc:
            raise CommandError("--month must be YYYY-MM") from exc
        try:
            snap = snapshot_month(
                month=month, recompute=options["recompute"], reason=options["reason"]
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"snapshot {snap.month:%Y-%m} revision {snap.revision}: "
            f"{snap.figures.count()} figures ({snap.seconds:.2f}s)"
        )
