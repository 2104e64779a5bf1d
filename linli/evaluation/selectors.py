"""Dashboard reads: only from snapshots (indexed by metric, dimension, key, month), never by
scanning cases, and only the groups the actor's reach allows."""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max
from django.urls import reverse
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape

from linli.care.policy import ALERT_VIEW_ROLES
from linli.casework.filters import COUNTED
from linli.casework.policy import STAFF_VIEW_ROLES
from linli.casework.selectors import categories_active
from linli.core.errors import NotFound, ValidationFailed
from linli.evaluation import metrics
from linli.evaluation.models import Snapshot, SnapshotFigure, WeightSet
from linli.evaluation.policy import Reach, reach_of
from linli.evaluation.services import weights_current
from linli.geo.models import Community, Department, Grid, Street
from linli.mediation.policy import DRILL_ROLES as DISPUTE_DRILL_ROLES

GRADES = ((90.0, "A"), (75.0, "B"), (60.0, "C"), (40.0, "D"))
# Map outlines: about 5 m of detail is plenty at a district's zoom (a surveyed boundary
# can carry thousands of points; the browser draws every one).
SIMPLIFY_DEGREES = 0.00005


def grade(score: float | None) -> str:
    if score is None:
        return ""
    for floor, letter in GRADES:
        if score >= floor:
            return letter
    return "E"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    month: dt.date
    numerator: float
    denominator: float | None
    value: float | None


def metric_or_404(key: str) -> metrics.Metric:
    metric = metrics.REGISTRY.get(key)
    if metric is None:
        raise NotFound(_("没有这个指标。"))
    return metric


def check_dimension(reach: Reach, metric: metrics.Metric, dimension: str) -> None:
    if dimension not in metrics.DIMENSIONS or dimension not in metric.dimensions:
        raise ValidationFailed(_("这个指标不能按该维度统计。"), field="dimension")
    if dimension not in reach.dimensions():
        raise ValidationFailed(_("您只能查看本辖区的数据。"), field="dimension")


def latest_snapshots(months: int = 12) -> list[Snapshot]:
    """The newest revision of each of the last `months` frozen months, oldest first."""
    newest: dict[dt.date, Snapshot] = {}
    for snap in Snapshot.objects.order_by("-month", "-revision")[: months * 4]:
        newest.setdefault(snap.month, snap)
    return sorted(newest.values(), key=lambda s: s.month)[-months:]


def labels(dimension: str, keys: set[str]) -> dict[str, str]:
    ints = [int(k) for k in keys if k.isdigit()]
    if dimension == "community":
        return {str(c.pk): c.name for c in Community.objects.filter(pk__in=ints)}
    if dimension == "grid":
        shapes = grid_shapes()
        return {k: shapes[k].name for k in keys if k in shapes}
    if dimension == "street":
        return {str(s.pk): s.name for s in Street.objects.filter(pk__in=ints)}
    if dimension == "department":
        return {str(d.pk): d.short_name or d.name for d in Department.objects.filter(pk__in=ints)}
    if dimension == "pilot":
        return {"1": _("试点社区"), "0": _("其他社区")}
    if dimension == "all":
        return {"all": _("全区")}
    if dimension == "category":
        names = {c.code: c.name for c in categories_active().filter(parent__isnull=True)}
        return {k: names.get(k, k) for k in keys}
    return {}


def figures(
    *, actor: Any, metric: str, dimension: str, months: int = 12, key: str = ""
) -> tuple[list[Snapshot], list[Row]]:
    """One metric by one dimension over the last `months` snapshots (the newest revision of
    each), for the groups the actor may see."""
    reach = reach_of(actor)
    snaps, rows = figure_sets(
        reach=reach, metric=metric, dimensions=[dimension], months=months, key=key
    )
    return snaps, rows[dimension]


def figure_sets(
    *, reach: Reach, metric: str, dimensions: list[str], months: int = 12, key: str = ""
) -> tuple[list[Snapshot], dict[str, list[Row]]]:
    """`figures` for several dimensions at once (the dashboard draws four charts): the
    snapshots are chosen once and the figures read in one indexed query."""
    m = metric_or_404(metric)
    wanted = list(dict.fromkeys(dimensions))
    for dimension in wanted:
        check_dimension(reach, m, dimension)
    snaps = latest_snapshots(months)
    qs = SnapshotFigure.objects.filter(
        snapshot__in=snaps, metric=m.key, dimension__in=wanted
    ).values_list("dimension", "key", "month", "numerator", "denominator", "value")
    if key:
        qs = qs.filter(key=key)
    found: dict[str, list[Any]] = {d: [] for d in wanted}
    for r in qs:
        if reach.allows(r[0], r[1]):
            found[r[0]].append(r[1:])
    out: dict[str, list[Row]] = {}
    for dimension, got in found.items():
        names = labels(dimension, {r[0] for r in got})
        rows = [Row(r[0], names.get(r[0], r[0]), r[1], r[2], r[3], r[4]) for r in got]
        rows.sort(key=lambda r: (r.month, r.label))
        out[dimension] = rows
    return snaps, out


