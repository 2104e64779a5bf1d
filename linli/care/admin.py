"""Care admin. Devices and gateways are registered through their services (CARE-1), so the
audit log and the device state are written as on every other path; readings are read-only.
C2/C3: add your models below (their own sections)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import QuerySet
from django.http import HttpRequest

from linli.care.models import Device, Gateway, Reading
from linli.care.services.devices import (
    device_deactivate,
    device_register,
    gateway_create,
    gateway_deactivate,
    gateway_token_rotate,
)
from linli.core.admin_base import ReadOnlyAdmin
from linli.core.errors import ApplicationError

# --- C1: gateways, devices, readings ---------------------------------------------------


@admin.register(Gateway)
class GatewayAdmin(admin.ModelAdmin[Gateway]):
    list_display = ("name", "community", "active", "created_at")
    list_filter = ("active", "community")
    search_fields = ("name",)
    fields = ("name", "community", "active")
    actions = ["rotate_token", "deactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["name", "community", "active"] if obj else ["active"]

    def save_model(self, request: HttpRequest, obj: Gateway, form: Any, change: bool) -> None:
        if change:
            return
        created, token = gateway_create(actor=request.user, name=obj.name, community=obj.community)
        obj.pk, obj.token_hash, obj._state.adding = created.pk, created.token_hash, False
        messages.warning(request, f"网关「{created.name}」的令牌(只显示这一次):{token}")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="更换令牌(旧令牌立即失效)")
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[Gateway]) -> None:
        for gateway in queryset:
            _, token = gateway_token_rotate(actor=request.user, gateway_id=gateway.pk)
            messages.warning(request, f"网关「{gateway.name}」的新令牌(只显示这一次):{token}")

    @admin.action(description="停用网关")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Gateway]) -> None:
        for gateway in queryset.filter(active=True):
            gateway_deactivate(actor=request.user, gateway_id=gateway.pk)


class DeviceRegisterForm(forms.ModelForm[Device]):
    """Adding a device runs `device_register`; its refusals show on the form."""

    actor: Any = None
    registered: Device

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.registered = device_register(
                actor=self.actor,
                serial=data["serial"],
                kind=data["kind"],
                household=data["household"],
                resident=data.get("resident"),
                gateway=data.get("gateway"),
                installed_on=data["installed_on"],
                register_max=data.get("register_max"),
                place=data.get("place") or "",
            )
        except ApplicationError as exc:
            raise forms.ValidationError({exc.field or NON_FIELD_ERRORS: exc.message}) from exc
        return data

    def validate_unique(self) -> None:
        """The service checks the serial (the row exists by now)."""


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = ("serial", "kind", "household", "gateway", "battery", "last_seen_at", "active")
    list_filter = ("kind", "active", "gateway")
    search_fields = ("serial",)
    raw_id_fields = ("household", "resident")
    fields = (
        "serial",
        "kind",
        "household",
        "resident",
        "gateway",
        "installed_on",
        "register_max",
        "place",
        "battery",
        "last_seen_at",
        "active",
    )
    actions = ["deactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["battery", "last_seen_at", "active"]
        return [f for f in self.fields if f != "place"]  # type: ignore[union-attr]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kw)
        if obj is None:
            form = type("DeviceRegisterForm", (DeviceRegisterForm, form), {"actor": request.user})
        return form

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["place", "updated_at"])
            return
        # Registered by the form's clean() through the service (the admin view is atomic).
        created = form.registered
        obj.pk, obj.created_at, obj._state.adding = created.pk, created.created_at, False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # readings refer to it; take it out of use instead

    @admin.action(description="停用设备(此后的读数将被拒收)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        for device in queryset.filter(active=True):
            device_deactivate(actor=request.user, device_id=device.pk)


@admin.register(Reading)
class ReadingAdmin(ReadOnlyAdmin):
    """Append-only: readings are looked at here, never edited."""

    list_display = ("device", "at", "value", "received_at", "source")
    list_filter = ("source",)
    search_fields = ("device__serial",)
    raw_id_fields = ("device",)


# --- C2: thresholds, alerts, maintenance tasks (linli/care/admin_alerts.py) -------------
from linli.care import admin_alerts  # noqa: E402, F401
