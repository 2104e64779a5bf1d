"""Reads of the matching app; every list starts from the model's `visible_to(actor)`."""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import NotFound
from linli.matching.availability import WorkingDays, open_intervals, within_hours
from linli.matching.choices import (
    HOLDING,
    BookingStatus,
    MatchStatus,
    NeedStatus,
    PartnerKind,
    ResourceKind,
    ResourceStatus,
)
from linli.matching.models import (
    Booking,
    Match,
    MatchRun,
    Need,
    Offer,
    Partner,
    Resource,
    ResourceClosure,
)
from linli.matching.policy import manages
from linli.people.selectors import resident_of_user

IDLE_FLAG = 0.30  # §5.3: idle above 30% → consider a change of use
IDLE_DAYS = 30
LOCAL_SHARE_TARGET = (0.20, 0.30)  # §7.3
AT_RISK_WITHIN = dt.timedelta(hours=24)


def need_get(*, actor: Any, need_id: int) -> Need:
    found = (
        Need.objects.visible_to(actor)
        .select_related("community", "requester")
        .filter(pk=need_id)
        .first()
    )
    if found is None:
        raise NotFound(_("找不到该需求。"))
    return found


def match_get(*, actor: Any, match_id: int) -> Match:
    found = (
        Match.objects.visible_to(actor)
        .select_related("need", "resource", "volunteer")
        .filter(pk=match_id)
        .first()
    )
    if found is None:
        raise NotFound(_("找不到该邀请。"))
    return found


def run_get(*, actor: Any, run_id: int) -> MatchRun:
    run = MatchRun.objects.select_related("community").filter(pk=run_id).first()
    if run is None or not manages(actor, run.community_id):
        raise NotFound(_("找不到该匹配方案。"))
    return run


def my_needs(actor: Any) -> QuerySet[Need]:
    return Need.objects.filter(Q(requester=actor) | Q(entered_by=actor)).order_by(
        "-starts_at", "-pk"
    )


def community_needs(actor: Any, community_id: int) -> QuerySet[Need]:
    if not manages(actor, community_id):
        return Need.objects.none()
    return Need.objects.filter(community_id=community_id).order_by("starts_at", "pk")


def invitations_for(actor: Any) -> QuerySet[Match]:
    return (
        Match.objects.filter(volunteer=actor)
        .exclude(status__in=(MatchStatus.PROPOSED, MatchStatus.DISCARDED))
        .select_related("need", "resource")
        .order_by("need__starts_at", "pk")
    )


def accepted_match(need: Need) -> Match | None:
    return (
        need.matches.filter(
            status__in=(MatchStatus.ACCEPTED, MatchStatus.SERVED, MatchStatus.NO_SHOW)
        )
        .select_related("volunteer", "resource")
        .first()
    )


def at_risk(actor: Any, community_id: int, *, now: dt.datetime | None = None) -> list[Need]:
    """Accepted needs starting within 24 hours whose service nobody has confirmed yet, and
    invitations still unanswered that close to the start: staff follow them up."""
    if not manages(actor, community_id):
        return []
    now = now or timezone.now()
    return list(
        Need.objects.filter(
            community_id=community_id,
            status__in=(NeedStatus.ACCEPTED, NeedStatus.INVITING),
            starts_at__gte=now - dt.timedelta(hours=2),
            starts_at__lte=now + AT_RISK_WITHIN,
        ).order_by("starts_at", "pk")
    )


def _near(actor: Any) -> QuerySet[Resource]:
    home = resident_of_user(actor)
    qs = Resource.objects.filter(status=ResourceStatus.APPROVED)
    if home is not None and home.community_id is not None:
        qs = qs.filter(community_id=home.community_id)
    return qs


def offers_near(actor: Any, *, limit: int = 50) -> QuerySet[Resource]:
    """Approved resources of the actor's home community (a resident's "near me")."""
    return _near(actor).order_by("kind", "name", "pk")[:limit]


def upcoming_offers(actor: Any, *, limit: int = 20) -> QuerySet[Offer]:
    """Offers (a resource's published times) not yet over, of the resources `offers_near`
    shows the actor."""
    near = _near(actor).values("pk")
    qs = Offer.objects.filter(resource__in=near, active=True, ends_at__gt=timezone.now())
    return qs.select_related("resource").order_by("starts_at", "pk")[:limit]


def pool(actor: Any, community_id: int | None = None) -> QuerySet[Resource]:
    qs = Resource.objects.visible_to(actor).select_related("partner", "owner_user")
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    return qs


@dataclass(frozen=True)
class FreeVenue:
    """A venue free for the range asked (plain values: the search reads hundreds)."""

    id: int
    name: str
    capacity: int
    conditions: str
    category: str
    hours: Any
    calendar_rule: str

    @property
    def pk(self) -> int:
        return self.id


FREE_FIELDS = ("pk", "name", "capacity", "conditions", "category", "hours", "calendar_rule")


