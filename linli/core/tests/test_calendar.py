"""Working-day calendar and deadlines (CASE-5)."""

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.core.audit.models import AuditEntry
from linli.core.audit.services import audit_verify
from linli.core.calendar.choices import ADMIN_SOURCE, DayKind
from linli.core.calendar.models import CalendarDay, CalendarYear
from linli.core.calendar.selectors import (
    Deadline,
    WorkingCalendar,
    add_clock_hours,
    add_working_days,
    is_working_day,
    provisional_years,
)
from linli.core.calendar.services import (
    calendar_clear_day,
    calendar_load_year,
    calendar_set_day,
    calendar_year_update,
    package_source,
    package_years,
)
from linli.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
UNKNOWN_YEAR = 2031  # not in the installed chinese-calendar


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def end_of(y: int, m: int, d: int) -> dt.datetime:
    """The documented due instant for "the end of that day": 00:00 of the next day."""
    return dt.datetime(y, m, d, tzinfo=SH) + dt.timedelta(days=1)


@pytest.fixture
def y2025() -> CalendarYear:
    return calendar_load_year(actor=None, year=2025)


# --- the 2025 National Day holiday ----------------------------------------------------


def test_package_gives_only_the_exceptions_for_national_day_2025(y2025):
    days = {d.date: d for d in CalendarDay.objects.filter(calendar_year=y2025)}
    for day in (1, 2, 3, 6, 7, 8):
        assert days[dt.date(2025, 10, day)].kind == DayKind.HOLIDAY
    assert days[dt.date(2025, 10, 1)].name == "国庆节"
    assert days[dt.date(2025, 10, 6)].name == "中秋节"
    assert days[dt.date(2025, 9, 28)].kind == DayKind.WORKDAY
    assert days[dt.date(2025, 10, 11)].kind == DayKind.WORKDAY
    # Weekend days inside the holiday are off anyway and are not stored.
    assert dt.date(2025, 10, 4) not in days and dt.date(2025, 10, 5) not in days
    assert y2025.published and y2025.source == package_source() and y2025.version == 1


def test_one_working_day_across_national_day(y2025):
    deadline = add_working_days(start=at(2025, 9, 30), days=1)
    assert deadline == Deadline(due=end_of(2025, 10, 9), provisional=False)
    assert deadline.last_day == dt.date(2025, 10, 9)
    assert deadline.due.utcoffset() == dt.timedelta(hours=8)


def test_three_working_days_end_on_the_worked_saturday(y2025):
    deadline = add_working_days(start=at(2025, 9, 30), days=3)
    assert deadline.due == end_of(2025, 10, 11)
    assert deadline.last_day.weekday() == 5
    assert not deadline.provisional


def test_received_on_saturday_counts_the_worked_sunday_first(y2025):
    assert add_working_days(start=at(2025, 9, 27, 15), days=1).due == end_of(2025, 9, 28)
    assert add_working_days(start=at(2025, 9, 27, 15), days=2).due == end_of(2025, 9, 29)


def test_received_on_a_holiday_counts_from_the_next_working_day(y2025):
    assert add_working_days(start=at(2025, 10, 3, 9), days=1).due == end_of(2025, 10, 9)
    assert add_working_days(start=at(2025, 10, 5, 23, 59), days=2).due == end_of(2025, 10, 10)


def test_friday_afternoon_plus_one_is_end_of_monday(y2025):
    assert add_working_days(start=at(2025, 9, 12, 16), days=1).due == end_of(2025, 9, 15)


def test_day_of_receipt_is_taken_in_shanghai_time(y2025):
    # 2025-09-26 16:30 UTC is Saturday 00:30 in Shanghai: counting starts on Sunday 09-28.
    start = dt.datetime(2025, 9, 26, 16, 30, tzinfo=dt.UTC)
    assert add_working_days(start=start, days=1).due == end_of(2025, 9, 28)
    # 15:59 UTC is still Friday 23:59 in Shanghai: Saturday is off, Sunday worked.
    start = dt.datetime(2025, 9, 26, 15, 59, tzinfo=dt.UTC)
    assert add_working_days(start=start, days=2).due == end_of(2025, 9, 29)


def test_is_working_day(y2025):
    assert not is_working_day(dt.date(2025, 10, 1))  # Wednesday, National Day
    assert is_working_day(dt.date(2025, 10, 11))  # Saturday, 调休
    assert not is_working_day(dt.date(2025, 10, 12))  # ordinary Sunday
    assert is_working_day(dt.date(2025, 10, 9))
    assert not is_working_day(at(2025, 10, 1, 12))  # aware datetimes are read locally


