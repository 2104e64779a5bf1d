"""Outbound senders. A city plugs in its SMS gateway by naming a class in settings."""

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("linli.senders")


@dataclass(frozen=True)
class OutboundMessage:
    channel: str
    address: str
    title: str
    body: str
    notification_id: int


class Sender(Protocol):
    def send(self, message: OutboundMessage) -> None: ...


def mask_address(address: str) -> str:
    """138****1234 / z***@example.org: enough to debug, not enough to identify."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(address) >= 7:
        return f"{address[:3]}****{address[-4:]}"
    return "****"


class LoggingSender:
    """Default sender: records that a message would go out, without its content."""

    def send(self, message: OutboundMessage) -> None:
        logger.info(
            "notification %s via %s to %s",
            message.notification_id,
            message.channel,
            mask_address(message.address),
        )


def get_sender(channel: str) -> Sender:
    path = settings.LINLI_SMS_SENDER if channel == "sms" else settings.LINLI_EMAIL_SENDER
    sender: Sender = import_string(path)()
    return sender
