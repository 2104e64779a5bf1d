from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from linli.core.notifications.models import Channel, Delivery, DeliveryStatus, Notification
from linli.core.senders import OutboundMessage, get_sender


def _address(user: Any, channel: str) -> str:
    return str(getattr(user, "phone", "") if channel == Channel.SMS else user.email or "")


# No savepoint inside the caller's transaction (two round trips): a failure fails the step.
@transaction.atomic(savepoint=False)
def notification_send(
    *,
    recipient: Any,
    title: str,
    body: str = "",
    url: str = "",
    channels: Iterable[str] = (),
) -> Notification:
    """Put a message in the recipient's inbox; SMS / e-mail go out after commit via the worker."""
    from linli.core.tasks import deliver_notification

    note = Notification.objects.create(recipient=recipient, title=title, body=body, url=url)
    for channel in channels:
        if _address(recipient, channel):
            delivery = Delivery.objects.create(notification=note, channel=channel)
            transaction.on_commit(partial(deliver_notification.enqueue, delivery_id=delivery.pk))
    return note


def delivery_perform(*, delivery_id: int) -> Delivery:
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    if delivery.status == DeliveryStatus.SENT:
        return delivery  # a retried task must not send twice
    note = delivery.notification
    message = OutboundMessage(
        channel=delivery.channel,
        address=_address(note.recipient, delivery.channel),
        title=note.title,
        body=note.body,
        notification_id=note.pk,
    )
    delivery.attempts += 1
    try:
        get_sender(delivery.channel).send(message)
    except Exception as exc:  # a gateway failure is recorded, not raised into the worker
        delivery.status = DeliveryStatus.FAILED
        delivery.error = type(exc).__name__
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.error = ""
    delivery.save(update_fields=["attempts", "status", "sent_at", "error", "updated_at"])
    return delivery


def notification_mark_read(*, user: Any, notification_id: int) -> None:
    Notification.objects.filter(recipient=user, pk=notification_id, read_at=None).update(
        read_at=timezone.now()
    )


def notification_open(*, user: Any, notification_id: int) -> Notification | None:
    """The user's message, read now together with the unread ones about the same thing."""
    note = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if note is None:
        return None
    same = Q(pk=note.pk) | (Q(url=note.url) & ~Q(url=""))
    Notification.objects.filter(same, recipient=user, read_at=None).update(read_at=timezone.now())
    return note


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
