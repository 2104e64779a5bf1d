import datetime as dt

from ninja import Schema
from pydantic import Field

KEY_FIELD = Field(
    default=None,
    min_length=8,
    max_length=64,
    description="请求编号;也可放在 Idempotency-Key 请求头。重复提交返回第一次的结果。",
)


class BalanceOut(Schema):
    account_id: int | None
    book: str
    book_label: str
    balance: int
    balance_text: str


class HistoryRowOut(Schema):
    entry_id: int
    transaction_id: int
    created_at: dt.datetime
    kind: str
    kind_label: str
    memo: str
    amount: int
    balance: int


class HistoryOut(Schema):
    account_id: int
    name: str
    book: str
    balance: int
    rows: list[HistoryRowOut]


class TransactionOut(Schema):
    id: int
    kind: str
    memo: str
    created_at: dt.datetime


class RecordIn(Schema):
    resident_id: int | None = None
    request_id: int | None = None
    served_on: dt.date
    minutes: int = Field(ge=1, le=720)
    service: str = Field(min_length=1, max_length=100)
    note: str = Field(default="", max_length=300)
    idempotency_key: str | None = KEY_FIELD


class DisputeIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class RecordOut(Schema):
    id: int
    volunteer: str
    served: str
    served_on: dt.date
    minutes: int
    service: str
    status: str
    status_label: str
    deposit_id: int | None


class RequestIn(Schema):
    service: str = Field(min_length=1, max_length=100)
    minutes: int = Field(ge=1, le=720)
    note: str = Field(default="", max_length=300)
    idempotency_key: str | None = KEY_FIELD


class RequestOut(Schema):
    id: int
    service: str
    minutes: int
    status: str
    status_label: str


class GiftIn(Schema):
    to_user_id: int
    minutes: int = Field(ge=1)
    idempotency_key: str | None = KEY_FIELD


class AwardIn(Schema):
    user_id: int
    rule_code: str = Field(min_length=1, max_length=40)
    memo: str = Field(default="", max_length=100)
    idempotency_key: str | None = KEY_FIELD


class RewardOut(Schema):
    id: int
    name: str
    description: str
    points_price: int
    stock: int
    merchant: str


class KeyIn(Schema):
    idempotency_key: str | None = KEY_FIELD


class VoucherOut(Schema):
    id: int
    code: str
    reward: str
    merchant: str
    points: int
    status: str
    status_label: str
    used_at: dt.datetime | None


class UseIn(Schema):
    code: str = Field(min_length=1, max_length=20)


class DonationIn(Schema):
    donor_name: str = Field(min_length=1, max_length=100)
    donor_kind: str = Field(pattern="^(enterprise|resident|organisation)$")
    amount_fen: int = Field(ge=1)
    anonymous: bool = False
    received_on: dt.date | None = None
    idempotency_key: str | None = KEY_FIELD


class DonationOut(Schema):
    id: int
    amount_fen: int
    matched_fen: int
    fund_balance_fen: int


class DisburseIn(Schema):
    amount_fen: int = Field(ge=1)
    memo: str = Field(min_length=1, max_length=200)
    idempotency_key: str | None = KEY_FIELD


class DisbursementOut(Schema):
    id: int
    project_id: int
    amount_fen: int
    project_remaining_fen: int
    fund_balance_fen: int
