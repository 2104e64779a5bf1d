"""闲置共享 and community economy (LEDGER-4, plan §6.1).

A resident lists an item (tool, book, parking space) with a daily price; another resident of
the community rents it and records paying the owner (outside Linli). The commission (5% by
default, per community) goes to the community welfare fund automatically.

Rounding rule (fen, integers only): commission = amount × rate, rounded half up to a whole fen;
the owner gets amount − commission, so the legs always sum exactly. The same rule splits
community-economy income: the public fund gets 30% (half up), the operator the rest.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.audit.services import audit_record
from linli.core.errors import NotFound, ValidationFailed
from linli.core.text import optional_text, require_text
from linli.geo.models import Community
from linli.ledger import policy
from linli.ledger.choices import AuditAction, Book, register_kind_labels
from linli.ledger.models import EconomyIncome, ItemKind, Rental, ShareItem
from linli.ledger.services.common import (
    community_of_user,
    economy_account,
    economy_source,
    payments_source,
    percent_half_up,
    public_fund,
    request_key,
    require_amount,
    settings_for,
    welfare_account,
)
from linli.ledger.services.posting import Leg, account_for_user, transaction_post

register_kind_labels(
    {"sharing.rental": gettext_lazy("共享租金"), "sharing.economy": gettext_lazy("社区经济收入")}
)

MAX_PRICE_FEN = 1_000_000  # ¥10,000 a day
MAX_DAYS = 365
MAX_INCOME_FEN = 10**11


def split(amount: int, basis_points: int) -> tuple[int, int]:
    """(share, rest) with share = amount × bp / 10000 rounded half up; share + rest = amount."""
    share = percent_half_up(amount, basis_points)
    return share, amount - share


def items_visible_to(user: Any) -> QuerySet[ShareItem]:
    """Items of the user's community (listed or their own)."""
    community = community_of_user(user)
    if community is None:
        return ShareItem.objects.filter(owner_id=user.pk)
    return ShareItem.objects.filter(community=community)


@transaction.atomic
def share_item_create(
    *, actor: Any, kind: str, title: str, price: int, description: str = ""
) -> ShareItem:
    community = community_of_user(actor)
    if community is None:
        raise ValidationFailed(_("您还没有登记所在社区,请联系社区工作人员。"))
    if kind not in ItemKind.values:
        raise ValidationFailed(_("请选择类别。"), field="kind")
    item = ShareItem.objects.create(
        owner=actor,
        community=community,
        kind=kind,
        title=require_text(title, field="title", label=_("名称"), max_length=60),
        description=optional_text(
            description, field="description", label=_("说明"), max_length=300
        ),
        price=require_amount(price, field="price", label=_("每天租金(分)"), high=MAX_PRICE_FEN),
    )
    audit_record(actor=actor, action=AuditAction.SHARE_ITEM, obj=item, data={"price": item.price})
    return item


@transaction.atomic
def share_item_set_active(*, actor: Any, item: ShareItem, active: bool) -> ShareItem:
    found = ShareItem.objects.select_for_update().filter(pk=item.pk, owner_id=actor.pk).first()
    if found is None:
        raise NotFound(_("找不到该物品。"))
    found.active = active
    found.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action=AuditAction.SHARE_ACTIVE, obj=found, data={"active": active})
    return found


@transaction.atomic
def rental_record(*, actor: Any, item: ShareItem, days: int, idempotency_key: str | None) -> Rental:
    """Record renting `item` for `days`, paid to the owner outside Linli."""
    key = request_key(scope="sharing.rental", actor=actor, key=idempotency_key)
    locked = items_visible_to(actor).select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise NotFound(_("找不到该物品。"))
    existing = Rental.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if locked.owner_id == actor.pk:
        raise ValidationFailed(_("不能租用自己的物品。"))
    if not locked.active:
        raise ValidationFailed(_("这个物品暂不出租。"), code="inactive")
    days = require_amount(days, field="days", label=_("天数"), high=MAX_DAYS)
    amount = locked.price * days
    commission, owner_part = split(amount, settings_for(locked.community).commission_bp)
    legs: list[Leg] = [(payments_source(locked.community), -amount)]
    if owner_part:
        legs.append((account_for_user(user=locked.owner, book=Book.MONEY), owner_part))
    if commission:
        legs.append((welfare_account(locked.community), commission))
    txn = transaction_post(
        actor=actor,
        idempotency_key=key,
        kind="sharing.rental",
        memo=f"租用「{locked.title}」{days} 天"[:200],
        legs=legs,
    )
    rental = Rental.objects.create(
        item=locked,
        renter=actor,
        days=days,
        amount=amount,
        commission=commission,
        transaction=txn,
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        action=AuditAction.SHARE_RENTAL,
        obj=rental,
        data={"amount": amount, "commission": commission},
    )
    return rental


@transaction.atomic
def economy_income_record(
    *,
    actor: Any,
    community: Community,
    source: str,
    amount: int,
    idempotency_key: str | None,
) -> EconomyIncome:
    """Community-economy income (venue rental …): the public fund's share goes in at once."""
    if not policy.can_record_income(actor) or not policy.can_manage(actor, community):
        raise NotFound(_("找不到该社区。"))
    key = request_key(scope="sharing.economy", actor=actor, key=idempotency_key)
    existing = EconomyIncome.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    source = require_text(source, field="source", label=_("收入来源"), max_length=100)
    amount = require_amount(amount, field="amount", label=_("金额(分)"), high=MAX_INCOME_FEN)
    share, rest = split(amount, settings_for(community).public_share_bp)
    legs: list[Leg] = [(economy_source(community), -amount)]
    if share:
        legs.append((public_fund(community), share))
    if rest:
        legs.append((economy_account(community), rest))
    txn = transaction_post(
        actor=actor, idempotency_key=key, kind="sharing.economy", memo=source, legs=legs
    )
    income = EconomyIncome.objects.create(
        community=community,
        source=source,
        amount=amount,
        public_share=share,
        recorded_by=actor,
        transaction=txn,
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        action=AuditAction.ECONOMY_INCOME,
        obj=income,
        data={"amount": amount, "public_share": share},
    )
    return income
