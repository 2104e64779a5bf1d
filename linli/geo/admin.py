from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linli.geo.models import (
    Building,
    Community,
    Department,
    District,
    Grid,
    Household,
    ResponsibilityRule,
    Street,
)

admin.site.register(District)
admin.site.register(Street)


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin[Community]):
    list_display = ("name", "street", "code", "is_pilot")


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin[Grid]):
    list_display = ("unit_code", "name", "community")
    search_fields = ("unit_code", "name")
    list_filter = ("community",)
    # Geometry and codes change only through geo_import, which validates and keeps the
    # lookup index and bounding boxes right; grids are never deleted.
    readonly_fields = (
        "community",
        "code",
        "unit_code",
        "geometry",
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin[Building]):
    list_display = ("name", "grid", "address")
    search_fields = ("name", "address")
    raw_id_fields = ("grid",)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin[Household]):
    list_display = ("building", "unit", "room")
    raw_id_fields = ("building",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("name", "kind", "level", "parent")
    list_filter = ("kind",)


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(admin.ModelAdmin[ResponsibilityRule]):
    list_display = ("category_code", "unit", "street", "community", "grid")
    list_filter = ("unit",)
