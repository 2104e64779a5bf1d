"""When a resource is open: weekly hours on the days of the working-day calendar its rule
names, less closure days. Pure functions over a resource's fields, times in local time."""

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.calendar.selectors import is_working_day
from linli.core.errors import ValidationFailed
from linli.matching.choices import CalendarRule

Interval = tuple[dt.datetime, dt.datetime]


def parse_hours(raw: Any) -> list[tuple[int, dt.time, dt.time]]:
    """[[weekday, "HH:MM", "HH:MM"], ...] → checked tuples; a bad row is refused."""
    try:
        key = tuple(tuple(row) for row in raw or [])
        hash(key)
    except TypeError:
        key = None
    if key is not None:
        return list(_parsed(key))
    return list(_parse(raw))


@lru_cache(maxsize=4096)
def _parsed(key: tuple[tuple[Any, ...], ...]) -> tuple[tuple[int, dt.time, dt.time], ...]:
    # Many resources share the same weekly hours: parse each pattern once.
    return tuple(_parse(key))


def _parse(raw: Any) -> Iterator[tuple[int, dt.time, dt.time]]:
    for row in raw or []:
        try:
            day, start, end = (
                int(row[0]),
                dt.time.fromisoformat(row[1]),
                dt.time.fromisoformat(row[2]),
            )
        except (TypeError, ValueError, IndexError) as exc:
            raise ValidationFailed(
                _("开放时段格式应为 [星期, 开始, 结束]。"), field="hours"
            ) from exc
        if not 0 <= day <= 6 or end <= start:
            raise ValidationFailed(_("开放时段的星期应为 0-6,结束须晚于开始。"), field="hours")
        yield day, start, end


class WorkingDays:
    """Working-day answers of the official calendar, each day asked once per computation
    (the calendar selector reads the database on every call)."""

    def __init__(self) -> None:
        self._known: dict[dt.date, bool] = {}

    def __call__(self, day: dt.date) -> bool:
        if day not in self._known:
            self._known[day] = is_working_day(day)
        return self._known[day]


def _day_applies(rule: str, day: dt.date, working: WorkingDays) -> bool:
    if rule == CalendarRule.WORKING:
        return working(day)
    if rule == CalendarRule.REST:
        return not working(day)
    return True


def open_intervals(
    resource: Any,
    start: dt.datetime,
    end: dt.datetime,
    closures: Iterable[dt.date] = (),
    working: WorkingDays | None = None,
) -> Iterator[Interval]:
    """The resource's open intervals clipped to [start, end)."""
    working = working or WorkingDays()
    tz = timezone.get_current_timezone()
    hours = parse_hours(resource.hours)
    closed = set(closures)
    day = timezone.localtime(start, tz).date()
    last = timezone.localtime(end, tz).date()
    while day <= last:
        if day not in closed and _day_applies(resource.calendar_rule, day, working):
            for weekday, a, b in hours:
                if weekday != day.weekday():
                    continue
                lo = dt.datetime.combine(day, a, tz)
                hi = dt.datetime.combine(day, b, tz)
                lo, hi = max(lo, start), min(hi, end)
                if lo < hi:
                    yield lo, hi
        day += dt.timedelta(days=1)


def open_seconds(
    resource: Any,
    start: dt.datetime,
    end: dt.datetime,
    closures: Iterable[dt.date] = (),
    working: WorkingDays | None = None,
) -> float:
    spans = open_intervals(resource, start, end, closures, working)
    return sum((b - a).total_seconds() for a, b in spans)


def coverage(
    resource: Any,
    start: dt.datetime,
    end: dt.datetime,
    closures: Iterable[dt.date] = (),
    working: WorkingDays | None = None,
) -> float:
    """Share of [start, end) inside the resource's open hours, 0..1."""
    total = (end - start).total_seconds()
    if total <= 0:
        return 0.0
    return open_seconds(resource, start, end, closures, working) / total


def within_hours(
    resource: Any,
    start: dt.datetime,
    end: dt.datetime,
    closures: Iterable[dt.date] = (),
    working: WorkingDays | None = None,
) -> bool:
    return coverage(resource, start, end, closures, working) >= 1.0 - 1e-9
