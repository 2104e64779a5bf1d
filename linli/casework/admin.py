from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linli.casework.models import Case, CaseEvent, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    """Categories, urgency and default deadlines are configuration admins edit (CASE-4/5)."""

    list_display = (
        "code",
        "name",
        "parent",
        "urgency",
        "respond_amount",
        "respond_unit",
        "close_amount",
        "close_unit",
        "active",
    )
    list_filter = ("urgency", "active", "parent")
    list_editable = ("active",)
    search_fields = ("code", "name")
    ordering = ("code",)


class EventInline(admin.TabularInline[CaseEvent, Case]):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "unit", "actor", "from_status", "to_status", "public", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    """Read-only here: cases move only through the workflow services (and their audit)."""

    list_display = (
        "tracking_no",
        "category",
        "status",
        "community",
        "owner_unit",
        "close_due",
        "overdue",
    )
    list_filter = ("status", "overdue", "channel", "community")
    search_fields = ("tracking_no",)
    inlines = [EventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
