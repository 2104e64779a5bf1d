from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja import Status as HttpStatus
from pydantic import Field

from linli.casework import policy, selectors
from linli.casework.choices import Channel, EventKind, Status
from linli.casework.models import Case, CaseEvent
from linli.casework.policy import (
    CASE_STAFF_ROLES,
    STAFF_ENTRY_ROLES,
    STAFF_VIEW_ROLES,
    SUBMIT_ROLES,
)
from linli.casework.schemas import (
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CategoryOut,
    CloseIn,
    DecideIn,
    DeferIn,
    DispatchIn,
    EventOut,
    FeedbackIn,
    MergeIn,
    RateIn,
    ReasonIn,
    StaffCaseIn,
    VerifyIn,
)
from linli.casework.services import workflow
from linli.casework.services.intake import CaseInput, case_intake
from linli.core.access import api_roles
from linli.core.errors import NotFound
from linli.core.replica import lag_tolerant
from linli.core.roles import ALL_ROLES, Role
from linli.core.schemas import Int, Paging
from linli.core.web import API_ERRORS, actor
from linli.geo.models import Department
from linli.people.selectors import resident_get

# /api/cases itself (list, submit): the app's root router, which mounts the others
# (see casework.api); a sub-router's "" path would become /api/cases/.
root = Router(tags=["cases"])
router = Router(tags=["cases"])
STAFF = api_roles(*CASE_STAFF_ROLES)


def case_out(case: Case) -> dict[str, Any]:
    return {
        "tracking_no": case.tracking_no,
        "status": case.status,
        "status_label": case.get_status_display(),
        "category": case.category.code,
        "category_name": case.category.name,
        "description": case.description,
        "address": case.address,
        "lat": case.lat,
        "lon": case.lon,
        "channel": case.channel,
        "community": case.community.name,
        "grid": case.grid.name,
        "owner_unit": case.owner_unit.name,
        "handler_unit": case.handler_unit.name if case.handler_unit else None,
        "respond_due": case.respond_due,
        "close_due": case.close_due,
        "due_provisional": case.due_provisional,
        "overdue": case.overdue,
        "rework_count": case.rework_count,
        "rating": case.rating,
        "created_at": case.created_at,
        "closed_at": case.closed_at,
    }


def event_out(event: CaseEvent, internal: bool) -> EventOut:
    return EventOut(
        kind=event.kind,
        label=str(EventKind(event.kind).label),
        at=event.at,
        status=event.to_status,
        note=event.note,
        unit=event.unit.name if event.unit else None,
        # Residents see which unit acted, never which person.
        actor=event.actor.display_name if internal and event.actor else None,
    )


def detail(user: Any, case: Case, events: list[CaseEvent] | None = None) -> dict[str, Any]:
    """The case as `user` sees it. `events`: the whole timeline when the caller holds it
    already (a case just submitted has one event), instead of reading it back."""
    internal = user.role in STAFF_VIEW_ROLES
    if events is None:
        events = list(selectors.case_timeline(case=case, internal=internal))
    elif not internal:
        events = [e for e in events if e.public]
    offered = [action for action, ok in policy.offered(user, case).items() if ok]
    return {
        **case_out(case),
        "timeline": [event_out(e, internal) for e in events],
        "actions": offered,
    }


def _case(request: HttpRequest, tracking_no: str) -> Case:
    return selectors.case_get(actor=actor(request), tracking_no=tracking_no)


@router.get("/categories", response={200: list[CategoryOut], **API_ERRORS}, auth=api_roles())
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "name": c.name,
            "major": c.parent.name if c.parent else "",
            "urgency": c.urgency,
        }
        for c in selectors.categories_active().filter(parent__isnull=False)
    ]


@root.post("", response={201: CaseDetailOut, **API_ERRORS}, auth=api_roles(*SUBMIT_ROLES))
def submit(request: HttpRequest, payload: CaseIn) -> HttpStatus[dict[str, Any]]:
    data = CaseInput(
        category_code=payload.category,
        description=payload.description,
        lat=payload.lat,
        lon=payload.lon,
        address=payload.address,
        anonymous=payload.anonymous,
    )
    done = case_intake(actor=actor(request), data=data, channel=Channel.WEB)
    return HttpStatus(201, detail(actor(request), done.case, [done.event]))


@router.post(
    "/staff", response={201: CaseDetailOut, **API_ERRORS}, auth=api_roles(*STAFF_ENTRY_ROLES)
)
def staff_submit(request: HttpRequest, payload: StaffCaseIn) -> HttpStatus[dict[str, Any]]:
    resident = None
    if payload.resident_id is not None:
        # Through people's selectors: a record outside the staff member's place is not found.
        try:
            resident = resident_get(actor=actor(request), resident_id=payload.resident_id)
        except NotFound:
            raise NotFound(_("找不到该居民档案。"), field="resident_id") from None
    data = CaseInput(
        category_code=payload.category,
        description=payload.description,
        lat=payload.lat,
        lon=payload.lon,
        address=payload.address,
    )
    done = case_intake(
        actor=actor(request),
        data=data,
        channel=Channel(payload.channel),
        resident=resident,
    )
    return HttpStatus(201, detail(actor(request), done.case, [done.event]))


class SensorCaseIn(CaseIn):
    device: str = Field(default="", max_length=64)


@router.post("/sensor", response={201: CaseDetailOut, **API_ERRORS}, auth=api_roles(Role.SYSADMIN))
def sensor_submit(request: HttpRequest, payload: SensorCaseIn) -> HttpStatus[dict[str, Any]]:
    """For other systems (meters, call buttons) holding a service account's bearer token."""
    description = payload.description
    if payload.device:
        description = f"{description}(设备 {payload.device})"
    data = CaseInput(
        category_code=payload.category,
        description=description,
        lat=payload.lat,
        lon=payload.lon,
        address=payload.address,
    )
    done = case_intake(actor=actor(request), data=data, channel=Channel.SENSOR)
    return HttpStatus(201, detail(actor(request), done.case, [done.event]))


