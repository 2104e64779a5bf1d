import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from linli.core.schemas import Day, Int, Moment


class BodyIn(Schema):
    community_id: Int
    kind: str
    name: str = Field(max_length=200)
    electorate: str


class BodyOut(Schema):
    id: int
    name: str
    kind: str
    electorate: str
    community: str
    members: int


class MemberIn(Schema):
    resident_id: Int
    floor_area: float = Field(default=0, ge=0, le=100000)


class RuleOut(Schema):
    id: int
    code: str
    name: str
    note: str


class MenuItemIn(Schema):
    """A menu candidate with the venue and time it would run at (booked if it wins)."""

    title: str = Field(max_length=80)
    venue_id: Int | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    people: int | None = Field(default=None, ge=1, le=10000)


class MenuPlanIn(Schema):
    venue_id: Int
    starts_at: Moment
    ends_at: Moment
    people: int | None = Field(default=None, ge=1, le=10000)


class MenuItemOut(Schema):
    id: int
    title: str
    chosen: bool
    venue_id: int | None
    venue: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    booking_id: int | None
    booking_problem: str


class VoteIn(Schema):
    body_id: Int
    question: str = Field(max_length=500)
    rule_id: Int
    opens_at: Moment
    closes_at: Moment
    secret: bool = False
    topic_id: Int | None = None
    meeting_id: Int | None = None
    items: list[str | MenuItemIn] = Field(default_factory=list, max_length=20)
    max_choices: int = Field(default=1, ge=1, le=20)
    winners: int = Field(default=0, ge=0, le=20)
    ranked: bool = False


class VoteOut(Schema):
    id: int
    question: str
    kind: str
    body: str
    community: str
    rule: str
    secret: bool
    advisory: bool
    phase: str
    phase_label: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    electorate: int
    topic_id: int | None
    meeting_id: int | None


class VoterStandingOut(Schema):
    eligible: bool
    unit: str
    voted_at: dt.datetime | None
    channel: str


class VoteDetailOut(VoteOut):
    options: list[dict[str, str]]
    max_choices: int
    winners: int
    ranked: bool
    menu: list[MenuItemOut]
    me: VoterStandingOut
    progress: dict[str, int] | None
    actions: list[str]
    result: dict[str, Any] | None


class BallotIn(Schema):
    choice: list[str] = Field(min_length=1, max_length=20)


class ReceiptOut(Schema):
    receipt: str


class ReceiptCheckOut(Schema):
    counted: bool
    choice: str


class ReasonIn(Schema):
    reason: str = Field(max_length=500)


class VoterOut(Schema):
    id: int
    name: str
    unit: str


class PaperOut(Schema):
    id: int
    unit: str
    voter: str
    counted: bool
    entered_by: str
    cast_at: dt.datetime


class TopicIn(Schema):
    community_id: Int
    title: str = Field(max_length=200)
    text: str = Field(default="", max_length=4000)
    professional: str = ""


class CommentIn(Schema):
    text: str = Field(max_length=2000)


class ExpertIn(Schema):
    expert: str = Field(max_length=200)
    opinion: str = Field(max_length=8000)


class CommentOut(Schema):
    author: str
    text: str
    at: dt.datetime


class TopicOut(Schema):
    id: int
    title: str
    text: str
    community: str
    status: str
    status_label: str
    professional: str
    professional_label: str
    expert_name: str
    expert_opinion: str
    raised_by: str
    created_at: dt.datetime
    comments: list[CommentOut]


class MeetingIn(Schema):
    community_id: Int
    kind: str
    title: str = Field(max_length=200)
    held_at: Moment
    place: str = Field(default="", max_length=200)
    agenda: str = Field(default="", max_length=8000)


class SignIn(Schema):
    username: str = Field(max_length=150)


class TextIn(Schema):
    text: str = Field(max_length=40000)


class DecisionIn(Schema):
    text: str = Field(max_length=400)
    owner: str = Field(max_length=150)
    due: Day
    category_code: str = Field(default="", max_length=20)


class ProgressIn(Schema):
    text: str = Field(max_length=600)
    done: bool = False


class MinutesOut(Schema):
    version: int
    text: str
    frozen_at: dt.datetime | None
    sha256: str


class DecisionOut(Schema):
    id: int
    text: str
    owner: str
    due: dt.date
    status: str
    overdue: bool
    case: str
    updates: list[str]


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    held_at: dt.datetime
    place: str
    agenda: str
    attendance: int
    minutes: list[MinutesOut]
    decisions: list[DecisionOut]


class DrawIn(Schema):
    community_id: Int
    month: Day
    count: int = Field(ge=1, le=20)
    seed: str = Field(max_length=64)


class DutyOut(Schema):
    id: int
    user: str
    month: dt.date
    seed: str
    minutes: int
    report: str
    done: bool


class ReportIn(Schema):
    minutes: int = Field(ge=1, le=600)
    report: str = Field(max_length=8000)
