"""Welfare alerts (CARE-3..5): opening, quiet hours, escalation, automatic resolution.

- At most one open alert per household and rule (a conditional unique constraint over the
  statuses deferred/open/acknowledged). The sweep also opens no second *welfare* alert for a
  household that already has one: the visit on its way covers it.
- Away periods suppress welfare alerts; a one-key call (rule CALL) ignores them and quiet
  hours.
- Quiet hours (per person): an alert found then is stored as `deferred` with `opened_at` at
  the end of the quiet period; the sweep opens it then (if it still holds) — deferred, never
  dropped.
- An open alert is a visit task for the grid worker of the household's grid, due
  `visit_hours` (2 h) later; a concern (not out for days) is due by the end of the working
  day (the next working day when found after CONCERN_LAST_START), and is not opened while
  a welfare alert's visit is on its way. Not acknowledged by then → community workers
  (level 1), then family per `alert_audience` (level 2: only relatives the resident chose
  to tell), each with a new due time `escalation_hours` later.
- An alert auto-resolves (status resolved_auto, no outcome) when its condition no longer
  holds: late readings show use or activity inside its window (whatever its status), or
  new activity, an away period or a disabled profile (while nobody has taken it yet).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.choices import AuditAction
from linli.care.models import (
    ACTIVE_ALERT_STATUSES,
    CONCERN_RULES,
    WELFARE_RULES,
    Alert,
    AlertStatus,
    CareDefaults,
    CareProfile,
    Device,
    EscalationLevel,
    Rule,
)
from linli.care.services.alert_people import Outbox, Place, family_of, places
from linli.care.services.precision import RuleStats, precision_report
from linli.care.services.recheck import contradicted
from linli.care.services.rules import Candidate, defaults_get, homes_load, still_holds
from linli.core.audit.services import audit_record
from linli.core.calendar.selectors import is_working_day
from linli.core.errors import ValidationFailed
from linli.geo.scope import community_staff, grid_workers

__all__ = [
    "RuleStats",
    "alert_open",
    "alerts_escalate",
    "alerts_open_many",
    "alerts_recheck",
    "alerts_release",
    "alerts_resolve",
    "precision_report",
    "quiet_until",
]

AUDIT_IDS = 1000
ALERT_TYPE = "care.alert"
# A concern visit is due by the end of a working day; one found late in the day goes to the
# next working day.
CONCERN_DUE = dt.time(18, 0)
CONCERN_LAST_START = dt.time(16, 0)


def concern_due(opened: dt.datetime) -> dt.datetime:
    """The end of the working day a concern found at `opened` is to be visited by."""
    local = timezone.localtime(opened)
    day = local.date()
    if local.time() >= CONCERN_LAST_START:
        day += dt.timedelta(days=1)
    while not is_working_day(day):  # weekends and holidays: the calendar has an end
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, CONCERN_DUE, tzinfo=timezone.get_default_timezone())


def quiet_until(profile: CareProfile | None, now: dt.datetime) -> dt.datetime | None:
    """The end of the person's quiet period if `now` falls in it (crossing midnight works)."""
    if profile is None or profile.quiet_start is None or profile.quiet_end is None:
        return None
    start, end = profile.quiet_start, profile.quiet_end
    local = timezone.localtime(now)
    t = local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside or start == end:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += dt.timedelta(days=1)
    return until


def _audit(action: str, ids: list[int], now: dt.datetime, **data: Any) -> None:
    for i in range(0, len(ids), AUDIT_IDS):
        chunk = ids[i : i + AUDIT_IDS]
        audit_record(
            actor=None,
            action=action,
            object_type=ALERT_TYPE,
            object_id=str(chunk[0]) if len(chunk) == 1 else "",
            data={"alerts": chunk, "count": len(chunk), "at": now.isoformat(), **data},
        )


def _tell_grid_workers(alerts: Sequence[Alert], where: dict[int, Place]) -> None:
    """The grid worker of each alert's grid; where the grid has none, the community workers
    at once (they may take such an alert)."""
    outbox = Outbox(
        title_one="看护提醒:{address} {rule}", title_many="看护提醒:{count} 户需要上门查看"
    )
    workers = {a.assigned_to_id: a.assigned_to for a in alerts if a.assigned_to_id}
    orphans = [a for a in alerts if not a.assigned_to_id]
    staff = community_staff({where[a.household_id].community_id for a in orphans})
    for a in alerts:
        place = where[a.household_id]
        if a.assigned_to_id:
            outbox.add([workers[a.assigned_to_id]], a, place)
        else:
            outbox.add(staff.get(place.community_id, []), a, place)
    outbox.send()  # inbox rows in this transaction; the SMS goes out after commit


