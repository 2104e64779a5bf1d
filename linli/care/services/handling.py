"""Handling alerts and away periods (CARE-4, CARE-5).

The grid worker of the household's grid takes an alert (接单) and closes it with the visit's
outcome; community workers may do so once it has been escalated to them (or when the grid
has no grid worker). Family and grid or community staff register away periods (住院, 探亲),
which suppress welfare alerts; an open welfare alert that the away period explains is then
re-judged at once (C2's `alerts_recheck`).
"""

import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.choices import AuditAction
from linli.care.models import (
    Alert,
    AlertStatus,
    AwayPeriod,
    AwayReason,
    Device,
    EscalationLevel,
    Outcome,
    Rule,
)
from linli.care.policy import can_handle, can_set_away, can_work, is_family
from linli.care.selectors import alert_get, household_get
from linli.care.services.alert_people import places
from linli.care.services.alerts import alerts_recheck
from linli.casework.services.notes import case_internal_note
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.geo.scope import grid_workers
from linli.people.selectors import alert_audiences

NOTE_MAX = 300
AWAY_NOTE_MAX = 200
AWAY_BACKDATE = dt.timedelta(days=7)
AWAY_LONGEST = dt.timedelta(days=180)
AWAY_AHEAD = dt.timedelta(days=366)


def _not_yours() -> str:
    return _("这条提醒由网格员上门查看;超时未接单、上报到社区后,社区工作人员才能处理。")


def _look_only() -> str:
    return _("您可以查看这条提醒,上门查看由网格员和社区工作人员负责。")


def _away_who() -> str:
    return _("外出登记由家属、网格员或社区工作人员填写。")


def _locked(actor: Any, alert_id: int) -> Alert:
    alert = alert_get(actor=actor, alert_id=alert_id)  # not visible → not found
    if not can_work(actor):
        raise PermissionDenied(_look_only())
    if not can_handle(actor, alert):
        raise PermissionDenied(_not_yours())
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    locked.household = alert.household
    locked.resident = alert.resident
    return locked


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert_id: int) -> Alert:
    """接单: the visit is on its way; escalation stops."""
    alert = _locked(actor, alert_id)
    if alert.status == AlertStatus.ACKNOWLEDGED:
        who = alert.acknowledged_by.display_name if alert.acknowledged_by else _("其他工作人员")
        raise Conflict(_("这条提醒已由%(who)s接单。") % {"who": who}, code="already_acknowledged")
    if alert.status != AlertStatus.OPEN:
        raise Conflict(_("这条提醒已经处理完毕,无需接单。"), code="illegal_transition")
    now = timezone.now()
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.ALERT_ACKNOWLEDGE,
        obj=alert,
        data={"rule": alert.rule, "level": alert.escalation_level},
    )
    return alert


def _clean_close(outcome: str, note: str) -> str:
    if outcome not in Outcome.values:
        raise ValidationFailed(_("请选择上门查看的结果。"), field="outcome")
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationFailed(_("说明不能超过 %(max)s 字。") % {"max": NOTE_MAX}, field="note")
    if outcome == Outcome.NEEDED_HELP and not text:
        raise ValidationFailed(_("请简单写明老人需要什么帮助、已经做了什么。"), field="note")
    return text


