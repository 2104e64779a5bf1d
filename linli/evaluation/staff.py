"""EVAL-4: staff assessment from the frozen figures — a grid worker by the cases of their
grid(s) and the welfare visits that fell to them, a department officer by their
department's cases. Each sees their own; community staff their community's grid workers, a
street its street's, the district (supervisors, evaluators) everyone."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.core.roles import COMMUNITY_ROLES, Role
from linli.evaluation.models import SnapshotFigure
from linli.evaluation.policy import DISTRICT_ROLES
from linli.evaluation.selectors import grade, latest_snapshots
from linli.geo.scope import Scope

CASE_METRICS = ("on_time_close_rate", "satisfaction_rate", "resolution_rate")
STAFF_WEIGHTS = {"on_time_close_rate": 40, "satisfaction_rate": 30, "resolution_rate": 30}


@dataclass
class StaffRow:
    user_id: int
    name: str
    role: str
    place: str
    figures: dict[str, float | None]
    alerts: float | None  # welfare visits answered within 2 h, %
    score: float | None = None
    grade: str = ""


def _members(actor: Any) -> list[Membership]:
    qs = Membership.objects.filter(
        kind__in=(MembershipKind.GRID_WORKER, MembershipKind.DEPT_OFFICER), user__is_active=True
    ).select_related("user", "grid__community", "department")
    if actor.role in DISTRICT_ROLES:
        return list(qs)
    if actor.role in (Role.GRID_WORKER, Role.DEPT_OFFICER):
        return list(qs.filter(user=actor))
    scope = Scope.for_actor(actor)
    if actor.role in COMMUNITY_ROLES:
        place = Q(grid__community_id__in=sorted(scope.community_ids))
    elif actor.role == Role.STREET_ADMIN:
        place = Q(grid__community__street_id__in=sorted(scope.street_ids))
    else:
        return []
    return list(qs.filter(place, kind=MembershipKind.GRID_WORKER))


def _sum(rows: list[tuple[float, float | None]]) -> float | None:
    den = sum(d or 0 for _n, d in rows)
    return round(100 * sum(n for n, _d in rows) / den, 2) if den else None


def assessment(
    *, actor: Any, month: dt.date | None = None
) -> tuple[dt.date | None, list[StaffRow]]:
    snaps = latest_snapshots(24)
    snap = next((s for s in reversed(snaps) if month is None or s.month == month), None)
    if snap is None:
        return None, []
    people: dict[int, dict[str, Any]] = {}
    for m in _members(actor):
        p = people.setdefault(
            m.user_id, {"user": m.user, "grids": [], "departments": [], "places": []}
        )
        if m.kind == MembershipKind.GRID_WORKER and m.grid is not None:
            p["grids"].append(str(m.grid_id))
            p["places"].append(f"{m.grid.community.name}·{m.grid.name}")
        elif m.department is not None:
            p["departments"].append(str(m.department_id))
            p["places"].append(m.department.short_name or m.department.name)
    figs = SnapshotFigure.objects.filter(
        snapshot=snap, metric__in=(*CASE_METRICS, "alerts_answered_2h")
    )
    table: dict[tuple[str, str, str], tuple[float, float | None]] = {
        (f.metric, f.dimension, f.key): (f.numerator, f.denominator)
        for f in figs.filter(dimension__in=("grid", "department", "worker"))
    }
    rows = []
    for user_id, p in people.items():
        values: dict[str, float | None] = {}
        for metric in CASE_METRICS:
            parts = [table[(metric, "grid", k)] for k in p["grids"] if (metric, "grid", k) in table]
            parts += [
                table[(metric, "department", k)]
                for k in p["departments"]
                if (metric, "department", k) in table
            ]
            values[metric] = _sum(parts)
        alert = table.get(("alerts_answered_2h", "worker", str(user_id)))
        row = StaffRow(
            user_id=user_id,
            name=p["user"].full_name or p["user"].username,
            role=p["user"].get_role_display(),
            place="、".join(p["places"]),
            figures=values,
            alerts=_sum([alert]) if alert else None,
        )
        scored = [(STAFF_WEIGHTS[k], v) for k, v in values.items() if v is not None]
        weight = sum(w for w, _v in scored)
        row.score = round(sum(w * v for w, v in scored) / weight, 1) if weight else None
        row.grade = grade(row.score)
        rows.append(row)
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.name))
    return snap.month, rows
