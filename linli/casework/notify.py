"""Telling people about cases (CASE-5, CASE-6). Each call writes the inbox rows in the
caller's transaction; SMS and e-mail go out after commit (core.notifications)."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from linli.core.notifications.services import notification_send

# Stored before the address when a typed address stood in for a pin (staff check the place).
ESTIMATED_MARK = "〔位置按地址,待核实〕"


def case_url(tracking_no: str) -> str:
    return reverse("casework:detail", args=[tracking_no])


def queue_url() -> str:
    return reverse("casework:queue")


def notify_users(
    users: Iterable[Any],
    *,
    title: str,
    body: str = "",
    url: str = "",
    channels: tuple[str, ...] = (),
) -> int:
    """One inbox message per distinct user (SMS / e-mail go out after commit)."""
    sent = 0
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        notification_send(recipient=user, title=title, body=body, url=url, channels=channels)
        sent += 1
    return sent


def case_headline(case: Any) -> str:
    """What a message about a case says it is about: the matter and the place, not a number."""
    place = case.address.replace(ESTIMATED_MARK, "") or case.community.name
    return f"{case.category.name} · {place}"[:120]


def sms_for_event(*, event_id: int) -> str:
    """Text one public step to the number given at the window (no account, a basic phone)."""
    from linli.casework.models import CaseEvent  # models import this module's neighbours
    from linli.core.senders import OutboundMessage, get_sender

    event = CaseEvent.objects.select_related("case__category", "case__community").get(pk=event_id)
    case = event.case
    if not case.notify_phone:
        return "no_phone"
    text = f"您反映的{case_headline(case)}:{event.get_kind_display()}。受理编号 {case.tracking_no}"
    get_sender("sms").send(
        OutboundMessage(
            channel="sms",
            address=case.notify_phone,
            title=text,
            body=event.note,
            notification_id=0,
        )
    )
    return "sent"
