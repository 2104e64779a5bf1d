"""LEDGER-1..4 endpoints, mounted at /api/ledger (see linli/api.py).

Every request that moves value needs a request key: the `Idempotency-Key` header or an
`idempotency_key` body field (8–64 characters). A repeat returns the first result; the same
key with different content is a 409.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from linli.accounts.models import User
from linli.core.access import api_roles
from linli.core.errors import NotFound
from linli.core.schemas import Int
from linli.core.web import API_ERRORS, actor
from linli.geo.scope import Scope
from linli.ledger import programme_selectors as sel
from linli.ledger.choices import kind_label
from linli.ledger.models import (
    Project,
    ServiceRecord,
    ServiceRequest,
)
from linli.ledger.policy import (
    CONFIRMERS,
    MANAGERS,
    MEMBERS,
    MERCHANTS,
    VOLUNTEERS,
    can_award_anyone,
)
from linli.ledger.schemas import (
    LedgerAwardIn,
    LedgerBalanceOut,
    LedgerDisburseIn,
    LedgerDisbursementOut,
    LedgerDisputeIn,
    LedgerDonationIn,
    LedgerDonationOut,
    LedgerGiftIn,
    LedgerHistoryOut,
    LedgerKeyIn,
    LedgerRecordIn,
    LedgerRecordOut,
    LedgerRequestIn,
    LedgerRequestOut,
    LedgerRewardOut,
    LedgerTransactionOut,
    LedgerUseIn,
    LedgerVoucherOut,
    record_out,
    txn_out,
    voucher_out,
)
from linli.ledger.selectors import account_history
from linli.ledger.services.common import fund_account
from linli.ledger.services.funds import donation_record, project_disburse
from linli.ledger.services.points import (
    points_award,
    points_award_by_staff,
    reward_redeem,
    rewards_visible_to,
    voucher_cancel,
    voucher_use,
)
from linli.ledger.services.timebank import (
    confirmable_records,
    service_record_confirm,
    service_record_create,
    service_record_dispute,
)
from linli.ledger.services.timebank_spend import service_request_create, time_gift
from linli.people.selectors import relative_users_of, resident_reachable

router = Router(tags=["ledger"])


def _key(request: HttpRequest, body_key: str | None) -> str | None:
    return request.headers.get("Idempotency-Key") or body_key


# ---------------------------------------------------------------- balances and history


@router.get("/balances", response={200: list[LedgerBalanceOut], **API_ERRORS}, auth=api_roles())
def balances(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "account_id": b.account.pk if b.account else None,
            "book": b.book,
            "book_label": str(b.label),
            "balance": b.balance,
            "balance_text": b.text,
        }
        for b in sel.my_balances(actor(request))
    ]


class LedgerHistoryQuery(Schema):
    before_id: Int | None = None
    limit: int = Field(default=50, ge=1, le=500)


@router.get(
    "/accounts/{account_id}/history",
    response={200: LedgerHistoryOut, **API_ERRORS},
    auth=api_roles(),
)
def history(
    request: HttpRequest, account_id: Int, query: Query[LedgerHistoryQuery]
) -> dict[str, Any]:
    account = sel.account_get(actor=actor(request), account_id=account_id)
    rows = account_history(account=account, limit=query.limit, before_id=query.before_id)
    return {
        "account_id": account.pk,
        "name": account.name,
        "book": account.book,
        "balance": account.balance,
        "rows": [{**row.__dict__, "kind_label": kind_label(row.kind)} for row in rows],
    }


# ---------------------------------------------------------------- time bank


@router.post(
    "/time/records", response={201: LedgerRecordOut, **API_ERRORS}, auth=api_roles(*VOLUNTEERS)
)
def record_create(request: HttpRequest, payload: LedgerRecordIn) -> HttpStatus[dict[str, Any]]:
    user = actor(request)
    request_obj = None
    if payload.resident_id is not None and not resident_reachable(
        actor=user, resident_id=payload.resident_id
    ):
        raise NotFound(_("找不到该居民。"), field="resident_id")
    if payload.request_id is not None:
        request_obj = ServiceRequest.objects.filter(pk=payload.request_id).first()
        if request_obj is None:
            raise NotFound(_("找不到该服务申请。"), field="request_id")
    record = service_record_create(
        actor=user,
        resident=payload.resident_id,
        request=request_obj,
        served_on=payload.served_on,
        minutes=payload.minutes,
        service=payload.service,
        note=payload.note,
        idempotency_key=_key(request, payload.idempotency_key),
    )
    return HttpStatus(201, record_out(record))


@router.get(
    "/time/records/pending",
    response={200: list[LedgerRecordOut], **API_ERRORS},
    auth=api_roles(*CONFIRMERS),
)
def records_pending(request: HttpRequest) -> list[dict[str, Any]]:
    return [record_out(r) for r in sel.records_to_confirm(actor(request))[:200]]


def _record(user: Any, record_id: int) -> ServiceRecord:
    found = confirmable_records(user).filter(pk=record_id).first()
    if found is None:
        raise NotFound(_("找不到该服务记录。"))
    return found


@router.post(
    "/time/records/{record_id}/confirm",
    response={200: LedgerRecordOut, **API_ERRORS},
    auth=api_roles(*CONFIRMERS),
)
def record_confirm(request: HttpRequest, record_id: Int) -> dict[str, Any]:
    user = actor(request)
    record = service_record_confirm(actor=user, record=_record(user, record_id))
    return record_out(record)


@router.post(
    "/time/records/{record_id}/dispute",
    response={200: LedgerRecordOut, **API_ERRORS},
    auth=api_roles(*CONFIRMERS),
)
def record_dispute(
    request: HttpRequest, record_id: Int, payload: LedgerDisputeIn
) -> dict[str, Any]:
    user = actor(request)
    record = service_record_dispute(
        actor=user, record=_record(user, record_id), reason=payload.reason
    )
    return record_out(record)


@router.post(
    "/time/requests", response={201: LedgerRequestOut, **API_ERRORS}, auth=api_roles(*MEMBERS)
)
def request_create(request: HttpRequest, payload: LedgerRequestIn) -> HttpStatus[dict[str, Any]]:
    found = service_request_create(
        actor=actor(request),
        service=payload.service,
        minutes=payload.minutes,
        note=payload.note,
        idempotency_key=_key(request, payload.idempotency_key),
    )
    return HttpStatus(
        201,
        {
            "id": found.pk,
            "service": found.service,
            "minutes": found.minutes,
            "status": found.status,
            "status_label": str(found.get_status_display()),
        },
    )


@router.post(
    "/time/gifts", response={200: LedgerTransactionOut, **API_ERRORS}, auth=api_roles(*MEMBERS)
)
def gift(request: HttpRequest, payload: LedgerGiftIn) -> dict[str, Any]:
    user = actor(request)
    to_user = next((u for u in relative_users_of(user) if u.pk == payload.to_user_id), None)
    txn = time_gift(
        actor=user,
        to_user=to_user,
        minutes=payload.minutes,
        idempotency_key=_key(request, payload.idempotency_key),
    )
    return txn_out(txn)


# ---------------------------------------------------------------- points and rewards


@router.post(
    "/points/award", response={200: LedgerTransactionOut, **API_ERRORS}, auth=api_roles(*MANAGERS)
)
def award(request: HttpRequest, payload: LedgerAwardIn) -> dict[str, Any]:
    """Staff hand out points to a person of their community; system administrators (and
    machine clients with their token) to anyone, with the key as the award's source."""
    staff = actor(request)
    user = User.objects.filter(pk=payload.user_id, is_active=True).first()
    if user is None:
        raise NotFound(_("找不到该用户。"), field="user_id")
    key = _key(request, payload.idempotency_key)
    if can_award_anyone(staff) and key:
        txn = points_award(
            actor=staff, user=user, rule_code=payload.rule_code, source_key=key, memo=payload.memo
        )
    else:
        txn = points_award_by_staff(
            actor=staff,
            user=user,
            rule_code=payload.rule_code,
            memo=payload.memo,
            idempotency_key=key,
        )
    return txn_out(txn)


