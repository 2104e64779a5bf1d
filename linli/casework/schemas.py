import datetime as dt

from ninja import Schema
from pydantic import Field

from linli.core.schemas import Int, Moment, Num


class CategoryOut(Schema):
    code: str
    name: str
    major: str
    urgency: str


class CaseIn(Schema):
    category: str = Field(min_length=2, max_length=10)
    description: str = Field(min_length=1, max_length=2000)
    lat: Num = Field(ge=-90, le=90)
    lon: Num = Field(ge=-180, le=180)
    address: str = Field(default="", max_length=200)
    anonymous: bool = False


class StaffCaseIn(CaseIn):
    channel: str = Field(pattern="^(window|hotline|box)$")
    resident_id: Int | None = None


class EventOut(Schema):
    kind: str
    label: str
    at: dt.datetime
    status: str
    note: str
    unit: str | None = None
    actor: str | None = None


class CaseOut(Schema):
    tracking_no: str
    status: str
    status_label: str
    category: str
    category_name: str
    description: str
    address: str
    lat: float
    lon: float
    channel: str
    community: str
    grid: str
    owner_unit: str
    handler_unit: str | None
    respond_due: dt.datetime
    close_due: dt.datetime
    due_provisional: bool
    overdue: bool
    rework_count: int
    rating: int | None
    created_at: dt.datetime
    closed_at: dt.datetime | None


class CaseDetailOut(CaseOut):
    timeline: list[EventOut]
    # What the caller may do now (policy.TRANSITIONS): "register", "dispatch", "rate" …
    actions: list[str] = Field(default_factory=list)


class ReasonIn(Schema):
    reason: str = Field(default="", max_length=500)


class DispatchIn(Schema):
    unit_id: Int
    note: str = Field(default="", max_length=500)


class FeedbackIn(Schema):
    note: str = Field(default="", max_length=2000)


class VerifyIn(Schema):
    passed: bool
    note: str = Field(default="", max_length=500)


class CloseIn(Schema):
    level: str = ""


class RateIn(Schema):
    rating: Int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


class DeferIn(Schema):
    until: Moment
    reason: str = Field(default="", max_length=500)


class DecideIn(Schema):
    approve: bool
    note: str = Field(default="", max_length=500)


class MergeIn(Schema):
    into: str = Field(min_length=1, max_length=20)
