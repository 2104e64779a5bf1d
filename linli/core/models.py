from linli.core.audit.models import AuditEntry, AuditHead
from linli.core.base import BaseModel
from linli.core.calendar.models import CalendarDay, CalendarYear
from linli.core.notifications.models import Notification
from linli.core.replica_models import ReplicaPin

__all__ = [
    "AuditEntry",
    "AuditHead",
    "BaseModel",
    "CalendarDay",
    "CalendarYear",
    "Notification",
    "ReplicaPin",
]
