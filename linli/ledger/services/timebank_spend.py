"""时间银行, the spending side (LEDGER-1): service requests paid with held credits, and gifts
to family (代际互助: serve now, parents receive care later)."""

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, ValidationFailed
from linli.core.text import optional_text, require_text
from linli.ledger.choices import AuditAction, Book, format_amount
from linli.ledger.models import RequestStatus, ServiceRequest, Transaction
from linli.ledger.services.common import (
    community_of_user,
    notify,
    request_key,
    require_amount,
    stored_amount,
    time_hold,
)
from linli.ledger.services.posting import account_for_user, transaction_post, transaction_reverse
from linli.ledger.services.timebank import MAX_MINUTES
from linli.people.selectors import relative_users_of
from linli.people.services import family

MAX_GIFT_MINUTES = 100 * 60

# ---------------------------------------------------------------- requests (redeeming)


def _insufficient(exc: ValidationFailed, *, book: str, need: int, have: int) -> ValidationFailed:
    if exc.code != "insufficient":
        return exc
    return ValidationFailed(
        _("余额不足:需要 %(need)s,您现在有 %(have)s。")
        % {"need": format_amount(book, need), "have": format_amount(book, have)},
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
    service = require_text(service, field="service", label=_("需要的服务"), max_length=100)
    minutes = require_amount(minutes, field="minutes", label=_("预计时长(分钟)"), high=MAX_MINUTES)
    community = community_of_user(actor)
    if community is None:
        raise ValidationFailed(_("您还没有登记所在社区,请联系社区工作人员。"))
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
        note=optional_text(note, field="note", label=_("备注"), max_length=300),
        minutes=minutes,
        hold=hold,
        idempotency_key=key,
    )
    audit_record(
        actor=actor, action=AuditAction.TIMEBANK_REQUEST, obj=request, data={"minutes": minutes}
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
        raise NotFound(_("找不到该服务申请。"))
    if found.status == RequestStatus.CANCELLED:
        return found
    if found.status != RequestStatus.OPEN:
        raise Conflict(
            _("服务申请%(status)s,不能取消。") % {"status": found.get_status_display()},
            code="request_not_open",
        )
    transaction_reverse(
        actor=actor,
        transaction=found.hold,
        idempotency_key=f"timebank.cancel:request:{found.pk}",
        memo=f"取消申请,退回:{found.service}",
    )
    found.status = RequestStatus.CANCELLED
    found.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=AuditAction.TIMEBANK_REQUEST_CANCEL, obj=found, data={})
    return found


# ---------------------------------------------------------------- family (代际互助)
# The family link itself is people's (`people.services.family`: a Contact with `user`, the
# one family relation); the time bank asks for it, accepts it and gives along it.


def family_link_request(*, actor: Any, username: str, relation: str) -> Any:
    """Name a family member by their login; once they accept, you may give each other
    credits (and they become a linked family contact of the resident's record)."""
    return family.family_link_request(
        actor=actor, username=username, relation=relation, url=reverse("ledger:time")
    )


def family_link_accept(*, actor: Any, link_id: int) -> Any:
    return family.family_link_accept(actor=actor, link_id=link_id)


@transaction.atomic
def time_gift(
    *, actor: Any, to_user: Any, minutes: int, idempotency_key: str | None
) -> Transaction:
    """Give time credits to a family member (`people.selectors.relative_users_of`)."""
    key = request_key(scope="timebank.gift", actor=actor, key=idempotency_key)
    minutes = require_amount(
        minutes, field="minutes", label=_("赠送时长(分钟)"), high=MAX_GIFT_MINUTES
    )
    if to_user is None or to_user.pk not in {u.pk for u in relative_users_of(actor)}:
        raise NotFound(_("只能赠送给已关联的家人。"), field="to_user")
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
        action=AuditAction.TIMEBANK_GIFT,
        obj=txn,
        data={"to": to_user.pk, "minutes": minutes},
    )
    notify(
        to_user,
        f"{actor.display_name}赠送给您{stored_amount(Book.TIME, minutes)}时间币",
        url=reverse("ledger:time"),
    )
    return txn
