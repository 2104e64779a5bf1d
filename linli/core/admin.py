from django.contrib import admin

from linli.core.admin_base import ReadOnlyAdmin
from linli.core.models import AuditEntry, Notification


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the log can be inspected, never added to, changed or deleted here."""

    list_display = ("seq", "created_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "object_type", "object_id")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("title", "recipient", "created_at", "read_at")
    raw_id_fields = ("recipient",)


from linli.core.calendar import admin as _calendar_admin  # noqa: F401,E402
