"""时间银行 (LEDGER-1, plan §3.4): serve now, be served later. Recording and confirming
hours is here; requests paid with credits and family gifts are in timebank_spend.py.

* A volunteer records hours served for a resident (a resident of a grid they volunteer in)
  or for an open service request of their community.
* The person served confirms — the resident's own account, or the grid worker of the
  resident's grid on behalf of elderly people without a phone — or disputes.
* Only a confirmed record moves credits: 1 hour = 1 time credit = 60 minutes of the TIME
  book. For a plain record they are minted by the community's issuer account. For a service
  request they come from the requester: credits are held when the request is made and, on
  confirmation, go to the volunteer who served (the unused part returns to the requester).
  So credits circulate between residents; the issuer only mints for unpaid help.
* 代际互助: a user may give credits to an accepted family member.
"""

import contextlib
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.core.audit.services import audit_record
from linli.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from linli.core.text import optional_text, require_text
from linli.geo.models import Grid
from linli.geo.scope import Scope, grid_workers
from linli.ledger import policy
from linli.ledger.choices import AuditAction, Book, format_amount, register_kind_labels
from linli.ledger.models import (
    RecordStatus,
    RequestStatus,
    ServiceRecord,
    ServiceRequest,
)
from linli.ledger.services.common import (
    community_of_user,
    notify,
    request_key,
    require_amount,
    stored_amount,
    time_hold,
    time_issuer,
)
from linli.ledger.services.points import points_award
from linli.ledger.services.posting import account_for_user, transaction_post
from linli.people.selectors import resident_of_user, residents_brief

register_kind_labels(
    {
        "timebank.deposit": gettext_lazy("志愿服务存入"),
        "timebank.pay": gettext_lazy("服务兑换"),
        "timebank.hold": gettext_lazy("服务兑换冻结"),
        "timebank.gift": gettext_lazy("家人赠予"),
    }
)

MAX_MINUTES = 720  # one record: at most 12 hours
RECORD_WITHIN_DAYS = 60
VOLUNTEER_HOUR_RULE = "volunteer_hour"  # points per full hour served (a PointRule, if active)
# Why a volunteer reads a resident's name and home (the audit entry's purpose).
RECORD_PURPOSE = "志愿服务登记"
PICKER_LIMIT = 10_000  # every resident of a volunteer's grids


def record_not_found() -> NotFound:
    return NotFound(_("找不到该服务记录。"))


def servable_residents(actor: Any, *, purpose: str = RECORD_PURPOSE) -> list[Any]:
    """Residents a volunteer may record service for (those of the grids they volunteer in),
    as people's audited briefs: name and home only."""
    if not policy.can_record_service(actor):
        return []
    return list(residents_brief(actor=actor, purpose=purpose, limit=PICKER_LIMIT).values())


def confirmable_records(actor: Any) -> QuerySet[ServiceRecord]:
    """Records the actor may confirm or dispute: as the person served, or as the grid worker
    of the grid of the person served."""
    qs = ServiceRecord.objects.exclude(volunteer_id=actor.pk)
    if policy.confirms_for_grid(actor):
        return qs.filter(Scope.for_actor(actor).q(grid="grid"))
    if policy.confirms_as_served(actor):
        return qs.filter(served_user_id=actor.pk)
    return qs.none()


def _grid_worker_of(grid_id: int | None) -> Any:
    return grid_workers([grid_id]).get(grid_id) if grid_id is not None else None


def _check_date(served_on: dt.date) -> dt.date:
    today = timezone.localdate()
    if served_on > today:
        raise ValidationFailed(_("服务日期不能晚于今天。"), field="served_on")
    if served_on < today - dt.timedelta(days=RECORD_WITHIN_DAYS):
        raise ValidationFailed(
            _("只能登记 %(days)s 天内的服务。") % {"days": RECORD_WITHIN_DAYS}, field="served_on"
        )
    return served_on


