"""What care puts on the role home page."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.care.policy import can_open_board, can_work, is_family
from linli.core.registry import Tile


def tiles(user: Any) -> list[Tile]:
    out = []
    if can_work(user):
        out.append(Tile(_("看护提醒"), _("上门查看、一键呼叫"), reverse("care:worker"), 300))
    if can_open_board(user):
        out.append(Tile(_("智慧养老看板"), _("设备、提醒、上门服务"), reverse("care:board"), 310))
    if is_family(user):
        out.append(Tile(_("家人看护"), _("设备、提醒、外出登记"), reverse("care:family"), 320))
    return out
