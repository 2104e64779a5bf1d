"""Who can serve which need, and how well: the hard filters, then the score terms, computed
for all open needs of a window at once with numpy.

Availability and commitments are measured on a grid of 5-minute steps over the window (plus
the longest need): each volunteer has a prefix sum of open steps and one of busy steps, so a
need's coverage and clash with every candidate is two array reads."""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from linli.matching import scoring
from linli.matching.availability import WorkingDays, open_intervals
from linli.matching.choices import MatchStatus, ResourceKind, ResourceStatus
from linli.matching.models import Match, Need, Resource, ResourceClosure
from linli.people.selectors import service_priority

STEP = 300  # seconds
MAX_NEED = dt.timedelta(hours=12)
TERMS = ("fit", "distance", "time", "priority", "reliability", "load")
LIVE = (MatchStatus.INVITED, MatchStatus.ACCEPTED, MatchStatus.SERVED)


@dataclass
class NeedCandidates:
    idx: np.ndarray  # volunteer indices
    terms: np.ndarray  # (len(TERMS), len(idx)), rounded to 0.01
    score: np.ndarray  # sum of the terms
    reason: str = ""  # the filter that left no one ("" when someone is left)

    def terms_of(self, k: int) -> dict[str, float]:
        return {t: float(self.terms[n, k]) for n, t in enumerate(TERMS)}


@dataclass
class Problem:
    needs: list[Need]
    volunteers: list[Resource]
    used: list[int]  # live assignments already in the window, per volunteer
    per_need: list[NeedCandidates] = field(default_factory=list)

    @property
    def pair_count(self) -> int:
        return sum(len(c.idx) for c in self.per_need)


def _slot(t: dt.datetime, t0: dt.datetime, up: bool) -> int:
    x = (t - t0).total_seconds() / STEP
    return math.ceil(x - 1e-9) if up else math.floor(x + 1e-9)


