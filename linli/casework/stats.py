"""Counts of cases for the evaluation app (EVAL-3): aggregates only, no case contents.

Every function takes a period [start, end) and a grouping (see GROUPS) and returns
{group key: {count name: n}} from one GROUP BY query, so a month of a district is read once
per grouping. Figures are "as of the period end": a case closed after `end` counts as not
closed, which keeps a month's figure the same whenever it is recomputed.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from linli.casework.choices import EventKind, Status
from linli.casework.models import Case, CaseEvent, WhistleCall

# Grouping → the path on Case (None: everything in one group "all").
GROUPS: dict[str, str | None] = {
    "all": None,
    "street": "community__street_id",
    "community": "community_id",
    "grid": "grid_id",
    "department": "unit",
    "category": "category__parent__code",
    "pilot": "community__is_pilot",
}
NOT_CASES = (Status.REJECTED, Status.MERGED)
SATISFIED = 4  # 5 满意, 4 基本满意


def _grouped(
    qs: QuerySet[Any], by: str, prefix: str = "", **counts: Any
) -> dict[str, dict[str, int]]:
    path = GROUPS[by]
    if path is None:
        row = qs.aggregate(**counts)
        return {"all": {k: int(v or 0) for k, v in row.items()}} if any(row.values()) else {}
    if path == "unit":
        qs = qs.annotate(unit=Coalesce(f"{prefix}handler_unit_id", f"{prefix}owner_unit_id"))
    else:
        path = prefix + path
    out: dict[str, dict[str, int]] = {}
    for row in qs.order_by().values(path).annotate(**counts):
        key = row.pop(path)
        out[_key(key)] = {k: int(v or 0) for k, v in row.items()}
    return out


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def close_counts(*, start: dt.datetime, end: dt.datetime, by: str) -> dict[str, dict[str, int]]:
    """Cases whose close deadline fell in the period (应结案): due, closed, closed on time,
    deferred with approval, handled (处置反馈) and handled on time, reworked, overdue."""
    closed = Q(closed_at__isnull=False, closed_at__lt=end)
    on_time = closed & Q(closed_at__lt=F("close_due"))  # close_due is exclusive
    feedback = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.FEEDBACK)
    qs = (
        Case.objects.exclude(status__in=NOT_CASES)
        .filter(close_due__gte=start, close_due__lt=end)
        .annotate(
            fed_back=Exists(feedback.filter(at__lt=end)),
            fed_back_in_time=Exists(feedback.filter(at__lt=OuterRef("close_due"))),
        )
    )
    return _grouped(
        qs,
        by,
        due=Count("pk"),
        closed=Count("pk", filter=closed),
        on_time=Count("pk", filter=on_time),
        deferrals=Count("pk", filter=Q(deferred=True)),
        on_time_not_deferred=Count("pk", filter=on_time & Q(deferred=False)),
        handled=Count("pk", filter=Q(fed_back=True)),
        handled_on_time=Count("pk", filter=Q(fed_back_in_time=True)),
        rework=Count("pk", filter=Q(rework_count__gt=0)),
        late=Count("pk", filter=~on_time),
    )


def closed_counts(*, start: dt.datetime, end: dt.datetime, by: str) -> dict[str, dict[str, int]]:
    """Cases closed in the period: how many, rated (参评), at which handling level."""
    rated = Q(rating__isnull=False)
    qs = Case.objects.exclude(status__in=NOT_CASES).filter(closed_at__gte=start, closed_at__lt=end)
    return _grouped(
        qs,
        by,
        closed=Count("pk"),
        rated=Count("pk", filter=rated),
        level_grid=Count("pk", filter=Q(level="grid")),
        level_community=Count("pk", filter=Q(level="community")),
    )


def rating_counts(*, start: dt.datetime, end: dt.datetime, by: str) -> dict[str, dict[str, int]]:
    """Ratings given in the period (满意率, 解决率). A rating of 2 or less reopens the case
    (CASE-9), so "resolved" is a rating of 3 or more."""
    qs = Case.objects.exclude(status__in=NOT_CASES).filter(rated_at__gte=start, rated_at__lt=end)
    return _grouped(
        qs,
        by,
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(rating__gte=SATISFIED)),
        resolved=Count("pk", filter=Q(rating__gt=2)),
    )


def response_times(
    *, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dict[str, str], dt.datetime, dt.datetime]]:
    """({grouping: group key}, received, registered) of the cases received in the period
    and registered by its end: the raw material of 首次响应时长 (working hours are the
    caller's). One read for every grouping."""
    paths = {by: path for by, path in GROUPS.items() if path is not None}
    qs = (
        Case.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            responded_at__isnull=False,
            responded_at__lt=end,
        )
        .order_by()
        .annotate(unit=Coalesce("handler_unit_id", "owner_unit_id"))
    )
    names = list(paths)
    for row in qs.values_list(*paths.values(), "created_at", "responded_at").iterator(
        chunk_size=5000
    ):
        keys = {"all": "all", **{name: _key(row[i]) for i, name in enumerate(names)}}
        yield keys, row[-2], row[-1]


def whistle_counts(*, start: dt.datetime, end: dt.datetime, by: str) -> dict[str, dict[str, int]]:
    """吹哨报到: calls whose report deadline fell in the period, and those reported in time.
    Grouped by the called department for "department", else by the case's place."""
    qs = WhistleCall.objects.filter(due__gte=start, due__lt=end)
    on_time = Q(reported_at__isnull=False, reported_at__lte=F("due"))
    if by == "department":
        rows = (
            qs.order_by()
            .values_list("department_id")
            .annotate(calls=Count("pk"), on_time=Count("pk", filter=on_time))
        )
        return {str(dept): {"calls": calls, "on_time": n} for dept, calls, n in rows}
    return _grouped(
        qs, by, prefix="whistle__case__", calls=Count("pk"), on_time=Count("pk", filter=on_time)
    )
