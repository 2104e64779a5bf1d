"""What matching puts on the role home page."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.registry import Tile
from linli.matching.policy import STAFF_ROLES, VOLUNTEER_ROLES


def tiles(user: Any) -> list[Tile]:
    if user.role in STAFF_ROLES:
        return [
            Tile(_("资源匹配"), _("资源池、需求、匹配、场地预约"), reverse("matching:staff"), 420)
        ]
    out = [
        Tile(_("找帮手 · 订场地"), _("发布需求、附近资源、我的预约"), reverse("matching:home"), 420)
    ]
    if user.role in VOLUNTEER_ROLES:
        out.append(
            Tile(_("服务邀请"), _("为什么是我、一键接受"), reverse("matching:invitations"), 421)
        )
    return out