class ListFilter(Paging):
    """The query of `GET /api/cases`; the filtering itself is `filters.CaseFilter`."""

    status: Status | None = None
    category: str | None = None
    grid_id: Int | None = None
    overdue: bool | None = None
    mine: bool = False


@root.get("", response={200: list[CaseOut], **API_ERRORS}, auth=api_roles())
@lag_tolerant
def list_cases(request: HttpRequest, f: Query[ListFilter]) -> list[dict[str, Any]]:
    params = {
        "status": f.status,
        "category": f.category,
        "grid": f.grid_id,
        "overdue": f.overdue,
        "mine": f.mine,
    }
    given = {k: v for k, v in params.items() if v is not None}
    qs = selectors.case_list(actor=actor(request), params=given)
    return [case_out(c) for c in qs[f.offset : f.offset + f.limit]]


@router.get("/{tracking_no}", response={200: CaseDetailOut, **API_ERRORS}, auth=api_roles())
def get_case(request: HttpRequest, tracking_no: str) -> dict[str, Any]:
    return detail(actor(request), _case(request, tracking_no))


def _act(request: HttpRequest, case: Case) -> dict[str, Any]:
    case.refresh_from_db()
    return detail(actor(request), case)


@router.post("/{tracking_no}/register", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def register(request: HttpRequest, tracking_no: str) -> dict[str, Any]:
    case = workflow.case_register(actor=actor(request), case=_case(request, tracking_no))
    return _act(request, case)


@router.post("/{tracking_no}/reject", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def reject(request: HttpRequest, tracking_no: str, payload: ReasonIn) -> dict[str, Any]:
    case = workflow.case_reject(
        actor=actor(request),
        case=_case(request, tracking_no),
        reason=payload.reason,
    )
    return _act(request, case)


@router.post("/{tracking_no}/dispatch", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def dispatch(request: HttpRequest, tracking_no: str, payload: DispatchIn) -> dict[str, Any]:
    unit = Department.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise NotFound(_("找不到该单位。"), field="unit_id")
    case = workflow.case_dispatch(
        actor=actor(request),
        case=_case(request, tracking_no),
        unit=unit,
        note=payload.note,
    )
    return _act(request, case)


@router.post("/{tracking_no}/accept", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def accept(request: HttpRequest, tracking_no: str) -> dict[str, Any]:
    case = workflow.case_accept(actor=actor(request), case=_case(request, tracking_no))
    return _act(request, case)


@router.post("/{tracking_no}/return", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def return_case(request: HttpRequest, tracking_no: str, payload: ReasonIn) -> dict[str, Any]:
    case = workflow.case_return(
        actor=actor(request),
        case=_case(request, tracking_no),
        reason=payload.reason,
    )
    return _act(request, case)


@router.post("/{tracking_no}/feedback", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def feedback(request: HttpRequest, tracking_no: str, payload: FeedbackIn) -> dict[str, Any]:
    case = workflow.case_feedback(
        actor=actor(request),
        case=_case(request, tracking_no),
        note=payload.note,
    )
    return _act(request, case)


@router.post(
    "/{tracking_no}/verify", response={200: CaseDetailOut, **API_ERRORS}, auth=api_roles(*ALL_ROLES)
)
def verify(request: HttpRequest, tracking_no: str, payload: VerifyIn) -> dict[str, Any]:
    case = workflow.case_verify(
        actor=actor(request),
        case=_case(request, tracking_no),
        passed=payload.passed,
        note=payload.note,
    )
    return _act(request, case)


@router.post("/{tracking_no}/close", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def close(request: HttpRequest, tracking_no: str, payload: CloseIn) -> dict[str, Any]:
    case = workflow.case_close(
        actor=actor(request),
        case=_case(request, tracking_no),
        level=payload.level,
    )
    return _act(request, case)


@router.post(
    "/{tracking_no}/rate", response={200: CaseDetailOut, **API_ERRORS}, auth=api_roles(*ALL_ROLES)
)
def rate(request: HttpRequest, tracking_no: str, payload: RateIn) -> dict[str, Any]:
    case = workflow.case_rate(
        actor=actor(request),
        case=_case(request, tracking_no),
        rating=payload.rating,
        comment=payload.comment,
    )
    return _act(request, case)


@router.post("/{tracking_no}/defer", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def defer(request: HttpRequest, tracking_no: str, payload: DeferIn) -> dict[str, Any]:
    case = workflow.case_request_deferral(
        actor=actor(request),
        case=_case(request, tracking_no),
        until=payload.until,
        reason=payload.reason,
    )
    return _act(request, case)


@router.post("/{tracking_no}/deferral", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def decide_deferral(request: HttpRequest, tracking_no: str, payload: DecideIn) -> dict[str, Any]:
    case = workflow.case_decide_deferral(
        actor=actor(request),
        case=_case(request, tracking_no),
        approve=payload.approve,
        note=payload.note,
    )
    return _act(request, case)


@router.post("/{tracking_no}/merge", response={200: CaseDetailOut, **API_ERRORS}, auth=STAFF)
def merge(request: HttpRequest, tracking_no: str, payload: MergeIn) -> dict[str, Any]:
    into = _case(request, payload.into)
    case = workflow.case_merge(actor=actor(request), case=_case(request, tracking_no), into=into)
    return _act(request, case)
