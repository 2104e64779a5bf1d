"""Care admin, C2's part: the thresholds (city-wide defaults and per household) are edited
here through their services (validated, audited); alerts and maintenance tasks are shown
read-only — they change through the sweep and the visit pages. So are away periods, one-key
call presses and home services: they are entered on the care pages, which check who may."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from linli.care.models import (
    Alert,
    AwayPeriod,
    CallPress,
    CareDefaults,
    CareProfile,
    HomeService,
    MaintenanceTask,
)
from linli.care.services.settings import defaults_save, profile_save, settings_check
from linli.core.admin_base import ReadOnlyAdmin
from linli.core.errors import ValidationFailed


class _CheckedForm(forms.ModelForm):  # type: ignore[type-arg]
    """Shows a threshold the service would refuse on its field, in Chinese."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # Django's hook after the instance is built
        try:
            settings_check(self.instance)
        except ValidationFailed as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)


class _NoDelete(admin.ModelAdmin):  # type: ignore[type-arg]
    form = _CheckedForm

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CareDefaults)
class CareDefaultsAdmin(_NoDelete):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CareDefaults.objects.exists()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        defaults_save(actor=request.user, defaults=obj, changed=form.changed_data)


@admin.register(CareProfile)
class CareProfileAdmin(_NoDelete):
    list_display = ("household", "enabled", "no_water_hours", "quiet_start", "quiet_end")
    list_filter = ("enabled",)
    raw_id_fields = ("household", "resident")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        profile_save(actor=request.user, profile=obj, changed=form.changed_data)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("pk", "household", "rule", "status", "detected_at", "escalation_level")
    list_filter = ("rule", "status", "outcome", "escalation_level")
    raw_id_fields = ("household", "resident")


@admin.register(MaintenanceTask)
class MaintenanceTaskAdmin(ReadOnlyAdmin):
    list_display = ("pk", "device", "kind", "status", "opened_at", "closed_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("device", "household")


@admin.register(AwayPeriod)
class AwayPeriodAdmin(ReadOnlyAdmin):
    list_display = ("pk", "household", "reason", "starts", "ends")
    list_filter = ("reason",)
    raw_id_fields = ("household",)


@admin.register(CallPress)
class CallPressAdmin(ReadOnlyAdmin):
    list_display = ("pk", "device", "household", "at", "duplicate", "alert", "case")
    list_filter = ("duplicate",)
    raw_id_fields = ("device", "household", "alert", "case")


@admin.register(HomeService)
class HomeServiceAdmin(ReadOnlyAdmin):
    list_display = ("pk", "resident", "kind", "provided_at", "provider_name")
    list_filter = ("kind",)
    raw_id_fields = ("resident",)
