"""`manage.py care_simulate --households N --days D --seed S [--evaluate] [--start DATE]`:
simulate homes of elderly people living alone and feed their readings through the real
ingest path and sweep (see linli/simulate/care/). With --evaluate, print precision and
recall of welfare alerts and maintenance tasks against the simulation's ground truth."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.simulate.care import simulation_run


class Command(BaseCommand):
    help = "Simulate care devices and score the welfare alerts against the ground truth."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=100)
        parser.add_argument("--days", type=int, default=30, help="days scored (after warm-up)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--start", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--warmup-days", type=int, default=21)
        parser.add_argument("--quiet-share", type=float, default=0.1)
        parser.add_argument("--evaluate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["households"] < 1 or options["days"] < 1 or options["warmup_days"] < 0:
            raise CommandError("--households and --days must be at least 1.")
        settings.DEBUG = False  # a run makes millions of queries: keep no query log
        result = simulation_run(
            households=options["households"],
            days=options["days"],
            seed=options["seed"],
            start=options["start"],
            warmup_days=options["warmup_days"],
            evaluate_results=options["evaluate"],
            quiet_share=options["quiet_share"],
            progress=options["verbosity"] >= 2,
        )
        for line in result.lines:
            self.stdout.write(line)
