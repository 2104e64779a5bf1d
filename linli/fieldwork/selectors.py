"""Reads of the grid worker's day, and the published measures of proactive work (an
evaluation app reads `grid_measures` / `measures_for_grids`).

Definitions (also shown on the measures page):

- **有效上报率 (valid report rate)** of a grid for a period = patrol reports filed by its
  grid workers in the period whose case was registered (立案: went past intake and was not
  refused or merged — any status but received, rejected, merged) ÷ all patrol reports filed
  in the period. Empty when there were none.
- **主动发现占比 (proactive share)** = cases with channel "proactive" created in the grid in
  the period ÷ (those + resident complaints created there: web, Open311, window, hotline,
  suggestion box). Sensor cases count in neither.
- **漏报 (missed report)**: a resident complaint created in the grid in the period, of a
  category a walker can see (`MetricSettings.categories`, major codes), such that within
  `window_days` before it someone working the grid passed within `distance_m` metres of its
  place (a track point, a visit with its location or at the building, a patrol report) and
  no patrol report of the same category was filed within `distance_m` of it in those days.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from linli.casework.choices import Channel
from linli.casework.facts import COMPLAINT_CHANNELS, CaseFact, case_facts
from linli.core.roles import Role
from linli.fieldwork.models import DayTask, MetricSettings, PatrolReport, TrackPoint, Visit
from linli.fieldwork.policy import sees_all

__all__ = [
    "coverage",
    "grid_measures",
    "grids_for",
    "has_day",
    "measures_for_grids",
    "sees_all",
    "today_list",
]
from linli.geo.models import Grid
from linli.geo.scope import Scope, grid_workers

EARTH_M = 6_371_000


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough within a grid."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return math.hypot(x, y) * EARTH_M


def grids_for(actor: Any) -> QuerySet[Grid]:
    """The grids the actor oversees (their memberships' places; everything for oversight
    roles acting city-wide)."""
    if sees_all(actor):
        return Grid.objects.all()
    scope = Scope.for_actor(actor)
    if actor.role == Role.GRID_WORKER:
        return Grid.objects.filter(pk__in=sorted(scope.grid_ids))
    return scope.grids()


def today_list(*, actor: Any, day: dt.date | None = None) -> list[DayTask]:
    """The worker's open items for the day: urgency class, then walking order, then due."""
    day = day or timezone.localdate()
    return list(
        DayTask.objects.filter(worker=actor, day=day, done_at__isnull=True)
        .select_related("building", "grid", "case")
        .order_by("rank", "walk", "due_at", "pk")
    )


@dataclass
class Coverage:
    worker_id: int
    worker_name: str
    grid_names: list[str]
    open_items: int
    done_items: int
    visits_week: int
    overdue_visits: int


