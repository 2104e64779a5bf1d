"""时间银行, the spending side (LEDGER-1): service requests paid with held credits, and
family links for gifts (代际互助: serve now, parents receive care later)."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, ValidationFailed
from linli.ledger.choices import Book, format_amount
from linli.ledger.models import FamilyLink, RequestStatus, ServiceRequest, Transaction
from linli.ledger.services.common import (
    community_of_user,
    request_key,
    require_amount,
    require_text,
    time_hold,
)
from linli.ledger.services.posting import account_for_user, transaction_post, transaction_reverse
from linli.ledger.services.timebank import MAX_MINUTES, on_commit_notify

MAX_GIFT_MINUTES = 100 * 60

# ---------------------------------------------------------------- requests (redeeming)


def _insufficient(exc: ValidationFailed, *, book: str, need: int, have: int) -> ValidationFailed:
    if exc.code != "insufficient":
        return exc
    return ValidationFailed(
        f"余额不足:需要 {format_amount(book, need)},您现在有 {format_amount(book, have)}。",
        code="insufficient",
        field="minutes" if book == Book.TIME else None,
    )


@transaction.atomic
def service_request_create(
    *, actor: Any, service: str, minutes: int, idempotency_key: str | None, note: str = ""
) -> ServiceRequest:
    """Ask for a service paid with time credits; the credits are held until it is done."""
    key = request_key(scope="timebank.request", actor=actor, key=idempotency_key)
    existing = ServiceRequest.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    service = require_text(service, field="service", label="需要的服务", max_length=100)
    minutes = require_amount(minutes, field="minutes", label="预计时长(分钟)", high=MAX_MINUTES)
    community = community_of_user(actor)
    if community is None:
        raise ValidationFailed("您还没有登记所在社区,请联系社区工作人员。")
    mine = account_for_user(user=actor, book=Book.TIME)
    try:
        hold = transaction_post(
            actor=actor,
            idempotency_key=key,
            kind="timebank.hold",
            memo=f"申请服务:{service}",
            legs=[(mine, -minutes), (time_hold(community), minutes)],
        )
    except ValidationFailed as exc:
        raise _insufficient(exc, book=Book.TIME, need=minutes, have=mine.balance) from None
    request = ServiceRequest.objects.create(
        requester=actor,
        community=community,
        service=service,
        note=(note or "").strip()[:300],
        minutes=minutes,
        hold=hold,
        idempotency_key=key,
    )
    audit_record(
        actor=actor, action="ledger.timebank.request", obj=request, data={"minutes": minutes}
    )
    return request


@transaction.atomic
def service_request_cancel(*, actor: Any, request: ServiceRequest) -> ServiceRequest:
    found = (
        ServiceRequest.objects.select_for_update()
        .filter(pk=request.pk, requester_id=actor.pk)
        .first()
    )
    if found is None:
        raise NotFound("找不到该服务申请。")
    if found.status == RequestStatus.CANCELLED:
        return found
    if found.status != RequestStatus.OPEN:
        raise Conflict(f"服务申请{found.get_status_display()},不能取消。", code="request_not_open")
    transaction_reverse(
        actor=actor,
        transaction=found.hold,
        idempotency_key=f"timebank.cancel:request:{found.pk}",
        memo=f"取消申请,退回:{found.service}",
    )
    found.status = RequestStatus.CANCELLED
    found.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="ledger.timebank.request_cancel", obj=found, data={})
    return found


# ---------------------------------------------------------------- family (代际互助)


def relatives_of(user: Any) -> list[Any]:
    """Users linked to `user` by an accepted family link, either way round."""
    links = FamilyLink.objects.filter(accepted_at__isnull=False).select_related("user", "relative")
    made = [link.relative for link in links.filter(user_id=user.pk)]
    received = [link.user for link in links.filter(relative_id=user.pk)]
    return sorted({u.pk: u for u in made + received}.values(), key=lambda u: u.pk)


@transaction.atomic
def family_link_request(*, actor: Any, username: str, relation: str) -> FamilyLink:
    relation = require_text(relation, field="relation", label="关系", max_length=20)
    name = (username or "").strip()
    relative = User.objects.filter(username=name, is_active=True).first() if name else None
    if relative is None:
        raise NotFound("找不到这个账号,请核对家人的登录账号。", field="username")
    if relative.pk == actor.pk:
        raise ValidationFailed("不能关联自己。", field="username")
    if FamilyLink.objects.filter(user=relative, relative=actor).exists():
        raise Conflict("对方已向您发出关联,请在下方接受。", field="username")
    link, created = FamilyLink.objects.get_or_create(
        user=actor, relative=relative, defaults={"relation": relation}
    )
    if created:
        audit_record(actor=actor, action="ledger.family.request", obj=link, data={})
        on_commit_notify(
            relative,
            f"{actor.display_name}请求与您关联为家人",
            "关联后可以互相赠送时间币。",
            "/ledger/time/",
        )
    return link


@transaction.atomic
def family_link_accept(*, actor: Any, link_id: int) -> FamilyLink:
    link = FamilyLink.objects.select_for_update().filter(pk=link_id, relative_id=actor.pk).first()
    if link is None:
        raise NotFound("找不到该家人关联。")
    if link.accepted_at is None:
        link.accepted_at = timezone.now()
        link.accepted_by = actor
        link.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit_record(actor=actor, action="ledger.family.accept", obj=link, data={})
    return link


@transaction.atomic
def time_gift(
    *, actor: Any, to_user: Any, minutes: int, idempotency_key: str | None
) -> Transaction:
    """Give time credits to an accepted family member."""
    key = request_key(scope="timebank.gift", actor=actor, key=idempotency_key)
    minutes = require_amount(
        minutes, field="minutes", label="赠送时长(分钟)", high=MAX_GIFT_MINUTES
    )
    if to_user is None or to_user.pk not in {u.pk for u in relatives_of(actor)}:
        raise NotFound("只能赠送给已关联的家人。", field="to_user")
    mine = account_for_user(user=actor, book=Book.TIME)
    try:
        txn = transaction_post(
            actor=actor,
            idempotency_key=key,
            kind="timebank.gift",
            memo=f"{actor.display_name}赠予{to_user.display_name}",
            legs=[(mine, -minutes), (account_for_user(user=to_user, book=Book.TIME), minutes)],
        )
    except ValidationFailed as exc:
        raise _insufficient(exc, book=Book.TIME, need=minutes, have=mine.balance) from None
    audit_record(
        actor=actor,
        action="ledger.timebank.gift",
        obj=txn,
        data={"to": to_user.pk, "minutes": minutes},
    )
    on_commit_notify(
        to_user,
        f"{actor.display_name}赠送给您{format_amount(Book.TIME, minutes)}时间币",
        url="/ledger/time/",
    )
    return txn
