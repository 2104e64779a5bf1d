"""Care API (CARE-4..7), mounted at /api/care: alerts (list, take, close), away periods, home
services, the short-of-services list and the service tiers. The gateways' ingest endpoint
is in api_ingest.py."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from linli.care.models import Alert, AlertStatus, AwayPeriod, HomeService, Rule
from linli.care.selectors import (
    OPEN_SHOWN,
    alert_get,
    alerts_visible_to,
    away_visible_to,
    community_get,
    residents_visible_to,
)
from linli.care.services.handling import (
    AWAY_ROLES,
    HANDLER_ROLES,
    alert_acknowledge,
    alert_close,
    away_end,
    away_set,
    may_handle,
)
from linli.care.services.homecare import (
    RECORDER_ROLES,
    home_service_record,
    month_bounds,
    services_for_ability,
    short_of_services,
)
from linli.core.access import api_roles
from linli.core.errors import ValidationFailed
from linli.core.roles import Role
from linli.core.schemas import ErrorOut

router = Router(tags=["care"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
ALERT_READERS = (*HANDLER_ROLES, Role.STREET_ADMIN, Role.FAMILY)
SERVICE_READERS = (*RECORDER_ROLES, Role.STREET_ADMIN)
BOARD_READERS = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class AlertOut(Schema):
    id: int
    rule: str
    rule_label: str
    status: str
    status_label: str
    household_id: int
    address: str
    resident_name: str | None
    since: dt.datetime | None
    opened_at: dt.datetime
    due_at: dt.datetime
    escalation_level: int
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    closed_at: dt.datetime | None
    outcome: str
    outcome_label: str
    note: str
    case: str | None
    lat: float
    lon: float
    can_act: bool


class CloseIn(Schema):
    outcome: str = Field(max_length=20)
    note: str = Field(default="", max_length=1000)


class AwayIn(Schema):
    household_id: int
    starts: dt.datetime
    ends: dt.datetime
    reason: str = Field(max_length=20)
    note: str = Field(default="", max_length=1000)


class AwayOut(Schema):
    id: int | None
    household_id: int
    starts: dt.datetime
    ends: dt.datetime
    reason: str
    reason_label: str
    note: str


class ServiceIn(Schema):
    resident_id: int
    kind: str = Field(max_length=20)
    provided_at: dt.datetime
    provider: str = Field(max_length=1000)
    note: str = Field(default="", max_length=1000)


class ServiceOut(Schema):
    id: int
    resident_id: int
    resident_name: str
    kind: str
    kind_label: str
    provided_at: dt.datetime
    provider: str
    note: str


class ShortOut(Schema):
    resident_id: int
    full_name: str
    address: str
    grid: str
    ability: str
    done: int
    missing: int
    suggested: str


class KindOut(Schema):
    kind: str
    label: str


class AlertFilter(Schema):
    status: str = Field(default="open", pattern="^(open|closed|all)$")
    rule: Rule | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


def alert_out(actor: Any, a: Alert) -> dict[str, Any]:
    h = a.household
    return {
        "id": a.pk,
        "rule": a.rule,
        "rule_label": a.get_rule_display(),
        "status": a.status,
        "status_label": a.get_status_display(),
        "household_id": h.pk,
        "address": f"{h.building.name}{h.unit}{h.room}",
        "resident_name": a.resident.full_name if a.resident else None,
        "since": a.since,
        "opened_at": a.opened_at,
        "due_at": a.due_at,
        "escalation_level": a.escalation_level,
        "acknowledged_at": a.acknowledged_at,
        "acknowledged_by": a.acknowledged_by.display_name if a.acknowledged_by else None,
        "closed_at": a.closed_at,
        "outcome": a.outcome,
        "outcome_label": a.get_outcome_display() if a.outcome else "",
        "note": a.note,
        "case": a.evidence.get("case"),
        "lat": h.building.lat,
        "lon": h.building.lon,
        "can_act": actor.role in HANDLER_ROLES and may_handle(actor, a) and a.status in OPEN_SHOWN,
    }


def _alert(actor: Any, alert_id: int) -> dict[str, Any]:
    return alert_out(actor, alert_get(actor=actor, alert_id=alert_id))


@router.get("/alerts", response={200: list[AlertOut], **ERRORS}, auth=api_roles(*ALERT_READERS))
def alerts_list(request: HttpRequest, f: Query[AlertFilter]) -> list[dict[str, Any]]:
    """The caller's alerts (their grids, community or street; family: relatives who allow
    it). `status=open` (default): open and taken; `closed`: closed and auto-resolved."""
    actor = _actor(request)
    qs = alerts_visible_to(actor).select_related(
        "household__building", "resident", "acknowledged_by"
    )
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_SHOWN).order_by("due_at", "pk")
    elif f.status == "closed":
        qs = qs.filter(status__in=(AlertStatus.CLOSED, AlertStatus.RESOLVED_AUTO))
        qs = qs.order_by("-closed_at", "-pk")
    else:
        qs = qs.order_by("-opened_at", "-pk")
    if f.rule:
        qs = qs.filter(rule=f.rule)
    return [alert_out(actor, a) for a in qs[f.offset : f.offset + f.limit]]


@router.get(
    "/alerts/{alert_id}", response={200: AlertOut, **ERRORS}, auth=api_roles(*ALERT_READERS)
)
def alert_detail(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    return _alert(_actor(request), alert_id)


@router.post(
    "/alerts/{alert_id}/ack", response={200: AlertOut, **ERRORS}, auth=api_roles(*HANDLER_ROLES)
)
def alert_ack(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    """接单: the grid worker (or, once escalated, community staff) takes the visit."""
    actor = _actor(request)
    alert_acknowledge(actor=actor, alert_id=alert_id)
    return _alert(actor, alert_id)


@router.post(
    "/alerts/{alert_id}/close",
    response={200: AlertOut, **ERRORS},
    auth=api_roles(*HANDLER_ROLES),
)
def alert_finish(request: HttpRequest, alert_id: int, payload: CloseIn) -> dict[str, Any]:
    """办结 with the visit's outcome: safe / needed_help (note required) / false_alarm /
    device_fault."""
    actor = _actor(request)
    alert_close(actor=actor, alert_id=alert_id, outcome=payload.outcome, note=payload.note)
    return _alert(actor, alert_id)


def away_out(a: AwayPeriod) -> dict[str, Any]:
    return {
        "id": a.pk,
        "household_id": a.household_id,
        "starts": a.starts,
        "ends": a.ends,
        "reason": a.reason,
        "reason_label": a.get_reason_display(),
        "note": a.note,
    }


@router.get("/away", response={200: list[AwayOut], **ERRORS}, auth=api_roles(*AWAY_ROLES))
def away_list(request: HttpRequest, household_id: int | None = None) -> list[dict[str, Any]]:
    """Current and coming away periods the caller may see."""
    qs = away_visible_to(_actor(request)).filter(ends__gt=timezone.now())
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    return [away_out(a) for a in qs.order_by("starts", "pk")[:200]]


@router.post("/away", response={201: AwayOut, **ERRORS}, auth=api_roles(*AWAY_ROLES))
def away_create(request: HttpRequest, payload: AwayIn) -> HttpStatus[dict[str, Any]]:
    """外出登记 (住院 hospital, 探亲 visiting, travel, other): no welfare alerts meanwhile."""
    away = away_set(
        actor=_actor(request),
        household_id=payload.household_id,
        starts=payload.starts,
        ends=payload.ends,
        reason=payload.reason,
        note=payload.note,
    )
    return HttpStatus(201, away_out(away))


@router.post("/away/{away_id}/end", response={200: AwayOut, **ERRORS}, auth=api_roles(*AWAY_ROLES))
def away_stop(request: HttpRequest, away_id: int) -> dict[str, Any]:
    """Back early: the period ends now (one not begun yet is withdrawn; its id is null)."""
    return away_out(away_end(actor=_actor(request), away_id=away_id))


def _month(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ValidationFailed("月份的格式应为 2026-05。", field="month") from None


def service_out(s: HomeService) -> dict[str, Any]:
    return {
        "id": s.pk,
        "resident_id": s.resident_id,
        "resident_name": s.resident.full_name,
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "provided_at": s.provided_at,
        "provider": s.provider_name,
        "note": s.note,
    }


@router.get(
    "/services", response={200: list[ServiceOut], **ERRORS}, auth=api_roles(*SERVICE_READERS)
)
def services_list(
    request: HttpRequest, month: str | None = None, resident_id: int | None = None
) -> list[dict[str, Any]]:
    """Home services of a month (default this month) in the caller's place."""
    start, end = month_bounds(_month(month))
    residents = residents_visible_to(_actor(request))
    qs = HomeService.objects.filter(
        resident__in=residents, provided_at__gte=start, provided_at__lt=end
    ).select_related("resident")
    if resident_id is not None:
        qs = qs.filter(resident_id=resident_id)
    return [service_out(s) for s in qs.order_by("provided_at", "pk")[:1000]]


@router.post("/services", response={201: ServiceOut, **ERRORS}, auth=api_roles(*RECORDER_ROLES))
def service_create(request: HttpRequest, payload: ServiceIn) -> HttpStatus[dict[str, Any]]:
    service = home_service_record(
        actor=_actor(request),
        resident_id=payload.resident_id,
        kind=payload.kind,
        provided_at=payload.provided_at,
        provider=payload.provider,
        note=payload.note,
    )
    return HttpStatus(201, service_out(service))


@router.get(
    "/services/short", response={200: list[ShortOut], **ERRORS}, auth=api_roles(*BOARD_READERS)
)
def services_short(
    request: HttpRequest, community_id: int | None = None, month: str | None = None
) -> list[Any]:
    """独居老人 with fewer than two home services in the month (CARE-7)."""
    community = community_get(actor=_actor(request), community_id=community_id)
    return list(short_of_services(community=community, month=_month(month)))


@router.get("/services/tiers", response={200: list[KindOut], **ERRORS}, auth=api_roles())
def service_tiers(request: HttpRequest, ability: str = "") -> list[dict[str, str]]:
    """The services for an ability level (self_care / semi / disabled), tier service first."""
    return [{"kind": k.value, "label": str(k.label)} for k in services_for_ability(ability)]