def test_bad_arguments_are_programming_errors(y2025):
    with pytest.raises(ValueError, match="aware"):
        add_working_days(start=dt.datetime(2025, 9, 30, 10), days=1)
    with pytest.raises(ValueError):
        add_working_days(start=at(2025, 9, 30), days=0)
    with pytest.raises(ValueError):
        add_clock_hours(start=at(2025, 9, 30), hours=0)


# --- clock hours ----------------------------------------------------------------------


def test_clock_hours_ignore_the_calendar(y2025):
    start = at(2025, 10, 1, 22, 30)  # a holiday, late evening
    assert add_clock_hours(start=start, hours=1) == Deadline(at(2025, 10, 1, 23, 30), False)
    assert add_clock_hours(start=start, hours=2).due == at(2025, 10, 2, 0, 30)
    assert add_clock_hours(start=start, hours=24).due == at(2025, 10, 2, 22, 30)


def test_clock_hours_are_never_provisional_and_return_shanghai_time():
    start = dt.datetime(2031, 1, 1, 23, 0, tzinfo=dt.UTC)
    deadline = add_clock_hours(start=start, hours=2)
    assert deadline == Deadline(due=at(2031, 1, 2, 9, 0), provisional=False)
    assert deadline.due.tzinfo is not None and deadline.due.utcoffset() == dt.timedelta(hours=8)


# --- provisional years ----------------------------------------------------------------


def test_year_not_loaded_is_weekdays_only_and_provisional():
    assert not CalendarYear.objects.filter(year=UNKNOWN_YEAR).exists()
    # Wednesday 2031-10-01 is National Day in reality, but the year is not known.
    deadline = add_working_days(start=at(UNKNOWN_YEAR, 9, 30), days=1)
    assert deadline == Deadline(due=end_of(UNKNOWN_YEAR, 10, 1), provisional=True)
    # Friday → Monday, weekends still skipped.
    assert add_working_days(start=at(UNKNOWN_YEAR, 10, 3), days=1).due == end_of(2031, 10, 6)


def test_loading_the_year_flips_provisional_and_moves_the_date():
    before = add_working_days(start=at(2025, 9, 30), days=1)
    assert before == Deadline(due=end_of(2025, 10, 1), provisional=True)
    calendar_load_year(actor=None, year=2025)
    after = add_working_days(start=at(2025, 9, 30), days=1)
    assert after == Deadline(due=end_of(2025, 10, 9), provisional=False)


def test_deadline_running_into_an_unpublished_year_is_provisional():
    calendar_load_year(actor=None, year=2026)
    assert not add_working_days(start=at(2026, 12, 28), days=3).provisional  # 12-29..31
    crossing = add_working_days(start=at(2026, 12, 30), days=3)
    assert crossing.provisional
    # 2026-12-31 Thursday, 2027-01-01 Friday (unknown: a weekday), Monday 01-04.
    assert crossing.due == end_of(2027, 1, 4)


def test_unpublishing_a_year_makes_it_provisional_again(y2025):
    calendar_year_update(actor=None, year=2025, published=False, note="待核对")
    deadline = add_working_days(start=at(2025, 9, 30), days=1)
    # Stored exceptions still count; only the flag changes.
    assert deadline == Deadline(due=end_of(2025, 10, 9), provisional=True)
    assert CalendarYear.objects.get(year=2025).version == 2


def test_provisional_years_lists_upcoming_unpublished_years():
    from django.utils import timezone

    today = timezone.localdate()
    horizon = range(today.year, (today + dt.timedelta(days=400)).year + 1)
    assert provisional_years() == list(horizon)
    for year in horizon:
        if year in package_years():
            calendar_load_year(actor=None, year=year)
    expected = [y for y in horizon if y not in package_years()]
    assert provisional_years() == expected
    assert provisional_years(within_days=0) == [y for y in [today.year] if y not in package_years()]


# --- admin edits, versions, cache -----------------------------------------------------


