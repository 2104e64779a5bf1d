"""Visit quotas by risk tier (§7.4): weekly for high-risk elderly, monthly for key groups,
quarterly for other elderly — rows of `VisitQuota`, editable; these are the defaults."""

from linli.fieldwork.choices import Tier
from linli.fieldwork.models import VisitQuota

DEFAULTS = {Tier.HIGH: (7, 0), Tier.KEY: (30, 0), Tier.OTHER: (90, 60)}


def quotas() -> dict[str, VisitQuota]:
    """tier → its quota row (missing defaults created)."""
    rows = {q.tier: q for q in VisitQuota.objects.all()}
    for tier, (days, age) in DEFAULTS.items():
        if tier not in rows:
            rows[tier], _ = VisitQuota.objects.get_or_create(
                tier=tier, defaults={"interval_days": days, "min_age": age}
            )
    return rows


def change_hours(q: dict[str, VisitQuota]) -> int:
    return q[Tier.HIGH].change_hours
