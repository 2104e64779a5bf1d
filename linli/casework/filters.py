"""The case list's filters, declared once: the staff queue page and `GET /api/cases` both
read cases through `selectors.case_list`, which applies this FilterSet."""

from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters.widgets import BooleanWidget

from linli.casework.choices import OPEN_STATUSES, Status
from linli.casework.models import Case
from linli.casework.policy import OVERSIGHT_ROLES
from linli.casework.units import user_units

OPEN = "open"  # the queue's default: every status still in progress


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

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, data: Any, queryset: QuerySet[Case], *, actor: Any) -> None:
        super().__init__(data=data, queryset=queryset)
        self.actor = actor

    def by_status(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == OPEN:
            return qs.filter(status__in=OPEN_STATUSES)
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
