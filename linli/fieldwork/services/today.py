"""今日任务: each grid worker's list for a day, written by the morning sweep and kept current.

What goes on it, most urgent class first (`KIND_RANK`), then in walking order by building:

1. a visit within 24 h (the quota's `change_hours`) after a major change — a welfare alert
   closed or a hospital stay ended (care), a bereavement recorded (`LifeEvent`) — unless a
   visit was made after the change;
2. open cases of the grid due to close within `MetricSettings.due_soon_hours` (casework);
3. visits due by tier: last visit (or, never visited, the record's creation) + the tier's
   interval on or before the day; at most `MetricSettings.daily_visits` a day, most overdue
   first (the rest come back tomorrow);
4. care maintenance tasks (offline or stuck devices, low batteries);
5. 未诉先办: the season calendar's and 乱点 tasks for the grid (`fieldwork.calendar`);
6. patrol suggestions: the buildings of the grid walked longest ago (no visit, patrol report
   or track point near them within `patrol_days`).

Regenerating keeps what is done and removes open items that no longer apply."""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_noop

from linli.care.changes import ALERT_CLOSED, maintenance_open, major_changes
from linli.casework.facts import cases_near_deadline
from linli.fieldwork import calendar as season
from linli.fieldwork.choices import KIND_RANK, Outcome, TaskKind, Tier
from linli.fieldwork.models import (
    DayTask,
    LifeEvent,
    MetricSettings,
    PatrolReport,
    TrackPoint,
    Visit,
)
from linli.fieldwork.services.quotas import change_hours, quotas
from linli.geo.models import Building, Grid
from linli.geo.scope import Scope, grid_workers
from linli.people.visit_risk import HIGH, KEY, homes_of, people_of_households, visit_roster

PATROL_SUGGESTIONS = 3
MET = (Outcome.SEEN, Outcome.NEEDS_HELP)
NEAR_DEG = 0.0006  # about 60 m: a track point this close to a building walked past it
# Titles are stored as their catalogue ids and translated when shown (present.py).
TIER_TITLES = {
    Tier.HIGH: gettext_noop("例行探访(每周)"),
    Tier.KEY: gettext_noop("例行探访(每月)"),
    Tier.OTHER: gettext_noop("例行探访(每季度)"),
}
CHANGE_TITLES = {
    ALERT_CLOSED: gettext_noop("看护提醒办结后24小时内上门探访"),
    "hospital_ended": gettext_noop("出院后24小时内上门探访"),
    "bereavement": gettext_noop("丧亲后24小时内上门探访"),
}
NEVER_VISITED = gettext_noop("从未走访")
NOT_WALKED = gettext_noop("近期未走到")
OVERDUE = gettext_noop("诉求已超期")
DUE_SOON = gettext_noop("诉求临近办结期限")
MAINTENANCE = gettext_noop("设备检修")
PATROL = gettext_noop("巡查这栋楼")
# care's maintenance kinds, by the same catalogue ids as care's labels
DEVICE_WORDS = {
    "offline": gettext_noop("设备离线"),
    "stuck": gettext_noop("表计停走"),
    "battery": gettext_noop("电量不足"),
}


def settings_get() -> MetricSettings:
    return MetricSettings.objects.get_or_create(pk=1)[0]


@dataclass
class Item:
    kind: str
    key: str
    grid_id: int
    building_id: int | None
    title: str
    detail: str = ""
    due_at: dt.datetime | None = None
    resident_id: int | None = None
    case_id: int | None = None


