"""Evaluation pages (EVAL-3, EVAL-5): the dashboard (trend, ranking, grid map, pilot vs
rest), the published formulas, composite scores, and the Excel export of the tables."""

import datetime as dt
import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl import Workbook

from linli.core.access import page_roles
from linli.core.errors import ValidationFailed
from linli.core.web import actor, error_page
from linli.evaluation import metrics, selectors, staff
from linli.evaluation.models import WeightSet
from linli.evaluation.policy import DASHBOARD_ROLES, Reach, reach_of

DEFAULT_METRIC = "on_time_close_rate"


def _month(value: str | None, snaps: list[Any]) -> dt.date | None:
    if value:
        try:
            return dt.date.fromisoformat(f"{value}-01")
        except ValueError:
            pass
    return snaps[-1].month if snaps else None


def _choices(request: HttpRequest, reach: Reach) -> tuple[metrics.Metric, str, list[str]]:
    metric = metrics.REGISTRY.get(request.GET.get("metric", ""), metrics.REGISTRY[DEFAULT_METRIC])
    allowed = [d for d in reach.dimensions() if d in metric.dimensions]
    dimension = request.GET.get("dimension", "")
    if dimension not in allowed:
        preferred = [d for d in ("community", "department", "grid") if d in allowed]
        dimension = preferred[0] if preferred else (allowed[0] if allowed else "")
    return metric, dimension, allowed


def _table(
    request: HttpRequest, more: tuple[str, ...] = (), reach: Reach | None = None
) -> dict[str, Any]:
    """The chosen metric by the chosen dimension (and, read in the same query, the other
    dimensions in `more` that the actor may see, under "sets")."""
    reach = reach or reach_of(actor(request))
    role = actor(request).role
    metric, dimension, allowed = _choices(request, reach)
    if not dimension:
        raise ValidationFailed(_("您只能查看本辖区的数据。"), field="dimension")
    extra = [d for d in more if d in allowed and d in metric.dimensions]
    snaps, sets = selectors.figure_sets(
        reach=reach, metric=metric.key, dimensions=[dimension, *extra]
    )
    rows = sets[dimension]
    month = _month(request.GET.get("month"), snaps)
    ranked = [
        {**r.__dict__, "drill_url": selectors.drill_url(metric, dimension, r.key, r.month, role)}
        for r in (selectors.ranking(rows, metric, month) if month else [])
    ]
    return {
        "metric": metric,
        "dimension": dimension,
        "allowed": allowed,
        "snaps": snaps,
        "rows": rows,
        "month": month,
        "ranked": ranked,
        "reach": reach,
        "sets": sets,
    }


def _series(rows: list[selectors.Row], months: list[dt.date]) -> list[dict[str, Any]]:
    by_key: dict[str, dict[dt.date, float | None]] = {}
    names: dict[str, str] = {}
    for r in rows:
        by_key.setdefault(r.key, {})[r.month] = r.value
        names[r.key] = r.label
    return [
        {"key": k, "name": names[k], "data": [v.get(m) for m in months]}
        for k, v in sorted(by_key.items(), key=lambda kv: names[kv[0]])
    ]


def _trend_dimension(reach: Reach, metric: metrics.Metric) -> str:
    """District-wide or street-wide over the months; "" = by the chosen dimension."""
    trend = "all" if reach.district else ("street" if reach.streets else "")
    return trend if trend in metric.dimensions else ""


@page_roles(*DASHBOARD_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    reach = reach_of(actor(request))
    trend_wanted = _trend_dimension(reach, _choices(request, reach)[0])
    try:
        # Every chart's figures in one read: trend, pilot vs rest, the grid map.
        more = (trend_wanted, "pilot" if reach.district else "", "grid")
        ctx = _table(request, more=more, reach=reach)
    except ValidationFailed as exc:
        return error_page(request, exc)
    metric: metrics.Metric = ctx["metric"]
    sets: dict[str, list[selectors.Row]] = ctx["sets"]
    months = [s.month for s in ctx["snaps"]]
    trend_dim = trend_wanted if trend_wanted in sets else ctx["dimension"]
    pilot = _series(sets["pilot"], months) if "pilot" in sets else []
    grid_map: dict[str, Any] | None = None
    if "grid" in sets and ctx["month"]:
        grid_map = _grid_map(reach, metric, sets["grid"], ctx["month"], actor(request).role)
    chart = {
        "unit": metric.unit_label,
        "metric": str(metric.name),
        "higher_is_better": metric.higher_is_better,
        "months": [f"{m:%Y-%m}" for m in months],
        "trend": _series(sets[trend_dim], months),
        "ranking": [
            {"name": r["label"], "value": r["value"], "url": r["drill_url"]} for r in ctx["ranked"]
        ],
        "pilot": pilot,
        "map": grid_map,
        "labels": {"pilot": _("试点社区"), "rest": _("其他社区")},
    }
    return render(
        request,
        "evaluation/dashboard.html",
        {
            **ctx,
            "metrics": metrics.METRICS,
            "dimensions": [(d, metrics.DIMENSIONS[d]) for d in ctx["allowed"]],
            "chart": chart,
            "month_value": f"{ctx['month']:%Y-%m}" if ctx["month"] else "",
            "months": months,
        },
    )


def _grid_map(
    reach: Reach, metric: metrics.Metric, rows: list[selectors.Row], month: dt.date, role: str
) -> dict[str, Any]:
    """The grids the actor may see, outlines from the kept simplified shapes, coloured by
    the month's figure; each links to its cases."""
    values = {r.key: r.value for r in rows if r.month == month}
    shapes = selectors.grid_shapes()
    keys = [k for k in shapes if reach.district or k in reach.grids]
    # Grid names repeat across communities; the map matches features by name.
    names = {k: f"{shapes[k].community}·{shapes[k].name}" for k in keys}
    return {
        "geojson": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": names[k]},
                    "geometry": shapes[k].geometry,
                }
                for k in keys
            ],
        },
        "data": [
            {
                "name": names[k],
                "value": values.get(k),
                "url": selectors.drill_url(metric, "grid", k, month, role),
            }
            for k in keys
        ],
    }


