"""Admin for the programmes (imported by linli/ledger/admin.py).

Configuration is edited here: point rules, matching caps, per-community percentages and
thresholds, the catalogue. Records that mirror ledger postings (hours, vouchers, donations,
projects, rentals) are read-only: they change only through the services, which post to the
ledger and write the audit log.
"""

from django.contrib import admin

from linli.core.admin_base import ReadOnlyAdmin
from linli.ledger.models import (
    CommunityLedgerSettings,
    Disbursement,
    Donation,
    EconomyIncome,
    MatchingCap,
    PointAward,
    PointRule,
    Project,
    Rental,
    Reward,
    ServiceRecord,
    ServiceRequest,
    ShareItem,
    Voucher,
)


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin[PointRule]):
    """积分规则 (LEDGER-2): what earns points, how many, and the daily cap per person."""

    list_display = ("code", "name", "points", "daily_cap", "active")
    list_editable = ("points", "daily_cap", "active")
    search_fields = ("code", "name")


@admin.register(MatchingCap)
class MatchingCapAdmin(admin.ModelAdmin[MatchingCap]):
    list_display = ("community", "year", "cap")
    list_filter = ("year",)


@admin.register(CommunityLedgerSettings)
class CommunityLedgerSettingsAdmin(admin.ModelAdmin[CommunityLedgerSettings]):
    list_display = ("community", "commission_bp", "public_share_bp", "street_approval_fen")


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin[Reward]):
    list_display = ("name", "community", "points_price", "stock", "merchant", "active")
    list_filter = ("community", "active")
    search_fields = ("name",)
    raw_id_fields = ("merchant",)


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnlyAdmin):
    list_display = ("id", "served_on", "volunteer", "service", "minutes", "status", "community")
    list_filter = ("status", "community")
    raw_id_fields = ("volunteer", "resident", "served_user", "request", "decided_by", "deposit")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "requester", "service", "minutes", "status", "community")
    list_filter = ("status",)


@admin.register(PointAward)
class PointAwardAdmin(ReadOnlyAdmin):
    list_display = ("awarded_on", "user", "rule", "points", "source_key")
    list_filter = ("rule",)
    search_fields = ("source_key",)


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    # The code is a bearer secret: not listed, not searchable.
    list_display = ("id", "reward", "user", "points", "status", "used_at")
    list_filter = ("status",)
    exclude = ("code", "idempotency_key")


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ("received_on", "community", "donor_name", "donor_kind", "amount", "matched")
    list_filter = ("community", "donor_kind")


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("name", "community", "budget", "disbursed", "status")
    list_filter = ("status", "community")


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "project", "amount", "memo")


@admin.register(ShareItem)
class ShareItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "owner", "community", "price", "active")
    list_filter = ("kind", "active")


@admin.register(Rental)
class RentalAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "item", "renter", "days", "amount", "commission")


@admin.register(EconomyIncome)
class EconomyIncomeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "community", "source", "amount", "public_share")
