"""Service tiers and home services (CARE-7, plan §7.4 and §4.1).

Tiers by ability level (老年人能力等级): 自理 → 照护包, 半失能 → 上门助浴, 失能 → 医养结合
机构转介; everyone may also receive the common services (保洁, 送餐, 健康随访, 探访). Every
elderly person living alone (tag `alone_elderly`) is to get at least two home services a
month; `short_of_services` lists those falling short in a month.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.choices import AuditAction
from linli.care.models import HomeService, ServiceKind
from linli.care.policy import ALERT_VIEW_ROLES, can_record_service
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.people.choices import Ability
from linli.people.selectors import alone_elderly, resident_reachable

MONTHLY_MINIMUM = 2
TIERS: dict[str, ServiceKind] = {
    Ability.SELF_CARE: ServiceKind.CARE_PACK,
    Ability.SEMI: ServiceKind.BATHING,
    Ability.DISABLED: ServiceKind.MEDICAL_LINK,
}
COMMON = (ServiceKind.CLEANING, ServiceKind.MEALS, ServiceKind.HEALTH_VISIT, ServiceKind.COMPANY)
PROVIDER_MAX = 100
NOTE_MAX = 300
FUTURE_SLACK = dt.timedelta(minutes=5)


def services_for_ability(ability: str) -> list[ServiceKind]:
    """The person's tier service first, then the services everyone may receive."""
    tier = TIERS.get(ability)
    return ([tier] if tier else []) + list(COMMON)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, first instant of the next month) in local time, for any day of it."""
    first = month_start(month)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=tz),
        dt.datetime.combine(following, dt.time(), tzinfo=tz),
    )


def _clean(
    kind: str, provided_at: dt.datetime, provider: str, note: str, now: dt.datetime
) -> tuple[dt.datetime, str, str]:
    if kind not in ServiceKind.values:
        raise ValidationFailed(_("请选择服务项目。"), field="kind")
    if timezone.is_naive(provided_at):
        provided_at = timezone.make_aware(provided_at)
    if provided_at > now + FUTURE_SLACK:
        raise ValidationFailed(
            _("服务时间不能晚于现在;还没做的服务请做完再登记。"), field="provided_at"
        )
    earliest = month_bounds(month_start(timezone.localdate(now)) - dt.timedelta(days=1))[0]
    if provided_at < earliest:
        raise ValidationFailed(_("只能补登上个月以来的服务。"), field="provided_at")
    who = (provider or "").strip()
    if not who:
        raise ValidationFailed(_("请填写服务人员或服务单位。"), field="provider")
    if len(who) > PROVIDER_MAX:
        raise ValidationFailed(
            _("服务人员或单位不能超过 %(max)s 字。") % {"max": PROVIDER_MAX}, field="provider"
        )
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationFailed(_("备注不能超过 %(max)s 字。") % {"max": NOTE_MAX}, field="note")
    return provided_at, who, text


@transaction.atomic
def home_service_record(
    *,
    actor: Any,
    resident_id: int,
    kind: str,
    provided_at: dt.datetime,
    provider: str,
    note: str = "",
) -> HomeService:
    """登记一次上门服务, by the grid worker or community staff of the person's place."""
    # Staff of a place reach the people living there; anyone else finds nobody.
    in_place = getattr(actor, "role", None) in ALERT_VIEW_ROLES
    if not (in_place and resident_reachable(actor=actor, resident_id=resident_id)):
        raise NotFound(_("没有找到这位居民。"))
    if not can_record_service(actor):
        raise PermissionDenied(_("上门服务由网格员或社区工作人员登记。"))
    now = timezone.now()
    provided_at, who, text = _clean(kind, provided_at, provider, note, now)
    if HomeService.objects.filter(
        resident_id=resident_id, kind=kind, provided_at=provided_at
    ).exists():
        raise Conflict(_("这次服务已经登记过了。"), code="duplicate")
    service = HomeService.objects.create(
        resident_id=resident_id,
        kind=kind,
        provided_at=provided_at,
        provider_name=who,
        note=text,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.HOME_SERVICE_RECORD,
        obj=service,
        data={"resident": resident_id, "kind": kind},
    )
    return service


@dataclass(frozen=True)
class ShortOfServices:
    resident_id: int
    full_name: str
    address: str
    grid: str
    ability: str
    done: int
    missing: int
    suggested: str


def short_of_services(*, community: Any, month: dt.date, grid: Any = None) -> list[ShortOfServices]:
    """独居老人 with fewer than two home services in the month, fewest first (one query)."""
    start, end = month_bounds(month)
    in_month = Q(home_services__provided_at__gte=start, home_services__provided_at__lt=end)
    rows = (
        alone_elderly(community_id=community.pk, on=start.date(), grid_id=grid.pk if grid else None)
        .annotate(done=Count("home_services", filter=in_month))
        .filter(done__lt=MONTHLY_MINIMUM)
        .select_related("household__building__grid")
        .order_by("done", "household__building__grid__code", "household__building__name", "pk")
    )
    out = []
    for r in rows:
        kinds = services_for_ability(r.ability)
        out.append(
            ShortOfServices(
                resident_id=r.pk,
                full_name=r.full_name,
                address=r.address,
                grid=r.household.building.grid.name if r.household else "",
                ability=r.get_ability_display() if r.ability else "未评估",
                done=r.done,
                missing=MONTHLY_MINIMUM - r.done,
                suggested=str(kinds[0].label),
            )
        )
    return out


def services_month_counts(*, community: Any, month: dt.date) -> dict[str, int]:
    """Home services given in the community in the month, per kind (board)."""
    start, end = month_bounds(month)
    rows = (
        HomeService.objects.filter(
            resident__household__building__grid__community=community,
            provided_at__gte=start,
            provided_at__lt=end,
        )
        .values("kind")
        .annotate(n=Count("pk"))
    )
    return {r["kind"]: r["n"] for r in rows}