@transaction.atomic
def service_record_create(
    *,
    actor: Any,
    served_on: dt.date,
    minutes: int,
    service: str,
    idempotency_key: str | None,
    resident: Any = None,
    request: ServiceRequest | None = None,
    note: str = "",
) -> ServiceRecord:
    """A volunteer records hours served, for a resident of a grid they volunteer in
    (`resident`: a resident record, a people brief or its id) or for an open service
    request. Nothing is deposited until confirmed."""
    if not policy.can_record_service(actor):
        raise PermissionDenied(_("只有登记的志愿者可以记录服务时长。"))
    key = request_key(scope="timebank.record", actor=actor, key=idempotency_key)
    existing = ServiceRecord.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if (resident is None) == (request is None):
        raise ValidationFailed(_("请选择服务对象。"), field="resident")
    minutes = require_amount(minutes, field="minutes", label=_("服务时长(分钟)"), high=MAX_MINUTES)
    service = require_text(service, field="service", label=_("服务内容"), max_length=100)
    note = optional_text(note, field="note", label=_("备注"), max_length=300)
    served_on = _check_date(served_on)
    served_user: Any
    if request is not None:
        request = _lock_request(request)
        if request.status != RequestStatus.OPEN:
            raise Conflict(_("这个服务申请已有人登记或已结束。"), code="request_taken")
        if request.requester_id == actor.pk:
            raise ValidationFailed(_("不能为自己的申请登记服务。"), field="request")
        if request.community_id not in volunteer_communities(actor):
            raise NotFound(_("找不到该服务申请。"))
        if minutes > request.minutes:
            raise ValidationFailed(
                _("服务时长不能超过申请冻结的 %(amount)s。")
                % {"amount": format_amount(Book.TIME, request.minutes)},
                field="minutes",
            )
        served_user = request.requester
        home = resident_of_user(served_user)
        resident_id = home.id if home is not None else None
        grid_id = home.grid_id if home is not None else None
        community_id = request.community_id
    else:
        wanted = getattr(resident, "pk", resident)
        found = residents_brief(actor=actor, ids=[wanted], purpose=RECORD_PURPOSE, limit=1)
        brief = found.get(wanted)
        if brief is None or brief.grid_id is None or brief.community_id is None:
            raise NotFound(_("找不到该居民。"))
        served_user = User.objects.filter(pk=brief.user_id).first() if brief.user_id else None
        resident_id, grid_id, community_id = brief.id, brief.grid_id, brief.community_id
    if served_user is not None and served_user.pk == actor.pk:
        raise ValidationFailed(_("不能为自己登记服务。"), field="resident")
    try:
        with transaction.atomic():
            record = ServiceRecord.objects.create(
                volunteer=actor,
                resident_id=resident_id,
                served_user=served_user,
                request=request,
                community_id=community_id,
                grid_id=grid_id,
                served_on=served_on,
                minutes=minutes,
                service=service,
                note=note,
                idempotency_key=key,
            )
    except IntegrityError:
        return ServiceRecord.objects.get(idempotency_key=key)
    if request is not None:
        request.status = RequestStatus.TAKEN
        request.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TIMEBANK_RECORD,
        obj=record,
        data={"minutes": minutes, "request": getattr(request, "pk", None)},
    )
    title = f"请确认:{actor.display_name}为您提供了{service}"
    body = f"{served_on:%m月%d日},{stored_amount(Book.TIME, minutes)}。确认后志愿者才能获得时间币。"
    notify(served_user or _grid_worker_of(grid_id), title, body, reverse("ledger:time"))
    return record


def volunteer_communities(actor: Any) -> set[int]:
    """Communities a volunteer serves: those of the grids they volunteer in, and their home."""
    grids = Scope.for_actor(actor).volunteer_grid_ids
    ids = set(Grid.objects.filter(pk__in=sorted(grids)).values_list("community_id", flat=True))
    home = community_of_user(actor)
    if home is not None:
        ids.add(home.pk)
    return ids


def _lock_record(actor: Any, record_id: int) -> ServiceRecord:
    found = (
        confirmable_records(actor)
        .select_for_update(of=("self",))
        .select_related("request", "volunteer")
        .filter(pk=record_id)
        .first()
    )
    if found is None:
        raise record_not_found()
    return found