def walking_order(buildings: list[tuple[int, float, float]]) -> dict[int, int]:
    """building id → position on a nearest-neighbour walk from the south-west-most one."""
    left = sorted(buildings, key=lambda b: (b[1] + b[2], b[0]))
    if not left:
        return {}
    order = [left.pop(0)]
    while left:
        _, lat, lon = order[-1]
        scale = math.cos(math.radians(lat))
        nxt = min(left, key=lambda b: ((b[1] - lat) ** 2 + ((b[2] - lon) * scale) ** 2, b[0]))
        left.remove(nxt)
        order.append(nxt)
    return {b[0]: i for i, b in enumerate(order)}


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def items_for_grids(
    grid_ids: list[int], *, day: dt.date, now: dt.datetime
) -> dict[int, list[Item]]:
    """grid id → its items for the day (a few queries per batch of grids, not per grid)."""
    q = quotas()
    cfg = settings_get()
    end = _end_of(day)
    out: dict[int, list[Item]] = defaultdict(list)
    # 1. visits within 24 h after a major change
    hours = change_hours(q)
    since = now - dt.timedelta(hours=hours)
    changes: list[tuple[int, str, dt.datetime]] = []  # resident, kind, at
    found = major_changes(grid_ids, since=since, until=now)
    household_people = people_of_households(c.household_id for c in found if not c.resident_id)
    for ch in found:
        people = [ch.resident_id] if ch.resident_id else household_people.get(ch.household_id, [])
        changes += [(r, ch.kind, ch.at) for r in people]
    for rid, at in LifeEvent.objects.filter(
        occurred_at__gte=since,
        occurred_at__lte=now,
        resident__household__building__grid_id__in=grid_ids,
    ).values_list("resident_id", "occurred_at"):
        changes.append((rid, "bereavement", at))
    home = homes_of(r for r, _k, _a in changes)
    seen_since = dict(
        Visit.objects.filter(resident_id__in=list(home), outcome__in=MET, at__gte=since)
        .values_list("resident_id")
        .annotate(last=Max("at"))
        .values_list("resident_id", "last")
    )
    changed: set[int] = set()
    for rid, kind, at in sorted(changes, key=lambda c: c[2]):
        if rid in changed or rid not in home or (seen_since.get(rid) and seen_since[rid] >= at):
            continue
        changed.add(rid)
        _h, b, g = home[rid]
        out[g].append(
            Item(
                TaskKind.CHANGE_VISIT,
                f"resident:{rid}",
                g,
                b,
                CHANGE_TITLES[kind],
                due_at=at + dt.timedelta(hours=hours),
                resident_id=rid,
            )
        )
    # 2. cases near their deadline
    for c in cases_near_deadline(grid_ids, until=now + dt.timedelta(hours=cfg.due_soon_hours)):
        overdue = OVERDUE if c.close_due < now else DUE_SOON
        out[c.grid_id].append(
            Item(
                TaskKind.CASE_DUE,
                f"case:{c.id}",
                c.grid_id,
                None,
                overdue,
                detail=f"{c.category_name} · {c.tracking_no} · {c.address}"[:300],
                due_at=c.close_due,
                case_id=c.id,
            )
        )
    # 3. visits due by tier: the day's share per grid, most overdue first (all in SQL)
    for rid, g, b, ground, due, last in _routine(grid_ids, q, day, end, cfg.daily_visits):
        if rid in changed:
            continue
        tier = Tier.HIGH if ground == HIGH else Tier.KEY if ground == KEY else Tier.OTHER
        out[g].append(
            Item(
                TaskKind.VISIT,
                f"resident:{rid}",
                g,
                b,
                TIER_TITLES[tier],
                detail="" if last else NEVER_VISITED,
                due_at=due,
                resident_id=rid,
            )
        )
    # 4. care maintenance
    for t in maintenance_open(grid_ids):
        out[t.grid_id].append(
            Item(
                TaskKind.MAINTENANCE,
                f"device_task:{t.task_id}",
                t.grid_id,
                t.building_id,
                MAINTENANCE,
                detail=DEVICE_WORDS.get(t.kind, t.kind_label),
                due_at=t.opened_at + dt.timedelta(days=1),
            )
        )
    # 5. 未诉先办
    for s in season.tasks_for_grids(grid_ids, day=day):
        out[s.grid_id].append(
            Item(TaskKind.SEASON, s.key, s.grid_id, None, s.title, detail=s.detail, due_at=end)
        )
    # 6. patrol suggestions
    for g, items in _patrol(grid_ids, now=now, days=cfg.patrol_days).items():
        out[g] += items
    return out


