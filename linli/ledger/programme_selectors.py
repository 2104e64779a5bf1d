"""Reads for the programmes' pages and API: balances, histories, what each actor may see.

Who may see an account: its own person; staff managing the community that owns a community
account (fund, welfare, public fund, issuers, projects); system administrators: every one.
Anyone else gets "not found".
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.errors import NotFound
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.ledger import policy
from linli.ledger.choices import Book, format_amount, kind_label
from linli.ledger.models import (
    Account,
    Entry,
    Project,
    RecordStatus,
    RequestStatus,
    ServiceRecord,
    ServiceRequest,
    Voucher,
)
from linli.ledger.selectors import account_history
from linli.ledger.services.common import community_of_user
from linli.ledger.services.timebank import confirmable_records, volunteer_communities

PUBLISHED = (
    ("fund", gettext_lazy("社区发展基金")),
    ("welfare", gettext_lazy("社区公益基金")),
    ("public", gettext_lazy("公共基金")),
)


@dataclass(frozen=True)
class BookBalance:
    book: str
    label: Promise | str
    account: Account | None
    balance: int

    @property
    def text(self) -> str:
        return format_amount(self.book, self.balance)


@dataclass(frozen=True)
class Line:
    """One history row as a page shows it."""

    entry_id: int
    created_at: Any
    kind: str
    memo: str
    amount: int
    amount_text: str
    balance_text: str


def my_balances(user: Any) -> list[BookBalance]:
    accounts = {a.book: a for a in Account.objects.filter(user_id=user.pk)}
    out = []
    for book in (Book.TIME, Book.POINTS, Book.MONEY):
        account = accounts.get(book)
        if book == Book.MONEY and account is None:
            continue  # only people who rent out items have money records
        out.append(BookBalance(book, Book(book).label, account, account.balance if account else 0))
    return out


def own_account(user: Any, book: str) -> Account | None:
    return Account.objects.filter(user_id=user.pk, book=book).first()


def lines(account: Account | None, *, limit: int = 50, before_id: int | None = None) -> list[Line]:
    if account is None:
        return []
    return [
        Line(
            entry_id=row.entry_id,
            created_at=row.created_at,
            kind=kind_label(row.kind),
            memo=row.memo,
            amount=row.amount,
            amount_text=format_amount(account.book, row.amount, signed=True),
            balance_text=format_amount(account.book, row.balance),
        )
        for row in account_history(account=account, limit=limit, before_id=before_id)
    ]


def visible_accounts(actor: Any) -> QuerySet[Account]:
    qs = Account.objects.all()
    if policy.can_award_anyone(actor):  # system administrators see every account
        return qs
    managed = Scope.for_actor(actor).managed_communities()
    return qs.filter(Q(user_id=actor.pk) | Q(community__in=managed))


def account_get(*, actor: Any, account_id: int) -> Account:
    found = visible_accounts(actor).filter(pk=account_id).first()
    if found is None:
        raise NotFound(_("找不到该账户。"))
    return found


# ---------------------------------------------------------------- time bank


def records_to_confirm(actor: Any) -> QuerySet[ServiceRecord]:
    return (
        confirmable_records(actor)
        .filter(status=RecordStatus.PENDING)
        .select_related("volunteer", "resident", "served_user")
        .order_by("served_on", "pk")
    )


def my_records(actor: Any) -> QuerySet[ServiceRecord]:
    return (
        ServiceRecord.objects.filter(volunteer_id=actor.pk)
        .select_related("resident", "served_user")
        .order_by("-pk")
    )


def open_requests_for(actor: Any) -> QuerySet[ServiceRequest]:
    """Open service requests a volunteer may take: their communities', not their own."""
    if not policy.can_record_service(actor):
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.filter(
            status=RequestStatus.OPEN, community_id__in=volunteer_communities(actor)
        )
        .exclude(requester_id=actor.pk)
        .select_related("requester")
        .order_by("pk")
    )


def my_requests(actor: Any) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(requester_id=actor.pk).order_by("-pk")


# ---------------------------------------------------------------- points


def my_vouchers(user: Any) -> QuerySet[Voucher]:
    return (
        Voucher.objects.filter(user_id=user.pk).select_related("reward__merchant").order_by("-pk")
    )


