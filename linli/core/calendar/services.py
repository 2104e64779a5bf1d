"""Writes to the working-day calendar. Every change bumps the year's version and is audited."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import chinese_calendar
from django.db import transaction
from django.utils import timezone

from linli.core.audit.services import audit_record
from linli.core.calendar.choices import ADMIN_SOURCE, DayKind
from linli.core.calendar.models import CalendarDay, CalendarYear
from linli.core.errors import ValidationFailed

MIN_YEAR = 2000
MAX_YEAR = 2100

# The package's Chinese names are short ("清明", "中秋"); use the names people write.
_FULL_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


@dataclass(frozen=True)
class DaySpec:
    kind: str
    name: str


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(f"年份 {year} 超出范围({MIN_YEAR}–{MAX_YEAR})。", field="year")


def calendar_validate_day(*, day: dt.date, kind: str) -> None:
    """Only exceptions to the Monday–Friday rule are stored; refuse anything else."""
    _check_year(day.year)
    if kind not in DayKind.values:
        raise ValidationFailed(f"未知的日期类型:{kind}。", field="kind")
    weekend = day.weekday() >= 5
    if kind == DayKind.HOLIDAY and weekend:
        raise ValidationFailed(
            f"{day.isoformat()} 是周末,本来就休息;只需录入工作日放假的日期。", field="kind"
        )
    if kind == DayKind.WORKDAY and not weekend:
        raise ValidationFailed(
            f"{day.isoformat()} 是周一至周五,本来就上班;只需录入周末调休上班的日期。",
            field="kind",
        )


def package_source() -> str:
    return f"chinese-calendar {chinese_calendar.__version__}"


def package_years() -> range:
    """Years the installed chinese-calendar package has data for."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def package_days(year: int) -> dict[dt.date, DaySpec]:
    """The exceptions of `year` according to chinese-calendar; ValidationFailed if unknown."""
    _check_year(year)
    chinese = {h.value: h.chinese for h in chinese_calendar.Holiday}
    day = dt.date(year, 1, 1)
    found: dict[dt.date, DaySpec] = {}
    while day.year == year:
        try:
            off, english = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError as exc:
            known = package_years()
            raise ValidationFailed(
                f"chinese-calendar {chinese_calendar.__version__} 没有 {year} 年的放假安排"
                f"(只有 {known.start}–{known.stop - 1} 年)。请在国务院办公厅公布后由管理员"
                f"在后台逐日录入,或升级 chinese-calendar。",
                code="calendar_year_unknown",
                field="year",
            ) from exc
        weekend = day.weekday() >= 5
        if off != weekend:
            name = chinese.get(english or "", english or "")
            found[day] = DaySpec(
                kind=DayKind.HOLIDAY if off else DayKind.WORKDAY,
                name=_FULL_NAMES.get(name, name),
            )
        day += dt.timedelta(days=1)
    return found


def _counts(calendar_year: CalendarYear) -> dict[str, int]:
    kinds = list(calendar_year.days.values_list("kind", flat=True))
    return {
        "holidays": kinds.count(DayKind.HOLIDAY),
        "workdays": kinds.count(DayKind.WORKDAY),
    }


def _locked_year(year: int) -> tuple[CalendarYear, bool]:
    """The year's row, created if missing, locked until the transaction ends."""
    return CalendarYear.objects.select_for_update().get_or_create(year=year)


def _bump(
    *,
    calendar_year: CalendarYear,
    actor: Any,
    action: str,
    source: str | None = None,
    publish: bool = True,
    data: dict[str, Any],
) -> CalendarYear:
    """Mark the year published (from `source`), raise its version and audit the change."""
    if publish and not calendar_year.published:
        calendar_year.published = True
        calendar_year.published_at = timezone.now()
    if source is not None:
        calendar_year.source = source
    calendar_year.version += 1
    calendar_year.save()
    audit_record(
        actor=actor,
        action=action,
        obj=calendar_year,
        data={
            "year": calendar_year.year,
            "version": calendar_year.version,
            "source": calendar_year.source,
            "published": calendar_year.published,
            **data,
            **_counts(calendar_year),
        },
    )
    return calendar_year


