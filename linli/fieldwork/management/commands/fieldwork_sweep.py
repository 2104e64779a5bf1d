"""Write every grid worker's 今日任务 (each morning; `--loop` keeps them current)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from linli.fieldwork.services.today import sweep


class Command(BaseCommand):
    help = "Write every grid worker's list for today (今日任务)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            written = sweep()
            self.stdout.write(f"fieldwork: {written} new items")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
