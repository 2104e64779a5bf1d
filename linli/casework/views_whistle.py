"""Pages for 社区吹哨、部门报到 (CASE-6): blow on a case, report in, the street's board."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.casework import selectors
from linli.casework.api_whistle import BLOWERS, BOARD, REPORTERS
from linli.casework.services.whistle import (
    open_whistles,
    whistle_blow,
    whistle_call_get,
    whistle_report,
)
from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.geo.models import Department


@require_POST
@page_roles(*BLOWERS)
def blow(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = selectors.case_get(actor=request.user, tracking_no=tracking_no)
    ids = [int(x) for x in request.POST.getlist("department") if x.isdigit()]
    try:
        whistle_blow(
            actor=request.user,
            case=case,
            departments=list(Department.objects.filter(pk__in=ids)),
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已吹哨,被叫部门须在 3 个工作日内报到。"))
    return redirect("casework:detail", tracking_no=tracking_no)


@require_POST
@page_roles(*REPORTERS)
def report_in(request: HttpRequest, call_id: int) -> HttpResponse:
    call = whistle_call_get(actor=request.user, call_id=call_id)
    try:
        whistle_report(actor=request.user, call=call, note=request.POST.get("note", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已报到。"))
    return redirect("casework:whistles")


@page_roles(*BOARD)
def board(request: HttpRequest) -> HttpResponse:
    calls = list(open_whistles(actor=request.user)[:200])
    return render(request, "casework/whistles.html", {"calls": calls})
