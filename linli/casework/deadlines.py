"""CASE-5: a case's deadlines from its category, in working days or clock hours."""

import datetime as dt

from linli.casework.choices import DeadlineUnit
from linli.casework.models import Category
from linli.core.calendar.selectors import Deadline, add_clock_hours, add_working_days


def _add(start: dt.datetime, amount: int, unit: str) -> Deadline:
    if unit == DeadlineUnit.HOURS:
        return add_clock_hours(start=start, hours=amount)
    return add_working_days(start=start, days=amount)


def case_deadlines(*, category: Category, start: dt.datetime) -> tuple[Deadline, Deadline]:
    """(respond, close) deadlines for a case received at `start`."""
    return (
        _add(start, category.respond_amount, category.respond_unit),
        _add(start, category.close_amount, category.close_unit),
    )