def ranking(rows: list[Row], metric: metrics.Metric, month: dt.date) -> list[Row]:
    """The month's groups best first (no figure last)."""
    this = [r for r in rows if r.month == month]
    sign = -1 if metric.higher_is_better else 1
    return sorted(this, key=lambda r: (r.value is None, sign * (r.value or 0), r.label))


@dataclass(frozen=True)
class Score:
    key: str
    label: str
    score: float | None
    grade: str
    parts: dict[str, float | None]


def composite(*, actor: Any, kind: str, month: dt.date) -> tuple[int, dict[str, int], list[Score]]:
    """GB/T 30428.4-style composite: Σ weight × metric score ÷ Σ weights of the metrics that
    have a figure; a rate counts as it is, a "lower is better" rate as 100 − rate."""
    if kind not in WeightSet.Kind.values:
        raise ValidationFailed(_("评价类型无效。"), field="kind")
    dimension = "department" if kind == WeightSet.Kind.DEPARTMENT else "community"
    reach = reach_of(actor)
    if dimension not in reach.dimensions():
        raise ValidationFailed(_("您只能查看本辖区的数据。"), field="kind")
    version, weights = weights_current(kind)
    snaps = [s for s in latest_snapshots(24) if s.month == month]
    if not snaps:
        return version, weights, []
    rows = SnapshotFigure.objects.filter(
        snapshot=snaps[0], dimension=dimension, metric__in=list(weights)
    ).values_list("key", "metric", "value")
    parts: dict[str, dict[str, float | None]] = {}
    for key, metric, value in rows:
        if reach.allows(dimension, key):
            parts.setdefault(key, {})[metric] = value
    names = labels(dimension, set(parts))
    out = []
    for key, got in parts.items():
        total = weight = 0.0
        for metric, w in weights.items():
            value = got.get(metric)
            if value is None:
                continue
            points = value if metrics.REGISTRY[metric].higher_is_better else 100 - value
            total += w * points
            weight += w
        score = round(total / weight, 1) if weight else None
        out.append(Score(key, names.get(key, key), score, grade(score), got))
    out.sort(key=lambda s: (s.score is None, -(s.score or 0), s.label))
    return version, weights, out


# The list behind each drill kind: its page and the parameters every link carries.
# kind → (the list's route, its fixed parameters, who may open it)
DRILL_LISTS: dict[str, tuple[str, dict[str, str], frozenset[str]]] = {
    "cases": ("casework:queue", {"status": COUNTED}, frozenset(STAFF_VIEW_ROLES)),
    "alerts": ("care:alerts", {}, frozenset(ALERT_VIEW_ROLES)),
    "disputes": ("mediation:drill", {}, frozenset(DISPUTE_DRILL_ROLES)),
}


def drill_url(
    metric: metrics.Metric, dimension: str, key: str, month: dt.date, role: str | None = None
) -> str | None:
    """The staff list (cases, alerts …) filtered to the records behind one figure; None
    when the metric has no list behind it, or the viewer (`role`) may not open that list
    (a supervisor reads alert figures but not the alerts of a home)."""
    found = DRILL_LISTS.get(metric.drill)
    if found is None:
        return None
    name, fixed, roles = found
    if role is not None and role not in roles:
        return None
    params = dict(fixed)
    for param, value in metric.drill_filter.items():
        params[param] = value.replace(metrics.MONTH, f"{month:%Y-%m}")
    if dimension in metrics.DRILL_PARAM:
        params[metrics.DRILL_PARAM[dimension]] = key
    return f"{reverse(name)}?{urlencode(params)}"


@dataclass(frozen=True)
class GridShape:
    name: str
    community: str
    geometry: dict[str, Any]  # simplified GeoJSON


_shapes: dict[tuple[Any, ...], dict[str, GridShape]] = {}


def grid_shapes() -> dict[str, GridShape]:
    """Every grid's name and simplified outline by grid id, kept in the process for as long
    as no grid or community changes (the version: counts and last changes, two indexed
    aggregates), so the map does not reload and reshape every boundary per request."""
    version = (
        *Grid.objects.aggregate(n=Count("pk"), at=Max("updated_at")).values(),
        *Community.objects.aggregate(n=Count("pk"), at=Max("updated_at")).values(),
    )
    found = _shapes.get(version)
    if found is None:
        found = {
            str(pk): GridShape(name, community, _simplified(geometry))
            for pk, name, community, geometry in Grid.objects.order_by("pk").values_list(
                "pk", "name", "community__name", "geometry"
            )
        }
        _shapes.clear()
        _shapes[version] = found
    return found


def _simplified(geometry: dict[str, Any]) -> dict[str, Any]:
    try:
        simple = mapping(shape(geometry).simplify(SIMPLIFY_DEGREES, preserve_topology=True))
    except (ValueError, TypeError, AttributeError, KeyError):  # not a shape: draw as stored
        return geometry
    return {"type": simple["type"], "coordinates": _rounded(simple["coordinates"])}


def _rounded(coords: Any) -> Any:
    """Lists of [lon, lat] at 6 decimals (about 0.1 m): shorter JSON, same drawing."""
    if coords and isinstance(coords[0], float | int):
        return [round(c, 6) for c in coords]
    return [_rounded(c) for c in coords]
