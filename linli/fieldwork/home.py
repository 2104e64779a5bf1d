"""What the grid worker's day adds elsewhere: home tiles, and the visit history section of
the resident record page (people shows it on its audited record view)."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.registry import Tile
from linli.core.roles import Role
from linli.fieldwork.policy import FIELD_ROLES, OVERSIGHT_ROLES
from linli.fieldwork.services.visits import visits_of
from linli.people.record_sections import RecordSection

# Who sees the visit history on a record: staff who work with the person, not the resident
# (their own page shows their data through people's export), not family.
HISTORY_ROLES = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.SYSADMIN,
)


def tiles(user: Any) -> list[Tile]:
    out = []
    if user.role in FIELD_ROLES:
        out.append(
            Tile(_("今日任务"), _("探访、临期诉求、巡查,离线可用"), reverse("fieldwork:today"), 90)
        )
    if user.role in OVERSIGHT_ROLES:
        out.append(
            Tile(_("网格员工作"), _("覆盖情况、主动发现、漏报"), reverse("fieldwork:coverage"), 420)
        )
    return out


def visit_history(*, actor: Any, resident: Any) -> RecordSection | None:
    if actor.role not in HISTORY_ROLES:
        return None
    rows: list[tuple[str, ...]] = []
    for v in visits_of(resident.pk):
        cells = (
            f"{timezone.localtime(v.at):%Y-%m-%d %H:%M}",
            str(v.get_outcome_display()),
            v.worker.full_name or v.worker.username,
            v.case.tracking_no if v.case else "",
        )
        rows.append(tuple(x for x in cells if x))
    return RecordSection("visits", _("走访记录"), rows, _("还没有走访记录。"))
