import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from linli.core.schemas import Day, Int, Moment, Num, Paging
from linli.matching.choices import (
    BookingStatus,
    CalendarRule,
    ContributionKind,
    MatchStatus,
    NeedStatus,
    OwnerKind,
    PartnerKind,
    ResourceKind,
    ResourceStatus,
    RunStatus,
    Skill,
)

# Booking and need times compare with "now": Moment reads a naive time as local time.
When = Moment


class ResourceIn(Schema):
    kind: ResourceKind
    name: str = Field(max_length=100)
    category: Skill
    community_id: Int | None = None
    description: str = Field(default="", max_length=300)
    skills: list[Skill] = Field(default_factory=list, max_length=10)
    capacity: Int = Field(default=1, ge=1, le=10_000)
    conditions: str = Field(default="", max_length=200)
    points_asked: Int = Field(default=0, ge=0, le=100_000)
    hours: list[tuple[int, str, str]] = Field(default_factory=list, max_length=50)
    calendar_rule: CalendarRule = CalendarRule.ALL
    grid_id: Int | None = None
    lat: Num | None = Field(default=None, ge=-90, le=90)
    lon: Num | None = Field(default=None, ge=-180, le=180)
    partner_id: Int | None = None


class ResourceOut(Schema):
    id: int
    kind: ResourceKind
    name: str
    description: str
    owner_kind: OwnerKind
    community_id: int
    category: Skill
    skills: list[str]
    capacity: int
    conditions: str
    points_asked: int
    hours: list[Any]
    calendar_rule: CalendarRule
    status: ResourceStatus
    reliability: float


class PoolQuery(Paging):
    community_id: Int | None = None
    kind: ResourceKind | None = None


class ReviewIn(Schema):
    approve: bool


class ClosureIn(Schema):
    day: Day
    reason: str = Field(default="", max_length=100)


class OfferIn(Schema):
    resource_id: Int
    title: str = Field(max_length=100)
    starts_at: When
    ends_at: When


class OfferOut(Schema):
    id: int
    resource_id: int
    resource_name: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class NeedIn(Schema):
    skill: Skill
    title: str = Field(max_length=100)
    starts_at: When
    ends_at: When
    detail: str = Field(default="", max_length=300)
    people: Int = Field(default=1, ge=1, le=500)
    urgent: bool = False
    max_distance_m: Int = Field(default=3000, ge=100, le=50_000)
    resident_id: Int | None = None


class FromCaseIn(Schema):
    case_id: Int
    starts_at: When
    ends_at: When


class NeedOut(Schema):
    id: int
    community_id: int
    skill: Skill
    title: str
    detail: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    urgent: bool
    status: NeedStatus
    unmatched_reason: str
    unmatched_label: str
    source_case_id: int | None
    actions: list[str]


class NeedQuery(Paging):
    community_id: Int | None = None


class RunIn(Schema):
    community_id: Int
    window_start: When
    window_end: When
    cap: Int = Field(default=3, ge=1, le=10)


class MatchOut(Schema):
    id: int
    need_id: int
    need_title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: MatchStatus
    volunteer: str | None
    score: float
    terms: dict[str, float]
    why: str
    runner_up: dict[str, Any] | None
    expires_at: dt.datetime | None


class RunOut(Schema):
    id: int
    community_id: int
    window_start: dt.datetime
    window_end: dt.datetime
    cap: int
    status: RunStatus
    stats: dict[str, Any]
    matches: list[MatchOut]


class ServedIn(Schema):
    minutes: Int = Field(ge=1, le=720)


class BookingIn(Schema):
    resource_id: Int
    starts_at: When
    ends_at: When
    people: Int = Field(default=1, ge=1, le=10_000)
    purpose: str = Field(max_length=100)


class SeriesIn(BookingIn):
    weeks: Int = Field(ge=1, le=26)


class BookingOut(Schema):
    id: int
    resource_id: int
    resource_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    people: int
    purpose: str
    status: BookingStatus
    series: str
    checked_in_at: dt.datetime | None


class SkippedOut(Schema):
    starts_at: dt.datetime
    reason: str


class SeriesOut(Schema):
    booked: list[BookingOut]
    skipped: list[SkippedOut]


class CheckInIn(Schema):
    people: Int | None = Field(default=None, ge=0, le=10_000)


class FreeQuery(Schema):
    community_id: Int
    starts_at: When
    ends_at: When
    people: Int = Field(default=1, ge=1, le=10_000)


class FreeVenueOut(Schema):
    id: int
    name: str
    capacity: int
    conditions: str
    category: Skill


class CommunityQuery(Schema):
    community_id: Int


class IdleOut(Schema):
    resource_id: int
    name: str
    open_hours: float
    booked_hours: float
    idle_rate: float | None
    flagged: bool


class PartnerIn(Schema):
    community_id: Int
    name: str = Field(max_length=100)
    kind: PartnerKind
    posts_total: Int = Field(default=0, ge=0, le=100_000)
    posts_local: Int = Field(default=0, ge=0, le=100_000)
    username: str = Field(default="", max_length=150)


class PartnerOut(Schema):
    id: int
    name: str
    kind: PartnerKind
    posts_total: int
    posts_local: int
    local_share: float | None
    below_target: bool


class ContributionIn(Schema):
    kind: ContributionKind
    description: str = Field(max_length=200)
    value_fen: Int = Field(default=0, ge=0, le=10**11)
    on: Day | None = None


class ContributionOut(Schema):
    id: int
    partner_id: int
    kind: ContributionKind
    description: str
    value_fen: int
    on: dt.date
    points: int