@transaction.atomic
def alert_close(*, actor: Any, alert_id: int, outcome: str, note: str = "") -> Alert:
    """办结 with the visit's outcome (平安 / 需要帮助 / 误报 / 设备故障). Closing an alert
    nobody took yet also records who took it: the visit happened."""
    text = _clean_close(outcome, note)
    alert = _locked(actor, alert_id)
    if alert.status == AlertStatus.RESOLVED_AUTO:
        raise Conflict(_("这条提醒已自动解除,无需再填写结果。"), code="illegal_transition")
    if alert.status not in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):
        raise Conflict(_("这条提醒已经办结。"), code="illegal_transition")
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.status = AlertStatus.CLOSED
    alert.outcome = outcome
    alert.note = text
    alert.closed_at, alert.closed_by = now, actor
    alert.save(
        update_fields=[
            "status",
            "outcome",
            "note",
            "closed_at",
            "closed_by",
            "acknowledged_at",
            "acknowledged_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.ALERT_CLOSE,
        obj=alert,
        data={"rule": alert.rule, "outcome": outcome},
    )
    if alert.rule == Rule.CALL:
        _note_on_call_cases(alert, actor)
    # Family who were told (a call, or escalation to them) hear how it ended.
    if alert.rule == Rule.CALL or alert.escalation_level >= EscalationLevel.FAMILY:
        _tell_family_closed(alert)
    return alert


def _note_on_call_cases(alert: Alert, actor: Any) -> None:
    """A call's case is handled in casework; the visit's outcome goes on its timeline as an
    internal note, so whoever holds the case knows what the grid worker found."""
    ids = alert.presses.filter(case__isnull=False).values_list("case_id", flat=True)
    text = f"一键呼叫已上门查看,结果:{alert.get_outcome_display()}。"
    if alert.note:
        text += f"说明:{alert.note}"
    case_internal_note(actor=actor, case_ids=list(ids), text=text)


def _tell_family_closed(alert: Alert) -> None:
    """Inbox rows now (in the closing transaction); the SMS goes out after commit."""
    if alert.resident_id is None or alert.resident is None:
        return
    title = f"{alert.resident.full_name}:{alert.get_rule_display()}已上门查看"
    body = f"查看结果:{alert.get_outcome_display()}。如有疑问请联系社区。"
    for user in alert_audiences([alert.resident_id]).get(alert.resident_id, []):
        notification_send(
            recipient=user, title=title, body=body, url=reverse("care:family"), channels=("sms",)
        )


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _clean_away(
    starts: dt.datetime, ends: dt.datetime, reason: str, note: str, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime, str]:
    if reason not in AwayReason.values:
        raise ValidationFailed(_("请选择外出原因。"), field="reason")
    starts, ends = _aware(starts), _aware(ends)
    if ends <= starts:
        raise ValidationFailed(_("结束时间要晚于开始时间。"), field="ends")
    if ends <= now:
        raise ValidationFailed(_("结束时间已经过去了,请检查日期。"), field="ends")
    if starts > now + AWAY_AHEAD:
        raise ValidationFailed(_("开始时间最多只能提前一年登记。"), field="starts")
    if starts < now - AWAY_BACKDATE:
        raise ValidationFailed(_("开始时间最多只能补登 7 天以前。"), field="starts")
    if ends - starts > AWAY_LONGEST:
        raise ValidationFailed(_("一次最多登记 180 天;更长时间请联系社区暂停看护。"), field="ends")
    text = (note or "").strip()
    if len(text) > AWAY_NOTE_MAX:
        raise ValidationFailed(
            _("备注不能超过 %(max)s 字。") % {"max": AWAY_NOTE_MAX}, field="note"
        )
    return starts, ends, text


@transaction.atomic
def away_set(
    *,
    actor: Any,
    household_id: int,
    starts: dt.datetime,
    ends: dt.datetime,
    reason: str,
    note: str = "",
) -> AwayPeriod:
    """外出登记 by family (a contact of someone living there), the grid worker of the grid
    or community staff: welfare alerts are suppressed from `starts` to `ends` (CARE-4)."""
    household = household_get(actor=actor, household_id=household_id)
    if not can_set_away(actor):
        raise PermissionDenied(_away_who())
    now = timezone.now()
    starts, ends, text = _clean_away(starts, ends, reason, note, now)
    away = AwayPeriod.objects.create(
        household=household, starts=starts, ends=ends, reason=reason, note=text, set_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.AWAY_SET,
        obj=away,
        data={"household": household.pk, "days": round((ends - starts).total_seconds() / 86400)},
    )
    if starts <= now:
        # Re-judging takes its own locks and transaction: after this one commits.
        transaction.on_commit(partial(_recheck_household, household.pk))
    if is_family(actor):
        _tell_grid_worker(away)
    return away


def _recheck_household(household_id: int) -> None:
    device_ids = list(Device.objects.filter(household_id=household_id).values_list("pk", flat=True))
    if device_ids:
        alerts_recheck(device_ids=device_ids)


def _tell_grid_worker(away: AwayPeriod) -> None:
    """Inbox row now (in the registering transaction)."""
    place = places([away.household_id])[away.household_id]
    worker = grid_workers([place.grid_id]).get(place.grid_id)
    if worker is None:
        return
    start = timezone.localtime(away.starts).strftime("%m-%d %H:%M")
    end = timezone.localtime(away.ends).strftime("%m-%d %H:%M")
    notification_send(
        recipient=worker,
        title=f"家属登记外出:{place.address}",
        body=f"{away.get_reason_display()},{start} 至 {end},期间暂停看护提醒。",
        url=reverse("care:worker"),
    )


@transaction.atomic
def away_end(*, actor: Any, away_id: int) -> AwayPeriod:
    """The person is back early: the period ends now (one not yet begun is withdrawn)."""
    away = AwayPeriod.objects.visible_to(actor).select_for_update().filter(pk=away_id).first()
    if away is None:
        raise NotFound(_("没有找到这次外出登记。"))
    if not can_set_away(actor):
        raise PermissionDenied(_away_who())
    now = timezone.now()
    if away.ends <= now:
        raise Conflict(_("这次外出登记已经结束。"), code="illegal_transition")
    if away.starts >= now:
        audit_record(
            actor=actor,
            action=AuditAction.AWAY_CANCEL,
            obj=away,
            data={"household": away.household_id},
        )
        away.delete()
        away.ends = away.starts
        return away
    away.ends = now
    away.save(update_fields=["ends", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.AWAY_END, obj=away, data={"household": away.household_id}
    )
    return away
