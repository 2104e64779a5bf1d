"""Counts of welfare alerts for the evaluation app (EVAL-3, CARE): aggregates only.

{group key: {count name: n}} for the alerts told to people (opened) in [start, end)."""

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from linli.care.models.alerts import WELFARE_RULES, Alert, AlertStatus, Outcome, Rule

ANSWER_WITHIN = dt.timedelta(hours=2)
GRID = "household__building__grid"
GROUPS: dict[str, str | None] = {
    "all": None,
    "street": f"{GRID}__community__street_id",
    "community": f"{GRID}__community_id",
    "grid": f"{GRID}_id",
    "pilot": f"{GRID}__community__is_pilot",
    "worker": "assigned_to_id",  # the grid worker the visit fell to (EVAL-4)
}
# A welfare alert that found nothing wrong with the person is still right when the house was
# silent for a reason; only a false alarm or a broken device makes it wrong.
WRONG = (Outcome.FALSE_ALARM, Outcome.DEVICE_FAULT)


# The alert definitions of the figures, shared by the counts and the list behind a figure
# (`alerts_behind`), so the two cannot drift.
ANSWERED_2H = Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("opened_at") + ANSWER_WITHIN)
JUDGED = Q(status=AlertStatus.CLOSED) & ~Q(outcome="")
RIGHT = JUDGED & ~Q(outcome__in=WRONG)
FLAGS = {"answered_2h": ANSWERED_2H, "judged": JUDGED, "right": RIGHT}


def counted(qs: QuerySet[Alert], *, start: dt.datetime, end: dt.datetime) -> QuerySet[Alert]:
    """The alerts a figure counts: welfare rules and one-key calls told to people (opened)
    in [start, end); those still waiting out a quiet period are not told yet."""
    return qs.filter(
        opened_at__gte=start,
        opened_at__lt=end,
        rule__in=(*WELFARE_RULES, Rule.CALL),
    ).exclude(status=AlertStatus.DEFERRED)


def alert_counts(*, start: dt.datetime, end: dt.datetime, by: str) -> dict[str, dict[str, int]]:
    """Alerts (welfare rules and one-key calls) opened in the period: answered (acknowledged)
    within two hours, closed with an outcome, and of those the ones not wrong."""
    if by not in GROUPS:
        return {}
    path = GROUPS[by]
    qs = counted(Alert.objects.all(), start=start, end=end)
    counts: dict[str, Any] = {
        "alerts": Count("pk"),
        "answered_2h": Count("pk", filter=ANSWERED_2H),
        "judged": Count("pk", filter=JUDGED),
        "right": Count("pk", filter=RIGHT),
    }
    if path is None:
        row = qs.aggregate(**counts)
        return {"all": {k: int(v or 0) for k, v in row.items()}} if row["alerts"] else {}
    out: dict[str, dict[str, int]] = {}
    for row in qs.order_by().values(path).annotate(**counts):
        key = row.pop(path)
        out[("1" if key else "0") if isinstance(key, bool) else str(key)] = row
    return out


def alerts_behind(
    qs: QuerySet[Alert],
    *,
    start: dt.datetime,
    end: dt.datetime,
    places: dict[str, int | bool | None],
    flags: dict[str, bool],
) -> QuerySet[Alert]:
    """The alerts behind one figure of `alert_counts`: `places` a group (as in GROUPS:
    community id, pilot True/False, worker None …), `flags` a count's condition wanted or not
    (answered_2h, judged, right)."""
    qs = counted(qs, start=start, end=end)
    for by, key in places.items():
        path = GROUPS[by]
        if path is not None:  # None: alerts with no one in that place (no worker)
            qs = qs.filter(**({f"{path}__isnull": True} if key is None else {path: key}))
    for name, wanted in flags.items():
        qs = qs.filter(FLAGS[name]) if wanted else qs.exclude(FLAGS[name])
    return qs


def home_service_counts(
    *, start: dt.datetime, end: dt.datetime, by: str
) -> dict[str, dict[str, int]]:
    """CARE-7: elderly living alone (tagged on the first day) and those of them with at
    least two home services in [start, end), per place."""
    from django.db.models import Count

    from linli.care.services.homecare import MONTHLY_MINIMUM
    from linli.geo.models import Community
    from linli.people.selectors import alone_elderly

    if by not in ("all", "street", "community", "grid", "pilot"):
        return {}
    in_period = Q(home_services__provided_at__gte=start, home_services__provided_at__lt=end)
    out: dict[str, dict[str, int]] = {}
    for community in Community.objects.all():
        rows = (
            alone_elderly(community_id=community.pk, on=start.date())
            .annotate(done=Count("home_services", filter=in_period))
            .values_list("household__building__grid_id", "done")
        )
        for grid_id, done in rows:
            key = {
                "all": "all",
                "street": str(community.street_id),
                "community": str(community.pk),
                "grid": str(grid_id),
                "pilot": "1" if community.is_pilot else "0",
            }[by]
            c = out.setdefault(key, {"elderly": 0, "served": 0})
            c["elderly"] += 1
            c["served"] += int(done >= MONTHLY_MINIMUM)
    return out
