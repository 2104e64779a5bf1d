"""Telling people about cases (CASE-5, CASE-6). Each call writes the inbox rows in the
caller's transaction; SMS and e-mail go out after commit (core.notifications)."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from linli.core.notifications.services import notification_send


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
