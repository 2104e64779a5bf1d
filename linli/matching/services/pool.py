"""The resource pool (MATCH-1): staff curate it; partners and residents list their own,
which staff approve. Offers (MATCH-2) are published on approved resources."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.core.text import optional_text, require_text
from linli.geo.models import Community, Grid
from linli.matching.availability import parse_hours
from linli.matching.choices import (
    AuditAction,
    CalendarRule,
    OwnerKind,
    ResourceKind,
    ResourceStatus,
    Skill,
)
from linli.matching.models import Offer, Partner, Resource, ResourceClosure
from linli.matching.policy import manages
from linli.matching.services.common import record, tell
from linli.people.selectors import resident_of_user

MAX_CAPACITY = 10_000


@dataclass
class ResourceInput:
    kind: str
    name: str
    category: str
    community_id: int | None = None
    description: str = ""
    skills: list[str] = field(default_factory=list)
    capacity: int = 1
    conditions: str = ""
    points_asked: int = 0
    hours: list[list[Any]] = field(default_factory=list)
    calendar_rule: str = CalendarRule.ALL
    grid_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    partner_id: int | None = None


def _choice(value: str, choices: Any, field_name: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(_("请选择%(label)s。") % {"label": label}, field=field_name)
    return value


def _place(actor: Any, data: ResourceInput) -> tuple[int, Grid | None]:
    """The community the resource is in: staff name theirs, others list in their home's."""
    if actor.role in (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.SYSADMIN):
        if data.community_id is None or not manages(actor, data.community_id):
            raise ValidationFailed(_("请选择您负责的社区。"), field="community_id")
        community_id = data.community_id
    elif data.partner_id is not None:
        partner = Partner.objects.filter(pk=data.partner_id, user=actor, active=True).first()
        if partner is None:
            raise NotFound(_("找不到该合伙单位。"), field="partner_id")
        community_id = partner.community_id
    else:
        home = resident_of_user(actor)
        if home is None or home.community_id is None:
            raise ValidationFailed(_("您还没有登记住址,请联系社区工作人员。"), field="community_id")
        community_id = home.community_id
    grid = None
    if data.grid_id is not None:
        grid = Grid.objects.filter(pk=data.grid_id, community_id=community_id).first()
        if grid is None:
            raise ValidationFailed(_("网格不在该社区内。"), field="grid_id")
    return community_id, grid


@transaction.atomic
def resource_create(*, actor: Any, data: ResourceInput) -> Resource:
    kind = _choice(data.kind, ResourceKind, "kind", _("资源类型"))
    category = _choice(data.category, Skill, "category", _("类别"))
    skills = sorted({_choice(s, Skill, "skills", _("技能")) for s in data.skills} - {category})
    rule = _choice(data.calendar_rule, CalendarRule, "calendar_rule", _("适用日期"))
    if not 1 <= data.capacity <= MAX_CAPACITY:
        raise ValidationFailed(_("容量应在 1 到 10000 之间。"), field="capacity")
    if not 0 <= data.points_asked <= 100_000:
        raise ValidationFailed(_("所需积分应在 0 到 100000 之间。"), field="points_asked")
    hours = [[d, a.strftime("%H:%M"), b.strftime("%H:%M")] for d, a, b in parse_hours(data.hours)]
    community_id, grid = _place(actor, data)
    staff = manages(actor, community_id)
    partner = Partner.objects.filter(pk=data.partner_id).first() if data.partner_id else None
    if staff and partner is None:
        owner = OwnerKind.COMMUNITY if kind != ResourceKind.PERSON else OwnerKind.RESIDENT
    else:
        owner = OwnerKind.PARTNER if partner is not None else OwnerKind.RESIDENT
    lat, lon = data.lat, data.lon
    if (lat is None or lon is None) and grid is not None:
        lat, lon = (grid.min_lat + grid.max_lat) / 2, (grid.min_lon + grid.max_lon) / 2
    resource = Resource.objects.create(
        kind=kind,
        name=require_text(data.name, field="name", label=_("名称"), max_length=100),
        description=optional_text(
            data.description, field="description", label=_("说明"), max_length=300
        ),
        owner_kind=owner,
        owner_user=None if owner == OwnerKind.COMMUNITY else actor,
        partner=partner,
        community_id=community_id,
        grid=grid,
        lat=lat,
        lon=lon,
        category=category,
        skills=skills,
        capacity=data.capacity,
        conditions=optional_text(
            data.conditions, field="conditions", label=_("资源换服务条件"), max_length=200
        ),
        points_asked=data.points_asked,
        hours=hours,
        calendar_rule=rule,
        # Staff curate the pool directly; what others list waits for their approval.
        status=ResourceStatus.APPROVED if staff else ResourceStatus.PENDING,
        reviewed_by=actor if staff else None,
    )
    record(actor, AuditAction.RESOURCE, resource, step="create", status=resource.status)
    return resource


