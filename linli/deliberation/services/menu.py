"""MATCH-6: a service-menu vote's candidates may carry the venue and time they would run at;
when the result is published, each winner's venue is booked through the matching app's
booking service (the same checks and no-overlap guarantee as any booking). A winner whose
slot cannot be had is reported on the item and to the publisher; the result stands."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.text import require_text
from linli.deliberation import policy
from linli.deliberation.choices import AuditAction
from linli.deliberation.models import Body, MenuItem, Vote
from linli.deliberation.policy import Phase, phase
from linli.deliberation.selectors import menu_venues
from linli.deliberation.services.common import record
from linli.matching.services.bookings import booking_create


def _when(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationFailed(_("请填写活动时间。"), field=field)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def menu_items_build(
    *, actor: Any, body: Body, closes: dt.datetime, items: Sequence[str | Mapping[str, Any]]
) -> list[MenuItem]:
    """Unsaved candidates from titles or {title, venue_id, starts_at, ends_at, people}.
    A venue must be an approved venue of the body's community, and the activity must start
    after voting closes (the booking is made when the result is published)."""
    made: list[MenuItem] = []
    for i, raw in enumerate(items):
        spec: Mapping[str, Any] = {"title": raw} if isinstance(raw, str) else raw
        title = require_text(
            spec.get("title"), field=f"items.{i}.title", label=_("活动"), max_length=80
        )
        item = MenuItem(title=title)
        if spec.get("venue_id") is not None:
            _plan(actor, body, closes, item, spec, f"items.{i}.")
        made.append(item)
    return made


def _plan(
    actor: Any, body: Body, closes: dt.datetime, item: MenuItem, spec: Mapping[str, Any], at: str
) -> None:
    venue_id = spec.get("venue_id")
    if not isinstance(venue_id, int):
        raise ValidationFailed(_("请选择场地。"), field=f"{at}venue_id")
    venue = menu_venues(actor, body.community_id).filter(pk=venue_id).first()
    if venue is None:
        raise NotFound(_("找不到该场地。"), field=f"{at}venue_id")
    starts = _when(spec.get("starts_at"), f"{at}starts_at")
    ends = _when(spec.get("ends_at"), f"{at}ends_at")
    if ends <= starts:
        raise ValidationFailed(_("结束时间须晚于开始时间。"), field=f"{at}ends_at")
    if starts <= closes:
        raise ValidationFailed(
            _("活动时间须在投票截止之后(公布结果时才预约场地)。"), field=f"{at}starts_at"
        )
    people = spec.get("people") or venue.capacity
    if not isinstance(people, int) or not 1 <= people <= venue.capacity:
        raise ValidationFailed(
            _("人数应在 1 到场地容量(%(cap)s 人)之间。") % {"cap": venue.capacity},
            field=f"{at}people",
        )
    item.venue, item.starts_at, item.ends_at, item.people = venue, starts, ends, people


@transaction.atomic
def menu_item_plan(*, actor: Any, vote: Vote, item_id: int, **spec: Any) -> MenuItem:
    """Set (or change) where and when a candidate would run, until its venue is booked. On a
    published menu a winner without a booking is booked at once (how a conflict reported at
    publication is put right)."""
    vote = Vote.objects.select_for_update(of=("self",), no_key=True).get(pk=vote.pk)
    policy.require(actor, vote, "plan")
    item = MenuItem.objects.select_for_update().filter(vote=vote, pk=item_id).first()
    if item is None:
        raise NotFound(_("找不到该候选活动。"), field="item_id")
    if item.booking_id is not None:
        raise Conflict(_("该活动的场地已预约;如要改动,请先在场地预约中取消。"), code="booked")
    published = phase(vote) == Phase.PUBLISHED
    if published and not item.chosen:
        raise Conflict(_("该活动没有入选菜单,不需要安排场地。"), code="not_chosen")
    _plan(actor, vote.body, vote.closes_at, item, {**spec, "title": item.title}, "")
    item.save(update_fields=["venue", "starts_at", "ends_at", "people"])
    record(actor, AuditAction.VOTE, vote, step="plan", item=item.pk, venue=item.venue_id)
    if published:
        failed = menu_book(actor=actor, vote=vote, item_id=item.pk)
        if failed:
            raise Conflict(failed[0].booking_problem, code="booking_failed")
        item.refresh_from_db()
    return item


def menu_book(*, actor: Any, vote: Vote, item_id: int | None = None) -> list[MenuItem]:
    """Book the venue of every chosen item that names one; returns the items that could not
    be booked (each with its reason). Runs inside the publishing transaction: one failed
    booking rolls back only its own savepoint."""
    failed: list[MenuItem] = []
    chosen = vote.items.filter(chosen=True, venue__isnull=False, booking__isnull=True)
    if item_id is not None:
        chosen = chosen.filter(pk=item_id)
    for item in chosen.order_by("starts_at", "pk"):
        assert item.venue_id is not None and item.starts_at and item.ends_at
        try:
            with transaction.atomic():
                item.booking = booking_create(
                    actor=actor,
                    resource_id=item.venue_id,
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                    people=item.people,
                    purpose=_("服务菜单:%(t)s") % {"t": item.title},
                )
            item.booking_problem = ""
        except (Conflict, ValidationFailed, NotFound, PermissionDenied) as exc:
            item.booking_problem = exc.message[:200]
            failed.append(item)
        item.save(update_fields=["booking", "booking_problem"])
    return failed
