"""What the ledger puts on the role home page (every role has a time-bank home)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.registry import Tile


def tiles(user: Any) -> list[Tile]:
    return [Tile(_("时间银行与积分"), _("时间币、积分兑换、基金公示"), reverse("ledger:home"), 990)]
