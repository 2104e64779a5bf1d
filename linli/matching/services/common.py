"""What every matching step shares: the audit entry and the messages (inbox rows are
written in the transaction; SMS and e-mail go out after commit through the worker)."""

from typing import Any

from django.db import models
from django.urls import reverse

from linli.core.audit.services import audit_record
from linli.core.notifications.services import notification_send
from linli.matching.choices import AuditAction


def record(actor: Any, action: AuditAction, obj: models.Model, **data: Any) -> None:
    """Ids and names of what changed, never personal text."""
    audit_record(actor=actor, action=action, obj=obj, data=data)


def tell(user: Any, title: str, url: str = "") -> None:
    if user is not None:
        notification_send(recipient=user, title=title, url=url or reverse("matching:home"))
