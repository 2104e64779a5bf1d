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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import registry
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.text import optional_text, require_text
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.ledger import policy
from linli.ledger.choices import AuditAction, Book, format_amount, register_kind_labels
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
    request_key,
    require_amount,
    settings_for,
    stored_language,
)
from linli.ledger.services.posting import account_system, transaction_post

register_kind_labels(
    {
        "fund.donation": gettext_lazy("捐赠"),
        "fund.matching": gettext_lazy("政府配套"),
        "fund.disbursement": gettext_lazy("项目拨付"),
    }
)

MAX_FEN = 10**12  # ¥10 billion: far above any community figure


def _managed(actor: Any, community: Community) -> Community:
    if not policy.can_manage(actor, community):
        raise NotFound(_("找不到该社区。"))
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
    if not policy.can_set_matching_cap(actor):
        raise PermissionDenied(_("政府配套上限由街道办设置。"))
    year = require_amount(year, field="year", label=_("年度"), low=2000, high=2100)
    cap = require_amount(cap, field="cap", label=_("配套上限(分)"), low=0, high=MAX_FEN)
    _lock_settings(community)
    row, _created = MatchingCap.objects.update_or_create(
        community=community, year=year, defaults={"cap": cap}
    )
    audit_record(actor=actor, action=AuditAction.FUND_CAP, obj=row, data={"year": year, "cap": cap})
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
    donor_name = require_text(donor_name, field="donor_name", label=_("捐赠人"), max_length=100)
    if donor_kind not in DonorKind.values:
        raise ValidationFailed(_("请选择捐赠类型。"), field="donor_kind")
    amount = require_amount(amount, field="amount", label=_("金额(分)"), high=MAX_FEN)
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationFailed(_("到账日期不能晚于今天。"), field="received_on")
    if received_on.year < timezone.localdate().year - 1:
        # The fund's yearly report (and its matching) is closed for older years.
        raise ValidationFailed(_("只能登记去年以来到账的捐赠。"), field="received_on")
    with stored_language():  # the memo is stored text
        label = str(DonorKind(donor_kind).label)
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
        action=AuditAction.FUND_DONATION,
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
        name=require_text(name, field="name", label=_("项目名称"), max_length=100),
        description=optional_text(
            description, field="description", label=_("项目说明"), max_length=500
        ),
        budget=require_amount(budget, field="budget", label=_("预算(分)"), high=MAX_FEN),
        proposed_by=actor,
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        action=AuditAction.FUND_PROJECT,
        obj=project,
        data={"budget": project.budget},
    )
    return project


def _lock_project(actor: Any, project_id: int) -> Project:
    found = (
        Project.objects.select_for_update()
        .filter(pk=project_id, community__in=Scope.for_actor(actor).managed_communities())
        .first()
    )
    if found is None:
        raise NotFound(_("找不到该项目。"))
    return found


def can_decide(actor: Any, project: Project) -> bool:
    """Whether the actor may approve or reject this project (policy, with its threshold)."""
    threshold = settings_for(project.community).street_approval_fen
    return policy.can_decide_project(actor, budget=project.budget, threshold=threshold)


@transaction.atomic
def project_decide(*, actor: Any, project: Project, approve: bool) -> Project:
    project = _lock_project(actor, project.pk)
    if not can_decide(actor, project):
        threshold = settings_for(project.community).street_approval_fen
        raise PermissionDenied(
            _("预算超过 %(amount)s 的项目须由街道办审批;其余由社区书记审批。")
            % {"amount": format_amount(Book.MONEY, threshold)}
        )
    wanted = ProjectStatus.APPROVED if approve else ProjectStatus.REJECTED
    if project.status == wanted:
        return project
    if project.status != ProjectStatus.PROPOSED:
        raise Conflict(
            _("项目%(status)s,不能再审批。") % {"status": project.get_status_display()},
            code="decided",
        )
    project.status = wanted
    project.decided_by = actor
    project.decided_at = timezone.now()
    project.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.FUND_DECIDE, obj=project, data={"approved": approve}
    )
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
        raise Conflict(
            _("项目%(status)s,批准后才能拨付。") % {"status": project.get_status_display()},
            code="not_approved",
        )
    registry.require_qualified("ledger.project", project.pk)
    memo = require_text(memo, field="memo", label=_("用途"), max_length=200)
    amount = require_amount(amount, field="amount", label=_("金额(分)"), high=MAX_FEN)
    if amount > project.remaining:
        raise ValidationFailed(
            _("超过项目剩余预算:最多还能拨付 %(amount)s。")
            % {"amount": format_amount(Book.MONEY, project.remaining)},
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
            _("基金余额不足:当前余额 %(amount)s。")
            % {"amount": format_amount(Book.MONEY, fund.balance)},
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
    audit_record(actor=actor, action=AuditAction.FUND_DISBURSE, obj=payout, data={"amount": amount})
    return payout


@transaction.atomic
def project_budget_reduce(*, actor: Any, project: Project, budget: int, reason: str) -> Project:
    """Lower an approved project's budget (e.g. a funding cut after an evaluation, EVAL-2),
    decided by whoever approves a project of its size; never below what was disbursed."""
    project = _lock_project(actor, project.pk)
    if not can_decide(actor, project):
        raise PermissionDenied(_("只有有权审批该项目的人员才能调减预算。"))
    reason = require_text(reason, field="reason", label=_("原因"), max_length=300)
    budget = require_amount(budget, field="budget", label=_("预算(分)"), high=MAX_FEN)
    if project.status != ProjectStatus.APPROVED:
        raise Conflict(
            _("项目%(status)s,不能调整预算。") % {"status": project.get_status_display()},
            code="not_approved",
        )
    if budget >= project.budget:
        raise ValidationFailed(_("调整后的预算须低于当前预算。"), field="budget")
    budget = max(budget, int(project.disbursed))
    before = int(project.budget)
    project.budget = budget
    project.save(update_fields=["budget", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.FUND_BUDGET,
        obj=project,
        data={"before": before, "after": budget, "reason": reason[:100]},
    )
    return project
