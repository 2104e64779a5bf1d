"""Needs (MATCH-2): a resident publishes one for themselves, staff on a resident's behalf
(代办), or staff turn a resident request (casework) of a service category into one."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.selectors import case_get
from linli.core.errors import NotFound, ValidationFailed
from linli.core.text import optional_text, require_text
from linli.geo.models import Household
from linli.matching import policy
from linli.matching.choices import (
    CASE_CATEGORY_SKILL,
    AuditAction,
    MatchStatus,
    NeedStatus,
    Skill,
)
from linli.matching.models import Need
from linli.matching.services.common import record, tell
from linli.people.selectors import resident_of_user, residents_brief

MAX_HOURS = 12
AHEAD_DAYS = 90
PURPOSE = "服务需求代办"


@dataclass
class NeedInput:
    skill: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    detail: str = ""
    people: int = 1
    urgent: bool = False
    max_distance_m: int = 3000
    resident_id: int | None = None  # 代办: the resident served


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    now = timezone.now()
    if starts_at <= now:
        raise ValidationFailed(_("开始时间不能早于现在。"), field="starts_at")
    if starts_at > now + dt.timedelta(days=AHEAD_DAYS):
        raise ValidationFailed(_("只能发布 90 天内的需求。"), field="starts_at")
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间。"), field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=MAX_HOURS):
        raise ValidationFailed(_("一次需求最长 12 小时。"), field="ends_at")


def _home(household_id: int | None) -> tuple[float | None, float | None]:
    if household_id is None:
        return None, None
    h = Household.objects.select_related("building").filter(pk=household_id).first()
    if h is None:
        return None, None
    return h.building.lat, h.building.lon


def _validated(data: NeedInput) -> dict[str, Any]:
    if data.skill not in Skill.values:
        raise ValidationFailed(_("请选择需要的服务。"), field="skill")
    _check_times(data.starts_at, data.ends_at)
    if not 1 <= data.people <= 500:
        raise ValidationFailed(_("人数应在 1 到 500 之间。"), field="people")
    if not 100 <= data.max_distance_m <= 50_000:
        raise ValidationFailed(_("距离上限应在 100 米到 50 公里之间。"), field="max_distance_m")
    return {
        "skill": data.skill,
        "title": require_text(data.title, field="title", label=_("需求"), max_length=100),
        "detail": optional_text(data.detail, field="detail", label=_("补充说明"), max_length=300),
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "people": data.people,
        "urgent": bool(data.urgent),
        "max_distance_m": data.max_distance_m,
    }


@transaction.atomic
def need_publish(*, actor: Any, data: NeedInput) -> Need:
    """For oneself, or (staff, grid workers) for a resident they may name: 代办."""
    fields = _validated(data)
    if data.resident_id is not None and data.resident_id != getattr(
        resident_of_user(actor), "id", None
    ):
        if actor.role not in policy.STAFF_ROLES and actor.role != "grid_worker":
            raise ValidationFailed(_("只有工作人员可以代居民发布需求。"), field="resident_id")
        found = residents_brief(actor=actor, ids=[data.resident_id], purpose=PURPOSE, limit=1)
        brief = found.get(data.resident_id)
        if brief is None:
            raise NotFound(_("找不到该居民。"), field="resident_id")
        requester_id = brief.user_id
    else:
        brief = resident_of_user(actor)
        if brief is None:
            raise ValidationFailed(
                _("您还没有登记住址,请到社区服务站或请网格员代办。"), field="resident_id"
            )
        requester_id = actor.pk
    if brief.community_id is None:
        raise ValidationFailed(_("该居民没有登记住址所在社区。"), field="resident_id")
    lat, lon = _home(brief.household_id)
    need = Need.objects.create(
        community_id=brief.community_id,
        grid_id=brief.grid_id,
        resident_id=brief.id,
        requester_id=requester_id,
        entered_by=actor,
        lat=lat,
        lon=lon,
        **fields,
    )
    record(actor, AuditAction.NEED, need, step="publish", on_behalf=requester_id != actor.pk)
    return need


@transaction.atomic
def need_from_case(
    *, actor: Any, case_id: int, starts_at: dt.datetime, ends_at: dt.datetime
) -> Need:
    """A resident request whose category is a service need becomes a need: its category,
    text, place and the resident are carried over; staff give only the time."""
    case = case_get(actor=actor, case_id=case_id)
    if not policy.manages(actor, case.community_id):
        raise NotFound(_("找不到该诉求。"))
    skill = CASE_CATEGORY_SKILL.get(case.category.code)
    if skill is None:
        raise ValidationFailed(
            _("「%(category)s」不是服务类诉求,不能转为服务需求。")
            % {"category": case.category.name},
            field="case_id",
        )
    if Need.objects.filter(source_case=case).exclude(status=NeedStatus.CANCELLED).exists():
        raise ValidationFailed(_("该诉求已转为服务需求。"), code="already_converted")
    _check_times(starts_at, ends_at)
    resident_id = case.resident_id
    if resident_id is None and case.reporter_id is not None:
        home = resident_of_user(case.reporter)
        resident_id = home.id if home is not None else None
    need = Need.objects.create(
        community_id=case.community_id,
        grid_id=case.grid_id,
        resident_id=resident_id,
        requester_id=case.reporter_id,
        entered_by=actor,
        source_case=case,
        skill=skill,
        title=case.category.name,
        detail=case.description[:300],
        starts_at=starts_at,
        ends_at=ends_at,
        lat=case.lat,
        lon=case.lon,
    )
    record(actor, AuditAction.NEED, need, step="from_case", case=case.pk)
    return need


@transaction.atomic
def need_cancel(*, actor: Any, need: Need) -> Need:
    need = Need.objects.select_for_update().get(pk=need.pk)
    policy.require(actor, need, policy.Action.CANCEL)
    before = need.status
    need.status = NeedStatus.CANCELLED
    need.save(update_fields=["status", "updated_at"])
    for m in need.matches.filter(status=MatchStatus.INVITED).select_related("volunteer"):
        m.status = MatchStatus.SUPERSEDED
        m.save(update_fields=["status", "updated_at"])
        tell(m.volunteer, _("「%(title)s」已取消,无需前往") % {"title": need.title})
    record(actor, AuditAction.NEED, need, step="cancel", before=before)
    return need
