"""The alerts behind an evaluation figure (EVAL-3 drill-down, CARE): the same month, place
and conditions as `care.stats.alert_counts`, scoped to what the viewer may see. No names:
household, grid and times say which visit it was."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care import stats
from linli.care.models import Alert
from linli.care.policy import ALERT_VIEW_ROLES
from linli.casework.filters import month_bounds
from linli.core.access import page_roles
from linli.core.errors import ValidationFailed
from linli.core.web import actor, error_page

PER_PAGE = 50
# Query parameter → group of `stats.GROUPS` (ids), and the yes/no conditions.
PLACE_PARAMS = ("street", "community", "grid", "worker")
FLAG_PARAMS = tuple(stats.FLAGS)


def parse(query: Any) -> tuple[str, dict[str, int | bool | None], dict[str, bool]]:
    """month "YYYY-MM" (default: this month), places and flags; bad values refused."""
    month = query.get("month") or f"{timezone.localdate():%Y-%m}"
    if month_bounds(month) is None:
        raise ValidationFailed(_("月份应写成“年-月”,例如 2026-03。"), field="month")
    places: dict[str, int | bool | None] = {}
    for name in PLACE_PARAMS:
        value = query.get(name, "")
        if value == "":
            continue
        if name == "worker" and value == "None":  # the figure of alerts nobody was given
            places[name] = None
            continue
        if not value.isdigit():
            raise ValidationFailed(_("筛选条件无效,请从统计页面重新进入。"), field=name)
        places[name] = int(value)
    flags: dict[str, bool] = {}
    for name in ("pilot", *FLAG_PARAMS):
        value = query.get(name, "")
        if value == "":
            continue
        if value not in ("0", "1"):
            raise ValidationFailed(_("筛选条件无效,请从统计页面重新进入。"), field=name)
        if name == "pilot":
            places["pilot"] = value == "1"
        else:
            flags[name] = value == "1"
    return month, places, flags


@page_roles(*ALERT_VIEW_ROLES)
def alert_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    try:
        month, places, flags = parse(request.GET)
    except ValidationFailed as exc:
        return error_page(request, exc)
    start, end = month_bounds(month)  # type: ignore[misc]
    qs = stats.alerts_behind(
        Alert.objects.visible_to(user), start=start, end=end, places=places, flags=flags
    )
    totals = qs.aggregate(
        alerts=Count("pk"),
        **{name: Count("pk", filter=q) for name, q in stats.FLAGS.items()},
    )
    rows = qs.select_related("household__building__grid", "assigned_to").order_by("-opened_at")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    answered = {
        pk
        for pk in qs.filter(stats.ANSWERED_2H, pk__in=[a.pk for a in page.object_list])
        .values_list("pk", flat=True)
        .order_by()
    }
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "month": month,
        "page": page,
        "rows": [(a, a.pk in answered) for a in page.object_list],
        "totals": totals,
        "filters": [(k, v) for k, v in request.GET.items() if k != "page"],
        "query": query.urlencode(),
    }
    return render(request, "care/alert_list.html", context)
