"""Only configuration lives in the admin. Resident records are not registered on purpose: the
admin would show decrypted personal data without tiers or an audit entry (PEOPLE-3/4)."""

from django.contrib import admin

from linli.people.models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ("code", "name", "tier", "needs_expiry")
    search_fields = ("code", "name")
