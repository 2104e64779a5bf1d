"""The care sweep (CARE-3..5): run every few minutes (`manage.py care_sweep --loop 300`, or
the `care_sweep_task`), and the nightly electricity baseline refresh
(`manage.py care_sweep --baseline`, `baseline_refresh_task`).

One sweep, in one transaction, in this order:
1. one query over DeviceState finds the rows that matter (`services/scan.py`); door events
   since the last sweep are sorted into outings (`services/outings.py`) and the homes whose
   person has not gone out for days are found (one query);
2. the first sweep of each hour snapshots every electricity register and finds the meters
   far below their baseline (`services/baseline.py`);
3. the candidate homes (from the scan, the active welfare alerts and the electricity
   suspects) are loaded whole in a few chunked queries; maintenance tasks (offline, stuck,
   battery) are opened and resolved first, so a meter just found stuck is not trusted by
   the rules, which then judge the homes in Python (`services/rules.py`);
4. active welfare alerts whose condition no longer holds are resolved (nobody has taken
   them yet); deferred alerts whose quiet period ended are opened and told; new alerts
   are opened in bulk (one per household and rule, one welfare alert
   per household at a time), deferred in quiet hours, told per grid worker;
5. escalation of alerts not acknowledged by their due time.
Sweeps are serialised by a row lock on CareDefaults (a second sweep meanwhile skips).
Before it, in its own short transaction, the readings' month partitions for the coming months
are made if missing (PostgreSQL; `services/partitions.py`).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from linli.care.models import (
    ACTIVE_ALERT_STATUSES,
    CONCERN_RULES,
    WELFARE_RULES,
    Alert,
    AlertStatus,
    CareDefaults,
)
from linli.care.services.alerts import (
    alerts_escalate,
    alerts_open_many,
    alerts_release,
    alerts_resolve,
)
from linli.care.services.baseline import (
    baseline_refresh,
    judge_electricity,
    power_snapshot,
    power_suspects,
)
from linli.care.services.maintenance import maintenance_sweep
from linli.care.services.outings import outings_update
from linli.care.services.partitions import partitions_ensure
from linli.care.services.rules import (
    Candidate,
    Home,
    defaults_get,
    homes_load,
    judge_no_movement,
    judge_no_water,
    judge_not_out,
    not_out_suspects,
    still_holds,
)
from linli.care.services.scan import states_scan

__all__ = ["SweepResult", "baseline_refresh", "care_sweep"]


@dataclass(frozen=True)
class SweepResult:
    opened: int = 0
    deferred: int = 0
    released: int = 0
    resolved: int = 0
    escalated: int = 0
    tasks_opened: int = 0
    tasks_resolved: int = 0
    homes_judged: int = 0
    power_hour: bool = False  # this sweep took the hourly snapshot and judged electricity
    skipped: bool = False  # another sweep held the lock


def care_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """One pass over every monitored household. Safe to run often and on several workers."""
    now = now or timezone.now()
    defaults_get()  # the lock row must exist before it can be locked
    partitions_ensure(now=now)
    with transaction.atomic():
        d = CareDefaults.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if d is None:
            return SweepResult(skipped=True)
        scan = states_scan(now=now, d=d)
        outings_update(now=now, d=d)
        staying_in = not_out_suspects(now=now, d=d)
        hour = power_snapshot(now=now, d=d)
        power = power_suspects(hour=hour, d=d) if hour is not None else []
        active = list(
            Alert.objects.select_for_update(of=("self",))
            .filter(status__in=ACTIVE_ALERT_STATUSES, rule__in=WELFARE_RULES + CONCERN_RULES)
            .select_related("assigned_to")
        )
        suspects = scan.water | scan.movement | {s[1] for s in scan.stuck}
        suspects |= {a.household_id for a in active} | {p.household_id for p in power}
        suspects |= staying_in
        homes = homes_load(suspects, now=now)
        tasks, tasks_resolved = maintenance_sweep(now=now, d=d, scan=scan, homes=homes)
        resolved = _resolve(active, homes, now)
        released = alerts_release(now=now)  # after resolving: a moot one is not told
        candidates: list[Candidate] = []
        for home in homes.values():
            for judge in (judge_no_water, judge_no_movement):
                found = judge(home, now=now, d=d)
                if found is not None:
                    candidates.append(found)
            if home.household_id in staying_in:
                found = judge_not_out(home, now=now, d=d, sorted_until=d.outings_checked_until)
                if found is not None:
                    candidates.append(found)
        for p in power:
            found = judge_electricity(homes[p.household_id], p, now=now, d=d)
            if found is not None:
                candidates.append(found)
        profiles = {pk: h.profile for pk, h in homes.items()}
        created = alerts_open_many(candidates, now=now, profiles=profiles, defaults=d)
        escalated = alerts_escalate(now=now, defaults=d)
    deferred = sum(1 for a in created if a.status == AlertStatus.DEFERRED)
    return SweepResult(
        opened=len(created) - deferred,
        deferred=deferred,
        released=released,
        resolved=resolved,
        escalated=escalated,
        tasks_opened=len(tasks),
        tasks_resolved=tasks_resolved,
        homes_judged=len(homes),
        power_hour=hour is not None,
    )


def _resolve(active: list[Alert], homes: dict[int, Home], now: dt.datetime) -> int:
    """Resolve active welfare and concern alerts nobody has taken yet whose condition no
    longer holds."""
    by_reason: dict[str, list[Alert]] = {}
    for a in active:
        if a.status == AlertStatus.ACKNOWLEDGED:
            continue
        reason = still_holds(a, homes[a.household_id], now=now)
        if reason:
            by_reason.setdefault(reason, []).append(a)
    return sum(alerts_resolve(group, now=now, reason=r) for r, group in by_reason.items())
