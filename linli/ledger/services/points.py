"""社区积分 (LEDGER-2, plan §4.4 §5.4): points for taking part, a rewards catalogue with stock,
vouchers a partner merchant marks used once.

Other apps award points with one call:

    points_award(actor=..., user=..., rule_code="vote", source_key=f"vote:{ballot.pk}:user:{u.pk}")

`source_key` makes it idempotent (a repeat returns the first transaction). Past a rule's
daily cap it raises ValidationFailed(code="points_capped"); it runs in its own savepoint, so a
caller may catch that and carry on. Redeemed points go to the community's "积分兑换" account;
cancelling an unused voucher reverses that transaction and restores the stock.
"""

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, ValidationFailed
from linli.core.text import optional_text, require_text
from linli.geo.scope import Scope
from linli.ledger import policy
from linli.ledger.choices import AuditAction, Book, register_kind_labels
from linli.ledger.models import PointAward, PointRule, Reward, Transaction, Voucher, VoucherStatus
from linli.ledger.services.common import (
    community_of_user,
    notify,
    points_issuer,
    points_redeemed,
    request_key,
    require_amount,
)
from linli.ledger.services.posting import account_for_user, transaction_post, transaction_reverse

register_kind_labels(
    {
        "points.award": gettext_lazy("积分奖励"),
        "points.redeem": gettext_lazy("积分兑换"),
    }
)

# Unambiguous when read aloud or typed: no 0/O, 1/I/L, 5/S, 2/Z, 8/B.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8
MAX_SOURCE_KEY = 90


@transaction.atomic
def points_award(
    *,
    actor: Any,
    user: Any,
    rule_code: str,
    source_key: str,
    memo: str = "",
    units: int = 1,
) -> Transaction:
    """Award the rule's points (× `units`, e.g. hours) to `user`, once per `source_key`."""
    source_key = (source_key or "").strip()
    if not source_key or len(source_key) > MAX_SOURCE_KEY:
        raise ValidationFailed(
            _("积分来源编号不能为空,且不超过 %(max)s 个字符。") % {"max": MAX_SOURCE_KEY},
            field="source_key",
        )
    units = require_amount(units, field="units", label=_("数量"), high=1000)
    # The rule's row lock serialises awards of one rule, so the daily cap holds under
    # concurrency; it is always taken before any account lock.
    rule = PointRule.objects.select_for_update().filter(code=rule_code, active=True).first()
    if rule is None:
        raise ValidationFailed(_("积分规则不存在或已停用。"), field="rule_code")
    existing = PointAward.objects.filter(source_key=source_key).first()
    if existing is not None:
        if existing.user_id != user.pk or existing.rule_id != rule.pk:
            raise Conflict(_("这个积分来源编号已用于另一次发放。"), field="source_key")
        return existing.transaction
    points = rule.points * units
    today = timezone.localdate()
    if rule.daily_cap is not None:
        given = (
            PointAward.objects.filter(user_id=user.pk, rule=rule, awarded_on=today).aggregate(
                total=Sum("points")
            )["total"]
            or 0
        )
        points = min(points, rule.daily_cap - given)
        if points <= 0:
            raise ValidationFailed(
                _("今天「%(rule)s」的积分已达上限 %(cap)s 分。")
                % {"rule": rule.name, "cap": rule.daily_cap},
                code="points_capped",
            )
    txn = transaction_post(
        actor=actor,
        idempotency_key=f"points:{source_key}",
        kind="points.award",
        memo=optional_text(memo, field="memo", label=_("说明"), max_length=200) or rule.name,
        legs=[(points_issuer(), -points), (account_for_user(user=user, book=Book.POINTS), points)],
    )
    PointAward.objects.create(
        source_key=source_key,
        rule=rule,
        user=user,
        points=points,
        awarded_on=today,
        transaction=txn,
    )
    audit_record(
        actor=actor,
        action=AuditAction.POINTS_AWARD,
        obj=txn,
        data={"user": user.pk, "rule": rule.code, "points": points},
    )
    return txn


