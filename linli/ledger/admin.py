"""Ledger admin: read-only. Value moves only through the posting services (LEDGER-5)."""

import importlib.util
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linli.core.admin_base import ReadOnlyAdmin
from linli.ledger.models import Account, Entry, Transaction


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "book", "key", "name", "balance", "min_balance", "community")
    list_filter = ("book",)
    search_fields = ("key", "name")
    list_select_related = ("community",)


class EntryInline(admin.TabularInline[Entry, Transaction]):
    model = Entry
    extra = 0
    can_delete = False
    fields = ("account", "book", "amount", "balance_after", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "kind", "memo", "actor", "reverses")
    list_filter = ("kind",)
    search_fields = ("idempotency_key", "memo")
    raw_id_fields = ("actor", "reverses")
    inlines = [EntryInline]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "account", "book", "amount", "balance_after", "transaction")
    list_filter = ("book",)
    raw_id_fields = ("account", "transaction")
    list_select_related = ("account",)


# The programmes register their own admin in admin_programmes.py (helper L2's file).
if importlib.util.find_spec("linli.ledger.admin_programmes") is not None:
    importlib.import_module("linli.ledger.admin_programmes")
