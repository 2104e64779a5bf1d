"""Time bank, points and rewards, funds, sharing (LEDGER-1..4)."""

from linli.ledger.models.funds import (
    CommunityLedgerSettings,
    Disbursement,
    Donation,
    DonorKind,
    MatchingCap,
    Project,
    ProjectStatus,
)
from linli.ledger.models.points import PointAward, PointRule, Reward, Voucher, VoucherStatus
from linli.ledger.models.sharing import EconomyIncome, ItemKind, Rental, ShareItem
from linli.ledger.models.timebank import (
    RecordStatus,
    RequestStatus,
    ServiceRecord,
    ServiceRequest,
)

__all__ = [
    "CommunityLedgerSettings",
    "Disbursement",
    "Donation",
    "DonorKind",
    "EconomyIncome",
    "ItemKind",
    "MatchingCap",
    "PointAward",
    "PointRule",
    "Project",
    "ProjectStatus",
    "RecordStatus",
    "Rental",
    "RequestStatus",
    "Reward",
    "ServiceRecord",
    "ServiceRequest",
    "ShareItem",
    "Voucher",
    "VoucherStatus",
]