@page_roles(*DASHBOARD_ROLES)
def metric_list(request: HttpRequest) -> HttpResponse:
    """The published formulas: what each figure counts and leaves out."""
    return render(request, "evaluation/metrics.html", {"metrics": metrics.METRICS})


@page_roles(*DASHBOARD_ROLES)
def scores(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    reach = reach_of(user)
    kinds = [
        (k, label)
        for k, label in WeightSet.Kind.choices
        if ("department" if k == WeightSet.Kind.DEPARTMENT else "community") in reach.dimensions()
    ]
    kind = request.GET.get("kind", "")
    if kind not in dict(kinds):
        kind = kinds[0][0] if kinds else ""
    snaps = selectors.latest_snapshots(12)
    month = _month(request.GET.get("month"), snaps)
    version, weights, rows = 0, dict[str, int](), list[selectors.Score]()
    if kind and month:
        try:
            version, weights, rows = selectors.composite(actor=user, kind=kind, month=month)
        except ValidationFailed as exc:
            return error_page(request, exc)
    return render(
        request,
        "evaluation/scores.html",
        {
            "kinds": kinds,
            "kind": kind,
            "months": [s.month for s in snaps],
            "month": month,
            "version": version,
            "weights": [(metrics.REGISTRY[k], w) for k, w in weights.items()],
            "rows": rows,
        },
    )


@page_roles(*DASHBOARD_ROLES)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """EVAL-5: the dashboard's table (one metric by one dimension, every month) as Excel."""
    try:
        ctx = _table(request)
    except ValidationFailed as exc:
        return error_page(request, exc)
    metric: metrics.Metric = ctx["metric"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(metric.name)[:31]
    sheet.append([str(metric.name), _("分子:") + str(metric.numerator)])
    sheet.append([_("单位") + ":" + metric.unit_label, _("分母:") + str(metric.denominator)])
    sheet.append([_("版本") + f": {metric.version}", _("不计:") + str(metric.exclusions)])
    sheet.append([])
    sheet.append(
        [
            _("月份"),
            str(metrics.DIMENSIONS[ctx["dimension"]]),
            _("分子"),
            _("分母"),
            _("数值"),
            _("背后的记录"),
        ]
    )
    for r in ctx["rows"]:
        url = selectors.drill_url(metric, ctx["dimension"], r.key, r.month, actor(request).role)
        sheet.append([f"{r.month:%Y-%m}", r.label, r.numerator, r.denominator, r.value])
        if url:  # the records behind the figure, as on the dashboard
            cell = sheet.cell(row=sheet.max_row, column=6, value=_("查看"))
            cell.hyperlink = request.build_absolute_uri(url)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{metric.key}-{ctx["dimension"]}.xlsx"'
    return response


@page_roles(*DASHBOARD_ROLES)
def staff_assessment(request: HttpRequest) -> HttpResponse:
    """EVAL-4: per grid worker and department officer; each sees their own."""
    month_raw = request.GET.get("month", "")
    month = None
    if month_raw:
        try:
            month = dt.date.fromisoformat(f"{month_raw}-01")
        except ValueError:
            month = None
    shown, rows = staff.assessment(actor=actor(request), month=month)
    return render(
        request,
        "evaluation/staff.html",
        {
            "month": shown,
            "months": [s.month for s in selectors.latest_snapshots(12)],
            "rows": rows,
            "weights": [(metrics.REGISTRY[k], w) for k, w in staff.STAFF_WEIGHTS.items()],
        },
    )
