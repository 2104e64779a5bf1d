import datetime as dt

from ninja import Schema
from pydantic import Field

from linli.core.schemas import Int, Moment, Num


class TaskOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    detail: str
    due_at: dt.datetime | None
    overdue: bool
    grid: str
    building: str
    resident_id: int | None
    resident_name: str
    address: str
    case_id: int | None
    case_tracking_no: str


class VisitIn(Schema):
    uuid: str = Field(max_length=40)
    resident_id: Int
    outcome: str = Field(max_length=12)
    at: Moment | None = None
    lat: Num | None = None
    lon: Num | None = None
    note: str = Field(default="", max_length=300)
    help_category: str = Field(default="", max_length=10)


class VisitOut(Schema):
    uuid: str
    id: int
    resident_id: int
    outcome: str
    at: dt.datetime
    case_tracking_no: str
    created: bool


class ReportOut(Schema):
    uuid: str
    id: int
    case_tracking_no: str
    case_status: str
    photos: int
    created: bool


class PointIn(Schema):
    uuid: str = Field(max_length=40)
    at: Moment
    lat: Num
    lon: Num
    task_id: Int | None = None


class PointsIn(Schema):
    points: list[PointIn] = Field(max_length=500)


class StoredOut(Schema):
    stored: int


class PointOut(Schema):
    at: dt.datetime
    lat: float
    lon: float


class CoverageOut(Schema):
    worker_id: int
    worker_name: str
    grids: list[str]
    open_items: int
    done_items: int
    visits_week: int
    overdue_visits: int


class MissedOut(Schema):
    case_id: int
    tracking_no: str
    category: str
    created_at: dt.datetime
    passed_at: dt.datetime
    metres: int


class MeasureOut(Schema):
    grid_id: int
    grid: str
    reports: int
    registered: int
    valid_rate: float | None
    proactive: int
    complaints: int
    proactive_share: float | None
    missed: list[MissedOut]


class LifeEventIn(Schema):
    resident_id: Int
    kind: str = Field(default="bereavement", max_length=20)


class LifeEventOut(Schema):
    id: int
    resident_id: int
    kind: str
    occurred_at: dt.datetime