def _lock_managed(actor: Any, resource_id: int) -> Resource:
    found = Resource.objects.select_for_update().filter(pk=resource_id).first()
    if found is None or not manages(actor, found.community_id):
        raise NotFound(_("找不到该资源。"))
    return found


@transaction.atomic
def resource_review(*, actor: Any, resource_id: int, approve: bool) -> Resource:
    resource = _lock_managed(actor, resource_id)
    if resource.status != ResourceStatus.PENDING:
        raise ValidationFailed(
            _("该资源当前为「%(status)s」,无需审核。") % {"status": resource.get_status_display()},
            code="not_pending",
        )
    resource.status = ResourceStatus.APPROVED if approve else ResourceStatus.REJECTED
    resource.reviewed_by = actor
    resource.save(update_fields=["status", "reviewed_by", "updated_at"])
    record(actor, AuditAction.RESOURCE, resource, step="review", status=resource.status)
    tell(
        resource.owner_user,
        _("您登记的资源「%(name)s」%(status)s")
        % {"name": resource.name, "status": resource.get_status_display()},
    )
    return resource


@transaction.atomic
def resource_close_day(
    *, actor: Any, resource_id: int, day: dt.date, reason: str
) -> ResourceClosure:
    """An exception to the weekly hours (a holiday event, maintenance)."""
    resource = _lock_managed(actor, resource_id)
    reason = optional_text(reason, field="reason", label=_("原因"), max_length=100)
    closure, _made = ResourceClosure.objects.update_or_create(
        resource=resource, day=day, defaults={"reason": reason}
    )
    record(actor, AuditAction.RESOURCE, resource, step="close_day", day=day.isoformat())
    return closure


@transaction.atomic
def offer_publish(
    *, actor: Any, resource_id: int, title: str, starts_at: dt.datetime, ends_at: dt.datetime
) -> Offer:
    resource = Resource.objects.filter(pk=resource_id).select_related("partner").first()
    if resource is None:
        raise NotFound(_("找不到该资源。"))
    own = resource.owner_user_id == actor.pk or (
        resource.partner is not None and resource.partner.user_id == actor.pk
    )
    if not (own or manages(actor, resource.community_id)):
        raise PermissionDenied(_("只能为自己的资源发布供给。"))
    if resource.status != ResourceStatus.APPROVED:
        raise ValidationFailed(_("资源审核通过后才能发布供给。"), code="not_approved")
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间。"), field="ends_at")
    if ends_at <= timezone.now():
        raise ValidationFailed(_("不能发布已经过去的时段。"), field="ends_at")
    offer = Offer.objects.create(
        resource=resource,
        title=require_text(title, field="title", label=_("标题"), max_length=100),
        starts_at=starts_at,
        ends_at=ends_at,
        published_by=actor,
    )
    record(actor, AuditAction.OFFER, offer, resource=resource.pk)
    return offer


def community_or_404(community_id: int) -> Community:
    found = Community.objects.filter(pk=community_id).first()
    if found is None:
        raise NotFound(_("找不到该社区。"))
    return found
