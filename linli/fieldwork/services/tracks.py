"""Patrol tracks: opt-in by the worker (the page states what is kept and who sees it), kept
only during working hours or while a task of the day is open, never shown to residents.
Points outside those times are dropped, not stored."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import NotFound, PermissionDenied, ValidationFailed
from linli.fieldwork.choices import AuditAction
from linli.fieldwork.models import DayTask, TrackConsent, TrackPoint
from linli.fieldwork.policy import FIELD_ROLES, TRACK_VIEW_ROLES, sees_all
from linli.fieldwork.services.visits import clean_point, clean_time, parse_uuid
from linli.geo.scope import Scope
from linli.geo.selectors import grid_locate


def consent_get(worker: Any) -> TrackConsent:
    return TrackConsent.objects.get_or_create(worker=worker)[0]


def consent_set(
    *, actor: Any, enabled: bool, work_start: dt.time | None = None, work_end: dt.time | None = None
) -> TrackConsent:
    if actor.role not in FIELD_ROLES:
        raise PermissionDenied(_("只有网格员可以设置巡查轨迹。"))
    c = consent_get(actor)
    c.enabled = enabled
    if work_start is not None and work_end is not None:
        if work_start >= work_end:
            raise ValidationFailed(_("下班时间须晚于上班时间。"), field="work_end")
        c.work_start, c.work_end = work_start, work_end
    c.save()
    audit_record(actor=actor, action=AuditAction.TRACK_CONSENT, obj=c, data={"enabled": enabled})
    return c


@dataclass(frozen=True)
class PointInput:
    uuid: str
    at: dt.datetime
    lat: float
    lon: float
    task_id: int | None = None


def _allowed(c: TrackConsent, actor: Any, at: dt.datetime, task_id: int | None) -> bool:
    local = timezone.localtime(at).time()
    if c.work_start <= local <= c.work_end:
        return True
    if task_id is None:
        return False
    return DayTask.objects.filter(
        pk=task_id, worker=actor, day=timezone.localdate(at), done_at__isnull=True
    ).exists()


def points_record(*, actor: Any, points: Sequence[PointInput]) -> int:
    """Store the points the worker's consent allows; returns how many were stored (a
    repeated UUID is stored once)."""
    if actor.role not in FIELD_ROLES:
        raise PermissionDenied(_("只有网格员可以上传巡查轨迹。"))
    c = consent_get(actor)
    if not c.enabled:
        raise PermissionDenied(_("您未开启巡查轨迹记录。"), code="tracks_off")
    mine = Scope.for_actor(actor).grid_ids
    now = timezone.now()
    stored = 0
    for p in points[:500]:
        key = parse_uuid(p.uuid)
        at = clean_time(p.at, now)
        lat, lon = clean_point(p.lat, p.lon)
        if lat is None or lon is None or not _allowed(c, actor, at, p.task_id):
            continue
        found = grid_locate(lat=lat, lon=lon)
        if found is None or found.grid_id not in mine:
            continue
        try:
            with transaction.atomic():
                TrackPoint.objects.create(
                    uuid=key, worker=actor, grid_id=found.grid_id, at=at, lat=lat, lon=lon
                )
                stored += 1
        except IntegrityError:
            continue
    return stored


def tracks_for(*, actor: Any, worker_id: int, day: dt.date) -> list[TrackPoint]:
    """A worker's points of a day: to the worker, and to staff overseeing their grids.
    Residents, family and everyone else: not found."""
    if actor.role not in TRACK_VIEW_ROLES and not sees_all(actor):
        raise NotFound(_("没有找到巡查轨迹。"))
    qs = TrackPoint.objects.filter(worker_id=worker_id, at__date=day)
    if actor.role == "grid_worker":
        if actor.pk != worker_id:
            raise NotFound(_("没有找到巡查轨迹。"))
    elif not sees_all(actor):
        qs = qs.filter(grid__in=Scope.for_actor(actor).grids())
    return list(qs.order_by("at", "pk"))
