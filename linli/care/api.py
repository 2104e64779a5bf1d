"""Care API (CARE-4..7), mounted at /api/care: alerts (list, take, close), away periods, home
services, the short-of-services list and the service tiers. The gateways' ingest endpoint
(api_ingest.py) is mounted on this router too, so `linli/api.py` adds one care router."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from linli.care import api_ingest
from linli.care.models import Alert, AlertStatus, AwayPeriod, HomeService, Rule
from linli.care.policy import (
    ALERT_READ_ROLES,
    ALERT_VIEW_ROLES,
    AWAY_ROLES,
    BOARD_ROLES,
    WORKER_ROLES,
    can_handle,
)
from linli.care.selectors import OPEN_SHOWN, alert_get, community_get, names_shown
from linli.care.services.handling import alert_acknowledge, alert_close, away_end, away_set
from linli.care.services.homecare import (
    home_service_record,
    month_bounds,
    services_for_ability,
    short_of_services,
)
from linli.core.access import api_roles
from linli.core.errors import ValidationFailed
from linli.core.schemas import Int, Moment, Paging
from linli.core.web import API_ERRORS, actor
from linli.people.selectors import residents_brief

router = Router(tags=["care"])
# The gateways' batch endpoint (POST /api/care/readings) lives in its own module.
router.add_router("", api_ingest.router)
SERVICES_PURPOSE = "上门服务记录"
SHORT_PURPOSE = "服务不足的独居老人"


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
    household_id: Int
    starts: Moment
    ends: Moment
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
    resident_id: Int
    kind: str = Field(max_length=20)
    provided_at: Moment
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


class AlertFilter(Paging):
    status: str = Field(default="open", pattern="^(open|closed|all)$")
    rule: Rule | None = None


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
        "can_act": can_handle(actor, a) and a.status in OPEN_SHOWN,
    }


def _alert(actor: Any, alert_id: int) -> dict[str, Any]:
    return alert_out(actor, alert_get(actor=actor, alert_id=alert_id))


@router.get(
    "/alerts", response={200: list[AlertOut], **API_ERRORS}, auth=api_roles(*ALERT_READ_ROLES)
)
def alerts_list(request: HttpRequest, f: Query[AlertFilter]) -> list[dict[str, Any]]:
    """The caller's alerts (their grids, community or street; family: relatives who allow
    it). `status=open` (default): open and taken; `closed`: closed and auto-resolved."""
    user = actor(request)
    qs = Alert.objects.visible_to(user).select_related(
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
    return [alert_out(user, a) for a in qs[f.offset : f.offset + f.limit]]


@router.get(
    "/alerts/{alert_id}", response={200: AlertOut, **API_ERRORS}, auth=api_roles(*ALERT_READ_ROLES)
)
def alert_detail(request: HttpRequest, alert_id: Int) -> dict[str, Any]:
    return _alert(actor(request), alert_id)


@router.post(
    "/alerts/{alert_id}/ack", response={200: AlertOut, **API_ERRORS}, auth=api_roles(*WORKER_ROLES)
)
def alert_ack(request: HttpRequest, alert_id: Int) -> dict[str, Any]:
    """接单: the grid worker (or, once escalated, community staff) takes the visit."""
    user = actor(request)
    alert_acknowledge(actor=user, alert_id=alert_id)
    return _alert(user, alert_id)


@router.post(
    "/alerts/{alert_id}/close",
    response={200: AlertOut, **API_ERRORS},
    auth=api_roles(*WORKER_ROLES),
)
def alert_finish(request: HttpRequest, alert_id: Int, payload: CloseIn) -> dict[str, Any]:
    """办结 with the visit's outcome: safe / needed_help (note required) / false_alarm /
    device_fault."""
    user = actor(request)
    alert_close(actor=user, alert_id=alert_id, outcome=payload.outcome, note=payload.note)
    return _alert(user, alert_id)


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


@router.get("/away", response={200: list[AwayOut], **API_ERRORS}, auth=api_roles(*AWAY_ROLES))
def away_list(request: HttpRequest, household_id: int | None = None) -> list[dict[str, Any]]:
    """Current and coming away periods the caller may see."""
    qs = AwayPeriod.objects.visible_to(actor(request)).filter(ends__gt=timezone.now())
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    return [away_out(a) for a in qs.order_by("starts", "pk")[:200]]


@router.post("/away", response={201: AwayOut, **API_ERRORS}, auth=api_roles(*AWAY_ROLES))
def away_create(request: HttpRequest, payload: AwayIn) -> HttpStatus[dict[str, Any]]:
    """外出登记 (住院 hospital, 探亲 visiting, travel, other): no welfare alerts meanwhile."""
    away = away_set(
        actor=actor(request),
        household_id=payload.household_id,
        starts=payload.starts,
        ends=payload.ends,
        reason=payload.reason,
        note=payload.note,
    )
    return HttpStatus(201, away_out(away))


@router.post(
    "/away/{away_id}/end", response={200: AwayOut, **API_ERRORS}, auth=api_roles(*AWAY_ROLES)
)
def away_stop(request: HttpRequest, away_id: Int) -> dict[str, Any]:
    """Back early: the period ends now (one not begun yet is withdrawn; its id is null)."""
    return away_out(away_end(actor=actor(request), away_id=away_id))


def _month(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ValidationFailed(_("月份的格式应为 2026-05。"), field="month") from None


def _names(user: Any, services: list[HomeService]) -> dict[int, str]:
    """The people the services are for, read through people's audited list."""
    ids = {s.resident_id for s in services}
    if not ids:
        return {}
    found = residents_brief(actor=user, ids=ids, purpose=SERVICES_PURPOSE, limit=len(ids))
    return {pk: b.full_name for pk, b in found.items()}


