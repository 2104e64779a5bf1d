"""What mediation puts on the role home page."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.registry import Tile
from linli.mediation.models import DisputeParty
from linli.mediation.policy import INTAKE_ROLES, can_see_rates


def tiles(user: Any) -> list[Tile]:
    out = []
    if user.role in INTAKE_ROLES:
        out.append(Tile(_("矛盾调解"), _("登记纠纷、调解、回访"), reverse("mediation:list"), 400))
    elif DisputeParty.objects.filter(resident__user=user).exists():
        out.append(Tile(_("我的调解"), _("调解进度与协议"), reverse("mediation:list"), 400))
    if can_see_rates(user):
        out.append(
            Tile(_("调解成功率"), _("按社区、类型、调解员、月份"), reverse("mediation:rates"), 410)
        )
    return out