def voucher_get(*, actor: Any, voucher_id: int) -> Voucher:
    found = my_vouchers(actor).filter(pk=voucher_id).first()
    if found is None:
        raise NotFound(_("找不到该兑换券。"))
    return found


def managed_vouchers(actor: Any) -> QuerySet[Voucher]:
    return (
        Voucher.objects.filter(reward__community__in=Scope.for_actor(actor).managed_communities())
        .select_related("reward", "user")
        .order_by("-pk")
    )


def merchant_vouchers(actor: Any) -> QuerySet[Voucher]:
    return (
        Voucher.objects.filter(reward__merchant_id=actor.pk, used_at__isnull=False)
        .select_related("reward", "user")
        .order_by("-used_at")
    )


# ---------------------------------------------------------------- funds


def managed_community(actor: Any, community_id: int | None) -> Community | None:
    """The community a staff page works on: the one asked for (if managed), else the first."""
    qs = staff_communities(actor)
    if community_id is not None:
        found = qs.filter(pk=community_id).first()
        if found is None:
            raise NotFound(_("找不到该社区。"))
        return found
    home = community_of_user(actor)
    if home is not None and qs.filter(pk=home.pk).exists():
        return home
    return qs.first()


def staff_communities(actor: Any) -> QuerySet[Community]:
    """The communities a staff page offers (`Scope.managed_communities`), in page order."""
    return Scope.for_actor(actor).managed_communities().order_by("street_id", "code")


def projects_of(community: Community) -> QuerySet[Project]:
    return Project.objects.filter(community=community).order_by("-pk")


@dataclass(frozen=True)
class PublishedFund:
    key: str
    name: Promise | str
    account: Account | None
    balance: int
    inflow: int
    outflow: int
    lines: list[Line]

    @property
    def balance_text(self) -> str:
        return format_amount(Book.MONEY, self.balance)

    @property
    def inflow_text(self) -> str:
        return format_amount(Book.MONEY, self.inflow)

    @property
    def outflow_text(self) -> str:
        return format_amount(Book.MONEY, self.outflow)


def published_funds(community: Community, *, limit: int = 200) -> list[PublishedFund]:
    """Every inflow and outflow of the community's funds, with totals (public page).
    Reads only: accounts not yet used show as empty."""
    keys = {f"{prefix}:community:{community.pk}": (prefix, name) for prefix, name in PUBLISHED}
    accounts = {
        a.key: a for a in Account.objects.filter(book=Book.MONEY, key__in=list(keys.keys()))
    }
    totals: dict[int, dict[str, Any]] = {}
    for row in (
        Entry.objects.filter(account__in=accounts.values())
        .values("account_id")
        .annotate(
            inflow=Sum("amount", filter=Q(amount__gt=0)),
            outflow=Sum("amount", filter=Q(amount__lt=0)),
        )
    ):
        totals[row["account_id"]] = dict(row)
    out = []
    for key, (prefix, name) in keys.items():
        account = accounts.get(key)
        t = totals.get(account.pk, {}) if account else {}
        out.append(
            PublishedFund(
                key=prefix,
                name=name,
                account=account,
                balance=account.balance if account else 0,
                inflow=int(t.get("inflow") or 0),
                outflow=-int(t.get("outflow") or 0),
                lines=lines(account, limit=limit),
            )
        )
    return out


def public_communities() -> list[dict[str, Any]]:
    """Communities with a published fund, with each fund's balance."""
    rows = (
        Account.objects.filter(book=Book.MONEY, community__isnull=False)
        .filter(
            Q(key__startswith="fund:")
            | Q(key__startswith="welfare:")
            | Q(key__startswith="public:")
        )
        .select_related("community")
        .order_by("community__street_id", "community__code", "key")
    )
    by_community: dict[int, dict[str, Any]] = {}
    for account in rows:
        assert account.community is not None
        item = by_community.setdefault(
            account.community.pk, {"community": account.community, "funds": {}}
        )
        item["funds"][account.key.split(":", 1)[0]] = format_amount(Book.MONEY, account.balance)
    return list(by_community.values())