def test_admin_day_changes_results_immediately(y2025, django_assert_num_queries):
    start = at(2025, 9, 30)
    assert add_working_days(start=start, days=1).due == end_of(2025, 10, 9)
    with django_assert_num_queries(1):  # cached days: only the version check
        assert add_working_days(start=start, days=1).due == end_of(2025, 10, 9)

    row = calendar_set_day(actor=None, day=dt.date(2025, 10, 9), kind="holiday", name="补休")
    year = CalendarYear.objects.get(year=2025)
    assert (year.version, year.source, year.published) == (2, ADMIN_SOURCE, True)
    with django_assert_num_queries(2):  # version changed: days reloaded once
        assert add_working_days(start=start, days=1).due == end_of(2025, 10, 10)
    with django_assert_num_queries(1):
        assert add_working_days(start=start, days=1).due == end_of(2025, 10, 10)

    calendar_clear_day(actor=None, day=row.date)
    assert CalendarYear.objects.get(year=2025).version == 3
    assert add_working_days(start=start, days=1).due == end_of(2025, 10, 9)


def test_cache_survives_a_rolled_back_edit(y2025):
    from django.db import transaction

    start = at(2025, 9, 30)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        calendar_set_day(actor=None, day=dt.date(2025, 10, 9), kind="holiday")
        assert add_working_days(start=start, days=1).due == end_of(2025, 10, 10)
        raise Rollback
    assert add_working_days(start=start, days=1).due == end_of(2025, 10, 9)


def test_one_query_per_year_touched(y2025):
    calendar_load_year(actor=None, year=2026)
    add_working_days(start=at(2025, 12, 30), days=3)  # warm both years
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        add_working_days(start=at(2025, 12, 30), days=3)
    assert len(ctx.captured_queries) == 2
    calendar = WorkingCalendar()
    with CaptureQueriesContext(connection) as ctx:
        for day in range(1, 32):
            calendar.add_working_days(start=at(2025, 12, day), days=3)
    assert len(ctx.captured_queries) == 2


def test_set_day_refuses_non_exceptions():
    with pytest.raises(ValidationFailed, match="周末"):
        calendar_set_day(actor=None, day=dt.date(2025, 10, 4), kind="holiday")
    with pytest.raises(ValidationFailed, match="周一至周五"):
        calendar_set_day(actor=None, day=dt.date(2025, 10, 9), kind="workday")
    with pytest.raises(ValidationFailed):
        calendar_set_day(actor=None, day=dt.date(2025, 10, 9), kind="nonsense")
    with pytest.raises(ValidationFailed, match="没有录入"):
        calendar_clear_day(actor=None, day=dt.date(2025, 10, 9))
    assert not CalendarYear.objects.exists()


def test_admin_entry_of_a_new_year_publishes_it():
    calendar_set_day(actor=None, day=dt.date(2031, 10, 1), kind="holiday", name="国庆节")
    year = CalendarYear.objects.get(year=2031)
    assert year.published and year.source == ADMIN_SOURCE and year.published_at
    assert add_working_days(start=at(2031, 9, 30), days=1) == Deadline(
        due=end_of(2031, 10, 2), provisional=False
    )


def test_audit_entries_with_counts(y2025):
    loaded = AuditEntry.objects.get(action="calendar.year_loaded")
    assert loaded.object_type == "core.calendaryear" and loaded.object_id == str(y2025.pk)
    holidays = CalendarDay.objects.filter(calendar_year=y2025, kind="holiday").count()
    workdays = CalendarDay.objects.filter(calendar_year=y2025, kind="workday").count()
    assert loaded.data["holidays"] == holidays and loaded.data["workdays"] == workdays
    assert loaded.data["added"] == holidays + workdays and loaded.data["version"] == 1

    calendar_set_day(actor=None, day=dt.date(2025, 10, 10), kind="holiday", name="补休")
    calendar_clear_day(actor=None, day=dt.date(2025, 10, 10))
    actions = list(AuditEntry.objects.values_list("action", "data__version"))
    assert actions == [
        ("calendar.year_loaded", 1),
        ("calendar.day_set", 2),
        ("calendar.day_cleared", 3),
    ]
    set_entry = AuditEntry.objects.get(action="calendar.day_set")
    assert set_entry.data["holidays"] == holidays + 1
    assert audit_verify().ok


# --- loading: service and command -----------------------------------------------------


def test_load_is_idempotent(y2025):
    again = calendar_load_year(actor=None, year=2025)
    assert again.version == 1
    assert AuditEntry.objects.filter(action="calendar.year_loaded").count() == 1


def test_load_refuses_an_unknown_year_and_writes_nothing():
    with pytest.raises(ValidationFailed) as exc:
        calendar_load_year(actor=None, year=UNKNOWN_YEAR)
    assert str(UNKNOWN_YEAR) in exc.value.message and "chinese-calendar" in exc.value.message
    assert exc.value.code == "calendar_year_unknown"
    assert not CalendarYear.objects.exists()