def alerts_open_many(
    candidates: Sequence[Candidate],
    *,
    now: dt.datetime,
    profiles: dict[int, CareProfile | None] | None = None,
    defaults: CareDefaults | None = None,
    notify: bool = True,
) -> list[Alert]:
    """Open the candidates that are not already open (per household and rule; for welfare
    rules per household). Call inside a transaction. Returns the alerts created."""
    if not candidates:
        return []
    d = defaults or defaults_get()
    ids = {c.household_id for c in candidates}
    active = set(
        Alert.objects.filter(household_id__in=ids, status__in=ACTIVE_ALERT_STATUSES).values_list(
            "household_id", "rule"
        )
    )
    welfare_busy = {h for h, r in active if r in WELFARE_RULES}
    if profiles is None:
        profiles = {p.household_id: p for p in CareProfile.objects.filter(household_id__in=ids)}
    where = places(ids)
    workers = grid_workers({p.grid_id for p in where.values()})
    new: list[Alert] = []
    seen: set[tuple[int, str]] = set()
    visit = dt.timedelta(hours=d.visit_hours)
    for c in candidates:
        key = (c.household_id, c.rule)
        if key in active or key in seen or c.household_id not in where:
            continue
        welfare = c.rule in WELFARE_RULES
        concern = c.rule in CONCERN_RULES
        if (welfare or concern) and c.household_id in welfare_busy:
            continue
        quiet = quiet_until(profiles.get(c.household_id), now) if welfare or concern else None
        opened = quiet or now
        new.append(
            Alert(
                household_id=c.household_id,
                resident_id=c.resident_id,
                rule=c.rule,
                status=AlertStatus.DEFERRED if quiet else AlertStatus.OPEN,
                since=c.since,
                detected_at=now,
                opened_at=opened,
                due_at=concern_due(opened) if concern else opened + visit,
                assigned_to=workers.get(where[c.household_id].grid_id),
                evidence=c.evidence,
            )
        )
        seen.add(key)
        if welfare:
            welfare_busy.add(c.household_id)
    if not new:
        return []
    created = Alert.objects.bulk_create(new)
    _audit(AuditAction.ALERTS_OPENED, [a.pk for a in created], now)
    if notify:
        _tell_grid_workers([a for a in created if a.status == AlertStatus.OPEN], where)
    return created


def alert_open(
    *,
    household: Any,
    rule: str,
    resident: Any = None,
    resident_id: int | None = None,
    evidence: dict[str, Any],
    now: dt.datetime,
    since: dt.datetime | None = None,
    notify: bool = True,
) -> Alert | None:
    """Open one alert (a one-key call, or a rule judged outside the sweep). Returns None when
    one is already open for this household and rule, the person is away (welfare rules) or
    monitoring is off; a quiet-hours welfare alert comes back deferred. `notify=False`
    leaves telling people to the caller (a call's message carries the location). The person
    is `resident` (a record) or `resident_id`."""
    if rule not in Rule.values:
        raise ValidationFailed(_("没有这种看护规则。"), field="rule")
    resident_id = getattr(resident, "pk", None) or resident_id
    if rule in WELFARE_RULES + CONCERN_RULES:
        home = homes_load([household.pk], now=now)[household.pk]
        if not home.enabled or home.away_now:
            return None
        resident_id = resident_id or home.resident_id
    candidate = Candidate(household.pk, resident_id, rule, since or now, dict(evidence))
    try:
        with transaction.atomic():
            created = alerts_open_many([candidate], now=now, notify=notify)
    except IntegrityError:  # opened by a concurrent caller: the constraint keeps one
        return None
    return created[0] if created else None


def alerts_resolve(alerts: Sequence[Alert], *, now: dt.datetime, reason: str) -> int:
    """Mark alerts resolved_auto and tell whoever was already told. Inside a transaction."""
    if not alerts:
        return 0
    ids = [a.pk for a in alerts]
    Alert.objects.filter(pk__in=ids, status__in=ACTIVE_ALERT_STATUSES).update(
        status=AlertStatus.RESOLVED_AUTO, closed_at=now, note=reason, updated_at=now
    )
    _audit(AuditAction.ALERTS_RESOLVED, ids, now, reason=reason)
    told = [a for a in alerts if a.status != AlertStatus.DEFERRED and a.assigned_to_id]
    if told:
        where = places(a.household_id for a in told)
        outbox = Outbox(
            title_one="看护提醒已解除:{address} {rule}",
            title_many="看护提醒已解除:{count} 户",
            body_one=f"{reason},无需上门。",
        )
        for a in told:
            outbox.add([a.assigned_to], a, where[a.household_id])
        outbox.send()
    return len(ids)


