"""What the programmes share: request keys, places, the system accounts of a community.

System account keys (one per book and purpose; `None` limit = an issuer or outside source):

TIME   issuer:time:community:<id>       time credits are minted here when hours are confirmed
       hold:time:community:<id>         credits held for open service requests
POINTS issuer:points                    points are awarded from here (all communities)
       redeemed:points:community:<id>   points spent in a community's rewards catalogue
MONEY  fund:community:<id>              社区发展基金 (the development fund, published)
       donations:community:<id>         outside: donors' money arriving
       government:community:<id>        outside: government 1:1 matching
       project:<id>                     paid out to an approved project
       welfare:community:<id>           社区公益基金 (sharing commission)
       payments:community:<id>          outside: rent paid by renters to owners
       public:community:<id>            公共基金 (share of community-economy income)
       economy:community:<id>           the operators' part of community-economy income
       economy-income:community:<id>    outside: community-economy income arriving
"""

import re
from typing import Any

from django.db.models import QuerySet

from linli.accounts.choices import MembershipKind
from linli.core.errors import ValidationFailed
from linli.core.roles import Role
from linli.geo.models import Community, Grid
from linli.ledger.choices import Book
from linli.ledger.models import Account, CommunityLedgerSettings
from linli.ledger.services.posting import account_system

KEY_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
MANAGERS = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN, Role.SYSADMIN)


def request_key(*, scope: str, actor: Any, key: str | None) -> str:
    """The ledger idempotency key for a client's request key, namespaced by operation and
    caller so one caller's key can never return another's result."""
    raw = (key or "").strip()
    if not raw:
        raise ValidationFailed(
            "缺少请求编号(Idempotency-Key),请刷新页面后重试。", field="idempotency_key"
        )
    if not KEY_RE.match(raw):
        raise ValidationFailed(
            "请求编号格式不正确(8–64 位字母、数字或 ._:-)。", field="idempotency_key"
        )
    return f"{scope}:u{getattr(actor, 'pk', 0) or 0}:{raw}"


def require_text(value: str, *, field: str, label: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{label}。", field=field)
    if len(text) > max_length:
        raise ValidationFailed(f"{label}不能超过 {max_length} 字。", field=field)
    return text


def require_amount(value: Any, *, field: str, label: str, low: int = 1, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{label}必须是整数。", field=field)
    if value < low or value > high:
        raise ValidationFailed(f"{label}应在 {low} 到 {high} 之间。", field=field)
    return value


def grid_of_user(user: Any) -> Grid | None:
    """The grid the user lives in (their resident record), if any."""
    from linli.people.models import Resident

    resident = (
        Resident.objects.filter(user_id=user.pk)
        .select_related("household__building__grid__community")
        .first()
    )
    if resident is not None and resident.household is not None:
        return resident.household.building.grid
    return None


def community_of_user(user: Any) -> Community | None:
    """Where the user belongs: their home, else the grid or community they work for."""
    grid = grid_of_user(user)
    if grid is not None:
        return grid.community
    for m in user.memberships.select_related("grid__community", "community").order_by("pk"):
        if m.grid_id is not None:
            return m.grid.community  # type: ignore[no-any-return]
        if m.community_id is not None:
            return m.community  # type: ignore[no-any-return]
    return None


def managed_communities(actor: Any) -> QuerySet[Community]:
    """Communities whose catalogue, funds and projects the actor manages."""
    qs = Community.objects.all()
    if actor is None or not actor.is_authenticated:
        return qs.none()
    if actor.role == Role.SYSADMIN:
        return qs
    ids: set[int] = set()
    streets: set[int] = set()
    for m in actor.memberships.all():
        if m.kind in (MembershipKind.COMMUNITY_WORKER, MembershipKind.SECRETARY):
            if actor.role in (Role.COMMUNITY_WORKER, Role.SECRETARY):
                ids.add(m.community_id)
        elif m.kind == MembershipKind.STREET_ADMIN and actor.role == Role.STREET_ADMIN:
            streets.add(m.street_id)
    return qs.filter(pk__in=ids) | qs.filter(street_id__in=streets)


def settings_for(community: Community) -> CommunityLedgerSettings:
    found, _ = CommunityLedgerSettings.objects.get_or_create(community=community)
    return found


def percent_half_up(amount: int, basis_points: int) -> int:
    """amount × bp / 10000, rounded half up, in integers (no floats): 5% of 1 fen is 0,
    of 10 fen is 1 (0.5 → 1), of 30 fen is 2 (1.5 → 2)."""
    return (amount * basis_points + 5000) // 10000


# ------------------------------------------------------------- system accounts


def _community_account(
    community: Community, *, book: str, prefix: str, name: str, limited: bool
) -> Account:
    return account_system(
        key=f"{prefix}:community:{community.pk}",
        book=book,
        name=f"{community.name}{name}",
        community=community,
        min_balance=0 if limited else None,
    )


def time_issuer(community: Community) -> Account:
    return _community_account(
        community, book=Book.TIME, prefix="issuer:time", name="时间银行发行", limited=False
    )


def time_hold(community: Community) -> Account:
    return _community_account(
        community, book=Book.TIME, prefix="hold:time", name="服务兑换冻结", limited=True
    )


def points_issuer() -> Account:
    return account_system(key="issuer:points", book=Book.POINTS, name="积分发放", min_balance=None)


def points_redeemed(community: Community) -> Account:
    return _community_account(
        community, book=Book.POINTS, prefix="redeemed:points", name="积分兑换", limited=True
    )


def fund_account(community: Community) -> Account:
    return _community_account(
        community, book=Book.MONEY, prefix="fund", name="社区发展基金", limited=True
    )


def donations_source(community: Community) -> Account:
    return _community_account(
        community, book=Book.MONEY, prefix="donations", name="社会捐赠来源", limited=False
    )


def government_source(community: Community) -> Account:
    return _community_account(
        community, book=Book.MONEY, prefix="government", name="政府配套资金来源", limited=False
    )


def welfare_account(community: Community) -> Account:
    return _community_account(
        community, book=Book.MONEY, prefix="welfare", name="社区公益基金", limited=True
    )


def payments_source(community: Community) -> Account:
    return _community_account(
        community, book=Book.MONEY, prefix="payments", name="共享租金(线下支付)", limited=False
    )


def public_fund(community: Community) -> Account:
    return _community_account(
        community, book=Book.MONEY, prefix="public", name="公共基金", limited=True
    )


def economy_account(community: Community) -> Account:
    return _community_account(
        community, book=Book.MONEY, prefix="economy", name="社区经济运营收入", limited=True
    )


def economy_source(community: Community) -> Account:
    return _community_account(
        community, book=Book.MONEY, prefix="economy-income", name="社区经济收入来源", limited=False
    )


def published_accounts(community: Community) -> list[Account]:
    """The community's funds shown on the public page, in this order."""
    return [fund_account(community), welfare_account(community), public_fund(community)]
