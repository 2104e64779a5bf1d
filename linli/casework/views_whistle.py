"""Pages for 社区吹哨、部门报到 (CASE-6): blow on a case, report in, the street's board."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.casework import selectors
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
from linli.core.access import page_roles
from linli.core.web import actor, call_service
from linli.geo.models import Department


@require_POST
@page_roles(*WHISTLE_BLOWER_ROLES)
def blow(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = selectors.case_get(actor=actor(request), tracking_no=tracking_no)
    ids = [int(x) for x in request.POST.getlist("department") if x.isdigit()]
    outcome = call_service(
        whistle_blow,
        actor=actor(request),
        case=case,
        departments=list(Department.objects.filter(pk__in=ids)),
        reason=request.POST.get("reason", ""),
    )
    if outcome.ok:
        messages.success(request, _("已吹哨,被叫部门须在 3 个工作日内报到。"))
    else:
        messages.error(request, outcome.message)
    return redirect("casework:detail", tracking_no=tracking_no)


@require_POST
@page_roles(*WHISTLE_REPORTER_ROLES)
def report_in(request: HttpRequest, call_id: int) -> HttpResponse:
    call = whistle_call_get(actor=actor(request), call_id=call_id)
    outcome = call_service(
        whistle_report, actor=actor(request), call=call, note=request.POST.get("note", "")
    )
    if outcome.ok:
        messages.success(request, _("已报到。"))
    else:
        messages.error(request, outcome.message)
    return redirect("casework:whistles")


@page_roles(*WHISTLE_BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    calls = list(open_whistles(actor=actor(request))[:200])
    return render(request, "casework/whistles.html", {"calls": calls})
