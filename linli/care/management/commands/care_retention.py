"""`manage.py care_retention [--keep-months N]`: roll raw care readings older than N months
up by hour, then drop them (whole month partitions on PostgreSQL). Run it nightly; safe to
interrupt and run again."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.care.services.partitions import keep_months, partitions_ensure, readings_retention


class Command(BaseCommand):
    help = "按月删除超过保留期限的原始读数(先按小时汇总),并预先建好后续月份的分区。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep-months",
            type=int,
            default=None,
            help="months of raw readings to keep before the current one "
            "(default: CARE_READINGS_KEEP_MONTHS; 0 keeps everything)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        months = options["keep_months"]
        if months is None:
            months = keep_months() or 0
        if months < 0:
            raise CommandError("--keep-months 不能为负数。")
        started = time.monotonic()
        created = partitions_ensure()
        result = readings_retention(months=months)
        if result.horizon is None:
            self.stdout.write("care_retention: keeping every reading (keep months 0)")
            return
        self.stdout.write(
            f"care_retention: kept from {result.horizon:%Y-%m-%d %H:%M%z}; "
            f"dropped {len(result.dropped)} partitions {' '.join(result.dropped)}; "
            f"deleted {result.deleted} rows; rolled up {result.rolled_up} device-hours; "
            f"created {len(created)} partitions ({time.monotonic() - started:.2f}s)"
        )