def points_award_by_staff(
    *, actor: Any, user: Any, rule_code: str, idempotency_key: str | None, memo: str = ""
) -> Transaction:
    """A community worker hands out points (e.g. observer duty) to a person of their
    community."""
    key = request_key(scope="m", actor=actor, key=idempotency_key)
    if not policy.can_award_anyone(actor):
        community = community_of_user(user)
        if community is None or not policy.can_manage(actor, community):
            raise NotFound(_("找不到该居民账号。"), field="username")
    return points_award(actor=actor, user=user, rule_code=rule_code, source_key=key, memo=memo)


# ---------------------------------------------------------------- catalogue


def _managed_reward(actor: Any, reward_id: int, *, lock: bool = False) -> Reward:
    qs = Reward.objects.filter(
        pk=reward_id, community__in=Scope.for_actor(actor).managed_communities()
    )
    found = (qs.select_for_update() if lock else qs).first()
    if found is None:
        raise NotFound(_("找不到该兑换物品。"))
    return found


@transaction.atomic
def reward_save(
    *,
    actor: Any,
    community: Any,
    name: str,
    points_price: int,
    stock: int,
    merchant: Any,
    description: str = "",
    active: bool = True,
    reward: Reward | None = None,
) -> Reward:
    """Add an item to a community's catalogue, or change one (price, stock, on/off)."""
    if not policy.can_manage(actor, community):
        raise NotFound(_("找不到该社区。"))
    name = require_text(name, field="name", label=_("名称"), max_length=50)
    points_price = require_amount(
        points_price, field="points_price", label=_("所需积分"), high=10**6
    )
    stock = require_amount(stock, field="stock", label=_("库存"), low=0, high=10**6)
    if merchant is None or merchant.role not in policy.MERCHANTS or not merchant.is_active:
        raise ValidationFailed(_("请选择一家合作商家。"), field="merchant")
    if reward is None:
        reward = Reward(community=community)
    else:
        reward = _managed_reward(actor, reward.pk, lock=True)
        if reward.community_id != community.pk:
            raise ValidationFailed(_("不能把物品移到另一个社区。"), field="community")
    reward.name, reward.description = (
        name,
        optional_text(description, field="description", label=_("说明"), max_length=300),
    )
    reward.points_price, reward.stock, reward.merchant, reward.active = (
        points_price,
        stock,
        merchant,
        active,
    )
    reward.save()
    audit_record(
        actor=actor,
        action=AuditAction.REWARD_SAVE,
        obj=reward,
        data={"price": points_price, "stock": stock, "active": active},
    )
    return reward


def rewards_visible_to(user: Any) -> QuerySet[Reward]:
    community = community_of_user(user)
    if community is None:
        return Reward.objects.none()
    return Reward.objects.filter(community=community)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def reward_redeem(*, actor: Any, reward: Reward, idempotency_key: str | None) -> Voucher:
    """Spend points on a catalogue item: points out, stock down by one, a voucher issued."""
    key = request_key(scope="points.redeem", actor=actor, key=idempotency_key)
    # Lock the item first: parallel redeems of the last one queue here, never oversell.
    locked = rewards_visible_to(actor).select_for_update().filter(pk=reward.pk).first()
    if locked is None:
        raise NotFound(_("找不到该兑换物品。"))
    existing = Voucher.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.reward_id != locked.pk:
            raise Conflict(
                _("这个请求编号已用于另一次兑换,请刷新后重试。"), field="idempotency_key"
            )
        return existing
    if not locked.active:
        raise ValidationFailed(_("这个物品已下架。"), code="inactive")
    if locked.stock < 1:
        raise ValidationFailed(_("这个物品已经兑完了。"), code="out_of_stock")
    mine = account_for_user(user=actor, book=Book.POINTS)
    if mine.balance < locked.points_price:
        raise ValidationFailed(
            _("积分不足:需要 %(need)s 分,您现在有 %(have)s 分。")
            % {"need": locked.points_price, "have": mine.balance},
            code="insufficient",
        )
    txn = transaction_post(
        actor=actor,
        idempotency_key=key,
        kind="points.redeem",
        memo=f"兑换:{locked.name}",
        legs=[
            (mine, -locked.points_price),
            (points_redeemed(locked.community), locked.points_price),
        ],
    )
    locked.stock -= 1
    locked.save(update_fields=["stock", "updated_at"])
    voucher = _issue_voucher(actor=actor, reward=locked, txn=txn, key=key)
    audit_record(
        actor=actor,
        action=AuditAction.POINTS_REDEEM,
        obj=voucher,
        data={"reward": locked.pk, "points": locked.points_price},
    )
    return voucher


