"""What the station puts on the role home page."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.registry import Tile
from linli.station.policy import DECIDE_ROLES, SELF_ROLES, WINDOW_ROLES


def tiles(user: Any) -> list[Tile]:
    if user.role in SELF_ROLES:
        return [
            Tile(
                _("办事服务"),
                _("老年证、高龄津贴、体检预约,一次办好"),
                reverse("station:index"),
                250,
            )
        ]
    if user.role in WINDOW_ROLES:
        return [Tile(_("综合服务窗口"), _("为居民代办服务事项"), reverse("station:window"), 250)]
    if user.role in DECIDE_ROLES:
        return [
            Tile(_("服务申请审批"), _("本部门待受理、待审批的申请"), reverse("station:queue"), 250)
        ]
    return []
