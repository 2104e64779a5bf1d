"""CASE-5: a case's deadlines from its category, in working days or clock hours."""

import datetime as dt

from linli.casework.choices import DeadlineUnit
from linli.casework.models import Category
from linli.core.calendar.selectors import Deadline, WorkingCalendar, add_clock_hours


def _add(calendar: WorkingCalendar, start: dt.datetime, amount: int, unit: str) -> Deadline:
    if unit == DeadlineUnit.HOURS:
        return add_clock_hours(start=start, hours=amount)
    return calendar.add_working_days(start=start, days=amount)


def case_deadlines(*, category: Category, start: dt.datetime) -> tuple[Deadline, Deadline]:
    """(respond, close) deadlines for a case received at `start`."""
    calendar = WorkingCalendar()  # both read each year's version once
    return (
        _add(calendar, start, category.respond_amount, category.respond_unit),
        _add(calendar, start, category.close_amount, category.close_unit),
    )
