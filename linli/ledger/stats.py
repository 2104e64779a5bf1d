"""Sums for the evaluation app (EVAL-3, LEDGER): volunteer hours confirmed, points issued
and redeemed in [start, end). Aggregates only."""

import datetime as dt

from django.db.models import Q, Sum

from linli.ledger.models.funds import Disbursement
from linli.ledger.models.points import PointAward, Voucher, VoucherStatus
from linli.ledger.models.timebank import RecordStatus, ServiceRecord

GROUPS: dict[str, str | None] = {
    "all": None,
    "street": "community__street_id",
    "community": "community_id",
    "grid": "grid_id",
    "pilot": "community__is_pilot",
}


def _key(value: object) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def volunteer_minutes(
    *, start: dt.datetime, end: dt.datetime, by: str
) -> dict[str, dict[str, int]]:
    """Confirmed service records served in the period (local days), in minutes."""
    if by not in GROUPS:
        return {}
    path = GROUPS[by]
    qs = ServiceRecord.objects.filter(
        status=RecordStatus.CONFIRMED, served_on__gte=start.date(), served_on__lt=end.date()
    )
    if path is None:
        total = qs.aggregate(n=Sum("minutes"))["n"]
        return {"all": {"minutes": total}} if total else {}
    rows = qs.order_by().values_list(path).annotate(n=Sum("minutes"))
    return {_key(k): {"minutes": n} for k, n in rows if k is not None}


def points_flow(*, start: dt.datetime, end: dt.datetime, by: str) -> dict[str, dict[str, int]]:
    """Points awarded and points spent on vouchers (not cancelled) in the period, district
    wide (a point belongs to a person, not to a place)."""
    if by != "all":
        return {}
    issued = (
        PointAward.objects.filter(
            awarded_on__gte=start.date(), awarded_on__lt=end.date()
        ).aggregate(n=Sum("points"))["n"]
        or 0
    )
    redeemed = (
        Voucher.objects.filter(created_at__gte=start, created_at__lt=end)
        .filter(~Q(status=VoucherStatus.CANCELLED))
        .aggregate(n=Sum("points"))["n"]
        or 0
    )
    if not issued and not redeemed:
        return {}
    return {"all": {"issued": issued, "redeemed": redeemed}}


def project_disbursed(*, project_id: int, start: dt.date, end: dt.date) -> int:
    """Fen paid to one fund project on local days [start, end) (EVAL-2's cost per person)."""
    total = Disbursement.objects.filter(
        project_id=project_id,
        created_at__date__gte=start,
        created_at__date__lt=end,
    ).aggregate(n=Sum("amount"))["n"]
    return int(total or 0)