def service_out(s: HomeService, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": s.pk,
        "resident_id": s.resident_id,
        "resident_name": names.get(s.resident_id, ""),
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "provided_at": s.provided_at,
        "provider": s.provider_name,
        "note": s.note,
    }


@router.get(
    "/services", response={200: list[ServiceOut], **API_ERRORS}, auth=api_roles(*ALERT_VIEW_ROLES)
)
def services_list(
    request: HttpRequest, month: str | None = None, resident_id: int | None = None
) -> list[dict[str, Any]]:
    """Home services of a month (default this month) in the caller's place."""
    start, end = month_bounds(_month(month))
    user = actor(request)
    qs = HomeService.objects.visible_to(user).filter(provided_at__gte=start, provided_at__lt=end)
    if resident_id is not None:
        qs = qs.filter(resident_id=resident_id)
    services = list(qs.order_by("provided_at", "pk")[:1000])
    names = _names(user, services)
    return [service_out(s, names) for s in services]


@router.post("/services", response={201: ServiceOut, **API_ERRORS}, auth=api_roles(*WORKER_ROLES))
def service_create(request: HttpRequest, payload: ServiceIn) -> HttpStatus[dict[str, Any]]:
    user = actor(request)
    service = home_service_record(
        actor=user,
        resident_id=payload.resident_id,
        kind=payload.kind,
        provided_at=payload.provided_at,
        provider=payload.provider,
        note=payload.note,
    )
    return HttpStatus(201, service_out(service, _names(user, [service])))


@router.get(
    "/services/short", response={200: list[ShortOut], **API_ERRORS}, auth=api_roles(*BOARD_ROLES)
)
def services_short(
    request: HttpRequest, community_id: int | None = None, month: str | None = None
) -> list[Any]:
    """独居老人 with fewer than two home services in the month (CARE-7)."""
    user = actor(request)
    community = community_get(actor=user, community_id=community_id)
    rows = short_of_services(community=community, month=_month(month))
    names_shown(user, {r.resident_id for r in rows}, SHORT_PURPOSE)
    return list(rows)


@router.get("/services/tiers", response={200: list[KindOut], **API_ERRORS}, auth=api_roles())
def service_tiers(request: HttpRequest, ability: str = "") -> list[dict[str, str]]:
    """The services for an ability level (self_care / semi / disabled), tier service first."""
    return [{"kind": k.value, "label": str(k.label)} for k in services_for_ability(ability)]
