"""What deliberation puts on the role home page."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.registry import Tile
from linli.deliberation.policy import MANAGE_ROLES, READ_ROLES


def tiles(user: Any) -> list[Tile]:
    if user.role in MANAGE_ROLES:
        return [
            Tile(_("居民议事"), _("议题、表决、纸质选票、会议"), reverse("deliberation:list"), 420)
        ]
    if user.role in READ_ROLES:
        return [Tile(_("投票表决"), _("参加投票、查看结果"), reverse("deliberation:list"), 120)]
    return []