def _lock_request(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().select_related("requester").get(pk=request.pk)


@transaction.atomic
def service_record_confirm(*, actor: Any, record: ServiceRecord) -> ServiceRecord:
    """Confirm the hours; credits move once, however often this is called."""
    record = _lock_record(actor, record.pk)
    if record.status == RecordStatus.CONFIRMED:
        return record
    if record.status == RecordStatus.DISPUTED:
        raise Conflict(_("这条记录已提出异议,不能再确认。"), code="disputed")
    volunteer = record.volunteer
    key = f"timebank.confirm:record:{record.pk}"
    memo = f"{record.service}({record.served_on:%Y-%m-%d})"
    if record.request_id is not None:
        request = _lock_request(record.request)  # type: ignore[arg-type]
        legs = [
            (time_hold(record.community), -request.minutes),
            (account_for_user(user=volunteer, book=Book.TIME), record.minutes),
        ]
        if request.minutes > record.minutes:
            legs.append(
                (
                    account_for_user(user=request.requester, book=Book.TIME),
                    request.minutes - record.minutes,
                )
            )
        txn = transaction_post(
            actor=actor, idempotency_key=key, kind="timebank.pay", memo=memo, legs=legs
        )
        request.status = RequestStatus.DONE
        request.save(update_fields=["status", "updated_at"])
    else:
        txn = transaction_post(
            actor=actor,
            idempotency_key=key,
            kind="timebank.deposit",
            memo=memo,
            legs=[
                (time_issuer(record.community), -record.minutes),
                (account_for_user(user=volunteer, book=Book.TIME), record.minutes),
            ],
        )
    record.status = RecordStatus.CONFIRMED
    record.decided_by = actor
    record.decided_at = timezone.now()
    record.deposit = txn
    record.save(update_fields=["status", "decided_by", "decided_at", "deposit", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TIMEBANK_CONFIRM,
        obj=record,
        data={"minutes": record.minutes, "transaction": txn.pk, "on_behalf": actor.role},
    )
    _award_volunteer_points(actor=actor, record=record)
    notify(
        volunteer,
        f"服务时长已确认:{stored_amount(Book.TIME, record.minutes)}",
        f"{record.service},时间币已存入您的账户。",
        reverse("ledger:time"),
    )
    return record


def _award_volunteer_points(*, actor: Any, record: ServiceRecord) -> None:
    """Points per full hour served (§4.4), when the rule is configured and active."""
    hours = record.minutes // 60
    if hours < 1:
        return
    # No such rule, or today's cap reached: the hours still count.
    with contextlib.suppress(ApplicationError):
        points_award(
            actor=actor,
            user=record.volunteer,
            rule_code=VOLUNTEER_HOUR_RULE,
            source_key=f"timebank:record:{record.pk}",
            memo=f"志愿服务 {hours} 小时",
            units=hours,
        )


@transaction.atomic
def service_record_dispute(*, actor: Any, record: ServiceRecord, reason: str) -> ServiceRecord:
    record = _lock_record(actor, record.pk)
    if record.status != RecordStatus.PENDING:
        raise Conflict(
            _("这条记录%(status)s,不能再提出异议。") % {"status": record.get_status_display()},
            code="not_pending",
        )
    record.dispute_reason = require_text(
        reason, field="reason", label=_("异议原因"), max_length=300
    )
    record.status = RecordStatus.DISPUTED
    record.decided_by = actor
    record.decided_at = timezone.now()
    record.save(
        update_fields=["status", "dispute_reason", "decided_by", "decided_at", "updated_at"]
    )
    if record.request_id is not None:
        ServiceRequest.objects.filter(pk=record.request_id, status=RequestStatus.TAKEN).update(
            status=RequestStatus.OPEN, updated_at=timezone.now()
        )
    audit_record(actor=actor, action=AuditAction.TIMEBANK_DISPUTE, obj=record, data={})
    notify(
        record.volunteer,
        f"服务记录有异议:{record.service}",
        record.dispute_reason,
        reverse("ledger:time"),
    )
    return record
