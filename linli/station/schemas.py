"""API shapes of the station (SERVE-1..2)."""

import datetime as dt

from ninja import Schema
from pydantic import Field

from linli.core.schemas import Int, Moment


class StationFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    prefillable: bool
    tier: str


class StationServiceOut(Schema):
    code: str
    name: str
    summary: str
    department: str | None
    deadline_days: int
    fields: list[StationFieldOut]
    eligibility: dict[str, object]
    guide: str


class StationBundleOut(Schema):
    code: str
    name: str
    summary: str
    services: list[str]


class StationPrefillValueOut(Schema):
    key: str
    label: str
    value: str
    source: str


class StationPrefillOut(Schema):
    resident_id: int
    tiers_needed: list[str]
    prefilled: list[StationPrefillValueOut]
    to_type: list[str]


class StationApplyIn(Schema):
    resident_id: Int | None = None
    services: list[str] = Field(default_factory=list, max_length=10)
    bundle: str = Field(default="", max_length=40)
    values: dict[str, str] = Field(default_factory=dict)
    corrections: dict[str, str] = Field(default_factory=dict)
    consent_tiers: list[str] = Field(default_factory=list, max_length=10)
    resident_present: bool = False


class StationApplicationOut(Schema):
    id: int
    number: str
    service: str
    service_name: str
    department: str | None
    status: str
    status_label: str
    submitted_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    reason: str


class StationReceiptOut(Schema):
    id: int
    number: str
    applications: list[StationApplicationOut]


class StationValueOut(Schema):
    key: str
    label: str
    value: str | None
    source: str


class StationStepOut(Schema):
    action: str
    to_status: str
    at: dt.datetime
    note: str


class StationApplicationDetailOut(StationApplicationOut):
    values: list[StationValueOut]
    steps: list[StationStepOut]
    actions: list[str]


class StationStepIn(Schema):
    note: str = Field(default="", max_length=300)
    number: str = Field(default="", max_length=40)
    documents: dict[str, str] = Field(default_factory=dict)


class StationSessionOut(Schema):
    id: int
    title: str
    venue: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    taken: int


class StationSeatOut(Schema):
    session_id: int
    enrolled: bool


class StationSessionIn(Schema):
    resource_id: Int
    title: str = Field(max_length=60)
    starts_at: Moment
    ends_at: Moment
    capacity: int = Field(ge=1, le=200)
    volunteer_ids: list[Int] = Field(max_length=10)


class StationAttendanceIn(Schema):
    resident_ids: list[Int] = Field(max_length=200)


class StationAttendanceOut(Schema):
    session_id: int
    awards: int
