"""The disputes behind the evaluation figure 调解成功率 (EVAL-3 drill-down, MEDIATE-2): the
same month, place and outcomes as `mediation.stats.dispute_counts`, among the disputes the
viewer may see (`selectors.disputes_for`). No parties' names: number, type, community."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.filters import month_bounds
from linli.core.access import page_roles
from linli.core.errors import ValidationFailed
from linli.core.web import actor, error_page
from linli.mediation import selectors, stats
from linli.mediation.policy import DRILL_ROLES

PER_PAGE = 50
PLACE_PARAMS = ("street", "community")


def parse(query: Any) -> tuple[str, dict[str, int | bool], str]:
    """month "YYYY-MM" (default: this month), places, outcome; bad values refused."""
    month = query.get("month") or f"{timezone.localdate():%Y-%m}"
    if month_bounds(month) is None:
        raise ValidationFailed(_("月份应写成“年-月”,例如 2026-03。"), field="month")
    places: dict[str, int | bool] = {}
    for name in PLACE_PARAMS:
        value = query.get(name, "")
        if value and not value.isdigit():
            raise ValidationFailed(_("筛选条件无效,请从统计页面重新进入。"), field=name)
        if value:
            places[name] = int(value)
    pilot = query.get("pilot", "")
    if pilot not in ("", "0", "1"):
        raise ValidationFailed(_("筛选条件无效,请从统计页面重新进入。"), field="pilot")
    if pilot:
        places["pilot"] = pilot == "1"
    outcome = query.get("outcome", "")
    if outcome and outcome not in stats.OUTCOMES:
        raise ValidationFailed(_("筛选条件无效,请从统计页面重新进入。"), field="outcome")
    return month, places, outcome


@page_roles(*DRILL_ROLES)
def dispute_drill(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    try:
        month, places, outcome = parse(request.GET)
    except ValidationFailed as exc:
        return error_page(request, exc)
    start, end = month_bounds(month)  # type: ignore[misc]
    qs = stats.disputes_behind(
        selectors.disputes_for(user), start=start, end=end, places=places, outcome=outcome
    )
    totals = qs.order_by().aggregate(
        disputes=Count("pk"), **{k: Count("pk", filter=q) for k, q in stats.OUTCOMES.items()}
    )
    page = Paginator(qs.order_by("-concluded_at", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "month": month,
        "page": page,
        "totals": totals,
        "filters": [(k, v) for k, v in request.GET.items() if k != "page"],
        "query": query.urlencode(),
    }
    return render(request, "mediation/drill.html", context)
