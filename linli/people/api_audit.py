"""GET /api/people/audit: the data-access audit report as JSON (PEOPLE-4), for the community
secretary (their community) and the street office (their street, or one community of it).
With `user_id`, the report is that user's and lists their entries one by one."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from linli.core.access import api_roles
from linli.core.web import actor, api_errors
from linli.people.policy import AUDIT_ROLES
from linli.people.reports.audit import (
    audit_report_for,
    audit_user_report,
    chain_status,
    report_dict,
)

router = Router(tags=["people"])
ERRORS = api_errors(400, 401, 403, 404)


class ThresholdsOut(Schema):
    bulk_count: int
    bulk_minutes: int
    list_count: int
    work_hours: str


class ChainOut(Schema):
    ok: bool
    checked: int
    bad_entry: int | None
    reason: str
    checked_at: dt.datetime


class AuditUserOut(Schema):
    user_id: int | None
    username: str
    name: str
    role: str
    role_label: str
    views: int
    lists: int
    changes: int
    exports: int
    others: int
    residents: int
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    flags: int


class AuditFlagOut(Schema):
    kind: str
    kind_label: str
    user_id: int | None
    username: str
    reason: str
    start: dt.datetime
    end: dt.datetime
    entries: list[int]
    residents: list[int]


class AuditEntryOut(Schema):
    seq: int
    at: dt.datetime
    action: str
    action_label: str
    residents: list[int]
    fields: list[str]
    purpose: str
    grants: list[int]
    case: int | None
    flags: list[str]


class AuditOut(Schema):
    since: dt.date
    until: dt.date
    scope: str
    thresholds: ThresholdsOut
    chain: ChainOut | None
    users: list[AuditUserOut]
    flags: list[AuditFlagOut]
    entries: list[AuditEntryOut] | None = None


@router.get("/audit", response={200: AuditOut, **ERRORS}, auth=api_roles(*AUDIT_ROLES))
def audit(
    request: HttpRequest,
    since: dt.date | None = None,
    until: dt.date | None = None,
    community_id: int | None = None,
    user_id: int | None = None,
    verify: bool = True,
    fresh: bool = False,
) -> dict[str, Any]:
    """Access per user over the period (default: the last 7 days), the flags with the audit
    entries behind them, and (unless verify=false) the state of the hash chain as last checked
    (at most 10 minutes ago; `fresh=true` checks it now)."""
    user = actor(request)
    if user_id is not None:
        report = audit_user_report(
            actor=user, user_id=user_id, since=since, until=until, community_id=community_id
        )
    else:
        report = audit_report_for(actor=user, since=since, until=until, community_id=community_id)
    return report_dict(report, chain=chain_status(fresh=fresh) if verify else None)
