import datetime as dt

from ninja import Schema
from pydantic import Field

from linli.core.schemas import Day, Int, Moment
from linli.mediation.choices import DisputeType, Fulfilment, Side, Source


class PartyIn(Schema):
    side: Side
    resident_id: Int | None = None
    name: str = Field(default="", max_length=50)
    phone: str = Field(default="", max_length=20)


class DisputeIn(Schema):
    type: DisputeType
    source: Source
    description: str = Field(max_length=2000)
    parties: list[PartyIn] = Field(min_length=2, max_length=20)
    community_id: Int | None = None
    building_id: Int | None = None
    case_no: str = Field(default="", max_length=20)


class ReasonIn(Schema):
    reason: str = Field(max_length=1000)


class NoteIn(Schema):
    note: str = Field(default="", max_length=2000)


class AssignIn(Schema):
    mediator_id: Int | None = None
    lead: bool = True


class SessionIn(Schema):
    held_at: Moment
    attendees: str = Field(max_length=500)
    notes: str = Field(max_length=5000)
    place: str = Field(default="", max_length=100)


class ObligationIn(Schema):
    party_id: Int
    duty: str = Field(max_length=500)
    how: str = Field(default="", max_length=200)
    by: Day | None = None


class AgreementIn(Schema):
    facts: str = Field(max_length=5000)
    responsibilities: str = Field(default="", max_length=2000)
    obligations: list[ObligationIn] = Field(default_factory=list, max_length=20)
    court_confirmation: bool = False


class ExtendIn(Schema):
    days: int = Field(ge=1, le=30)
    reason: str = Field(max_length=1000)


class FollowUpIn(Schema):
    fulfilment: Fulfilment
    note: str = Field(default="", max_length=2000)


class DisputeOut(Schema):
    id: int
    number: str
    type: str
    type_label: str
    status: str
    status_label: str
    community: str
    accept_due: dt.datetime
    conclude_due: dt.datetime | None
    overdue: bool
    recurring: bool
    created_at: dt.datetime
    concluded_at: dt.datetime | None


class PartyOut(Schema):
    id: int
    side: str
    name: str
    phone: str  # masked


class StampOut(Schema):
    stage: int
    label: str
    at: dt.datetime
    skipped: bool


class SessionOut(Schema):
    held_at: dt.datetime
    place: str
    attendees: str
    notes: str


class ObligationOut(Schema):
    party_id: int
    name: str
    duty: str
    how: str
    by: str


class AgreementOut(Schema):
    facts: str
    responsibilities: str
    obligations: list[ObligationOut]
    court_confirmation: bool
    signed_at: dt.datetime | None
    scan_sha256: str


class FollowUpOut(Schema):
    stage: int
    label: str
    due_at: dt.datetime
    visited_at: dt.datetime | None
    fulfilment: str


class DisputeDetailOut(DisputeOut):
    source: str
    description: str
    parties: list[PartyOut]
    mediators: list[str]
    stamps: list[StampOut]
    sessions: list[SessionOut]
    agreement: AgreementOut | None
    follow_ups: list[FollowUpOut]
    close_reason: str
    extension_reason: str
    recurring_of: str | None
    actions: list[str]


class MediatorOut(Schema):
    id: int
    name: str
    kind: str
    load: int


class RateOut(Schema):
    key: str
    label: str
    agreements: int
    failures: int
    withdrawn: int
    declined: int
    concluded: int
    success: float | None
    withdrawn_share: float | None
    followed_up: int
    fulfilled: int
    fulfilled_rate: float | None
    recurred: int
    recurrence: float | None
    small_sample: bool
    meets_target: bool | None


class RatesOut(Schema):
    by: str
    start: dt.date
    end: dt.date
    target: float
    rows: list[RateOut]
    total: RateOut