@transaction.atomic
def calendar_load_year(*, actor: Any, year: int, force: bool = False) -> CalendarYear:
    """Seed `year` from the chinese-calendar package and mark it published.

    Idempotent: when the stored days and source already match the package nothing is
    written. A year an admin has edited (source "admin") is only replaced with `force`.
    """
    wanted = package_days(year)  # refuses unknown years before anything is written
    source = package_source()
    calendar_year, _ = _locked_year(year)
    if calendar_year.source == ADMIN_SOURCE and not force:
        raise ValidationFailed(
            f"{year} 年的工作日历已由管理员修改;重新载入会覆盖这些修改。"
            "确需覆盖请使用 calendar_load --force,或后台年份列表的“重新载入”操作。",
            code="calendar_year_edited",
            field="year",
        )
    stored = {d.date: d for d in CalendarDay.objects.filter(calendar_year=calendar_year).order_by()}
    if (
        calendar_year.published
        and calendar_year.source == source
        and {day: DaySpec(d.kind, d.name) for day, d in stored.items()} == wanted
    ):
        return calendar_year
    removed = [day for day in stored if day not in wanted]
    CalendarDay.objects.filter(calendar_year=calendar_year, date__in=removed).delete()
    added = changed = 0
    for day, spec in sorted(wanted.items()):
        row = stored.get(day)
        if row is None:
            CalendarDay.objects.create(
                calendar_year=calendar_year, date=day, kind=spec.kind, name=spec.name
            )
            added += 1
        elif (row.kind, row.name) != (spec.kind, spec.name):
            row.kind, row.name = spec.kind, spec.name
            row.save(update_fields=["kind", "name", "updated_at"])
            changed += 1
    return _bump(
        calendar_year=calendar_year,
        actor=actor,
        action="calendar.year_loaded",
        source=source,
        data={"added": added, "changed": changed, "removed": len(removed)},
    )


@transaction.atomic
def calendar_set_day(
    *, actor: Any, day: dt.date, kind: str, name: str = "", publish: bool = True
) -> CalendarDay:
    """Record one exception (admin entry of the State Council's notice).

    Sets the year's source to "admin" and, unless `publish` is False (the admin's year form,
    whose own checkbox decides), marks the year published. Setting a date that already has
    an exception replaces it.
    """
    calendar_validate_day(day=day, kind=kind)
    name = name.strip()
    if len(name) > 60:
        raise ValidationFailed("名称不能超过 60 字。", field="name")
    calendar_year, _ = _locked_year(day.year)
    row = CalendarDay.objects.filter(date=day).first()
    previous = (row.kind, row.name) if row else None
    if row is None:
        row = CalendarDay.objects.create(
            calendar_year=calendar_year, date=day, kind=kind, name=name
        )
    elif previous != (kind, name):
        row.kind, row.name = kind, name
        row.save(update_fields=["kind", "name", "updated_at"])
    if previous == (kind, name) and (calendar_year.published or not publish):
        return row
    _bump(
        calendar_year=calendar_year,
        actor=actor,
        action="calendar.day_set",
        source=ADMIN_SOURCE,
        publish=publish,
        data={
            "date": day.isoformat(),
            "kind": kind,
            "name": name,
            "previous_kind": previous[0] if previous else None,
        },
    )
    return row


@transaction.atomic
def calendar_clear_day(*, actor: Any, day: dt.date, publish: bool = True) -> CalendarYear:
    """Remove the exception on `day`: it follows the Monday–Friday rule again.

    Like calendar_set_day: source becomes "admin", published unless `publish` is False.
    """
    _check_year(day.year)
    calendar_year, _ = _locked_year(day.year)
    row = CalendarDay.objects.filter(date=day).first()
    if row is None:
        raise ValidationFailed(f"{day.isoformat()} 没有录入放假或调休,无需删除。", field="date")
    previous = row.kind
    row.delete()
    return _bump(
        calendar_year=calendar_year,
        actor=actor,
        action="calendar.day_cleared",
        source=ADMIN_SOURCE,
        publish=publish,
        data={"date": day.isoformat(), "previous_kind": previous},
    )


@transaction.atomic
def calendar_year_update(*, actor: Any, year: int, published: bool, note: str = "") -> CalendarYear:
    """Create or edit a year's row (published flag and note) from the admin.

    Unpublishing makes deadlines touching that year provisional again.
    """
    _check_year(year)
    calendar_year, created = _locked_year(year)
    before = (calendar_year.published, calendar_year.note)
    if not created and before == (published, note):
        return calendar_year
    if published != before[0]:
        calendar_year.published_at = timezone.now() if published else None
    if published and not calendar_year.source:
        calendar_year.source = ADMIN_SOURCE
    calendar_year.published = published
    calendar_year.note = note
    calendar_year.version += 1
    calendar_year.save()
    audit_record(
        actor=actor,
        action="calendar.year_updated",
        obj=calendar_year,
        data={
            "year": year,
            "version": calendar_year.version,
            "published": published,
            "was_published": before[0],
            "note_changed": before[1] != note,
            **_counts(calendar_year),
        },
    )
    return calendar_year
