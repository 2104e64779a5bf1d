"""Reads. A dispute is read through `Dispute.objects.visible_to(actor)` and every read of one
is audited like a resident record; lists carry no names or details. The success rates
(MEDIATE-2) are one function, used by the page, the API and (later) the evaluation app."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import NotFound, ValidationFailed
from linli.core.roles import Role
from linli.core.schemas import EARLIEST_DAY, LATEST_DAY
from linli.geo.scope import Scope
from linli.mediation.choices import AuditAction, DisputeType, Fulfilment, Outcome
from linli.mediation.models import Dispute, DisputeMediator, FollowUp
from linli.mediation.policy import RATES_ALL_ROLES

TARGET = 0.9  # plan §4.1: 调解成功率 ≥ 90%
SMALL_SAMPLE = 10  # fewer concluded disputes than this: a rate, not a verdict
GROUPS = ("community", "type", "mediator", "month")


def dispute_not_found() -> NotFound:
    return NotFound(_("找不到该纠纷。"))


def dispute_get(*, actor: Any, dispute_id: int, purpose: str = "") -> Dispute:
    """One dispute the actor may see; the read is audited (who, which, why)."""
    dispute = (
        Dispute.objects.visible_to(actor)
        .select_related("community", "building", "entered_by", "source_case")
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None:
        raise dispute_not_found()
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=dispute,
        data={"purpose": purpose or "查看纠纷"},
    )
    return dispute


def disputes_for(actor: Any) -> QuerySet[Dispute]:
    """The disputes the actor may see, open ones by deadline first (no names: not audited)."""
    return (
        Dispute.objects.visible_to(actor)
        .select_related("community")
        .order_by("concluded_at", "accept_due", "-id")
    )


def lead_names(dispute_ids: Iterable[int]) -> dict[int, str]:
    rows = DisputeMediator.objects.filter(dispute_id__in=list(dispute_ids), lead=True)
    return {
        r.dispute_id: r.mediator.user.display_name for r in rows.select_related("mediator__user")
    }


# ---- MEDIATE-2: success rates --------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    """success = agreements ÷ (agreements + failures). Withdrawn and declined disputes are
    counted beside it, never as success and never in its denominator; `withdrawn_share`
    shows how many left that way, so a rate kept high by withdrawals is visible."""

    key: str
    label: str
    agreements: int
    failures: int
    withdrawn: int
    declined: int
    followed_up: int  # agreements with a follow-up visit recorded
    fulfilled: int  # … whose latest visit found it fully performed
    recurred: int  # agreements whose parties came back with the same type within 6 months

    @property
    def concluded(self) -> int:
        return self.agreements + self.failures

    @property
    def success(self) -> float | None:
        return self.agreements / self.concluded if self.concluded else None

    @property
    def withdrawn_share(self) -> float | None:
        total = self.concluded + self.withdrawn
        return self.withdrawn / total if total else None

    @property
    def fulfilled_rate(self) -> float | None:
        return self.fulfilled / self.followed_up if self.followed_up else None

    @property
    def recurrence(self) -> float | None:
        return self.recurred / self.agreements if self.agreements else None

    @property
    def small_sample(self) -> bool:
        return self.concluded < SMALL_SAMPLE

    @property
    def meets_target(self) -> bool | None:
        """None for a small sample: 100% of three disputes is not a result."""
        if self.small_sample or self.success is None:
            return None
        return self.success >= TARGET


def rates_period(start: dt.date | None, end: dt.date | None, by: str) -> tuple[dt.date, dt.date]:
    """The period asked for (default: the year up to today), checked."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=364)
    if not EARLIEST_DAY <= start <= LATEST_DAY or not EARLIEST_DAY <= end <= LATEST_DAY:
        raise ValidationFailed(_("日期应在 2000 年到 2099 年之间。"), field="start")
    if start > end:
        raise ValidationFailed(_("开始日期不能晚于结束日期。"), field="start")
    if end - start > dt.timedelta(days=3 * 366):
        raise ValidationFailed(_("统计期间最长三年。"), field="start")
    if by not in GROUPS:
        raise ValidationFailed(_("分组方式应为 community、type、mediator 或 month。"), field="by")
    return start, end


def _rates_scope(actor: Any) -> QuerySet[Dispute]:
    qs = Dispute.objects.all()
    if actor.role in RATES_ALL_ROLES:
        return qs
    if actor.role == Role.MEDIATOR:
        return qs.filter(mediators__mediator__user=actor, mediators__lead=True)
    scope = Scope.for_actor(actor)
    if actor.role == Role.STREET_ADMIN:
        return qs.filter(community__street_id__in=sorted(scope.street_ids))
    return qs.filter(community_id__in=sorted(scope.community_ids))


def mediation_rates(
    *, actor: Any, start: dt.date, end: dt.date, by: str = "community"
) -> tuple[list[RateRow], RateRow]:
    """Rows per `by` (community, type, mediator, month) of the disputes concluded from
    `start` to `end` (local days, inclusive) in the actor's place, and the total."""
    if by not in GROUPS:
        raise ValueError(by)
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    rows = list(
        _rates_scope(actor)
        .filter(concluded_at__gte=lo, concluded_at__lt=hi)
        .values_list("pk", "community__name", "type", "concluded_at", "outcome")
        .distinct()
    )
    ids = [r[0] for r in rows]
    leads = lead_names(ids)
    latest: dict[int, str] = {}
    visits = FollowUp.objects.filter(dispute_id__in=ids, visited_at__isnull=False)
    for visit in visits.order_by("visited_at"):
        latest[visit.dispute_id] = visit.fulfilment
    recurred = set(
        Dispute.objects.filter(recurring_of_id__in=ids).values_list("recurring_of_id", flat=True)
    )
    types = dict(DisputeType.choices)
    key_of: dict[str, Callable[[tuple[Any, ...]], tuple[str, str]]] = {
        "community": lambda r: (r[1], r[1]),
        "type": lambda r: (r[2], str(types.get(r[2], r[2]))),
        "mediator": lambda r: (leads.get(r[0], ""), leads.get(r[0], "") or _("未指派")),
        "month": lambda r: (f"{timezone.localtime(r[3]):%Y-%m}",) * 2,
    }
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    everything: dict[str, int] = defaultdict(int)
    for row in rows:
        pk, outcome = row[0], row[4]
        tally: dict[str, str] = {
            Outcome.AGREEMENT: "agreements",
            Outcome.FAILURE: "failures",
            Outcome.WITHDRAWN: "withdrawn",
            Outcome.DECLINED: "declined",
        }
        names = [tally[outcome]] if outcome in tally else []
        if outcome == Outcome.AGREEMENT:
            if pk in latest:
                names.append("followed_up")
                if latest[pk] == Fulfilment.FULFILLED:
                    names.append("fulfilled")
            if pk in recurred:
                names.append("recurred")
        group = counts[key_of[by](row)]
        for name in names:
            group[name] += 1
            everything[name] += 1

    def make(key: str, label: str, c: dict[str, int]) -> RateRow:
        return RateRow(
            key=key,
            label=label,
            agreements=c["agreements"],
            failures=c["failures"],
            withdrawn=c["withdrawn"],
            declined=c["declined"],
            followed_up=c["followed_up"],
            fulfilled=c["fulfilled"],
            recurred=c["recurred"],
        )

    out = [make(k, label, c) for (k, label), c in sorted(counts.items())]
    return out, make("", _("合计"), everything)
