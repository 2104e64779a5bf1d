"""Visits at the door (走访) in two taps: seen / not home / needs help. Idempotent on the
phone's UUID: the same upload stored once however often it arrives (the unique constraint
decides under a race). "Needs help" opens a case for the resident through casework's
intake (channel 人工窗口代办: the worker enters it on the resident's behalf), prefilled."""

import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.choices import Channel
from linli.casework.services.intake import CaseInput, case_submit
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.text import optional_text
from linli.fieldwork.choices import AuditAction, LifeEventKind, Outcome
from linli.fieldwork.models import LifeEvent, Visit
from linli.fieldwork.policy import FIELD_ROLES, LIFE_EVENT_ROLES
from linli.fieldwork.services.today import mark_done
from linli.geo.models import Building
from linli.geo.scope import Scope
from linli.people.selectors import ResidentBrief, residents_brief

HELP_CATEGORY = "21-02"  # 上门照护申请: what a visit's "needs help" asks for by default
PURPOSE = "网格走访"
CLOCK_SKEW = dt.timedelta(minutes=10)
OLDEST = dt.timedelta(days=30)  # an outbox older than this is refused, not back-dated


@dataclass(frozen=True)
class VisitInput:
    uuid: str
    resident_id: int
    outcome: str
    at: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    note: str = ""
    help_category: str = ""


def parse_uuid(value: str) -> uuidlib.UUID:
    try:
        return uuidlib.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise ValidationFailed(_("记录编号无效。"), field="uuid") from None


def clean_time(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SKEW or at < now - OLDEST:
        raise ValidationFailed(_("记录时间不在允许范围内(30天内,且不晚于现在)。"), field="at")
    return at


def clean_point(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed(_("位置坐标无效。"), field="lat")
    return lat, lon


def _resident(actor: Any, resident_id: int) -> ResidentBrief:
    """A resident of one of the worker's own grids (a volunteer grid is not enough)."""
    found = residents_brief(actor=actor, ids=[resident_id], purpose=PURPOSE, limit=1)
    brief = found.get(resident_id)
    if brief is None or brief.grid_id not in Scope.for_actor(actor).grid_ids:
        raise NotFound(_("没有找到这位居民,或不在您的网格内。"))
    return brief


def visit_record(*, actor: Any, data: VisitInput) -> tuple[Visit, bool]:
    """(the visit, whether this call created it). A repeat of a stored UUID by the same
    worker returns the stored visit unchanged; by anyone else it is refused."""
    if actor.role not in FIELD_ROLES:
        raise PermissionDenied(_("只有网格员可以记录走访。"))
    key = parse_uuid(data.uuid)
    existing = Visit.objects.filter(uuid=key).first()
    if existing is not None:
        return _same_worker(existing, actor), False
    if data.outcome not in Outcome.values:
        raise ValidationFailed(_("请选择走访结果。"), field="outcome")
    now = timezone.now()
    at = clean_time(data.at, now)
    lat, lon = clean_point(data.lat, data.lon)
    note = optional_text(data.note, field="note", label=_("备注"), max_length=300)
    brief = _resident(actor, data.resident_id)
    assert brief.grid_id is not None and brief.household_id is not None  # _resident checked
    try:
        with transaction.atomic():
            # The claim first: a parallel upload of the same UUID waits here, then fails.
            visit = Visit.objects.create(
                uuid=key,
                resident_id=brief.id,
                grid_id=brief.grid_id,
                worker=actor,
                outcome=data.outcome,
                at=at,
                lat=lat,
                lon=lon,
                note=note,
            )
            if data.outcome == Outcome.NEEDS_HELP:
                visit.case = _help_case(actor, brief, data.help_category or HELP_CATEGORY, note)
                visit.save(update_fields=["case"])
            audit_record(
                actor=actor,
                action=AuditAction.VISIT_RECORDED,
                obj=visit,
                data={"resident": brief.id, "outcome": data.outcome},
            )
            mark_done(resident_id=brief.id, at=now)
    except IntegrityError:
        stored = Visit.objects.filter(uuid=key).first()
        if stored is None:
            raise
        return _same_worker(stored, actor), False
    return visit, True


def _same_worker(visit: Visit, actor: Any) -> Visit:
    if visit.worker_id != actor.pk:
        raise Conflict(_("记录编号已被使用。"), code="uuid_taken", field="uuid")
    return visit


def _help_case(actor: Any, brief: ResidentBrief, category: str, note: str) -> Any:
    building = Building.objects.get(households__pk=brief.household_id or 0)
    text = _("走访时居民需要帮助。") + (note or "")
    return case_submit(
        actor=actor,
        data=CaseInput(
            category_code=category,
            description=text,
            lat=building.lat,
            lon=building.lon,
            address=brief.address,
        ),
        channel=Channel.WINDOW,
        resident=_resident_row(brief.id),
    )


def _resident_row(resident_id: int) -> Any:
    # casework's foreign key needs the row; the brief above already checked reach and audited.
    from linli.people.models import Resident

    return Resident.objects.get(pk=resident_id)


def visits_of(resident_id: int, limit: int = 20) -> list[Visit]:
    return list(
        Visit.objects.filter(resident_id=resident_id)
        .select_related("worker", "case")
        .order_by("-at", "-pk")[:limit]
    )


def life_event_record(
    *, actor: Any, resident_id: int, kind: str = LifeEventKind.BEREAVEMENT
) -> LifeEvent:
    """A bereavement recorded by staff of the resident's place: a visit within 24 h."""
    if actor.role not in LIFE_EVENT_ROLES:
        raise PermissionDenied(_("您的账号不能登记重大变故。"))
    if kind not in LifeEventKind.values:
        raise ValidationFailed(_("请选择变故类型。"), field="kind")
    found = residents_brief(actor=actor, ids=[resident_id], purpose=PURPOSE, limit=1)
    if resident_id not in found:
        raise NotFound(_("没有找到这位居民。"))
    event = LifeEvent.objects.create(
        resident_id=resident_id, kind=kind, occurred_at=timezone.now(), recorded_by=actor
    )
    audit_record(actor=actor, action=AuditAction.LIFE_EVENT, obj=event, data={"kind": kind})
    return event