def _haversine(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat), np.radians(lats)
    dl = np.radians(lons - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6_371_000 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def volunteers_of(community_id: int) -> list[Resource]:
    return list(
        Resource.objects.filter(
            community_id=community_id,
            kind=ResourceKind.PERSON,
            status=ResourceStatus.APPROVED,
            owner_user__isnull=False,
            owner_user__is_active=True,
        ).order_by("pk")
    )


def build(
    *,
    community_id: int,
    needs: Sequence[Need],
    window_start: dt.datetime,
    window_end: dt.datetime,
    volunteers: list[Resource] | None = None,
) -> Problem:
    vols = volunteers if volunteers is not None else volunteers_of(community_id)
    nv = len(vols)
    problem = Problem(list(needs), vols, [0] * nv)
    if not needs:
        return problem
    t0 = min(window_start, *(n.starts_at for n in needs))
    horizon = max(window_end, *(n.ends_at for n in needs)) + dt.timedelta(minutes=5)
    t_steps = _slot(horizon, t0, up=True) + 1
    vol_ids = [v.pk for v in vols]
    pos = {pk: j for j, pk in enumerate(vol_ids)}
    user_pos = {v.owner_user_id: j for j, v in enumerate(vols)}

    # Open steps per volunteer (weekly hours on their calendar days, less closure days).
    closures: dict[int, set[dt.date]] = defaultdict(set)
    for rid, day in ResourceClosure.objects.filter(
        resource_id__in=vol_ids, day__gte=t0.date() - dt.timedelta(days=1), day__lte=horizon.date()
    ).values_list("resource_id", "day"):
        closures[rid].add(day)
    working = WorkingDays()
    open_steps = np.zeros((nv, t_steps), dtype=np.int32)
    for j, v in enumerate(vols):
        for lo_t, hi_t in open_intervals(v, t0, horizon, closures.get(v.pk, ()), working):
            open_steps[j, _slot(lo_t, t0, up=True) : _slot(hi_t, t0, up=False)] = 1
    open_sum = np.zeros((nv, t_steps + 1), dtype=np.int32)
    np.cumsum(open_steps, axis=1, out=open_sum[:, 1:])
    del open_steps

    # Commitments: live invitations and accepted services overlapping the horizon.
    busy_steps = np.zeros((nv, t_steps), dtype=np.int32)
    live = Match.objects.filter(
        resource_id__in=vol_ids,
        status__in=LIVE,
        need__starts_at__lt=horizon,
        need__ends_at__gt=t0,
    ).values_list("resource_id", "need__starts_at", "need__ends_at", "need_id")
    tried: dict[int, set[int]] = defaultdict(set)
    for rid, n_start, n_end, _need in live:
        lo = max(0, _slot(n_start, t0, up=False))
        hi = min(t_steps, _slot(n_end, t0, up=True))
        busy_steps[pos[rid], lo:hi] = 1
    busy_sum = np.zeros((nv, t_steps + 1), dtype=np.int32)
    np.cumsum(busy_steps, axis=1, out=busy_sum[:, 1:])
    del busy_steps
    for nid, rid in Match.objects.filter(need_id__in=[n.pk for n in needs]).values_list(
        "need_id", "resource_id"
    ):
        tried[nid].add(rid)

    used = _counts(
        Match.objects.filter(
            resource_id__in=vol_ids,
            status__in=LIVE,
            need__starts_at__gte=window_start,
            need__starts_at__lt=window_end,
        )
    )
    problem.used = [used.get(pk, 0) for pk in vol_ids]
    since = timezone.now() - dt.timedelta(days=30)
    recent = _counts(
        Match.objects.filter(
            resource_id__in=vol_ids, status=MatchStatus.SERVED, need__starts_at__gte=since
        )
    )

    lats = np.array([np.nan if v.lat is None else v.lat for v in vols], dtype=np.float64)
    lons = np.array([np.nan if v.lon is None else v.lon for v in vols], dtype=np.float64)
    caps = np.array([v.capacity for v in vols], dtype=np.int64)
    reliab = np.round(
        scoring.RELIABILITY * np.array([v.reliability for v in vols], dtype=np.float64), 2
    )
    load = np.round(
        -scoring.LOAD_EACH * np.minimum([recent.get(pk, 0) for pk in vol_ids], 5).astype(float), 2
    )
    by_skill: dict[str, list[int]] = defaultdict(list)
    for j, v in enumerate(vols):
        for s in {v.category, *(v.skills or [])}:
            by_skill[s].append(j)
    skill_idx = {s: np.array(js, dtype=np.int64) for s, js in by_skill.items()}
    primary = np.array([v.category for v in vols], dtype=object)
    priority = service_priority([n.resident_id for n in needs if n.resident_id])

    empty = np.zeros(0, dtype=np.int64)
    for need in needs:
        c = skill_idx.get(need.skill, empty)
        # Nobody serves themselves, nor is asked twice for the same need.
        skip = set(tried.get(need.pk, ()))
        own = user_pos.get(need.requester_id)
        if own is not None:
            skip.add(vol_ids[own])
        if skip and len(c):
            c = c[~np.isin(np.array(vol_ids, dtype=np.int64)[c], list(skip))]
        reason = ""
        a, b = _slot(need.starts_at, t0, up=False), _slot(need.ends_at, t0, up=True)
        steps = max(b - a, 1)
        # The hard filters in order; the first that leaves nobody is the need's reason.
        for name in ("skill", "availability", "busy", "capacity", "distance"):
            if name == "availability":
                c = c[(open_sum[c, b] - open_sum[c, a]) > 0]
            elif name == "busy":
                c = c[(busy_sum[c, b] - busy_sum[c, a]) == 0]
            elif name == "capacity":
                c = c[caps[c] >= need.people]
            elif name == "distance" and need.lat is not None and need.lon is not None:
                d = _haversine(need.lat, need.lon, lats[c], lons[c])
                c = c[np.isnan(d) | (d <= need.max_distance_m)]
            if len(c) == 0:
                reason = name
                break
        if len(c) == 0:
            problem.per_need.append(
                NeedCandidates(c, np.zeros((len(TERMS), 0)), np.zeros(0), reason)
            )
            continue
        cov = (open_sum[c, b] - open_sum[c, a]) / steps
        fit = np.where(primary[c] == need.skill, scoring.FIT_PRIMARY, scoring.FIT_SECONDARY)
        if need.lat is None or need.lon is None:
            near = np.full(len(c), scoring.DISTANCE_UNKNOWN)
        else:
            d = _haversine(need.lat, need.lon, lats[c], lons[c])
            near = np.where(
                np.isnan(d),
                scoring.DISTANCE_UNKNOWN,
                scoring.DISTANCE * np.maximum(0.0, 1.0 - d / max(need.max_distance_m, 1)),
            )
        prio = scoring.PRIORITY_EACH * min(priority.get(need.resident_id or 0, 0), 3)
        terms = np.round(
            np.vstack(
                [
                    fit.astype(float),
                    near,
                    scoring.TIME * np.clip(cov, 0.0, 1.0),
                    np.full(len(c), prio),
                    reliab[c],
                    load[c],
                ]
            ),
            2,
        )
        problem.per_need.append(NeedCandidates(c, terms, np.round(terms.sum(axis=0), 2)))
    return problem


def _counts(qs: QuerySet[Match]) -> dict[int, int]:
    rows = qs.order_by().values("resource_id").annotate(n=Count("id"))
    return {r["resource_id"]: r["n"] for r in rows}


def open_needs_q(community_id: int, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(community_id=community_id, starts_at__gte=start, starts_at__lt=end)