@router.get(
    "/rewards", response={200: list[LedgerRewardOut], **API_ERRORS}, auth=api_roles(*MEMBERS)
)
def rewards(request: HttpRequest) -> list[dict[str, Any]]:
    items = rewards_visible_to(actor(request)).filter(active=True).select_related("merchant")
    return [
        {
            "id": r.pk,
            "name": r.name,
            "description": r.description,
            "points_price": r.points_price,
            "stock": r.stock,
            "merchant": r.merchant.display_name,
        }
        for r in items
    ]


@router.post(
    "/rewards/{reward_id}/redeem",
    response={201: LedgerVoucherOut, **API_ERRORS},
    auth=api_roles(*MEMBERS),
)
def redeem(
    request: HttpRequest, reward_id: Int, payload: LedgerKeyIn
) -> HttpStatus[dict[str, Any]]:
    user = actor(request)
    reward = rewards_visible_to(user).filter(pk=reward_id).first()
    if reward is None:
        raise NotFound(_("找不到该兑换物品。"))
    voucher = reward_redeem(
        actor=user, reward=reward, idempotency_key=_key(request, payload.idempotency_key)
    )
    return HttpStatus(201, voucher_out(voucher))


@router.get(
    "/vouchers", response={200: list[LedgerVoucherOut], **API_ERRORS}, auth=api_roles(*MEMBERS)
)
def vouchers(request: HttpRequest) -> list[dict[str, Any]]:
    return [voucher_out(v) for v in sel.my_vouchers(actor(request))[:200]]


