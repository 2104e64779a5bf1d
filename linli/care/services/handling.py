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
from django.utils import timezone

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
from linli.care.selectors import alert_get, away_visible_to, household_get
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.core.roles import Role

NOTE_MAX = 300
AWAY_NOTE_MAX = 200
AWAY_BACKDATE = dt.timedelta(days=7)
AWAY_LONGEST = dt.timedelta(days=180)
HANDLER_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SECRETARY)
AWAY_ROLES = (Role.FAMILY, Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SECRETARY)
NOT_YOURS = "这条提醒由网格员上门查看;超时未接单、上报到社区后,社区工作人员才能处理。"
LOOK_ONLY = "您可以查看这条提醒,上门查看由网格员和社区工作人员负责。"


def may_handle(actor: Any, alert: Alert) -> bool:
    """Assumes the alert is visible to the actor (same grid or community)."""
    if actor.role == Role.GRID_WORKER:
        return True
    if actor.role in (Role.COMMUNITY_WORKER, Role.SECRETARY):
        return alert.escalation_level >= EscalationLevel.COMMUNITY or alert.assigned_to_id is None
    return False


def _locked(actor: Any, alert_id: int) -> Alert:
    alert = alert_get(actor=actor, alert_id=alert_id)  # not visible → not found
    if actor.role not in HANDLER_ROLES:
        raise PermissionDenied(LOOK_ONLY)
    if not may_handle(actor, alert):
        raise PermissionDenied(NOT_YOURS)
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    locked.household = alert.household
    locked.resident = alert.resident
    return locked


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert_id: int) -> Alert:
    """接单: the visit is on its way; escalation stops."""
    alert = _locked(actor, alert_id)
    if alert.status == AlertStatus.ACKNOWLEDGED:
        who = alert.acknowledged_by.display_name if alert.acknowledged_by else "其他工作人员"
        raise Conflict(f"这条提醒已由{who}接单。", code="already_acknowledged")
    if alert.status != AlertStatus.OPEN:
        raise Conflict("这条提醒已经处理完毕,无需接单。", code="illegal_transition")
    now = timezone.now()
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    audit_record(
        actor=actor,
        action="care.alert_acknowledge",
        obj=alert,
        data={"rule": alert.rule, "level": alert.escalation_level},
    )
    return alert


def _clean_close(outcome: str, note: str) -> str:
    if outcome not in Outcome.values:
        raise ValidationFailed("请选择上门查看的结果。", field="outcome")
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationFailed(f"说明不能超过 {NOTE_MAX} 字。", field="note")
    if outcome == Outcome.NEEDED_HELP and not text:
        raise ValidationFailed("请简单写明老人需要什么帮助、已经做了什么。", field="note")
    return text


@transaction.atomic
def alert_close(*, actor: Any, alert_id: int, outcome: str, note: str = "") -> Alert:
    """办结 with the visit's outcome (平安 / 需要帮助 / 误报 / 设备故障). Closing an alert
    nobody took yet also records who took it: the visit happened."""
    text = _clean_close(outcome, note)
    alert = _locked(actor, alert_id)
    if alert.status == AlertStatus.RESOLVED_AUTO:
        raise Conflict("这条提醒已自动解除,无需再填写结果。", code="illegal_transition")
    if alert.status not in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):
        raise Conflict("这条提醒已经办结。", code="illegal_transition")
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
        action="care.alert_close",
        obj=alert,
        data={"rule": alert.rule, "outcome": outcome},
    )
    if alert.rule == Rule.CALL:
        _note_on_call_cases(alert, actor)
    # Family who were told (a call, or escalation to them) hear how it ended.
    if alert.rule == Rule.CALL or alert.escalation_level >= EscalationLevel.FAMILY:
        transaction.on_commit(partial(_tell_family_closed, alert.pk))
    return alert


