"""The catalogue is data a city edits (SERVE-1): services, their fields, rules and guides."""

from django.contrib import admin

from linli.station.models import Bundle, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ("name", "code", "department", "deadline_days", "effect", "active", "order")
    list_filter = ("active", "department")
    search_fields = ("name", "code")


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin[Bundle]):
    list_display = ("name", "code", "active")
    filter_horizontal = ("services",)