def test_load_does_not_overwrite_admin_edits_without_force(y2025):
    calendar_set_day(actor=None, day=dt.date(2025, 10, 10), kind="holiday")
    with pytest.raises(ValidationFailed, match="管理员"):
        calendar_load_year(actor=None, year=2025)
    reloaded = calendar_load_year(actor=None, year=2025, force=True)
    assert reloaded.source == package_source() and reloaded.version == 3
    assert not CalendarDay.objects.filter(date=dt.date(2025, 10, 10)).exists()
    assert AuditEntry.objects.filter(action="calendar.year_loaded").last().data["removed"] == 1


def test_command_loads_named_years_idempotently(capsys):
    call_command("calendar_load", "2025")
    assert "已载入" in capsys.readouterr().out
    count = CalendarDay.objects.count()
    call_command("calendar_load", "2025")
    assert "未变化" in capsys.readouterr().out
    assert CalendarDay.objects.count() == count
    assert CalendarYear.objects.get(year=2025).version == 1


def test_command_default_loads_known_years_from_2024():
    from django.utils import timezone

    call_command("calendar_load")
    expected = [y for y in range(2024, timezone.localdate().year + 2) if y in package_years()]
    assert list(CalendarYear.objects.values_list("year", flat=True)) == expected
    call_command("calendar_load")
    assert set(CalendarYear.objects.values_list("version", flat=True)) == {1}


def test_command_refuses_an_unknown_year_with_an_error():
    # CommandError is what makes manage.py print the message and exit with status 1.
    with pytest.raises(CommandError, match=f"没有 {UNKNOWN_YEAR} 年"):
        call_command("calendar_load", "2025", str(UNKNOWN_YEAR))
    # Every year is checked before any is loaded.
    assert not CalendarYear.objects.exists()


def test_command_skips_admin_edited_years_unless_forced(y2025, capsys):
    calendar_set_day(actor=None, day=dt.date(2025, 10, 10), kind="holiday")
    call_command("calendar_load", "2025")
    assert "跳过" in capsys.readouterr().err
    assert CalendarYear.objects.get(year=2025).source == ADMIN_SOURCE
    call_command("calendar_load", "2025", "--force")
    assert CalendarYear.objects.get(year=2025).source == package_source()


