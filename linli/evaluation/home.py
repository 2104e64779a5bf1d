"""What evaluation puts on the role home page."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.registry import Tile
from linli.evaluation.policy import DASHBOARD_ROLES


def tiles(user: Any) -> list[Tile]:
    if user.role not in DASHBOARD_ROLES:
        return []
    return [
        Tile(_("考核评估"), _("指标趋势、排名、各网格对比"), reverse("evaluation:dashboard"), 600)
    ]
