"""EVAL-5: request a monthly report PDF for one's place, and download it when ready."""

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from linli.core.access import page_roles
from linli.core.errors import ApplicationError, ValidationFailed
from linli.core.web import actor, call_service, error_page
from linli.evaluation import report
from linli.evaluation.models import Report
from linli.evaluation.policy import DASHBOARD_ROLES
from linli.evaluation.selectors import latest_snapshots


@page_roles(*DASHBOARD_ROLES)
def reports(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    error = ""
    if request.method == "POST":
        try:
            month = dt.date.fromisoformat(f"{request.POST.get('month', '')}-01")
        except ValueError:
            month = None
        outcome = call_service(report.report_request, actor=user, month=month) if month else None
        if outcome is not None and outcome.ok:
            messages.success(request, _("报告已开始生成,完成后可在下面下载。"))
            return redirect("evaluation:report")
        error = (
            outcome.message
            if outcome is not None
            else str(ValidationFailed(_("请选择月份。")).message)
        )
    return render(
        request,
        "evaluation/reports.html",
        {
            "months": [s.month for s in reversed(latest_snapshots(12))],
            "reports": Report.objects.filter(requested_by=user)[:20],
            "error": error,
        },
        status=400 if error else 200,
    )


@page_roles(*DASHBOARD_ROLES)
def report_file(request: HttpRequest, report_id: int) -> HttpResponse | FileResponse:
    try:
        found = report.report_get(actor=actor(request), report_id=report_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    if found.state != Report.State.READY or not found.file:
        return error_page(request, ValidationFailed(_("报告还没有生成好,请稍后再来。")))
    return FileResponse(
        found.file.open("rb"),
        content_type="application/pdf",
        filename=f"report-{found.month:%Y-%m}.pdf",
    )
