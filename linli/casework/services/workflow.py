"""CASE-4: the workflow. Each function is one step of `policy.TRANSITIONS`: lock → check
the table (who, from which status) → validate → save → record the step (timeline + audit)
→ the reporter's message (delivered after commit). Illegal steps raise Conflict."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.choices import OPEN_STATUSES, Action, EventKind, Status
from linli.casework.deadlines import case_deadlines
from linli.casework.models import Case, CasePhoto, Category
from linli.casework.policy import can_manage, require
from linli.casework.services.common import lock, record_step, refuse_unless
from linli.casework.services.intake import attach_photos, process_photos
from linli.core.errors import ValidationFailed
from linli.core.text import optional_text, require_text
from linli.geo.choices import HandlingLevel
from linli.geo.models import Department

FOLLOW_UP_AFTER = dt.timedelta(days=3)
DEFERRAL_LONGEST = dt.timedelta(days=366)


def _save(case: Case, *fields: str) -> None:
    case.save(update_fields=[*fields, "status", "updated_at"])


@transaction.atomic
def case_register(*, actor: Any, case: Case, category_code: str = "") -> Case:
    """立案; a resident who chose "其他 / 不确定" leaves the category to staff, given here
    (a private category makes the case private; deadlines stay as promised at intake)."""
    case = lock(case)
    step = require(actor, case, Action.REGISTER)
    note = ""
    if category_code and category_code != case.category.code:
        category = Category.objects.filter(
            code=category_code, active=True, parent__isnull=False
        ).first()
        if category is None:
            raise ValidationFailed(_("请选择一个有效的事项分类。"), field="category")
        note = _("分类:%(old)s → %(new)s") % {"old": case.category.name, "new": category.name}
        case.category = category
        case.public = case.public and category.public
    before, case.status = case.status, step.to()
    case.responded_at = case.responded_at or timezone.now()
    _save(case, "responded_at", "category", "public")
    record_step(
        case=case,
        kind=EventKind.REGISTERED,
        actor=actor,
        from_status=before,
        unit=case.owner_unit,
        note=note,
        notify_reporter=True,
    )
    return case


@transaction.atomic
def case_reject(*, actor: Any, case: Case, reason: str) -> Case:
    case = lock(case)
    step = require(actor, case, Action.REJECT)
    reason = require_text(reason, field="reason", label=_("不予立案的理由"))
    before, case.status = case.status, step.to()
    case.closed_at = timezone.now()
    _save(case, "closed_at")
    record_step(
        case=case,
        kind=EventKind.REJECTED,
        actor=actor,
        from_status=before,
        note=reason,
        notify_reporter=True,
    )
    return case


@transaction.atomic
def case_dispatch(*, actor: Any, case: Case, unit: Department, note: str = "") -> Case:
    """Send the case to a unit to handle; also re-dispatch after a return (re-route)."""
    case = lock(case)
    step = require(actor, case, Action.DISPATCH)
    before, case.status = case.status, step.to()
    case.handler_unit = unit
    _save(case, "handler_unit")
    record_step(
        case=case,
        kind=EventKind.DISPATCHED,
        actor=actor,
        from_status=before,
        unit=unit,
        note=note,
        notify_reporter=True,
    )
    return case


@transaction.atomic
def case_accept(*, actor: Any, case: Case) -> Case:
    case = lock(case)
    step = require(actor, case, Action.ACCEPT)
    before, case.status = case.status, step.to()
    _save(case)
    record_step(
        case=case,
        kind=EventKind.ACCEPTED,
        actor=actor,
        from_status=before,
        unit=case.handler_unit,
        notify_reporter=True,
    )
    return case


@transaction.atomic
def case_return(*, actor: Any, case: Case, reason: str) -> Case:
    """退单: the handler sends it back to the owner, who re-dispatches (the owner stays)."""
    case = lock(case)
    step = require(actor, case, Action.RETURN)
    reason = require_text(reason, field="reason", label=_("退单理由"))
    before, case.status = case.status, step.to()
    unit, case.handler_unit = case.handler_unit, None
    _save(case, "handler_unit")
    record_step(
        case=case,
        kind=EventKind.RETURNED,
        actor=actor,
        from_status=before,
        unit=unit,
        note=reason,
        public=False,
    )
    return case


def case_feedback(*, actor: Any, case: Case, note: str, photos: Sequence[bytes] = ()) -> Case:
    processed = process_photos(photos)
    with transaction.atomic():
        case = lock(case)
        step = require(actor, case, Action.FEEDBACK)
        note = require_text(note, field="note", label=_("处置情况"), max_length=2000)
        before, case.status = case.status, step.to()
        _save(case)
        attach_photos(case, processed, CasePhoto.Stage.FEEDBACK)
        record_step(
            case=case,
            kind=EventKind.FEEDBACK,
            actor=actor,
            from_status=before,
            unit=case.handler_unit,
            note=note,
            notify_reporter=True,
        )
    return case


@transaction.atomic
def case_verify(*, actor: Any, case: Case, passed: bool, note: str = "") -> Case:
    """核查 by the grid worker (or the reporter): passed → verified; else back to handling."""
    case = lock(case)
    step = require(actor, case, Action.VERIFY)
    before = case.status
    if passed:
        case.status = step.to()
        kind = EventKind.VERIFIED
    else:
        note = require_text(note, field="note", label=_("核查未通过的原因"))
        case.status = step.to(passed=False)
        kind = EventKind.VERIFY_FAILED
    _save(case)
    record_step(
        case=case, kind=kind, actor=actor, from_status=before, note=note, notify_reporter=True
    )
    return case


def _level(case: Case) -> str:
    unit = case.handler_unit or case.owner_unit
    return str(unit.level or HandlingLevel.STREET)


@transaction.atomic
def case_close(*, actor: Any, case: Case, level: str = "") -> Case:
    case = lock(case)
    step = require(actor, case, Action.CLOSE)
    if level and level not in HandlingLevel.values:
        raise ValidationFailed(_("处置层级无效。"), field="level")
    before, case.status = case.status, step.to()
    case.level = level or _level(case)
    case.closed_at = timezone.now()
    case.follow_up_due = case.closed_at + FOLLOW_UP_AFTER
    _save(case, "level", "closed_at", "follow_up_due")
    record_step(
        case=case, kind=EventKind.CLOSED, actor=actor, from_status=before, notify_reporter=True
    )
    return case


@transaction.atomic
def case_rate(*, actor: Any, case: Case, rating: int, comment: str = "") -> Case:
    """CASE-9: 1–5. A rating of 2 or less reopens the case to its handler (返工)."""
    case = lock(case)
    step = require(actor, case, Action.RATE)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed(_("满意度请选择 1 到 5 分。"), field="rating")
    before = case.status
    case.rating, case.rating_comment = (
        rating,
        optional_text(comment, field="comment", label=_("评价"), max_length=500),
    )
    case.rated_at = timezone.now()
    case.status = step.to()
    case.follow_up_due = None
    _save(case, "rating", "rating_comment", "rated_at", "follow_up_due")
    record_step(
        case=case,
        kind=EventKind.RATED,
        actor=actor,
        from_status=before,
        note=f"{rating} 分 {case.rating_comment}".strip(),
    )
    if rating <= 2:
        _reopen(case, actor)
    return case


def _reopen(case: Case, actor: Any) -> None:
    before = case.status
    case.status = Status.DISPATCHED if case.handler_unit_id else Status.REGISTERED
    case.rework_count = F("rework_count") + 1  # type: ignore[assignment]
    case.closed_at = None
    respond, close = case_deadlines(category=case.category, start=timezone.now())
    case.respond_due, case.close_due = respond.due, close.due
    case.overdue, case.warned_at, case.escalated_at = False, None, None
    _save(
        case,
        "rework_count",
        "closed_at",
        "respond_due",
        "close_due",
        "overdue",
        "warned_at",
        "escalated_at",
    )
    case.refresh_from_db(fields=["rework_count"])
    record_step(
        case=case,
        kind=EventKind.REOPENED,
        actor=actor,
        from_status=before,
        unit=case.handler_unit,
        note="居民不满意,返工处理",
        notify_reporter=True,
    )


@transaction.atomic
def case_request_deferral(*, actor: Any, case: Case, until: dt.datetime, reason: str) -> Case:
    case = lock(case)
    require(actor, case, Action.DEFER)
    reason = require_text(reason, field="reason", label=_("缓办理由"))
    if until <= case.close_due:
        raise ValidationFailed(_("缓办日期应晚于当前办结期限。"), field="until")
    if until > timezone.now() + DEFERRAL_LONGEST:
        raise ValidationFailed(_("缓办最长一年,请选一年以内的日期。"), field="until")
    case.deferral_until, case.deferral_reason = until, reason
    _save(case, "deferral_until", "deferral_reason")
    record_step(
        case=case,
        kind=EventKind.DEFERRAL_REQUESTED,
        actor=actor,
        from_status=case.status,
        note=reason,
        public=False,
        unit=case.handler_unit,
    )
    return case


@transaction.atomic
def case_decide_deferral(*, actor: Any, case: Case, approve: bool, note: str = "") -> Case:
    case = lock(case)
    require(actor, case, Action.DEFERRAL)  # refuses a case with no deferral asked for
    if approve:
        assert case.deferral_until is not None
        case.close_due, case.deferred = case.deferral_until, True
        case.overdue, case.warned_at = False, None
        kind = EventKind.DEFERRAL_APPROVED
    else:
        kind = EventKind.DEFERRAL_REFUSED
    case.deferral_until, case.deferral_reason = None, ""
    _save(
        case, "close_due", "deferred", "overdue", "warned_at", "deferral_until", "deferral_reason"
    )
    record_step(
        case=case,
        kind=kind,
        actor=actor,
        from_status=case.status,
        note=note,
        notify_reporter=approve,
    )
    return case


@transaction.atomic
def case_merge(*, actor: Any, case: Case, into: Case) -> Case:
    """A duplicate joins the surviving case; its reporter follows the survivor."""
    if case.pk == into.pk:
        raise ValidationFailed(_("不能与自身合并。"), field="into")
    case, into = lock(case), lock(into)
    refuse_unless(can_manage(actor, into))
    step = require(actor, case, Action.MERGE)
    if into.status not in OPEN_STATUSES:
        raise ValidationFailed(_("只能合并到仍在办理中的诉求。"), field="into")
    before, case.status = case.status, step.to()
    case.merged_into = into
    case.closed_at = timezone.now()
    _save(case, "merged_into", "closed_at")
    Case.objects.filter(pk=into.pk).update(me_too_count=F("me_too_count") + 1)
    record_step(
        case=case,
        kind=EventKind.MERGED,
        actor=actor,
        from_status=before,
        note=f"与 {into.tracking_no} 合并办理",
        notify_reporter=True,
    )
    return case


@transaction.atomic
def case_review_photos(*, actor: Any, case: Case, publish: bool) -> Case:
    """Staff look at the photos before the public list may show them (CASE-11)."""
    case = lock(case)
    require(actor, case, Action.PHOTOS)
    case.photos_reviewed = publish
    case.save(update_fields=["photos_reviewed", "updated_at"])
    record_step(
        case=case,
        kind=EventKind.NOTE,
        actor=actor,
        from_status=case.status,
        note="照片已审核,可公开" if publish else "照片不公开",
        public=False,
    )
    return case


@transaction.atomic
def cases_bulk_dispatch(*, actor: Any, cases: Sequence[Case], unit: Department) -> int:
    """Dispatch several registered cases to one unit; all or none (a refused one stops it)."""
    for case in cases:
        if case.status == Status.RECEIVED:
            case = case_register(actor=actor, case=case)
        case_dispatch(actor=actor, case=case, unit=unit)
    return len(cases)


@transaction.atomic
def case_reroute(*, actor: Any, case: Case, unit: Department, reason: str) -> Case:
    """The owner moves a dispatched case to another unit (re-route); the owner stays."""
    case = lock(case)
    step = require(actor, case, Action.REROUTE)
    reason = require_text(reason, field="reason", label=_("改派理由"))
    if unit.pk == case.handler_unit_id:
        raise ValidationFailed(_("请选择另一个单位。"), field="unit_id")
    before, case.status = case.status, step.to()
    case.handler_unit = unit
    _save(case, "handler_unit")
    record_step(
        case=case,
        kind=EventKind.DISPATCHED,
        actor=actor,
        from_status=before,
        unit=unit,
        note=f"改派:{reason}",
        notify_reporter=True,
    )
    return case
