"""What people puts on the role home page: records, grants, rights, audit; "my place"."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from linli.core.registry import Tile
from linli.core.roles import Role
from linli.geo.scope import Scope, grid_workers
from linli.people.models import Resident
from linli.people.policy import (
    can_decide_grants,
    can_handle_requests,
    can_list,
    can_read_audit,
    can_request_grant,
)


def tiles(user: Any) -> list[Tile]:
    out = []
    if can_list(user):
        out.append(Tile(_("居民档案"), _("一人一档,查看需留痕"), reverse("people:list"), 200))
    if can_request_grant(user):
        title = _("数据访问审批") if can_decide_grants(user) else _("我的查看申请")
        out.append(Tile(title, _("敏感信息须说明用途、经批准"), reverse("people:grants"), 210))
    if user.role == Role.RESIDENT:
        out.append(Tile(_("我的信息"), _("看、改、导出我的信息"), reverse("people:me"), 220))
    elif user.role == Role.FAMILY:
        out.append(Tile(_("我的家人"), _("家人愿意分享的信息"), reverse("people:family"), 220))
    elif can_handle_requests(user):
        title, hint = _("更正申请"), _("居民申请更正的信息")
        out.append(Tile(title, hint, reverse("people:corrections"), 220))
    out += [Tile(**t, order=400) for t in audit_tiles(user)]
    return out


def audit_tiles(user: Any) -> list[dict[str, str]]:
    """The audit report's tile, for the secretary and the street office."""
    if not can_read_audit(user):
        return []
    return [
        {
            "title": _("数据使用审计"),
            "hint": _("谁查看了居民档案,有无异常"),
            "url": reverse("people:audit"),
        }
    ]


def my_place(user: Any) -> dict[str, Any]:
    """A resident's own home, grid and grid worker; staff get the residents in their grids."""
    resident = (
        Resident.objects.filter(user=user)
        .select_related("household__building__grid__community")
        .first()
    )
    if resident is not None and resident.household is not None:
        grid = resident.household.building.grid
        worker = grid_workers([grid.pk]).get(grid.pk)
        return {
            "home": str(resident.household),
            "grid": grid.name,
            "community": grid.community.name,
            "grid_worker": worker.display_name if worker else "",
            # The grid worker's work number: one tap to ring them (PLAT-2).
            "grid_worker_phone": worker.phone if worker else "",
        }
    grids = Scope.for_actor(user).grids()
    if not grids.exists():
        return {}
    count = Resident.objects.filter(household__building__grid__in=grids).count()
    return {"stats": [(pgettext_lazy("count", "居民"), count)]}
