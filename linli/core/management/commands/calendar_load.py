from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from linli.core.calendar.models import CalendarYear
from linli.core.calendar.services import (
    calendar_load_year,
    package_days,
    package_source,
    package_years,
)
from linli.core.errors import ValidationFailed

FIRST_DEFAULT_YEAR = 2024


class Command(BaseCommand):
    help = (
        "从 chinese-calendar 载入法定节假日和调休(可重复运行)。不带年份时载入该软件包已知的"
        f"{FIRST_DEFAULT_YEAR} 年至明年之间的所有年份。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="*", type=int, metavar="YEAR", help="年份,如 2026")
        parser.add_argument("--force", action="store_true", help="覆盖管理员在后台修改过的年份")

    def handle(self, *args: Any, **options: Any) -> None:
        years: list[int] = options["years"]
        if not years:
            known = package_years()
            last = timezone.localdate().year + 1
            years = [y for y in range(FIRST_DEFAULT_YEAR, last + 1) if y in known]
        errors: list[str] = []
        for year in years:  # refuse unknown years before loading any
            try:
                package_days(year)
            except ValidationFailed as exc:
                errors.append(exc.message)
        if errors:
            raise CommandError("\n".join(errors))
        for year in years:
            try:
                before = _version(year)
                loaded = calendar_load_year(actor=None, year=year, force=options["force"])
            except ValidationFailed as exc:
                if exc.code != "calendar_year_edited":
                    raise CommandError(exc.message) from exc
                self.stderr.write(self.style.WARNING(f"跳过:{exc.message}"))
                continue
            if not options["verbosity"]:
                continue
            days = loaded.days.count()
            if loaded.version == before:
                self.stdout.write(f"{year} 年:未变化(版本 {loaded.version},{days} 个例外日)。")
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{year} 年:已载入(版本 {loaded.version},{days} 个例外日,"
                        f"来源 {package_source()})。"
                    )
                )


def _version(year: int) -> int | None:
    return CalendarYear.objects.filter(year=year).values_list("version", flat=True).first()
