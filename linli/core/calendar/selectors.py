"""Deadlines in working days and clock hours (CASE-5).

All computation is in settings.TIME_ZONE (Asia/Shanghai); inputs must be timezone-aware
datetimes and results are aware datetimes in that zone.

A day is a working day when it is recorded as 调休 (a weekend day that is worked), or when it
is Monday–Friday and not recorded as a holiday. Years are read from CalendarYear /
CalendarDay; a year with no row, or whose row is not published, uses whatever exceptions are
stored (normally none, i.e. plain Monday–Friday) and makes every deadline that counts a day
in it provisional.

Reads are cached in-process per year, keyed on the year row's (id, version, updated_at):
every calculation checks the version of each year it touches with one small query, and
reloads that year's days only when the version changed. So an admin's edit (which bumps the
version) is seen at once by every process, and nothing stale survives a rolled-back edit.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.utils import timezone

from linli.core.calendar.choices import DayKind
from linli.core.calendar.models import CalendarDay, CalendarYear
from linli.core.errors import ValidationFailed

# A calendar with a whole year of days off is broken data, not a deadline.
_MAX_GAP_DAYS = 400


@dataclass(frozen=True)
class Deadline:
    """When something is due, and whether an unpublished year was used to compute it.

    `due` is exclusive: the matter is overdue from `due` on (`now >= due`).
    """

    due: dt.datetime
    provisional: bool

    @property
    def last_day(self) -> dt.date:
        """The last local day on which the matter is still on time (for display)."""
        last = self.due - dt.timedelta(microseconds=1)
        return last.astimezone(timezone.get_default_timezone()).date()


@dataclass(frozen=True)
class _Year:
    published: bool
    off: frozenset[dt.date]  # weekdays that are holidays
    on: frozenset[dt.date]  # weekend days that are worked

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.off:
            return False
        if day in self.on:
            return True
        return day.weekday() < 5


_UNKNOWN = _Year(published=False, off=frozenset(), on=frozenset())
_Stamp = tuple[Any, Any, Any]
_CACHE: dict[int, tuple[_Stamp, _Year]] = {}


def _year_row(year: int) -> tuple[Any, ...] | None:
    """(id, version, updated_at, published) of the year's row.

    Plain SQL: this runs on every deadline computation, and building the equivalent
    queryset costs ten times more than the indexed lookup itself.
    """
    connection = connections[router.db_for_read(CalendarYear)]
    table = connection.ops.quote_name(CalendarYear._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, version, updated_at, published FROM {table} WHERE year = %s",  # noqa: S608
            [year],
        )
        return cursor.fetchone()


def _read_year(year: int) -> _Year:
    """One query for the year's row; a second only when its version is not cached yet."""
    row = _year_row(year)
    if row is None:
        return _UNKNOWN
    pk, version, updated_at, published = row
    # updated_at is compared, never interpreted: it tells apart two edits that reached the
    # same version number when one of them was rolled back.
    stamp: _Stamp = (pk, version, updated_at)
    cached = _CACHE.get(year)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    off: set[dt.date] = set()
    on: set[dt.date] = set()
    for day, kind in CalendarDay.objects.filter(calendar_year_id=pk).values_list("date", "kind"):
        (off if kind == DayKind.HOLIDAY else on).add(day)
    data = _Year(published=bool(published), off=frozenset(off), on=frozenset(on))
    _CACHE[year] = (stamp, data)
    return data


def clear_calendar_cache() -> None:
    """Forget every cached year (not needed for correctness; versions are checked)."""
    _CACHE.clear()


def _local_date(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return _aware(value, "day").astimezone(timezone.get_default_timezone()).date()
    return value


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value


class WorkingCalendar:
    """A view of the calendar for a batch of computations.

    Each year is read once per instance (version check, plus its days if they changed since
    the process last saw them). The module-level functions use a fresh instance per call; a
    long batch (an SLA sweep) may hold one instance for the batch and then drop it — an
    instance does not see edits made after it first read a year.
    """

    def __init__(self) -> None:
        self._years: dict[int, _Year] = {}

    def _year(self, year: int) -> _Year:
        data = self._years.get(year)
        if data is None:
            data = self._years[year] = _read_year(year)
        return data

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` (a date, or an aware datetime taken in local time) is worked."""
        day = _local_date(day)
        return self._year(day.year).is_working_day(day)

    def is_published(self, year: int) -> bool:
        return self._year(year).published

    def add_working_days(self, *, start: dt.datetime, days: int) -> Deadline:
        """The deadline `days` working days after the local day of `start`.

        Rule: the day of receipt never counts, whatever the time of day; counting starts on
        the next day and skips days that are not worked, so something received on a holiday
        or weekend starts counting on the next working day. The deadline is the END of the
        Nth working day, expressed as 00:00 of the following day in local time (exclusive:
        overdue when now >= due). Example: received Friday 15:00, 1 working day → due
        Tuesday 00:00, i.e. the end of Monday. `provisional` is True when any counted-over
        day lies in a year that is not published.
        """
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        tz = timezone.get_default_timezone()
        day = _aware(start, "start").astimezone(tz).date()
        one = dt.timedelta(days=1)
        current, year = 0, _UNKNOWN
        provisional = False
        remaining, gap = days, 0
        while remaining:
            day += one
            if day.year != current:
                current, year = day.year, self._year(day.year)
                provisional = provisional or not year.published
            if year.is_working_day(day):
                remaining -= 1
                gap = 0
            else:
                gap += 1
                if gap > _MAX_GAP_DAYS:
                    raise ValidationFailed(
                        f"工作日历数据有误:{day.year} 年前后连续 {_MAX_GAP_DAYS} 天没有工作日。",
                        code="calendar_broken",
                    )
        due = dt.datetime.combine(day + one, dt.time.min, tzinfo=tz)
        return Deadline(due=due, provisional=provisional)


def is_working_day(d: dt.date) -> bool:
    """Whether `d` is worked under the official calendar (see the module docstring)."""
    return WorkingCalendar().is_working_day(d)


def add_working_days(*, start: dt.datetime, days: int) -> Deadline:
    """Due at the end of the `days`-th working day after the (local) day of receipt.

    The day of receipt never counts; days off are skipped, so a request received on a
    weekend or holiday starts counting on the next working day. `due` is 00:00 (Asia/Shanghai)
    of the day after the last working day, exclusive: overdue when now >= due. Received
    Friday afternoon with 1 working day → due Tuesday 00:00 (the end of Monday).
    `provisional` when a counted-over day lies in a year that is not published.
    One small query per year touched (see WorkingCalendar for batches).
    """
    return WorkingCalendar().add_working_days(start=start, days=days)


def add_clock_hours(*, start: dt.datetime, hours: int) -> Deadline:
    """Due `hours` elapsed hours after `start`, day or night, holiday or not (urgent matters).

    Never provisional: the calendar is not consulted.
    """
    if hours < 1:
        raise ValueError(f"hours must be at least 1, got {hours}")
    due = _aware(start, "start").astimezone(dt.UTC) + dt.timedelta(hours=hours)
    return Deadline(due=due.astimezone(timezone.get_default_timezone()), provisional=False)


def provisional_years(*, within_days: int = 400) -> list[int]:
    """Years from this year to `within_days` ahead that are not published (admin warning)."""
    today = timezone.localdate()
    years = range(today.year, (today + dt.timedelta(days=within_days)).year + 1)
    published = set(
        CalendarYear.objects.filter(year__in=years, published=True).values_list("year", flat=True)
    )
    return [year for year in years if year not in published]
