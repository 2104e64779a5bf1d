from django.contrib import admin

from linli.fieldwork.models import MetricSettings, VisitQuota


@admin.register(VisitQuota)
class VisitQuotaAdmin(admin.ModelAdmin):
    list_display = ("tier", "interval_days", "min_age", "change_hours")


@admin.register(MetricSettings)
class MetricSettingsAdmin(admin.ModelAdmin):
    list_display = ("window_days", "distance_m", "categories", "patrol_days", "due_soon_hours")