def _routine(
    grid_ids: list[int], q: dict[str, Any], day: dt.date, end: dt.datetime, cap: int
) -> list[tuple[int, int, int, str, dt.datetime, dt.datetime | None]]:
    """(resident, grid, building, ground, due, last visit) of the visits due by the end of
    the day, at most `cap` per grid, most overdue first. The tier's interval is chosen in
    SQL, so only due rows leave the database."""
    met = Visit.objects.filter(resident_id=OuterRef("pk"), outcome__in=MET).order_by("-at")
    days = {t: dt.timedelta(days=q[t].interval_days) for t in (Tier.HIGH, Tier.KEY, Tier.OTHER)}
    interval = Case(
        When(ground=HIGH, then=Value(days[Tier.HIGH])),
        When(ground=KEY, then=Value(days[Tier.KEY])),
        default=Value(days[Tier.OTHER]),
        output_field=DurationField(),
    )
    oldest_birth = day.year - q[Tier.OTHER].min_age
    rows = (
        visit_roster(grid_ids, on=day)
        .filter(Q(ground__in=(HIGH, KEY)) | Q(birth_year__lte=oldest_birth))
        .annotate(last=Subquery(met.values("at")[:1]))
        .annotate(
            due=ExpressionWrapper(
                Coalesce("last", "created_at") + interval, output_field=DateTimeField()
            )
        )
        .filter(due__lt=end)
        .annotate(
            n=Window(
                RowNumber(), partition_by=[F("grid")], order_by=[F("due").asc(), F("pk").asc()]
            )
        )
        .filter(n__lte=cap)
        .values_list("pk", "grid", "building", "ground", "due", "last")
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The planner's cost estimate (correlated subqueries per resident) turns on JIT,
            # whose compiling took 80% of this query's time on a district (bench/).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return list(rows)


def _patrol(grid_ids: list[int], *, now: dt.datetime, days: int) -> dict[int, list[Item]]:
    since = now - dt.timedelta(days=days)
    buildings = list(
        Building.objects.filter(grid_id__in=grid_ids).values_list(
            "pk", "grid_id", "lat", "lon", "name"
        )
    )
    walked: dict[int, dt.datetime] = {}
    for b, at in (
        Visit.objects.filter(grid_id__in=grid_ids, at__gte=since - dt.timedelta(days=365))
        .values_list("resident__household__building_id")
        .annotate(last=Max("at"))
        .values_list("resident__household__building_id", "last")
    ):
        if b is not None:
            walked[b] = at
    points: dict[int, list[tuple[float, float, dt.datetime]]] = defaultdict(list)
    for g, lat, lon, at in TrackPoint.objects.filter(
        grid_id__in=grid_ids, at__gte=since
    ).values_list("grid_id", "lat", "lon", "at"):
        points[g].append((lat, lon, at))
    for g, lat, lon, at in PatrolReport.objects.filter(
        grid_id__in=grid_ids, at__gte=since
    ).values_list("grid_id", "case__lat", "case__lon", "at"):
        points[g].append((lat, lon, at))
    by_grid: dict[int, list[tuple[dt.datetime | None, int, str]]] = defaultdict(list)
    for pk, g, lat, lon, name in buildings:
        last = walked.get(pk)
        for plat, plon, at in points.get(g, ()):
            if (
                abs(plat - lat) < NEAR_DEG
                and abs(plon - lon) < NEAR_DEG
                and (last is None or at > last)
            ):
                last = at
        if last is None or last < since:
            by_grid[g].append((last, pk, name))
    out: dict[int, list[Item]] = {}
    for g, rows in by_grid.items():
        rows.sort(key=lambda r: (r[0] is not None, r[0] or now, r[1]))
        out[g] = [
            Item(
                TaskKind.PATROL,
                f"building:{pk}",
                g,
                pk,
                PATROL,
                detail=f"{timezone.localtime(last):%m-%d}" if last else NOT_WALKED,
            )
            for last, pk, name in rows[:PATROL_SUGGESTIONS]
        ]
    return out


def write_days(mapping: dict[int, Any], items: dict[int, list[Item]], *, day: dt.date) -> int:
    """Write the items of each grid to its worker's list for the day; returns items written.
    Done items stay; open items that no longer apply go; new ones are added."""
    walk: dict[int, int] = {}
    grids = list(mapping)
    rows = Building.objects.filter(grid_id__in=grids).values_list("pk", "grid_id", "lat", "lon")
    per_grid: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for pk, g, lat, lon in rows:
        per_grid[g].append((pk, lat, lon))
    for bs in per_grid.values():
        walk |= walking_order(bs)
    written = 0
    workers = {w.pk for w in mapping.values()}
    with transaction.atomic():
        existing = defaultdict(set)
        for w, kind, key in DayTask.objects.filter(worker_id__in=workers, day=day).values_list(
            "worker_id", "kind", "key"
        ):
            existing[w].add((kind, key))
        fresh: list[DayTask] = []
        keep: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for g, worker in mapping.items():
            for it in items.get(g, []):
                keep[worker.pk].add((it.kind, it.key))
                if (it.kind, it.key) in existing[worker.pk]:
                    continue
                existing[worker.pk].add((it.kind, it.key))
                fresh.append(
                    DayTask(
                        worker_id=worker.pk,
                        day=day,
                        kind=it.kind,
                        key=it.key,
                        rank=KIND_RANK[TaskKind(it.kind)],
                        walk=walk.get(it.building_id, 0) if it.building_id else 0,
                        due_at=it.due_at,
                        grid_id=g,
                        building_id=it.building_id,
                        resident_id=it.resident_id,
                        case_id=it.case_id,
                        title=it.title[:200],
                        detail=it.detail[:300],
                    )
                )
        DayTask.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
        written = len(fresh)
        for w in workers:
            stale = existing[w] - keep[w]
            for kind, key in stale:
                DayTask.objects.filter(
                    worker_id=w, day=day, kind=kind, key=key, done_at__isnull=True
                ).delete()
    return written


def build_for_workers(workers: Iterable[Any], *, day: dt.date, now: dt.datetime) -> int:
    """Lists for these grid workers (their grids from their memberships)."""
    mapping: dict[int, Any] = {}
    for w in workers:
        for g in Scope.for_actor(w).grid_ids:
            mapping[g] = w
    if not mapping:
        return 0
    items = items_for_grids(sorted(mapping), day=day, now=now)
    return write_days(mapping, items, day=day)


def sweep(*, now: dt.datetime | None = None, batch: int = 50) -> int:
    """Every grid worker's list for today (the morning sweep; re-running keeps it current)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    grid_ids = list(Grid.objects.order_by("pk").values_list("pk", flat=True))
    total = 0
    for i in range(0, len(grid_ids), batch):
        chunk = grid_ids[i : i + batch]
        mapping = grid_workers(chunk)
        if not mapping:
            continue
        items = items_for_grids(sorted(mapping), day=day, now=now)
        total += write_days(mapping, items, day=day)
    return total


def mark_done(
    *, resident_id: int | None = None, case_id: int | None = None, at: dt.datetime
) -> int:
    """Visiting someone (or a case closing) takes it off every open list of the day."""
    qs = DayTask.objects.filter(day=timezone.localdate(at), done_at__isnull=True)
    if resident_id is not None:
        qs = qs.filter(resident_id=resident_id, kind__in=(TaskKind.VISIT, TaskKind.CHANGE_VISIT))
    elif case_id is not None:
        qs = qs.filter(case_id=case_id)
    else:
        return 0
    return qs.update(done_at=at)


def day_ensure(worker: Any, *, day: dt.date | None = None) -> None:
    """Write the worker's list for the day if the morning sweep has not (a new worker, a
    sweep not yet run): opening the list never shows an empty day by mistake."""
    day = day or timezone.localdate()
    if not DayTask.objects.filter(worker=worker, day=day).exists():
        build_for_workers([worker], day=day, now=timezone.now())
