"""The data-access audit pages (PEOPLE-4) for the community secretary and the street office:
access per user with flags, one user's accesses entry by entry, and the hash chain's state.

SUPERVISOR is not let in: oversight of data access is the secretary's and the street
office's duty in the issue, the report is bound to a place, and a supervisor has none."""

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.core.roles import Role
from linli.core.web import actor, error_page
from linli.people.policy import AUDIT_ROLES
from linli.people.reports.audit import (
    AuditReport,
    audit_report_for,
    audit_user_report,
    chain_reason,
    chain_status,
    field_labels,
    tier_labels,
)
from linli.people.reports.audit_data import ACTION_LABELS

ROW_LIMIT = 500  # entries shown on a user's page; the JSON API gives them all

# Words the audit report hands to the pages untranslated (reports/audit*.py: actions, kinds
# of flag, the chain's state, scopes), translated there with {% translate value %} or below.
# The actions' labels are marked in people/choices.py (AuditAction).
PAGE_WORDS = (
    *ACTION_LABELS.values(),
    gettext_noop("批量读取"),
    gettext_noop("非工作时间访问"),
    gettext_noop("无理由访问"),
    gettext_noop("与前一条记录的链接断开"),
    gettext_noop("内容与校验值不符(被改动过)"),
    gettext_noop("末尾的记录被删除"),
    gettext_noop("记录缺失(被删除)"),
    gettext_noop("全部社区"),
    gettext_noop("(未分配街道)"),
    gettext_noop("(未分配社区)"),
    gettext_noop("系统"),
    gettext_noop("已注销的账号"),
)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _filters(request: HttpRequest) -> dict[str, Any]:
    get = request.GET
    return {
        "since": get.get("since", "")[:10],
        "until": get.get("until", "")[:10],
        "community": _int(get.get("community")),
    }


def _context(
    report: AuditReport | None, filters: dict[str, Any], request: HttpRequest
) -> dict[str, Any]:
    chain = chain_status(fresh=request.GET.get("verify") == "1")
    context: dict[str, Any] = {
        "report": report,
        "filters": filters,
        "chain": chain,
        "chain_reason": _(reason) if (reason := chain_reason(chain)) else "",
        "here": request.path,
    }
    if report is not None:
        # Keep the period when moving between the overview and a user's page.
        query = {"since": report.period.since, "until": report.period.until}
        if filters["community"]:
            query["community"] = filters["community"]
        context["query"] = urlencode(query)
        context["filters"] = {
            **filters,
            "since": report.period.since.isoformat(),
            "until": report.period.until.isoformat(),
        }
    return context


@page_roles(*AUDIT_ROLES)
def audit_overview(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    error, status, report = "", 200, None
    try:
        report = audit_report_for(
            actor=actor(request),
            since=filters["since"],
            until=filters["until"],
            community_id=filters["community"],
        )
    except ApplicationError as exc:
        error, status = exc.message, exc.status
    context = {
        **_context(report, filters, request),
        "error": error,
        "is_street": _is_street(request),
    }
    return render(request, "people/audit.html", context, status=status)


def _is_street(request: HttpRequest) -> bool:
    return getattr(actor(request), "role", "") == Role.STREET_ADMIN


@page_roles(*AUDIT_ROLES)
def audit_user(request: HttpRequest, user_id: int) -> HttpResponse:
    filters = _filters(request)
    try:
        report = audit_user_report(
            actor=actor(request),
            user_id=user_id,
            since=filters["since"],
            until=filters["until"],
            community_id=filters["community"],
        )
    except ApplicationError as exc:
        return error_page(request, exc)
    flagged = report.flagged_seqs
    rows = [
        {
            "entry": a,
            "fields": _("、").join(_(label) for label in field_labels(a.fields)),
            "tiers": tier_labels(a.fields),
            "flags": flagged.get(a.seq, []),
        }
        for a in reversed(report.entries[-ROW_LIMIT:])
    ]
    context = {
        **_context(report, filters, request),
        "who": report.users[0],
        "rows": rows,
        "more": max(0, len(report.entries) - ROW_LIMIT),
        "is_street": _is_street(request),
    }
    return render(request, "people/audit_user.html", context)