@router.post(
    "/vouchers/use", response={200: LedgerVoucherOut, **API_ERRORS}, auth=api_roles(*MERCHANTS)
)
def use(request: HttpRequest, payload: LedgerUseIn) -> dict[str, Any]:
    return voucher_out(voucher_use(actor=actor(request), code=payload.code))


@router.post(
    "/vouchers/{voucher_id}/cancel",
    response={200: LedgerVoucherOut, **API_ERRORS},
    auth=api_roles(*MANAGERS),
)
def cancel(request: HttpRequest, voucher_id: Int) -> dict[str, Any]:
    user = actor(request)
    found = sel.managed_vouchers(user).filter(pk=voucher_id).first()
    if found is None:
        raise NotFound(_("找不到该兑换券。"))
    return voucher_out(voucher_cancel(actor=user, voucher=found))


# ---------------------------------------------------------------- funds


@router.post(
    "/funds/{community_id}/donations",
    response={201: LedgerDonationOut, **API_ERRORS},
    auth=api_roles(*MANAGERS),
)
def donate(
    request: HttpRequest, community_id: Int, payload: LedgerDonationIn
) -> HttpStatus[dict[str, Any]]:
    user = actor(request)
    community = Scope.for_actor(user).managed_communities().filter(pk=community_id).first()
    if community is None:
        raise NotFound(_("找不到该社区。"))
    donation = donation_record(
        actor=user,
        community=community,
        donor_name=payload.donor_name,
        donor_kind=payload.donor_kind,
        anonymous=payload.anonymous,
        amount=payload.amount_fen,
        received_on=payload.received_on,
        idempotency_key=_key(request, payload.idempotency_key),
    )
    return HttpStatus(
        201,
        {
            "id": donation.pk,
            "amount_fen": donation.amount,
            "matched_fen": donation.matched,
            "fund_balance_fen": fund_account(community).balance,
        },
    )


@router.post(
    "/funds/projects/{project_id}/disburse",
    response={201: LedgerDisbursementOut, **API_ERRORS},
    auth=api_roles(*MANAGERS),
)
def disburse(
    request: HttpRequest, project_id: Int, payload: LedgerDisburseIn
) -> HttpStatus[dict[str, Any]]:
    user = actor(request)
    project = Project.objects.filter(
        pk=project_id, community__in=Scope.for_actor(user).managed_communities()
    ).first()
    if project is None:
        raise NotFound(_("找不到该项目。"))
    payout = project_disburse(
        actor=user,
        project=project,
        amount=payload.amount_fen,
        memo=payload.memo,
        idempotency_key=_key(request, payload.idempotency_key),
    )
    project.refresh_from_db()
    return HttpStatus(
        201,
        {
            "id": payout.pk,
            "project_id": project.pk,
            "amount_fen": payout.amount,
            "project_remaining_fen": project.remaining,
            "fund_balance_fen": fund_account(project.community).balance,
        },
    )
