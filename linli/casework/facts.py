"""What casework tells the grid worker's day and its measures (fieldwork, above casework,
reads these): open cases near their deadline, and case facts (channel, category, place,
time, whether registered) for 有效上报率, 漏报 and the season calendar. No personal data."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from linli.casework.choices import OPEN_STATUSES, Channel, Status
from linli.casework.models import Case

# A report counts as registered (立案) once it went past intake and was not refused or merged
# away: any status but received, rejected and merged.
NOT_REGISTERED = (Status.RECEIVED, Status.REJECTED, Status.MERGED)
# Resident complaints: what residents (or staff on their behalf) raised, not sensors or finds.
COMPLAINT_CHANNELS = (Channel.WEB, Channel.OPEN311, Channel.WINDOW, Channel.HOTLINE, Channel.BOX)


@dataclass(frozen=True)
class CaseFact:
    id: int
    tracking_no: str
    channel: str
    category_code: str
    category_name: str
    grid_id: int
    community_id: int
    lat: float
    lon: float
    address: str
    created_at: dt.datetime
    close_due: dt.datetime
    status: str
    registered: bool


def _facts(qs: QuerySet[Case]) -> list[CaseFact]:
    rows = qs.values_list(
        "pk",
        "tracking_no",
        "channel",
        "category__code",
        "category__name",
        "grid_id",
        "community_id",
        "lat",
        "lon",
        "address",
        "created_at",
        "close_due",
        "status",
    )
    return [CaseFact(*r, registered=r[12] not in NOT_REGISTERED) for r in rows]


def cases_near_deadline(grid_ids: Iterable[int], *, until: dt.datetime) -> list[CaseFact]:
    """Open cases of these grids due to close before `until` (overdue ones included)."""
    qs = Case.objects.filter(
        grid_id__in=sorted(set(grid_ids)), status__in=OPEN_STATUSES, close_due__lte=until
    ).order_by("close_due", "pk")
    return _facts(qs)


def case_facts(
    *,
    grid_ids: Iterable[int] | None = None,
    community_ids: Iterable[int] | None = None,
    since: dt.datetime,
    until: dt.datetime,
    channels: Iterable[str] | None = None,
    ids: Iterable[int] | None = None,
) -> list[CaseFact]:
    """Cases created in [since, until) in these grids or communities (optionally of some
    channels, or some ids), oldest first."""
    qs = Case.objects.filter(created_at__gte=since, created_at__lt=until)
    if grid_ids is not None:
        qs = qs.filter(grid_id__in=sorted(set(grid_ids)))
    if community_ids is not None:
        qs = qs.filter(community_id__in=sorted(set(community_ids)))
    if channels is not None:
        qs = qs.filter(channel__in=list(channels))
    if ids is not None:
        qs = qs.filter(pk__in=sorted(set(ids)))
    return _facts(qs.order_by("created_at", "pk"))


def case_statuses(ids: Iterable[int]) -> dict[int, str]:
    return dict(Case.objects.filter(pk__in=sorted(set(ids))).values_list("pk", "status"))
