"""CASE-6 吹哨报到 endpoints, mounted at /api/cases by `casework.api.router`."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from linli.casework import selectors
from linli.casework.models import Whistle, WhistleCall
from linli.casework.policy import (
    WHISTLE_BLOWER_ROLES,
    WHISTLE_BOARD_ROLES,
    WHISTLE_REPORTER_ROLES,
)
from linli.casework.services.whistle import (
    open_whistles,
    whistle_blow,
    whistle_call_get,
    whistle_report,
)
from linli.core.access import api_roles
from linli.core.errors import NotFound
from linli.core.schemas import Int
from linli.core.web import API_ERRORS, actor
from linli.geo.models import Department

router = Router(tags=["whistle"])


class WhistleIn(Schema):
    department_ids: list[int] = Field(default_factory=list, max_length=50)
    reason: str = Field(default="", max_length=300)


class ReportIn(Schema):
    note: str = Field(default="", max_length=500)


class WhistleCallOut(Schema):
    id: int
    tracking_no: str
    category_name: str
    community: str
    department: str
    reason: str
    called_by: str
    called_at: dt.datetime
    due: dt.datetime
    late: bool
    escalated_at: dt.datetime | None
    reported_at: dt.datetime | None
    report_note: str


class WhistleOut(Schema):
    id: int
    tracking_no: str
    reason: str
    created_at: dt.datetime
    calls: list[WhistleCallOut]


def call_out(call: WhistleCall) -> dict[str, Any]:
    whistle, now = call.whistle, timezone.now()
    case = whistle.case
    return {
        "id": call.pk,
        "tracking_no": case.tracking_no,
        "category_name": case.category.name,
        "community": case.community.name,
        "department": call.department.name,
        "reason": whistle.reason,
        "called_by": whistle.called_by.display_name,
        "called_at": whistle.created_at,
        "due": call.due,
        "late": (call.reported_at or now) >= call.due,
        "escalated_at": call.escalated_at,
        "reported_at": call.reported_at,
        "report_note": call.report_note,
    }


def whistle_out(whistle: Whistle) -> dict[str, Any]:
    calls = (
        whistle.calls.select_related(
            "department",
            "whistle__called_by",
            "whistle__case__category",
            "whistle__case__community",
        )
        .order_by("pk")
        .all()
    )
    return {
        "id": whistle.pk,
        "tracking_no": whistle.case.tracking_no,
        "reason": whistle.reason,
        "created_at": whistle.created_at,
        "calls": [call_out(c) for c in calls],
    }


@router.post(
    "/{tracking_no}/whistle",
    response={200: WhistleOut, **API_ERRORS},
    auth=api_roles(*WHISTLE_BLOWER_ROLES),
)
def blow(request: HttpRequest, tracking_no: str, payload: WhistleIn) -> dict[str, Any]:
    case = selectors.case_get(actor=actor(request), tracking_no=tracking_no)
    ids = list(dict.fromkeys(payload.department_ids))
    departments = list(Department.objects.filter(pk__in=ids))
    if len(departments) != len(ids):
        raise NotFound(_("找不到所选的部门。"), field="department_ids")
    whistle = whistle_blow(
        actor=actor(request), case=case, departments=departments, reason=payload.reason
    )
    return whistle_out(whistle)


@router.post(
    "/whistle-calls/{call_id}/report",
    response={200: WhistleCallOut, **API_ERRORS},
    auth=api_roles(*WHISTLE_REPORTER_ROLES),
)
def report(request: HttpRequest, call_id: Int, payload: ReportIn) -> dict[str, Any]:
    call = whistle_call_get(actor=actor(request), call_id=call_id)
    call = whistle_report(actor=actor(request), call=call, note=payload.note)
    fresh = WhistleCall.objects.select_related(
        "department", "whistle__called_by", "whistle__case__category", "whistle__case__community"
    ).get(pk=call.pk)
    return call_out(fresh)


@router.get(
    "/whistles/open",
    response={200: list[WhistleCallOut], **API_ERRORS},
    auth=api_roles(*WHISTLE_BOARD_ROLES),
)
def board(request: HttpRequest) -> list[dict[str, Any]]:
    return [call_out(c) for c in open_whistles(actor=actor(request))[:500]]
