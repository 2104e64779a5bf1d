"""The case list's filters, declared once: the staff queue page and `GET /api/cases` both
read cases through `selectors.case_list`, which applies this FilterSet."""

import datetime as dt
import re
from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_filters.widgets import BooleanWidget

from linli.casework.choices import OPEN_STATUSES, Status
from linli.casework.models import Case
from linli.casework.policy import OVERSIGHT_ROLES
from linli.casework.units import user_units

OPEN = "open"  # the queue's default: every status still in progress
# The filters only the evaluation dashboard's links set (the queue form has no field for them).
DRILL_FILTERS = (
    "community", "street", "pilot", "unit", "level", "deferred", "reworked",
    "due", "closed", "rated", "received",
)  # fmt: skip
COUNTED = "counted"  # what the evaluation figures count: all but rejected and merged


class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class CaseFilter(filters.FilterSet):
    """Values that do not parse are ignored (the list shows as if they were not given)."""

    status = filters.CharFilter(method="by_status")  # a Status, or "open"
    category = filters.CharFilter(field_name="category__code", lookup_expr="startswith")
    grid = IntegerFilter(field_name="grid_id")
    overdue = filters.BooleanFilter(field_name="overdue", widget=BooleanWidget)  # "1", "true"
    mine = filters.BooleanFilter(method="by_reporter", widget=BooleanWidget)  # own reports
    scope = filters.CharFilter(method="by_unit")  # "unit": the actor's units only
    # The evaluation dashboard's drill-down (EVAL-3): the cases behind a figure.
    community = IntegerFilter(field_name="community_id")
    street = IntegerFilter(field_name="community__street_id")
    pilot = filters.BooleanFilter(field_name="community__is_pilot", widget=BooleanWidget)
    unit = IntegerFilter(method="by_handling_unit")  # the handler, else the owner
    level = filters.CharFilter(field_name="level")
    deferred = filters.BooleanFilter(field_name="deferred", widget=BooleanWidget)
    reworked = filters.BooleanFilter(method="by_rework", widget=BooleanWidget)
    due = filters.CharFilter(method="by_month")  # "YYYY-MM": close deadline in that month
    closed = filters.CharFilter(method="by_month")
    rated = filters.CharFilter(method="by_month")
    received = filters.CharFilter(method="by_month")

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, data: Any, queryset: QuerySet[Case], *, actor: Any) -> None:
        super().__init__(data=data, queryset=queryset)
        self.actor = actor

    def by_status(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == OPEN:
            return qs.filter(status__in=OPEN_STATUSES)
        if value == COUNTED:
            return qs.exclude(status__in=(Status.REJECTED, Status.MERGED))
        if value in Status.values:
            return qs.filter(status=value)
        return qs

    def by_reporter(self, qs: QuerySet[Case], name: str, value: bool | None) -> QuerySet[Case]:
        return qs.filter(reporter=self.actor) if value else qs

    def by_unit(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value != "unit" or self.actor.role in OVERSIGHT_ROLES:
            return qs
        units = user_units(self.actor)
        return qs.filter(Q(handler_unit__in=units) | Q(owner_unit__in=units))

    def by_handling_unit(self, qs: QuerySet[Case], name: str, value: int | None) -> QuerySet[Case]:
        if value is None:
            return qs
        return qs.alias(unit_id=Coalesce("handler_unit_id", "owner_unit_id")).filter(unit_id=value)

    def by_rework(self, qs: QuerySet[Case], name: str, value: bool | None) -> QuerySet[Case]:
        if value is None:
            return qs
        return qs.filter(rework_count__gt=0) if value else qs.filter(rework_count=0)

    def by_month(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        bounds = month_bounds(value)
        if bounds is None:
            return qs
        field = MONTH_FIELDS[name]
        return qs.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


MONTH_FIELDS = {
    "due": "close_due",
    "closed": "closed_at",
    "rated": "rated_at",
    "received": "created_at",
}


def month_bounds(value: str) -> tuple[dt.datetime, dt.datetime] | None:
    """[first instant, first instant of the next month) of "YYYY-MM" in local time."""
    found = re.fullmatch(r"(20\d\d)-(0[1-9]|1[0-2])", value or "")
    if not found:
        return None
    first = dt.date(int(found[1]), int(found[2]), 1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(first, dt.time.min, tz), dt.datetime.combine(nxt, dt.time.min, tz)
