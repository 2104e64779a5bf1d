"""Counts of disputes for the evaluation app (EVAL-3, MEDIATE-2): aggregates only.

Success = agreements ÷ (agreements + failures) of disputes concluded in [start, end), the
same rule as `selectors.mediation_rates` (withdrawn and declined are not in the base)."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from linli.mediation.choices import Outcome
from linli.mediation.models import Dispute

GROUPS: dict[str, str | None] = {
    "all": None,
    "street": "community__street_id",
    "community": "community_id",
    "pilot": "community__is_pilot",
}


# The dispute definitions of the figure, shared by the counts and the list behind a figure
# (`disputes_behind`), so the two cannot drift.
OUTCOMES = {"success": Q(outcome=Outcome.AGREEMENT), "failed": Q(outcome=Outcome.FAILURE)}


def counted(qs: QuerySet[Dispute], *, start: dt.datetime, end: dt.datetime) -> QuerySet[Dispute]:
    """Disputes concluded in [start, end)."""
    return qs.filter(concluded_at__gte=start, concluded_at__lt=end)


def dispute_counts(*, start: dt.datetime, end: dt.datetime, by: str) -> dict[str, dict[str, int]]:
    if by not in GROUPS:
        return {}
    path = GROUPS[by]
    qs = counted(Dispute.objects.all(), start=start, end=end)
    counts: dict[str, Any] = {
        "agreements": Count("pk", filter=OUTCOMES["success"]),
        "failures": Count("pk", filter=OUTCOMES["failed"]),
    }
    if path is None:
        row = qs.aggregate(**counts)
        return {"all": {k: int(v or 0) for k, v in row.items()}} if any(row.values()) else {}
    out: dict[str, dict[str, int]] = {}
    for row in qs.order_by().values(path).annotate(**counts):
        key = row.pop(path)
        out[("1" if key else "0") if isinstance(key, bool) else str(key)] = row
    return out


def disputes_behind(
    qs: QuerySet[Dispute],
    *,
    start: dt.datetime,
    end: dt.datetime,
    places: dict[str, int | bool],
    outcome: str = "",
) -> QuerySet[Dispute]:
    """The disputes behind one figure of `dispute_counts`: `places` a group (as in GROUPS),
    `outcome` "success" or "failed" (a count's numerator), "" for both (the denominator:
    withdrawn and declined are never in it)."""
    qs = counted(qs, start=start, end=end)
    for by, key in places.items():
        path = GROUPS[by]
        if path is not None:
            qs = qs.filter(**{path: key})
    return qs.filter(OUTCOMES[outcome] if outcome else OUTCOMES["success"] | OUTCOMES["failed"])
