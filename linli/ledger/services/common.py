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

import hashlib
import re
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from linli.core.errors import ValidationFailed
from linli.core.notifications.services import notification_send
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.ledger.choices import Book, format_amount
from linli.ledger.models import Account, CommunityLedgerSettings
from linli.ledger.services.posting import account_system
from linli.people.selectors import resident_of_user

KEY_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def stored_language() -> translation.override:
    """What the ledger stores as text (memos, notifications) is data in the site's language,
    not in the language of whoever happened to cause it."""
    return translation.override(settings.LANGUAGE_CODE)


def stored_amount(book: str, amount: int) -> str:
    """An amount for stored text (memos, notifications)."""
    with stored_language():
        return format_amount(book, amount)


def notify(recipient: Any, title: str, body: str = "", url: str = "") -> None:
    """The inbox row is written in the service's transaction (a crash loses nothing);
    `notification_send` delivers after commit."""
    if recipient is not None:
        notification_send(recipient=recipient, title=title, body=body, url=url)


def request_key(*, scope: str, actor: Any, key: str | None) -> str:
    """The ledger idempotency key for a client's request key, namespaced by operation and
    caller so one caller's key can never return another's result."""
    raw = (key or "").strip()
    if not raw:
        raise ValidationFailed(
            _("缺少请求编号(Idempotency-Key),请刷新页面后重试。"), field="idempotency_key"
        )
    if not KEY_RE.match(raw):
        raise ValidationFailed(
            _("请求编号格式不正确(8–64 位字母、数字或 ._:-)。"), field="idempotency_key"
        )
    full = f"{scope}:u{getattr(actor, 'pk', 0) or 0}:{raw}"
    _claim(full)
    return full


def _claim(key: str) -> None:
    """Hold the key until this transaction ends: a parallel request with the same key waits
    here, then finds the first one's result instead of colliding on the unique key (a 500).
    SQLite needs nothing: its transactions take the write lock when they begin."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("an idempotency key is claimed inside the service's transaction")
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def require_amount(value: Any, *, field: str, label: str, low: int = 1, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("%(label)s必须是整数。") % {"label": label}, field=field)
    if value < low or value > high:
        raise ValidationFailed(
            _("%(label)s应在 %(low)s 到 %(high)s 之间。")
            % {"label": label, "low": low, "high": high},
            field=field,
        )
    return value


def home_grid_id(user: Any) -> int | None:
    """The grid the user lives in (their resident record), if any."""
    home = resident_of_user(user)
    return home.grid_id if home is not None else None


def community_of_user(user: Any) -> Community | None:
    """Where the user belongs: their home, else the grid or community they work for."""
    home = resident_of_user(user)
    if home is not None and home.community_id is not None:
        return Community.objects.filter(pk=home.community_id).first()
    scope = Scope.for_actor(user)
    grids = scope.grid_ids | scope.volunteer_grid_ids
    return (
        Community.objects.filter(Q(grids__in=sorted(grids)) | Q(pk__in=sorted(scope.community_ids)))
        .order_by("pk")
        .first()
    )


def settings_for(community: Community) -> CommunityLedgerSettings:
    found, _created = CommunityLedgerSettings.objects.get_or_create(community=community)
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