def test_exit_status_of_the_command_is_non_zero(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "calendar_load", str(UNKNOWN_YEAR)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # No migrations were run on the empty database: the year is refused before any query.
    assert done.returncode != 0
    assert f"没有 {UNKNOWN_YEAR} 年" in done.stderr


# --- admin ----------------------------------------------------------------------------


def test_admin_changelist_warns_about_provisional_years(admin_client):
    response = admin_client.get("/admin/core/calendaryear/")
    assert response.status_code == 200
    assert "临时" in response.content.decode()


def test_admin_pages_render(admin_client, y2025):
    calendar_load_year(actor=None, year=2026)
    page = admin_client.get("/admin/core/calendaryear/").content.decode()
    assert "2026" in page and "临时" in page  # 2027 is not published
    assert admin_client.get(f"/admin/core/calendaryear/{y2025.pk}/change/").status_code == 200
    days = admin_client.get(f"/admin/core/calendarday/?calendar_year__id__exact={y2025.pk}")
    assert days.status_code == 200 and "国庆节" in days.content.decode()
    assert admin_client.get("/admin/core/calendarday/add/").status_code == 200


def test_admin_day_add_and_delete_go_through_services(admin_client, y2025, admin_user):
    response = admin_client.post(
        "/admin/core/calendarday/add/",
        {"date": "2025-10-10", "kind": "holiday", "name": "补休"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    year = CalendarYear.objects.get(year=2025)
    assert (year.version, year.source) == (2, ADMIN_SOURCE)
    entry = AuditEntry.objects.get(action="calendar.day_set")
    assert entry.actor_id == admin_user.pk
    assert add_working_days(start=at(2025, 9, 30), days=2).due == end_of(2025, 10, 11)

    day = CalendarDay.objects.get(date=dt.date(2025, 10, 10))
    response = admin_client.post(f"/admin/core/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2025).version == 3
    assert AuditEntry.objects.filter(action="calendar.day_cleared").count() == 1


def test_admin_refuses_a_weekend_holiday_with_a_message(admin_client, y2025):
    response = admin_client.post(
        "/admin/core/calendarday/add/", {"date": "2025-10-04", "kind": "holiday", "name": ""}
    )
    assert response.status_code == 200
    assert "本来就休息" in response.content.decode()
    assert CalendarYear.objects.get(year=2025).version == 1


def _year_form(year: CalendarYear, *, published: bool = True) -> dict[str, str]:
    days = list(year.days.order_by("date"))
    data = {
        "published": "on" if published else "",
        "note": year.note,
        "days-TOTAL_FORMS": str(len(days) + 1),
        "days-INITIAL_FORMS": str(len(days)),
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    if not published:
        del data["published"]
    for i, day in enumerate(days):
        data.update(
            {
                f"days-{i}-id": str(day.pk),
                f"days-{i}-calendar_year": str(year.pk),
                f"days-{i}-date": day.date.isoformat(),
                f"days-{i}-kind": day.kind,
                f"days-{i}-name": day.name,
            }
        )
    n = len(days)
    data.update({f"days-{n}-calendar_year": str(year.pk), f"days-{n}-date": ""})
    return data


def test_admin_year_inline_edits_go_through_services(admin_client, y2025):
    data = _year_form(y2025)
    index = next(
        i for i in range(int(data["days-INITIAL_FORMS"])) if data[f"days-{i}-date"] == "2025-10-08"
    )
    data[f"days-{index}-DELETE"] = "on"
    n = int(data["days-INITIAL_FORMS"])
    data.update({f"days-{n}-date": "2025-10-10", f"days-{n}-kind": "holiday"})
    data[f"days-{n}-name"] = "补休"
    response = admin_client.post(f"/admin/core/calendaryear/{y2025.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not CalendarDay.objects.filter(date=dt.date(2025, 10, 8)).exists()
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 10)).name == "补休"
    year = CalendarYear.objects.get(year=2025)
    assert year.version == 3 and year.source == ADMIN_SOURCE and year.published
    assert [a for a in AuditEntry.objects.values_list("action", flat=True)][1:] == [
        "calendar.day_cleared",
        "calendar.day_set",
    ]
    # 10-08 is worked now, 10-10 is off.
    assert add_working_days(start=at(2025, 9, 30), days=2).due == end_of(2025, 10, 9)


def test_admin_year_form_can_unpublish(admin_client, y2025):
    response = admin_client.post(
        f"/admin/core/calendaryear/{y2025.pk}/change/", _year_form(y2025, published=False)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    year = CalendarYear.objects.get(year=2025)
    assert not year.published and year.version == 2
    assert add_working_days(start=at(2025, 9, 30), days=1).provisional


def test_admin_inline_refuses_a_date_of_another_year(admin_client, y2025):
    data = _year_form(y2025)
    n = int(data["days-INITIAL_FORMS"])
    data.update({f"days-{n}-date": "2026-10-09", f"days-{n}-kind": "holiday"})
    response = admin_client.post(f"/admin/core/calendaryear/{y2025.pk}/change/", data)
    assert response.status_code == 200
    assert "不在 2025 年内" in response.content.decode()
    assert CalendarYear.objects.get(year=2025).version == 1


# --- the counting rule as a property --------------------------------------------------


@pytest.fixture
def loaded_2024_2026() -> None:
    for year in (2024, 2025, 2026):
        calendar_load_year(actor=None, year=year)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.datetimes(
        min_value=dt.datetime(2024, 1, 1),
        max_value=dt.datetime(2026, 11, 30, 23, 59),
        timezones=st.just(SH),
    ),
    n=st.integers(min_value=1, max_value=20),
)
def test_property_n_working_days_after_the_day_of_receipt(loaded_2024_2026, start, n):
    calendar = WorkingCalendar()
    deadline = calendar.add_working_days(start=start, days=n)
    local_due = deadline.due.astimezone(SH)
    assert local_due.time() == dt.time(0, 0)
    due_day = deadline.last_day
    assert due_day == local_due.date() - dt.timedelta(days=1)
    assert calendar.is_working_day(due_day)
    start_day = start.astimezone(SH).date()
    between = [start_day + dt.timedelta(days=i) for i in range(1, (due_day - start_day).days + 1)]
    assert sum(calendar.is_working_day(d) for d in between) == n
    assert deadline.provisional == (due_day.year > 2026)
    # The stored calendar agrees with the package on every day counted over.
    for day in between:
        if day.year <= 2026:
            assert calendar.is_working_day(day) == chinese_calendar.is_workday(day)
