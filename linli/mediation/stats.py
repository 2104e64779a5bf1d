"""Counts of disputes for the evaluation app (EVAL-3, MEDIATE-2): aggregates only.

Success = agreements ÷ (agreements + failures) of disputes concluded in [start, end), the
same rule as `selectors.mediation_rates` (withdrawn and declined are not in the base)."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from linli.mediation.choices import Outcome
from linli.mediation.models import Dispute

GROUPS: dict[str, str | None] = {
    "all": None,
    "street": "community__street_id",
    "community": "community_id",
    "pilot": "community__is_pilot",
}


def dispute_counts(*, start: dt.datetime, end: dt.datetime, by: str) -> dict[str, dict[str, int]]:
    if by not in GROUPS:
        return {}
    path = GROUPS[by]
    qs = Dispute.objects.filter(concluded_at__gte=start, concluded_at__lt=end)
    counts: dict[str, Any] = {
        "agreements": Count("pk", filter=Q(outcome=Outcome.AGREEMENT)),
        "failures": Count("pk", filter=Q(outcome=Outcome.FAILURE)),
    }
    if path is None:
        row = qs.aggregate(**counts)
        return {"all": {k: int(v or 0) for k, v in row.items()}} if any(row.values()) else {}
    out: dict[str, dict[str, int]] = {}
    for row in qs.order_by().values(path).annotate(**counts):
        key = row.pop(path)
        out[("1" if key else "0") if isinstance(key, bool) else str(key)] = row
    return out
