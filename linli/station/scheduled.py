"""The station sweep (SERVE-2): the casework sweep's warning / overdue pattern on each open
application's working-day deadline.

warn: open, not yet warned, not yet due, less than a quarter of its window left
(3 × (due − now) < now − submitted). overdue: past the deadline and not yet marked; the
department's officers and the resident's community staff are told. A second run changes
nothing; rows another sweep holds are skipped (SKIP LOCKED).
Run by `manage.py station_sweep [--loop SECONDS]`."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.notifications.services import notification_send
from linli.geo.scope import community_handlers
from linli.station.choices import OPEN_STATUSES, AuditAction
from linli.station.models import Application
from linli.station.services.applications import _department_officers, application_url


@dataclass(frozen=True)
class SweepResult:
    warned: int = 0
    overdue: int = 0


def _tell(users: list[Any], application: Application, title: str) -> None:
    seen: set[int] = set()
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            notification_send(recipient=user, title=title, url=application_url(application))


@transaction.atomic
def station_sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    warned: list[int] = []
    overdue: list[int] = []
    rows = (
        Application.objects.filter(status__in=OPEN_STATUSES, overdue=False)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("service", "resident__household__building__grid")
        .order_by("pk")
    )
    for a in rows:
        if now >= a.due_at:
            a.overdue = True
            a.save(update_fields=["overdue", "updated_at"])
            overdue.append(a.pk)
            title = _("服务申请 %(no)s(%(service)s)已超过办理期限") % {
                "no": a.number,
                "service": a.service.name,
            }
            h = a.resident.household
            staff = community_handlers(h.building.grid.community_id) if h is not None else []
            _tell(_department_officers(a) + list(staff), a, title)
        elif a.warned_at is None and 3 * (a.due_at - now) < now - a.submitted_at:
            a.warned_at = now
            a.save(update_fields=["warned_at", "updated_at"])
            warned.append(a.pk)
            title = _("服务申请 %(no)s(%(service)s)临近办理期限,请抓紧办理") % {
                "no": a.number,
                "service": a.service.name,
            }
            _tell(_department_officers(a), a, title)
    if warned or overdue:
        audit_record(
            actor=None,
            action=AuditAction.SWEEP,
            object_type="station.application",
            data={"warned": warned, "overdue": overdue},
        )
    return SweepResult(len(warned), len(overdue))
