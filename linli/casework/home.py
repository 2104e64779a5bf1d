"""What casework puts on the role home page."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.casework.policy import (
    REPORTER_ROLES,
    STAFF_ENTRY_ROLES,
    STAFF_VIEW_ROLES,
    WHISTLE_BOARD_ROLES,
)
from linli.core.registry import Tile


def tiles(user: Any) -> list[Tile]:
    out = []
    if user.role in REPORTER_ROLES:
        out.append(
            Tile(_("我要反映"), _("拍照、选位置、说一句话"), reverse("casework:report"), 100)
        )
        out.append(
            Tile(_("我的诉求"), _("查看办理进度、评价"), reverse("casework:mine"), order=110)
        )
    if user.role in STAFF_ENTRY_ROLES:
        out.append(
            Tile(_("代办登记"), _("窗口、热线、意见箱"), reverse("casework:staff_report"), 120)
        )
    if user.role in STAFF_VIEW_ROLES:
        out.append(
            Tile(_("诉求工作台"), _("待办、派遣、处置、超期"), reverse("casework:queue"), 130)
        )
    if user.role in WHISTLE_BOARD_ROLES:
        out.append(
            Tile(_("吹哨报到"), _("被叫部门报到与逾期"), reverse("casework:whistles"), order=140)
        )
    return out