def _issue_voucher(*, actor: Any, reward: Reward, txn: Transaction, key: str) -> Voucher:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Voucher.objects.create(
                    code=_new_code(),
                    reward=reward,
                    user=actor,
                    points=reward.points_price,
                    redeem=txn,
                    idempotency_key=key,
                )
        except IntegrityError:
            continue  # a code collision (25^8 codes): draw again
    raise Conflict(_("兑换码生成失败,请重试。"))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@transaction.atomic
def voucher_use(*, actor: Any, code: str) -> Voucher:
    """核销: the merchant of the voucher's item marks it used, once."""
    clean = normalise_code(code)
    if not clean:
        raise ValidationFailed(_("请输入兑换码。"), field="code")
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("reward", "user")
        .filter(code=clean, reward__merchant_id=actor.pk)
        .first()
    )
    if voucher is None:
        raise NotFound(_("找不到这个兑换码,请核对后重试。"), field="code")
    if voucher.status == VoucherStatus.USED:
        assert voucher.used_at is not None
        when = timezone.localtime(voucher.used_at)
        raise Conflict(
            _("这张券已于 %(when)s 使用过,不能重复使用。") % {"when": f"{when:%Y-%m-%d %H:%M}"},
            code="used",
            field="code",
        )
    if voucher.status == VoucherStatus.CANCELLED:
        raise Conflict(_("这张券已作废,不能使用。"), code="cancelled", field="code")
    voucher.status = VoucherStatus.USED
    voucher.used_at = timezone.now()
    voucher.used_by = actor
    voucher.save(update_fields=["status", "used_at", "used_by", "updated_at"])
    audit_record(actor=actor, action=AuditAction.VOUCHER_USE, obj=voucher, data={})
    notify(voucher.user, f"您的兑换券已使用:{voucher.reward.name}", url=reverse("ledger:points"))
    return voucher


@transaction.atomic
def voucher_cancel(*, actor: Any, voucher: Voucher) -> Voucher:
    """Staff void an unused voucher: the points come back and the stock goes up again."""
    found = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("redeem", "user")
        .filter(pk=voucher.pk, reward__community__in=Scope.for_actor(actor).managed_communities())
        .first()
    )
    if found is None:
        raise NotFound(_("找不到该兑换券。"))
    if found.status == VoucherStatus.CANCELLED:
        return found
    if found.status == VoucherStatus.USED:
        raise Conflict(_("已使用的券不能作废。"), code="used")
    reward = Reward.objects.select_for_update().get(pk=found.reward_id)
    transaction_reverse(
        actor=actor,
        transaction=found.redeem,
        idempotency_key=f"points.cancel:voucher:{found.pk}",
        memo=f"兑换券作废,退回积分:{reward.name}",
    )
    reward.stock += 1
    reward.save(update_fields=["stock", "updated_at"])
    found.status = VoucherStatus.CANCELLED
    found.cancelled_at = timezone.now()
    found.cancelled_by = actor
    found.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
    audit_record(actor=actor, action=AuditAction.VOUCHER_CANCEL, obj=found, data={})
    notify(
        found.user,
        f"兑换券已作废,{found.points} 分已退回:{reward.name}",
        url=reverse("ledger:points"),
    )
    return found
