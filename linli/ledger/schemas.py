import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from linli.core.schemas import Day, Int
from linli.ledger.models import ServiceRecord, Transaction, Voucher

KEY_FIELD = Field(
    default=None,
    min_length=8,
    max_length=64,
    description="请求编号;也可放在 Idempotency-Key 请求头。重复提交返回第一次的结果。",
)


class LedgerBalanceOut(Schema):
    account_id: int | None
    book: str
    book_label: str
    balance: int
    balance_text: str


class LedgerHistoryRowOut(Schema):
    entry_id: int
    transaction_id: int
    created_at: dt.datetime
    kind: str
    kind_label: str
    memo: str
    amount: int
    balance: int


class LedgerHistoryOut(Schema):
    account_id: int
    name: str
    book: str
    balance: int
    rows: list[LedgerHistoryRowOut]


class LedgerTransactionOut(Schema):
    id: int
    kind: str
    memo: str
    created_at: dt.datetime


class LedgerRecordIn(Schema):
    resident_id: Int | None = None
    request_id: Int | None = None
    served_on: Day
    minutes: Int = Field(ge=1, le=720)
    service: str = Field(min_length=1, max_length=100)
    note: str = Field(default="", max_length=300)
    idempotency_key: str | None = KEY_FIELD


class LedgerDisputeIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class LedgerRecordOut(Schema):
    id: int
    volunteer: str
    served: str
    served_on: dt.date
    minutes: int
    service: str
    status: str
    status_label: str
    deposit_id: int | None


class LedgerRequestIn(Schema):
    service: str = Field(min_length=1, max_length=100)
    minutes: Int = Field(ge=1, le=720)
    note: str = Field(default="", max_length=300)
    idempotency_key: str | None = KEY_FIELD


class LedgerRequestOut(Schema):
    id: int
    service: str
    minutes: int
    status: str
    status_label: str


class LedgerGiftIn(Schema):
    to_user_id: Int
    minutes: Int = Field(ge=1)
    idempotency_key: str | None = KEY_FIELD


class LedgerAwardIn(Schema):
    user_id: Int
    rule_code: str = Field(min_length=1, max_length=40)
    memo: str = Field(default="", max_length=100)
    idempotency_key: str | None = KEY_FIELD


class LedgerRewardOut(Schema):
    id: int
    name: str
    description: str
    points_price: int
    stock: int
    merchant: str


class LedgerKeyIn(Schema):
    idempotency_key: str | None = KEY_FIELD


class LedgerVoucherOut(Schema):
    id: int
    code: str
    reward: str
    merchant: str
    points: int
    status: str
    status_label: str
    used_at: dt.datetime | None


class LedgerUseIn(Schema):
    code: str = Field(min_length=1, max_length=20)


class LedgerDonationIn(Schema):
    donor_name: str = Field(min_length=1, max_length=100)
    donor_kind: str = Field(pattern="^(enterprise|resident|organisation)$")
    amount_fen: Int = Field(ge=1)
    anonymous: bool = False
    received_on: Day | None = None
    idempotency_key: str | None = KEY_FIELD


class LedgerDonationOut(Schema):
    id: int
    amount_fen: int
    matched_fen: int
    fund_balance_fen: int


class LedgerDisburseIn(Schema):
    amount_fen: Int = Field(ge=1)
    memo: str = Field(min_length=1, max_length=200)
    idempotency_key: str | None = KEY_FIELD


class LedgerDisbursementOut(Schema):
    id: int
    project_id: int
    amount_fen: int
    project_remaining_fen: int
    fund_balance_fen: int


# Bodies for the schemas above.


def txn_out(txn: Transaction) -> dict[str, Any]:
    return {"id": txn.pk, "kind": txn.kind, "memo": txn.memo, "created_at": txn.created_at}


def record_out(record: ServiceRecord) -> dict[str, Any]:
    served = record.served_user.display_name if record.served_user else ""
    if not served and record.resident is not None:
        served = record.resident.full_name
    return {
        "id": record.pk,
        "volunteer": record.volunteer.display_name,
        "served": served,
        "served_on": record.served_on,
        "minutes": record.minutes,
        "service": record.service,
        "status": record.status,
        "status_label": record.get_status_display(),
        "deposit_id": record.deposit_id,
    }


def voucher_out(voucher: Voucher) -> dict[str, Any]:
    return {
        "id": voucher.pk,
        "code": voucher.code,
        "reward": voucher.reward.name,
        "merchant": voucher.reward.merchant.display_name,
        "points": voucher.points,
        "status": voucher.status,
        "status_label": voucher.get_status_display(),
        "used_at": voucher.used_at,
    }