def free_in_range(
    *,
    actor: Any,
    community_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    people: int = 1,
) -> list[FreeVenue]:
    """Venues of the community open for the whole range, big enough, and not booked in it:
    three queries, whatever the number of venues."""
    if ends_at <= starts_at or not (actor is not None and actor.is_authenticated):
        return []
    # Approved venues are listed to everyone signed in (what `visible_to` grants), so the
    # search skips the actor's scope queries.
    venues = [
        FreeVenue(*row)
        for row in Resource.objects.filter(
            community_id=community_id,
            kind=ResourceKind.VENUE,
            status=ResourceStatus.APPROVED,
            capacity__gte=people,
        )
        .order_by("name", "pk")
        .values_list(*FREE_FIELDS)
    ]
    ids = [v.id for v in venues]
    taken = set(
        Booking.objects.filter(
            resource_id__in=ids, status__in=HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).values_list("resource_id", flat=True)
    )
    closed: dict[int, set[dt.date]] = defaultdict(set)
    for rid, day in ResourceClosure.objects.filter(
        resource_id__in=ids,
        day__gte=timezone.localdate(starts_at),
        day__lte=timezone.localdate(ends_at),
    ).values_list("resource_id", "day"):
        closed[rid].add(day)
    working = WorkingDays()
    # Venues of a community share a few weekly patterns: decide each pattern once.
    decided: dict[tuple[str, str], bool] = {}

    def open_then(v: FreeVenue) -> bool:
        if closed.get(v.id):
            return within_hours(v, starts_at, ends_at, closed[v.id], working)
        key = (json.dumps(v.hours), v.calendar_rule)
        if key not in decided:
            decided[key] = within_hours(v, starts_at, ends_at, (), working)
        return decided[key]

    return [v for v in venues if v.id not in taken and open_then(v)]


@dataclass(frozen=True)
class Idle:
    resource: Resource
    open_hours: float
    booked_hours: float
    rate: float | None  # None: no opening hours in the period

    @property
    def flagged(self) -> bool:
        return self.rate is not None and self.rate > IDLE_FLAG


def idle_rates(
    *, community_id: int, now: dt.datetime | None = None, days: int = IDLE_DAYS
) -> list[Idle]:
    """Per venue, over the rolling period (from its listing, if later): idle = 1 − booked
    time within opening hours ÷ opening hours. Booked time counts bookings that held the
    slot (not cancelled, not released)."""
    end = now or timezone.now()
    start = end - dt.timedelta(days=days)
    venues = list(
        Resource.objects.filter(
            community_id=community_id, kind=ResourceKind.VENUE, status=ResourceStatus.APPROVED
        ).order_by("name", "pk")
    )
    ids = [v.pk for v in venues]
    bookings: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for rid, a, b in Booking.objects.filter(
        resource_id__in=ids,
        status__in=(BookingStatus.CHECKED_IN, BookingStatus.DONE, BookingStatus.BOOKED),
        starts_at__lt=end,
        ends_at__gt=start,
    ).values_list("resource_id", "starts_at", "ends_at"):
        bookings[rid].append((a, b))
    closed: dict[int, set[dt.date]] = defaultdict(set)
    for rid, day in ResourceClosure.objects.filter(
        resource_id__in=ids, day__gte=start.date(), day__lte=end.date()
    ).values_list("resource_id", "day"):
        closed[rid].add(day)
    working = WorkingDays()
    out = []
    for v in venues:
        # A venue listed during the period counts from its listing, not before it.
        spans = list(open_intervals(v, max(start, v.created_at), end, closed[v.pk], working))
        opened = sum((b - a).total_seconds() for a, b in spans)
        used = 0.0
        for ba, bb in bookings[v.pk]:
            for a, b in spans:
                lo, hi = max(a, ba), min(b, bb)
                if lo < hi:
                    used += (hi - lo).total_seconds()
        rate = None if opened <= 0 else round(1.0 - used / opened, 4)
        out.append(Idle(v, round(opened / 3600, 2), round(used / 3600, 2), rate))
    return out


def partners_of(community_id: int) -> QuerySet[Partner]:
    return Partner.objects.filter(community_id=community_id).order_by("name", "pk")


def below_local_target(partner: Partner) -> bool:
    """A social organisation whose local-resident share is under 20%."""
    share = partner.local_share
    return (
        partner.kind == PartnerKind.SOCIAL and share is not None and share < LOCAL_SHARE_TARGET[0]
    )


def latest_run(community_id: int) -> MatchRun | None:
    return MatchRun.objects.filter(community_id=community_id).order_by("-created_at", "-pk").first()


def partner_idle_rate(
    *, partner_id: int, community_id: int, end: dt.datetime, days: int
) -> float | None:
    """One partner's venues together over [end − days, end): 1 − booked ÷ open hours
    (EVAL-2's resource efficiency); None when its venues had no opening hours."""
    mine = [
        i
        for i in idle_rates(community_id=community_id, now=end, days=days)
        if i.resource.partner_id == partner_id
    ]
    opened = sum(i.open_hours for i in mine)
    if opened <= 0:
        return None
    return round(1.0 - sum(i.booked_hours for i in mine) / opened, 4)