def _note_on_call_cases(alert: Alert, actor: Any) -> None:
    """A call's case is handled in casework; the visit's outcome goes on its timeline as an
    internal note, so whoever holds the case knows what the grid worker found."""
    from linli.casework.choices import OPEN_STATUSES, EventKind
    from linli.casework.models import Case
    from linli.casework.services.common import record_step

    ids = alert.presses.filter(case__isnull=False).values_list("case_id", flat=True)
    text = f"一键呼叫已上门查看,结果:{alert.get_outcome_display()}。"
    if alert.note:
        text += f"说明:{alert.note}"
    for case in Case.objects.filter(pk__in=list(ids), status__in=OPEN_STATUSES):
        record_step(case=case, kind=EventKind.NOTE, actor=actor, note=text, public=False)


def _tell_family_closed(alert_id: int) -> None:
    from linli.people.selectors import alert_audience

    alert = Alert.objects.select_related("resident").get(pk=alert_id)
    if alert.resident is None:
        return
    title = f"{alert.resident.full_name}:{alert.get_rule_display()}已上门查看"
    body = f"查看结果:{alert.get_outcome_display()}。如有疑问请联系社区。"
    for user in alert_audience(resident=alert.resident):
        notification_send(
            recipient=user, title=title, body=body, url="/care/family/", channels=("sms",)
        )


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _clean_away(
    starts: dt.datetime, ends: dt.datetime, reason: str, note: str, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime, str]:
    if reason not in AwayReason.values:
        raise ValidationFailed("请选择外出原因。", field="reason")
    starts, ends = _aware(starts), _aware(ends)
    if ends <= starts:
        raise ValidationFailed("结束时间要晚于开始时间。", field="ends")
    if ends <= now:
        raise ValidationFailed("结束时间已经过去了,请检查日期。", field="ends")
    if starts < now - AWAY_BACKDATE:
        raise ValidationFailed("开始时间最多只能补登 7 天以前。", field="starts")
    if ends - starts > AWAY_LONGEST:
        raise ValidationFailed("一次最多登记 180 天;更长时间请联系社区暂停看护。", field="ends")
    text = (note or "").strip()
    if len(text) > AWAY_NOTE_MAX:
        raise ValidationFailed(f"备注不能超过 {AWAY_NOTE_MAX} 字。", field="note")
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
    if actor.role not in AWAY_ROLES:
        raise PermissionDenied("外出登记由家属、网格员或社区工作人员填写。")
    now = timezone.now()
    starts, ends, text = _clean_away(starts, ends, reason, note, now)
    away = AwayPeriod.objects.create(
        household=household, starts=starts, ends=ends, reason=reason, note=text, set_by=actor
    )
    audit_record(
        actor=actor,
        action="care.away_set",
        obj=away,
        data={"household": household.pk, "days": round((ends - starts).total_seconds() / 86400)},
    )
    if starts <= now:
        transaction.on_commit(partial(_recheck_household, household.pk))
    if actor.role == Role.FAMILY:
        transaction.on_commit(partial(_tell_grid_worker, away.pk))
    return away


def _recheck_household(household_id: int) -> None:
    from linli.care.services.alerts import alerts_recheck

    device_ids = list(Device.objects.filter(household_id=household_id).values_list("pk", flat=True))
    if device_ids:
        alerts_recheck(device_ids=device_ids)


def _tell_grid_worker(away_id: int) -> None:
    from linli.care.services.alert_people import grid_workers, places

    away = AwayPeriod.objects.get(pk=away_id)
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
        url="/care/",
    )


@transaction.atomic
def away_end(*, actor: Any, away_id: int) -> AwayPeriod:
    """The person is back early: the period ends now (one not yet begun is withdrawn)."""
    away = away_visible_to(actor).select_for_update().filter(pk=away_id).first()
    if away is None:
        from linli.core.errors import NotFound

        raise NotFound("没有找到这次外出登记。")
    if actor.role not in AWAY_ROLES:
        raise PermissionDenied("外出登记由家属、网格员或社区工作人员填写。")
    now = timezone.now()
    if away.ends <= now:
        raise Conflict("这次外出登记已经结束。", code="illegal_transition")
    if away.starts >= now:
        audit_record(
            actor=actor, action="care.away_cancel", obj=away, data={"household": away.household_id}
        )
        away.delete()
        away.ends = away.starts
        return away
    away.ends = now
    away.save(update_fields=["ends", "updated_at"])
    audit_record(
        actor=actor, action="care.away_end", obj=away, data={"household": away.household_id}
    )
    return away
