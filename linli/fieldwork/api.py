"""/api/fieldwork (issue 21): today's list, uploads from the phone (idempotent on the
client's UUID), patrol tracks, coverage and the measures of proactive work."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from linli.core.access import api_roles
from linli.core.errors import ValidationFailed
from linli.core.photos import PHOTO_MAX_BYTES, photo_read
from linli.core.schemas import Day, Int
from linli.core.web import API_ERRORS, actor
from linli.fieldwork import selectors
from linli.fieldwork.models import PatrolReport, Visit
from linli.fieldwork.policy import (
    FIELD_ROLES,
    LIFE_EVENT_ROLES,
    OVERSIGHT_ROLES,
    SEE_ALL,
    TRACK_VIEW_ROLES,
)
from linli.fieldwork.present import measure_out, tasks_out
from linli.fieldwork.schemas import (
    CoverageOut,
    LifeEventIn,
    LifeEventOut,
    MeasureOut,
    PointOut,
    PointsIn,
    ReportOut,
    StoredOut,
    TaskOut,
    VisitIn,
    VisitOut,
)
from linli.fieldwork.services import reports, tracks, visits
from linli.fieldwork.services.today import day_ensure

router = Router(tags=["fieldwork"])
FIELD = api_roles(*FIELD_ROLES)
MAX_PHOTOS = 6


def _visit_out(v: Visit, created: bool) -> dict[str, Any]:
    return {
        "uuid": str(v.uuid),
        "id": v.pk,
        "resident_id": v.resident_id,
        "outcome": v.outcome,
        "at": v.at,
        "case_tracking_no": v.case.tracking_no if v.case_id and v.case else "",
        "created": created,
    }


def _report_out(r: PatrolReport, created: bool) -> dict[str, Any]:
    case = r.case
    assert case is not None
    return {
        "uuid": str(r.uuid),
        "id": r.pk,
        "case_tracking_no": case.tracking_no,
        "case_status": case.status,
        "photos": case.photos.count(),
        "created": created,
    }


@router.get("/today", response={200: list[TaskOut], **API_ERRORS}, auth=FIELD)
def today(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's 今日任务: most urgent first, then in walking order by building."""
    who = actor(request)
    day_ensure(who)
    return tasks_out(who, selectors.today_list(actor=who))


@router.post("/visits", response={200: VisitOut, 201: VisitOut, **API_ERRORS}, auth=FIELD)
def visit(request: HttpRequest, payload: VisitIn) -> HttpStatus[dict[str, Any]]:
    """Record a visit. The same `uuid` again returns the stored visit (200), never a second."""
    v, created = visits.visit_record(actor=actor(request), data=visits.VisitInput(**payload.dict()))
    return HttpStatus(201 if created else 200, _visit_out(v, created))


@router.post("/reports", response={200: ReportOut, 201: ReportOut, **API_ERRORS}, auth=FIELD)
def report(
    request: HttpRequest,
    uuid: Form[str],
    category_code: Form[str],
    description: Form[str],
    lat: Form[float],
    lon: Form[float],
    address: Form[str] = "",
    at: Form[dt.datetime | None] = None,
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> HttpStatus[dict[str, Any]]:
    """A patrol report (multipart): becomes a case with channel "proactive". Photos go with
    it under the same `uuid`; sending the same `uuid` again stores nothing new (200)."""
    files = list(photos or [])
    if len(files) > MAX_PHOTOS:
        raise ValidationFailed(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, field="photos")
    raw = [photo_read(file=f, max_bytes=PHOTO_MAX_BYTES) for f in files]
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    data = reports.ReportInput(
        uuid=uuid,
        category_code=category_code,
        description=description,
        lat=lat,
        lon=lon,
        address=address,
        at=at,
    )
    r, created = reports.report_file(actor=actor(request), data=data, photos=raw)
    return HttpStatus(201 if created else 200, _report_out(r, created))


@router.post("/tracks", response={200: StoredOut, **API_ERRORS}, auth=FIELD)
def track_points(request: HttpRequest, payload: PointsIn) -> dict[str, Any]:
    """Patrol track points, kept only if the worker opted in and within working time or an
    open task; others are dropped."""
    pts = [tracks.PointInput(**p.dict()) for p in payload.points]
    return {"stored": tracks.points_record(actor=actor(request), points=pts)}


@router.get(
    "/tracks/{worker_id}",
    response={200: list[PointOut], **API_ERRORS},
    auth=api_roles(*TRACK_VIEW_ROLES, *SEE_ALL),
)
def track_of(request: HttpRequest, worker_id: Int, day: Day | None = None) -> list[dict[str, Any]]:
    """A worker's track of a day: the worker, and staff overseeing their grids. Never residents."""
    points = tracks.tracks_for(
        actor=actor(request), worker_id=worker_id, day=day or timezone.localdate()
    )
    return [{"at": p.at, "lat": p.lat, "lon": p.lon} for p in points]


@router.get(
    "/coverage", response={200: list[CoverageOut], **API_ERRORS}, auth=api_roles(*OVERSIGHT_ROLES)
)
def coverage(request: HttpRequest) -> list[dict[str, Any]]:
    """Per grid worker of the caller's places: today's items open and done, visits in 7 days."""
    return [
        {
            "worker_id": c.worker_id,
            "worker_name": c.worker_name,
            "grids": c.grid_names,
            "open_items": c.open_items,
            "done_items": c.done_items,
            "visits_week": c.visits_week,
            "overdue_visits": c.overdue_visits,
        }
        for c in selectors.coverage(actor=actor(request))
    ]


@router.get(
    "/measures", response={200: list[MeasureOut], **API_ERRORS}, auth=api_roles(*OVERSIGHT_ROLES)
)
def measures(
    request: HttpRequest,
    days: Query[int] = 30,  # type: ignore[assignment]
) -> list[dict[str, Any]]:
    """有效上报率, 主动发现占比 and 漏报 per grid over the last `days` days (definitions in
    `linli.fieldwork.selectors`)."""
    if not 1 <= days <= 366:
        raise ValidationFailed(_("天数应在 1 到 366 之间。"), field="days")
    until = timezone.now()
    rows = selectors.grid_measures(
        actor=actor(request), since=until - dt.timedelta(days=days), until=until
    )
    return [measure_out(m) for m in rows]


@router.post(
    "/life-events", response={201: LifeEventOut, **API_ERRORS}, auth=api_roles(*LIFE_EVENT_ROLES)
)
def life_event(request: HttpRequest, payload: LifeEventIn) -> HttpStatus[dict[str, Any]]:
    """Record a bereavement: the person is visited within 24 h."""
    e = visits.life_event_record(
        actor=actor(request), resident_id=payload.resident_id, kind=payload.kind
    )
    return HttpStatus(
        201,
        {"id": e.pk, "resident_id": e.resident_id, "kind": e.kind, "occurred_at": e.occurred_at},
    )