def coverage(*, actor: Any, day: dt.date | None = None) -> list[Coverage]:
    """Per grid worker in the actor's grids: today's items open and done, visits in the
    last 7 days, routine visits overdue (due before today)."""
    day = day or timezone.localdate()
    grids = list(grids_for(actor).values_list("pk", "name"))
    names = dict(grids)
    workers = grid_workers(names)
    by_worker: dict[int, Any] = {}
    grid_names: dict[int, list[str]] = defaultdict(list)
    for g, w in workers.items():
        by_worker[w.pk] = w
        grid_names[w.pk].append(names[g])
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    counts: dict[tuple[int, bool], int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    for wid, done, kind, due in DayTask.objects.filter(
        worker_id__in=list(by_worker), day=day
    ).values_list("worker_id", "done_at", "kind", "due_at"):
        counts[(wid, done is not None)] += 1
        if done is None and kind == "visit" and due is not None and due < start:
            overdue[wid] += 1
    week: dict[int, int] = defaultdict(int)
    for wid in Visit.objects.filter(
        worker_id__in=list(by_worker), at__gte=start - dt.timedelta(days=7)
    ).values_list("worker_id", flat=True):
        week[wid] += 1
    return [
        Coverage(
            pk,
            w.full_name or w.username,
            sorted(grid_names[pk]),
            counts[(pk, False)],
            counts[(pk, True)],
            week[pk],
            overdue[pk],
        )
        for pk, w in sorted(by_worker.items(), key=lambda kv: kv[1].username)
    ]


@dataclass
class Missed:
    case_id: int
    tracking_no: str
    category_name: str
    created_at: dt.datetime
    passed_at: dt.datetime
    metres: int


@dataclass
class GridMeasures:
    grid_id: int
    grid_name: str
    reports: int = 0
    registered: int = 0
    proactive: int = 0
    complaints: int = 0
    missed: list[Missed] = field(default_factory=list)

    @property
    def valid_rate(self) -> float | None:
        return self.registered / self.reports if self.reports else None

    @property
    def proactive_share(self) -> float | None:
        total = self.proactive + self.complaints
        return self.proactive / total if total else None


def settings_get() -> MetricSettings:
    return MetricSettings.objects.get_or_create(pk=1)[0]


def measures_for_grids(
    grid_ids: Iterable[int], *, since: dt.datetime, until: dt.datetime
) -> list[GridMeasures]:
    """The three measures per grid for [since, until), by the definitions above."""
    cfg = settings_get()
    grids = dict(Grid.objects.filter(pk__in=list(grid_ids)).values_list("pk", "name"))
    out = {g: GridMeasures(g, name) for g, name in grids.items()}
    ids = sorted(grids)
    reports = list(
        PatrolReport.objects.filter(grid_id__in=ids, at__gte=since, at__lt=until).values_list(
            "grid_id", "case_id"
        )
    )
    facts = {
        f.id: f
        for f in case_facts(
            ids=[c for _g, c in reports],
            since=since - dt.timedelta(days=60),
            until=until + dt.timedelta(days=1),
        )
    }
    for g, c in reports:
        out[g].reports += 1
        if c in facts and facts[c].registered:
            out[g].registered += 1
    window = dt.timedelta(days=cfg.window_days)
    cases = case_facts(grid_ids=ids, since=since - window, until=until)
    for f in cases:
        if f.created_at < since:
            continue
        if f.channel == Channel.PROACTIVE:
            out[f.grid_id].proactive += 1
        elif f.channel in COMPLAINT_CHANNELS:
            out[f.grid_id].complaints += 1
    passes = _passes(ids, since=since - window, until=until)
    proactive = [f for f in cases if f.channel == Channel.PROACTIVE]
    majors = set(cfg.category_codes())
    for f in cases:
        if f.created_at < since or f.channel not in COMPLAINT_CHANNELS:
            continue
        if f.category_code.split("-")[0] not in majors:
            continue
        miss = _missed(f, passes.get(f.grid_id, []), proactive, window, cfg.distance_m)
        if miss is not None:
            out[f.grid_id].missed.append(miss)
    return [out[g] for g in ids]


def _passes(
    grid_ids: list[int], *, since: dt.datetime, until: dt.datetime
) -> dict[int, list[tuple[float, float, dt.datetime]]]:
    """grid → points where someone working it was, with when."""
    out: dict[int, list[tuple[float, float, dt.datetime]]] = defaultdict(list)
    for g, lat, lon, at in TrackPoint.objects.filter(
        grid_id__in=grid_ids, at__gte=since, at__lt=until
    ).values_list("grid_id", "lat", "lon", "at"):
        out[g].append((lat, lon, at))
    visits = Visit.objects.filter(grid_id__in=grid_ids, at__gte=since, at__lt=until).values_list(
        "grid_id",
        "lat",
        "lon",
        "resident__household__building__lat",
        "resident__household__building__lon",
        "at",
    )
    for g, vlat, vlon, blat, blon, at in visits:
        if vlat is not None and vlon is not None:
            out[g].append((vlat, vlon, at))
        elif blat is not None and blon is not None:
            out[g].append((blat, blon, at))
    for g, lat, lon, at in PatrolReport.objects.filter(
        grid_id__in=grid_ids, at__gte=since, at__lt=until
    ).values_list("grid_id", "case__lat", "case__lon", "at"):
        out[g].append((lat, lon, at))
    return out


def _missed(
    f: CaseFact,
    passes: list[tuple[float, float, dt.datetime]],
    proactive: list[CaseFact],
    window: dt.timedelta,
    distance: float,
) -> Missed | None:
    start = f.created_at - window
    near = [
        (at, metres(f.lat, f.lon, lat, lon))
        for lat, lon, at in passes
        if start <= at <= f.created_at and metres(f.lat, f.lon, lat, lon) <= distance
    ]
    if not near:
        return None
    for p in proactive:
        same = p.category_code == f.category_code and start <= p.created_at <= f.created_at
        if same and metres(f.lat, f.lon, p.lat, p.lon) <= distance:
            return None
    at, m = max(near)
    return Missed(f.id, f.tracking_no, f.category_name, f.created_at, at, round(m))


def grid_measures(*, actor: Any, since: dt.datetime, until: dt.datetime) -> list[GridMeasures]:
    """The measures of the grids the actor oversees."""
    return measures_for_grids(
        grids_for(actor).values_list("pk", flat=True), since=since, until=until
    )


def has_day(*, actor: Any, day: dt.date) -> bool:
    """Whether the worker's list for the day was written (done items included)."""
    return DayTask.objects.filter(worker=actor, day=day).exists()
