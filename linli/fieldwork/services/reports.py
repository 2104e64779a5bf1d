"""Patrol reports (主动发现): a grid worker's find becomes a case with channel "proactive"
through casework's intake (its photo checks: content, size, location data stripped).

Idempotent on the phone's UUID: the `PatrolReport` row is claimed first in the transaction,
so a parallel upload of the same UUID waits on the unique index and then finds the stored
report — no second case, no second set of photos."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.choices import Channel
from linli.casework.services.intake import CaseInput, case_submit
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.fieldwork.choices import AuditAction
from linli.fieldwork.models import PatrolReport
from linli.fieldwork.policy import FIELD_ROLES
from linli.fieldwork.services.visits import clean_time, parse_uuid
from linli.geo.scope import Scope


@dataclass(frozen=True)
class ReportInput:
    uuid: str
    category_code: str
    description: str
    lat: float
    lon: float
    address: str = ""
    at: dt.datetime | None = None


def report_file(
    *, actor: Any, data: ReportInput, photos: Sequence[bytes] = ()
) -> tuple[PatrolReport, bool]:
    """(the report, whether this call created it)."""
    if actor.role not in FIELD_ROLES:
        raise PermissionDenied(_("只有网格员可以主动上报。"))
    key = parse_uuid(data.uuid)
    existing = PatrolReport.objects.filter(uuid=key).select_related("case").first()
    if existing is not None:
        return _same_worker(existing, actor), False
    now = timezone.now()
    at = clean_time(data.at, now)
    try:
        with transaction.atomic():
            # The claim first: a parallel upload of the same UUID waits here, then fails,
            # before it writes a case or a photo.
            report = PatrolReport.objects.create(uuid=key, worker=actor, at=at)
            case = case_submit(
                actor=actor,
                data=CaseInput(
                    category_code=data.category_code,
                    description=data.description,
                    lat=data.lat,
                    lon=data.lon,
                    address=data.address,
                ),
                channel=Channel.PROACTIVE,
                photos=photos,
            )
            if case.grid_id not in Scope.for_actor(actor).grid_ids:
                raise ValidationFailed(_("该位置不在您负责的网格内。"), field="location")
            report.case, report.grid_id = case, case.grid_id
            report.save(update_fields=["case", "grid"])
            audit_record(
                actor=actor,
                action=AuditAction.REPORT_FILED,
                obj=report,
                data={"case": case.pk, "photos": len(photos)},
            )
    except IntegrityError:
        stored = PatrolReport.objects.filter(uuid=key).select_related("case").first()
        if stored is None:
            raise
        return _same_worker(stored, actor), False
    return report, True


def _same_worker(report: PatrolReport, actor: Any) -> PatrolReport:
    if report.worker_id != actor.pk:
        raise Conflict(_("记录编号已被使用。"), code="uuid_taken", field="uuid")
    return report
