"""社区发展基金 (LEDGER-3, plan §5.3): donations and resident crowdfunding, government 1:1
matching up to a yearly cap, disbursements to approved projects, all published.

Who may do what (checked here, scoped to the communities the actor manages):
* record donations, propose projects, disburse: community workers and secretaries of the
  community, the street office of its street, system administrators;
* approve or reject a project: the community's secretary when the budget is at most the
  community's threshold (default ¥50,000), above it only the street office (or sysadmin);
* set the yearly matching cap: the street office (or sysadmin; also in the admin).

Money does not move through Linli: each row records a payment made outside, and the MONEY
book (fen) is the record. Matching is its own transaction from the government source account
so the public page shows it as a separate inflow.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.geo.models import Community
from linli.ledger.choices import Book, format_amount, register_kind_labels
from linli.ledger.models import (
    CommunityLedgerSettings,
    Disbursement,
    Donation,
    DonorKind,
    MatchingCap,
    Project,
    ProjectStatus,
)
from linli.ledger.services.common import (
    donations_source,
    fund_account,
    government_source,
    managed_communities,
    request_key,
    require_amount,
    require_text,
    settings_for,
)
from linli.ledger.services.posting import account_system, transaction_post

register_kind_labels(
    {
        "fund.donation": "捐赠",
        "fund.matching": "政府配套",
        "fund.disbursement": "项目拨付",
    }
)

MAX_FEN = 10**12  # ¥10 billion: far above any community figure
PROJECT_NOT_FOUND = "找不到该项目。"


def _managed(actor: Any, community: Community) -> Community:
    if not managed_communities(actor).filter(pk=community.pk).exists():
        raise NotFound("找不到该社区。")
    return community


def _lock_settings(community: Community) -> CommunityLedgerSettings:
    settings_for(community)
    return CommunityLedgerSettings.objects.select_for_update().get(community=community)


def matched_in_year(community: Community, year: int) -> int:
    total = Donation.objects.filter(community=community, received_on__year=year).aggregate(
        total=Sum("matched")
    )["total"]
    return int(total or 0)


@transaction.atomic
def matching_cap_set(*, actor: Any, community: Community, year: int, cap: int) -> MatchingCap:
    _managed(actor, community)
    if actor.role not in (Role.STREET_ADMIN, Role.SYSADMIN):
        raise PermissionDenied("政府配套上限由街道办设置。")
    year = require_amount(year, field="year", label="年度", low=2000, high=2100)
    cap = require_amount(cap, field="cap", label="配套上限(分)", low=0, high=MAX_FEN)
    _lock_settings(community)
    row, _ = MatchingCap.objects.update_or_create(
        community=community, year=year, defaults={"cap": cap}
    )
    audit_record(actor=actor, action="ledger.fund.cap", obj=row, data={"year": year, "cap": cap})
    return row


@transaction.atomic
def donation_record(
    *,
    actor: Any,
    community: Community,
    donor_name: str,
    donor_kind: str,
    amount: int,
    idempotency_key: str | None,
    anonymous: bool = False,
    received_on: dt.date | None = None,
) -> Donation:
    """A donation into the fund, then government matching 1:1 up to the year's cap."""
    _managed(actor, community)
    key = request_key(scope="fund.donation", actor=actor, key=idempotency_key)
    # One donation of a community at a time: the year's matched total is read under this lock.
    _lock_settings(community)
    existing = Donation.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    donor_name = require_text(donor_name, field="donor_name", label="捐赠人", max_length=100)
    if donor_kind not in DonorKind.values:
        raise ValidationFailed("请选择捐赠类型。", field="donor_kind")
    amount = require_amount(amount, field="amount", label="金额(分)", high=MAX_FEN)
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationFailed("到账日期不能晚于今天。", field="received_on")
    label = DonorKind(donor_kind).label
    shown = "匿名" if anonymous else donor_name
    fund = fund_account(community)
    txn = transaction_post(
        actor=actor,
        idempotency_key=key,
        kind="fund.donation",
        memo=f"{label}:{shown}"[:200],
        legs=[(donations_source(community), -amount), (fund, amount)],
    )
    cap_row = MatchingCap.objects.filter(community=community, year=received_on.year).first()
    room = max(0, (cap_row.cap if cap_row else 0) - matched_in_year(community, received_on.year))
    matched = min(amount, room)
    match_txn = None
    if matched > 0:
        match_txn = transaction_post(
            actor=actor,
            idempotency_key=f"{key}:match",
            kind="fund.matching",
            memo=f"政府1:1配套({label}:{shown})"[:200],
            legs=[(government_source(community), -matched), (fund, matched)],
        )
    donation = Donation.objects.create(
        community=community,
        donor_name=donor_name,
        donor_kind=donor_kind,
        anonymous=anonymous,
        amount=amount,
        matched=matched,
        received_on=received_on,
        recorded_by=actor,
        transaction=txn,
        match_transaction=match_txn,
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        action="ledger.fund.donation",
        obj=donation,
        data={"amount": amount, "matched": matched, "anonymous": anonymous},
    )
    return donation


