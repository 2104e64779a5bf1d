"""Precision of the alerts per rule over time (CARE-5), from the visits' outcomes.

An alert counts once it has been dealt with in the period: closed by a visit (closed_at in
[since, until)) or resolved automatically after someone had been told (a deferred alert
that resolved before its quiet period ended bothered nobody and is not counted).
Confirmed = outcome 平安 (the person was found, or found away, after a justified alert) or
需要帮助. Precision = confirmed / counted; 误报, 设备故障 and automatic resolutions are
the misses.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q

from linli.care.models import Alert, AlertStatus, Outcome, Rule


@dataclass(frozen=True)
class RuleStats:
    rule: str
    label: str
    counted: int
    safe: int
    needed_help: int
    false_alarm: int
    device_fault: int
    resolved_auto: int

    @property
    def confirmed(self) -> int:
        return self.safe + self.needed_help

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.counted if self.counted else None


def precision_report(
    *, since: dt.datetime, until: dt.datetime, community: Any = None
) -> list[RuleStats]:
    """One row per rule (all rules, zeros included), in Rule order."""
    qs = Alert.objects.filter(closed_at__gte=since, closed_at__lt=until).filter(
        Q(status=AlertStatus.CLOSED)
        | Q(status=AlertStatus.RESOLVED_AUTO, opened_at__lte=F("closed_at"))
    )
    if community is not None:
        qs = qs.filter(household__building__grid__community=community)

    def n(**kw: Any) -> Count:
        return Count("pk", filter=Q(**kw))

    rows: dict[str, dict[str, Any]] = {
        r["rule"]: dict(r)
        for r in qs.values("rule").annotate(
            counted=Count("pk"),
            safe=n(outcome=Outcome.SAFE),
            needed_help=n(outcome=Outcome.NEEDED_HELP),
            false_alarm=n(outcome=Outcome.FALSE_ALARM),
            device_fault=n(outcome=Outcome.DEVICE_FAULT),
            resolved_auto=n(status=AlertStatus.RESOLVED_AUTO),
        )
    }
    out = []
    for rule in Rule:
        r = rows.get(rule.value, {})
        out.append(
            RuleStats(
                rule=rule.value,
                label=str(rule.label),
                counted=r.get("counted", 0),
                safe=r.get("safe", 0),
                needed_help=r.get("needed_help", 0),
                false_alarm=r.get("false_alarm", 0),
                device_fault=r.get("device_fault", 0),
                resolved_auto=r.get("resolved_auto", 0),
            )
        )
    return out
