from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from linli.accounts.forms import AdminLoginForm
from linli.accounts.models import ApiToken, Membership, User

# One login path for every entrance: the admin's form calls the accounts service.
admin.site.login_form = AdminLoginForm


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    raw_id_fields = ("grid", "community", "street", "department")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "is_active", "locked_until")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("邻里", {"fields": ("role", "full_name", "phone", "elder_mode", "locked_until")}),
    )
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "last_used_at")