def project_account(project: Project) -> Any:
    return account_system(
        key=f"project:{project.pk}",
        book=Book.MONEY,
        name=f"项目:{project.name}"[:100],
        community=project.community,
        min_balance=0,
    )


@transaction.atomic
def project_propose(
    *,
    actor: Any,
    community: Community,
    name: str,
    budget: int,
    idempotency_key: str | None,
    description: str = "",
) -> Project:
    _managed(actor, community)
    key = request_key(scope="fund.project", actor=actor, key=idempotency_key)
    existing = Project.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    project = Project.objects.create(
        community=community,
        name=require_text(name, field="name", label="项目名称", max_length=100),
        description=(description or "").strip()[:500],
        budget=require_amount(budget, field="budget", label="预算(分)", high=MAX_FEN),
        proposed_by=actor,
        idempotency_key=key,
    )
    audit_record(
        actor=actor, action="ledger.fund.project", obj=project, data={"budget": project.budget}
    )
    return project


def _lock_project(actor: Any, project_id: int) -> Project:
    found = (
        Project.objects.select_for_update()
        .filter(pk=project_id, community__in=managed_communities(actor))
        .first()
    )
    if found is None:
        raise NotFound(PROJECT_NOT_FOUND)
    return found


def can_decide(actor: Any, project: Project) -> bool:
    if actor.role in (Role.STREET_ADMIN, Role.SYSADMIN):
        return True
    threshold = settings_for(project.community).street_approval_fen
    return actor.role == Role.SECRETARY and project.budget <= threshold


@transaction.atomic
def project_decide(*, actor: Any, project: Project, approve: bool) -> Project:
    project = _lock_project(actor, project.pk)
    if not can_decide(actor, project):
        threshold = settings_for(project.community).street_approval_fen
        raise PermissionDenied(
            f"预算超过 {format_amount(Book.MONEY, threshold)} 的项目须由街道办审批;"
            "其余由社区书记审批。"
        )
    wanted = ProjectStatus.APPROVED if approve else ProjectStatus.REJECTED
    if project.status == wanted:
        return project
    if project.status != ProjectStatus.PROPOSED:
        raise Conflict(f"项目{project.get_status_display()},不能再审批。", code="decided")
    project.status = wanted
    project.decided_by = actor
    project.decided_at = timezone.now()
    project.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=actor, action="ledger.fund.decide", obj=project, data={"approved": approve})
    return project


@transaction.atomic
def project_disburse(
    *, actor: Any, project: Project, amount: int, memo: str, idempotency_key: str | None
) -> Disbursement:
    """Pay an approved project from the fund: never beyond the fund's balance or the
    project's remaining budget."""
    key = request_key(scope="fund.disburse", actor=actor, key=idempotency_key)
    project = _lock_project(actor, project.pk)
    existing = Disbursement.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if project.status != ProjectStatus.APPROVED:
        raise Conflict(f"项目{project.get_status_display()},批准后才能拨付。", code="not_approved")
    memo = require_text(memo, field="memo", label="用途", max_length=200)
    amount = require_amount(amount, field="amount", label="金额(分)", high=MAX_FEN)
    if amount > project.remaining:
        raise ValidationFailed(
            f"超过项目剩余预算:最多还能拨付 {format_amount(Book.MONEY, project.remaining)}。",
            field="amount",
        )
    fund = fund_account(project.community)
    try:
        txn = transaction_post(
            actor=actor,
            idempotency_key=key,
            kind="fund.disbursement",
            memo=f"{project.name}:{memo}"[:200],
            legs=[(fund, -amount), (project_account(project), amount)],
        )
    except ValidationFailed as exc:
        if exc.code != "insufficient":
            raise
        raise ValidationFailed(
            f"基金余额不足:当前余额 {format_amount(Book.MONEY, fund.balance)}。",
            code="insufficient",
            field="amount",
        ) from None
    project.disbursed += amount
    project.save(update_fields=["disbursed", "updated_at"])
    payout = Disbursement.objects.create(
        project=project,
        amount=amount,
        memo=memo,
        recorded_by=actor,
        transaction=txn,
        idempotency_key=key,
    )
    audit_record(actor=actor, action="ledger.fund.disburse", obj=payout, data={"amount": amount})
    return payout