def alerts_release(*, now: dt.datetime) -> int:
    """Deferred alerts whose quiet period has ended become open and are told."""
    due = list(
        Alert.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=AlertStatus.DEFERRED, opened_at__lte=now)
        .select_related("assigned_to")
    )
    if not due:
        return 0
    Alert.objects.filter(pk__in=[a.pk for a in due]).update(status=AlertStatus.OPEN, updated_at=now)
    for a in due:
        a.status = AlertStatus.OPEN
    _audit(AuditAction.ALERTS_RELEASED, [a.pk for a in due], now)
    _tell_grid_workers(due, places(a.household_id for a in due))
    return len(due)


def alerts_escalate(*, now: dt.datetime, defaults: CareDefaults | None = None) -> int:
    """Open alerts nobody acknowledged by their due time go up one level (CARE-5)."""
    d = defaults or defaults_get()
    step = dt.timedelta(hours=d.escalation_hours)
    late = list(
        Alert.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            status=AlertStatus.OPEN,
            due_at__lte=now,
            escalation_level__lt=EscalationLevel.FAMILY,
        )
        .order_by("pk")
    )
    if not late:
        return 0
    where = places(a.household_id for a in late)
    staff = community_staff({p.community_id for p in where.values()})
    family = family_of({a.resident_id for a in late if a.resident_id})
    to_staff = Outbox(
        title_one="看护提醒超时未接单:{address} {rule}",
        title_many="看护提醒超时未接单:{count} 户",
        body_one="{rule}。网格员未按时接单,请安排人员在 {due} 前上门查看。",
    )
    to_family = Outbox(
        title_one="家人看护提醒:{rule}",
        title_many="家人看护提醒:{count} 条",
        body_one="{rule}。社区正在安排上门查看,请尽快联系您的家人或社区。",
    )
    batches = {
        level: [a for a in late if a.escalation_level == level - 1]
        for level in (EscalationLevel.COMMUNITY, EscalationLevel.FAMILY)
    }
    for level, batch in batches.items():
        if not batch:
            continue
        Alert.objects.filter(pk__in=[a.pk for a in batch]).update(
            escalation_level=level, escalated_at=now, due_at=now + step, updated_at=now
        )
        for a in batch:
            a.escalation_level, a.escalated_at, a.due_at = level, now, now + step
            place = where[a.household_id]
            if level == EscalationLevel.COMMUNITY:
                to_staff.add(staff.get(place.community_id, []), a, place)
            else:
                to_family.add(family.get(a.resident_id or 0, []), a, place)
        _audit(AuditAction.ALERTS_ESCALATED, [a.pk for a in batch], now, level=int(level))
    to_staff.send()
    to_family.send()
    return len(late)


def alerts_recheck(*, device_ids: list[int]) -> None:
    """After late readings (called by ingest after commit): re-judge the active welfare
    alerts of these devices' households and resolve those the readings now contradict."""
    households = set(
        Device.objects.filter(pk__in=device_ids).values_list("household_id", flat=True)
    )
    if not households:
        return
    now = timezone.now()
    with transaction.atomic():
        alerts = list(
            Alert.objects.select_for_update(of=("self",))
            .filter(
                household_id__in=households,
                status__in=ACTIVE_ALERT_STATUSES,
                rule__in=WELFARE_RULES,
            )
            .order_by("pk")
        )
        if not alerts:
            return
        homes = homes_load({a.household_id for a in alerts}, now=now)
        late_use = [a for a in alerts if contradicted(a, homes[a.household_id])]
        alerts_resolve(late_use, now=now, reason="迟到的读数显示期间有用水或活动")
        by_reason: dict[str, list[Alert]] = {}
        for a in alerts:
            if a in late_use or a.status == AlertStatus.ACKNOWLEDGED:
                continue
            reason = still_holds(a, homes[a.household_id], now=now)
            if reason:
                by_reason.setdefault(reason, []).append(a)
        for reason, group in by_reason.items():
            alerts_resolve(group, now=now, reason=reason)
