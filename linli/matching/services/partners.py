"""Community partners (MATCH-5): contributions earn social-responsibility points through
the ledger's points service; social organisations' posts filled by local residents are
tracked against the 20-30% target (§7.3)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core.errors import NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.core.text import require_text
from linli.geo.models import Community
from linli.ledger.services.points import points_award
from linli.matching.choices import AuditAction, ContributionKind, PartnerKind
from linli.matching.models import Contribution, Partner
from linli.matching.policy import manages
from linli.matching.services.common import record, tell

POINT_RULE = "partner_contribution"  # 1 point a unit (a PointRule; the demo creates it)
FEN_PER_POINT = 1000  # ¥10 of value earns one point
SERVICE_POINTS = 10  # a service or a venue lent, when no value is given
MAX_POINTS = 1000


def contribution_points(kind: str, value_fen: int) -> int:
    if value_fen > 0:
        return min(MAX_POINTS, max(1, value_fen // FEN_PER_POINT))
    return SERVICE_POINTS if kind in (ContributionKind.SERVICE, ContributionKind.VENUE) else 1


@transaction.atomic
def partner_save(
    *,
    actor: Any,
    community_id: int,
    name: str,
    kind: str,
    posts_total: int = 0,
    posts_local: int = 0,
    username: str = "",
    partner_id: int | None = None,
) -> Partner:
    if not Community.objects.filter(pk=community_id).exists():
        raise NotFound(_("找不到该社区。"), field="community_id")
    if not manages(actor, community_id):
        raise PermissionDenied(_("只有本社区工作人员可以登记合伙单位。"))
    if kind not in PartnerKind.values:
        raise ValidationFailed(_("请选择类型。"), field="kind")
    if not 0 <= posts_local <= posts_total <= 100_000:
        raise ValidationFailed(
            _("本社区居民任职数不能超过岗位数。"), field="posts_local", code="posts"
        )
    user = None
    if username.strip():
        user = User.objects.filter(username=username.strip(), role=Role.PARTNER).first()
        if user is None:
            raise NotFound(_("找不到该合作单位账号。"), field="username")
    fields = {
        "community_id": community_id,
        "name": require_text(name, field="name", label=_("名称"), max_length=100),
        "kind": kind,
        "posts_total": posts_total,
        "posts_local": posts_local,
        "user": user,
    }
    if partner_id is None:
        partner = Partner.objects.create(**fields)
    else:
        partner = Partner.objects.select_for_update().filter(pk=partner_id).first()  # type: ignore[assignment]
        if partner is None or not manages(actor, partner.community_id):
            raise NotFound(_("找不到该合伙单位。"))
        for k, v in fields.items():
            setattr(partner, k, v)
        partner.save()
    record(actor, AuditAction.PARTNER, partner, step="save")
    return partner


@transaction.atomic
def contribution_record(
    *,
    actor: Any,
    partner_id: int,
    kind: str,
    description: str,
    value_fen: int = 0,
    on: dt.date | None = None,
) -> Contribution:
    """Record what a partner gave; its points go to the partner's account through the
    ledger (once per contribution)."""
    partner = Partner.objects.select_for_update().filter(pk=partner_id).first()
    if partner is None or not manages(actor, partner.community_id):
        raise NotFound(_("找不到该合伙单位。"))
    if kind not in ContributionKind.values:
        raise ValidationFailed(_("请选择贡献类型。"), field="kind")
    if not 0 <= value_fen <= 10**11:
        raise ValidationFailed(_("折合金额有误。"), field="value_fen")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationFailed(_("日期不能晚于今天。"), field="on")
    if partner.user_id is None:
        raise ValidationFailed(
            _("该合伙单位还没有账号,请先关联账号再登记贡献。"),
            field="partner_id",
            code="no_account",
        )
    c = Contribution.objects.create(
        partner=partner,
        kind=kind,
        description=require_text(description, field="description", label=_("内容"), max_length=200),
        value_fen=value_fen,
        on=on,
        recorded_by=actor,
    )
    points = contribution_points(kind, value_fen)
    txn = points_award(
        actor=actor,
        user=partner.user,
        rule_code=POINT_RULE,
        source_key=f"matching:contribution:{c.pk}",
        memo=_("社会责任积分:%(what)s") % {"what": c.description[:40]},
        units=points,
    )
    c.points = points
    c.transaction_id = txn.pk
    c.save(update_fields=["points", "transaction_id", "updated_at"])
    record(actor, AuditAction.PARTNER, c, step="contribution", points=points)
    tell(partner.user, _("获得社会责任积分 %(n)s 分") % {"n": points})
    return c
