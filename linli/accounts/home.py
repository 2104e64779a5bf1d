"""What accounts puts on the role home page: the user's posts and the admin tiles."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.registry import Tile
from linli.core.roles import Role

API_DOC_ROLES = (Role.SYSADMIN, Role.STREET_ADMIN, Role.SUPERVISOR)


def tiles(user: Any) -> list[Tile]:
    out = []
    if user.role == Role.SYSADMIN:
        out.append(Tile(_("系统管理"), _("分类、责任清单、账号"), reverse("admin:index"), 920))
    if user.role in API_DOC_ROLES:
        out.append(Tile(_("接口文档"), "OpenAPI", reverse("api:openapi-view"), 930))
    return out


def memberships(user: Any) -> dict[str, Any]:
    rows = user.memberships.select_related("grid", "community", "street", "department")
    return {
        "memberships": [
            {"place": str(m.grid or m.community or m.street or m.department or "")} for m in rows
        ]
    }
