"""/api/matching (MATCH-1..5): the pool, offers, needs, matching runs, invitations,
bookings, idle rates and partners."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja import Status as HttpStatus

from linli.core.access import api_roles
from linli.core.errors import NotFound
from linli.core.schemas import Int, Paging
from linli.core.web import API_ERRORS, actor
from linli.matching import selectors
from linli.matching.models import Booking, Match, Need, Offer, Resource
from linli.matching.policy import (
    BOOKING_ROLES,
    FIGURE_ROLES,
    NEED_ROLES,
    OWNER_ROLES,
    READ_ROLES,
    STAFF_ROLES,
    TAKE_PART_ROLES,
    VOLUNTEER_ROLES,
    manages,
    offered,
)
from linli.matching.present import match_out
from linli.matching.schemas import (
    BookingIn,
    BookingOut,
    CheckInIn,
    ClosureIn,
    CommunityQuery,
    ContributionIn,
    ContributionOut,
    FreeQuery,
    FreeVenueOut,
    FromCaseIn,
    IdleOut,
    MatchOut,
    NeedIn,
    NeedOut,
    NeedQuery,
    OfferIn,
    OfferOut,
    PartnerIn,
    PartnerOut,
    PoolQuery,
    ResourceIn,
    ResourceOut,
    ReviewIn,
    RunIn,
    RunOut,
    SeriesIn,
    SeriesOut,
    ServedIn,
)
from linli.matching.services import attendance, bookings, invitations, partners, pool, runs
from linli.matching.services import needs as need_steps

router = Router(tags=["matching"])


def _resource(r: Resource) -> dict[str, Any]:
    return {
        **{f: getattr(r, f) for f in ResourceOut.model_fields if f != "reliability"},
        "reliability": round(r.reliability, 3),
    }


def _need(user: Any, n: Need) -> dict[str, Any]:
    out = {f: getattr(n, f) for f in NeedOut.model_fields if f != "actions"}
    out["actions"] = offered(user, n, selectors.accepted_match(n))
    return out


def _booking(b: Booking) -> dict[str, Any]:
    out = {f: getattr(b, f) for f in BookingOut.model_fields if f != "resource_name"}
    out["resource_name"] = b.resource.name
    return out


# ---------------------------------------------------------------- pool and offers


@router.get(
    "/resources", response={200: list[ResourceOut], **API_ERRORS}, auth=api_roles(*READ_ROLES)
)
def list_resources(request: HttpRequest, q: Query[PoolQuery]) -> list[dict[str, Any]]:
    qs = selectors.pool(actor(request), q.community_id)
    if q.kind:
        qs = qs.filter(kind=q.kind)
    return [_resource(r) for r in qs[q.offset : q.offset + q.limit]]


@router.post("/resources", response={201: ResourceOut, **API_ERRORS}, auth=api_roles(*OWNER_ROLES))
def create_resource(request: HttpRequest, payload: ResourceIn) -> HttpStatus[dict[str, Any]]:
    data = pool.ResourceInput(**payload.model_dump())
    return HttpStatus(201, _resource(pool.resource_create(actor=actor(request), data=data)))


@router.post(
    "/resources/{resource_id}/review",
    response={200: ResourceOut, **API_ERRORS},
    auth=api_roles(*STAFF_ROLES),
)
def review_resource(request: HttpRequest, resource_id: Int, payload: ReviewIn) -> dict[str, Any]:
    r = pool.resource_review(actor=actor(request), resource_id=resource_id, approve=payload.approve)
    return _resource(r)


@router.post(
    "/resources/{resource_id}/closures",
    response={201: ClosureIn, **API_ERRORS},
    auth=api_roles(*STAFF_ROLES),
)
def close_day(
    request: HttpRequest, resource_id: Int, payload: ClosureIn
) -> HttpStatus[dict[str, Any]]:
    c = pool.resource_close_day(
        actor=actor(request), resource_id=resource_id, day=payload.day, reason=payload.reason
    )
    return HttpStatus(201, {"day": c.day, "reason": c.reason})


@router.get("/offers", response={200: list[OfferOut], **API_ERRORS}, auth=api_roles(*READ_ROLES))
def list_offers(request: HttpRequest, page: Query[Paging]) -> list[dict[str, Any]]:
    visible = Resource.objects.visible_to(actor(request)).filter(status="approved")
    qs = (
        Offer.objects.filter(resource__in=visible, active=True)
        .select_related("resource")
        .order_by("starts_at", "pk")
    )
    return [
        {
            "id": o.pk,
            "resource_id": o.resource_id,
            "resource_name": o.resource.name,
            "title": o.title,
            "starts_at": o.starts_at,
            "ends_at": o.ends_at,
        }
        for o in qs[page.offset : page.offset + page.limit]
    ]


@router.post("/offers", response={201: OfferOut, **API_ERRORS}, auth=api_roles(*OWNER_ROLES))
def publish_offer(request: HttpRequest, payload: OfferIn) -> HttpStatus[dict[str, Any]]:
    o = pool.offer_publish(actor=actor(request), **payload.model_dump())
    return HttpStatus(
        201,
        {
            "id": o.pk,
            "resource_id": o.resource_id,
            "resource_name": o.resource.name,
            "title": o.title,
            "starts_at": o.starts_at,
            "ends_at": o.ends_at,
        },
    )


# ---------------------------------------------------------------- needs


@router.get("/needs", response={200: list[NeedOut], **API_ERRORS}, auth=api_roles(*TAKE_PART_ROLES))
def list_needs(request: HttpRequest, q: Query[NeedQuery]) -> list[dict[str, Any]]:
    """Your own needs; staff give `community_id` for their community's."""
    user = actor(request)
    if q.community_id is not None:
        if not manages(user, q.community_id):
            raise NotFound(_("找不到该社区。"))
        qs = selectors.community_needs(user, q.community_id)
    else:
        qs = selectors.my_needs(user)
    return [_need(user, n) for n in qs[q.offset : q.offset + q.limit]]


@router.post("/needs", response={201: NeedOut, **API_ERRORS}, auth=api_roles(*NEED_ROLES))
def publish_need(request: HttpRequest, payload: NeedIn) -> HttpStatus[dict[str, Any]]:
    user = actor(request)
    need = need_steps.need_publish(actor=user, data=need_steps.NeedInput(**payload.model_dump()))
    return HttpStatus(201, _need(user, need))


@router.post(
    "/needs/from-case", response={201: NeedOut, **API_ERRORS}, auth=api_roles(*STAFF_ROLES)
)
def need_from_case(request: HttpRequest, payload: FromCaseIn) -> HttpStatus[dict[str, Any]]:
    user = actor(request)
    need = need_steps.need_from_case(actor=user, **payload.model_dump())
    return HttpStatus(201, _need(user, need))


@router.get(
    "/needs/{need_id}", response={200: NeedOut, **API_ERRORS}, auth=api_roles(*TAKE_PART_ROLES)
)
def get_need(request: HttpRequest, need_id: Int) -> dict[str, Any]:
    user = actor(request)
    return _need(user, selectors.need_get(actor=user, need_id=need_id))


NEED_STEPS = {
    "confirm": lambda u, n: attendance.need_confirm(actor=u, need=n),
    "no-show": lambda u, n: attendance.need_no_show(actor=u, need=n),
    "cancel": lambda u, n: need_steps.need_cancel(actor=u, need=n),
}


def _need_step(request: HttpRequest, need_id: int, step: str) -> dict[str, Any]:
    user = actor(request)
    NEED_STEPS[step](user, selectors.need_get(actor=user, need_id=need_id))
    return _need(user, Need.objects.get(pk=need_id))


@router.post(
    "/needs/{need_id}/confirm",
    response={200: NeedOut, **API_ERRORS},
    auth=api_roles(*TAKE_PART_ROLES),
)
def confirm_need(request: HttpRequest, need_id: Int) -> dict[str, Any]:
    """The person served confirms: the hours go into the volunteer's time-bank account."""
    return _need_step(request, need_id, "confirm")


@router.post(
    "/needs/{need_id}/no-show",
    response={200: NeedOut, **API_ERRORS},
    auth=api_roles(*TAKE_PART_ROLES),
)
def no_show(request: HttpRequest, need_id: Int) -> dict[str, Any]:
    return _need_step(request, need_id, "no-show")


@router.post(
    "/needs/{need_id}/cancel",
    response={200: NeedOut, **API_ERRORS},
    auth=api_roles(*TAKE_PART_ROLES),
)
def cancel_need(request: HttpRequest, need_id: Int) -> dict[str, Any]:
    return _need_step(request, need_id, "cancel")


@router.get("/at-risk", response={200: list[NeedOut], **API_ERRORS}, auth=api_roles(*STAFF_ROLES))
def at_risk(request: HttpRequest, q: Query[CommunityQuery]) -> list[dict[str, Any]]:
    """Accepted or still-inviting needs starting within 24 hours, not yet served."""
    user = actor(request)
    if not manages(user, q.community_id):
        raise NotFound(_("找不到该社区。"))
    return [_need(user, n) for n in selectors.at_risk(user, q.community_id)]


# ---------------------------------------------------------------- runs and invitations


def _run(run_id: int, user: Any) -> dict[str, Any]:
    run = selectors.run_get(actor=user, run_id=run_id)
    matches = run.matches.select_related("need", "volunteer").order_by("pk")
    return {
        **{f: getattr(run, f) for f in RunOut.model_fields if f != "matches"},
        "matches": [match_out(m, staff=True) for m in matches],
    }


@router.post("/runs", response={201: RunOut, **API_ERRORS}, auth=api_roles(*STAFF_ROLES))
def run_matching(request: HttpRequest, payload: RunIn) -> HttpStatus[dict[str, Any]]:
    """Propose the globally optimal assignment of the window's open needs; nothing is sent
    until `send`."""
    user = actor(request)
    run = runs.matching_run(actor=user, **payload.model_dump())
    return HttpStatus(201, _run(run.pk, user))


@router.get("/runs/{run_id}", response={200: RunOut, **API_ERRORS}, auth=api_roles(*STAFF_ROLES))
def get_run(request: HttpRequest, run_id: Int) -> dict[str, Any]:
    return _run(run_id, actor(request))


@router.post(
    "/runs/{run_id}/send", response={200: RunOut, **API_ERRORS}, auth=api_roles(*STAFF_ROLES)
)
def send_run(request: HttpRequest, run_id: Int) -> dict[str, Any]:
    runs.run_send(actor=actor(request), run_id=run_id)
    return _run(run_id, actor(request))


@router.post(
    "/runs/{run_id}/discard", response={200: RunOut, **API_ERRORS}, auth=api_roles(*STAFF_ROLES)
)
def discard_run(request: HttpRequest, run_id: Int) -> dict[str, Any]:
    runs.run_discard(actor=actor(request), run_id=run_id)
    return _run(run_id, actor(request))


def _mine(request: HttpRequest, match_id: int) -> dict[str, Any]:
    m = Match.objects.select_related("need", "volunteer").get(pk=match_id)
    return match_out(m, staff=False)


@router.get(
    "/invitations", response={200: list[MatchOut], **API_ERRORS}, auth=api_roles(*VOLUNTEER_ROLES)
)
def list_invitations(request: HttpRequest, page: Query[Paging]) -> list[dict[str, Any]]:
    """Your invitations with the score's terms and why you ("为什么是我")."""
    qs = selectors.invitations_for(actor(request)).select_related("volunteer")
    return [match_out(m, staff=False) for m in qs[page.offset : page.offset + page.limit]]


@router.post(
    "/invitations/{match_id}/accept",
    response={200: MatchOut, **API_ERRORS},
    auth=api_roles(*VOLUNTEER_ROLES),
)
def accept(request: HttpRequest, match_id: Int) -> dict[str, Any]:
    invitations.match_accept(actor=actor(request), match_id=match_id)
    return _mine(request, match_id)


@router.post(
    "/invitations/{match_id}/decline",
    response={200: MatchOut, **API_ERRORS},
    auth=api_roles(*VOLUNTEER_ROLES),
)
def decline(request: HttpRequest, match_id: Int) -> dict[str, Any]:
    invitations.match_decline(actor=actor(request), match_id=match_id)
    return _mine(request, match_id)


@router.post(
    "/invitations/{match_id}/served",
    response={200: MatchOut, **API_ERRORS},
    auth=api_roles(*VOLUNTEER_ROLES),
)
def served(request: HttpRequest, match_id: Int, payload: ServedIn) -> dict[str, Any]:
    """Record the service; the person served confirms it before hours are deposited."""
    attendance.match_served(actor=actor(request), match_id=match_id, minutes=payload.minutes)
    return _mine(request, match_id)


# ---------------------------------------------------------------- bookings


@router.get(
    "/bookings", response={200: list[BookingOut], **API_ERRORS}, auth=api_roles(*BOOKING_ROLES)
)
def list_bookings(request: HttpRequest, page: Query[Paging]) -> list[dict[str, Any]]:
    qs = (
        Booking.objects.visible_to(actor(request))
        .select_related("resource")
        .order_by("-starts_at", "-pk")
    )
    return [_booking(b) for b in qs[page.offset : page.offset + page.limit]]


@router.post("/bookings", response={201: BookingOut, **API_ERRORS}, auth=api_roles(*BOOKING_ROLES))
def book(request: HttpRequest, payload: BookingIn) -> HttpStatus[dict[str, Any]]:
    b = bookings.booking_create(actor=actor(request), **payload.model_dump())
    return HttpStatus(201, _booking(b))


@router.post(
    "/bookings/series", response={201: SeriesOut, **API_ERRORS}, auth=api_roles(*BOOKING_ROLES)
)
def book_series(request: HttpRequest, payload: SeriesIn) -> HttpStatus[dict[str, Any]]:
    """The same slot weekly; dates that cannot be booked are skipped and listed."""
    made, skipped = bookings.booking_series(actor=actor(request), **payload.model_dump())
    return HttpStatus(
        201,
        {
            "booked": [_booking(b) for b in made],
            "skipped": [{"starts_at": s.starts_at, "reason": s.reason} for s in skipped],
        },
    )


@router.post(
    "/bookings/{booking_id}/check-in",
    response={200: BookingOut, **API_ERRORS},
    auth=api_roles(*BOOKING_ROLES),
)
def check_in(request: HttpRequest, booking_id: Int, payload: CheckInIn) -> dict[str, Any]:
    b = bookings.booking_check_in(
        actor=actor(request), booking_id=booking_id, people=payload.people
    )
    return _booking(b)


@router.post(
    "/bookings/{booking_id}/cancel",
    response={200: BookingOut, **API_ERRORS},
    auth=api_roles(*BOOKING_ROLES),
)
def cancel_booking(request: HttpRequest, booking_id: Int) -> dict[str, Any]:
    return _booking(bookings.booking_cancel(actor=actor(request), booking_id=booking_id))


@router.get(
    "/venues/free", response={200: list[FreeVenueOut], **API_ERRORS}, auth=api_roles(*READ_ROLES)
)
def free(request: HttpRequest, q: Query[FreeQuery]) -> list[dict[str, Any]]:
    """Venues open for the whole range, big enough and not booked in it."""
    found = selectors.free_in_range(actor=actor(request), **q.model_dump())
    return [
        {f: getattr(v, f) for f in ("id", "name", "capacity", "conditions", "category")}
        for v in found
    ]


@router.get("/idle", response={200: list[IdleOut], **API_ERRORS}, auth=api_roles(*FIGURE_ROLES))
def idle(request: HttpRequest, q: Query[CommunityQuery]) -> list[dict[str, Any]]:
    """Idle rate per venue over the last 30 days; above 30% flagged for a change of use."""
    user = actor(request)
    if user.role not in ("sysadmin", "supervisor", "evaluator") and q.community_id not in set(
        _communities_of(user)
    ):
        raise NotFound(_("找不到该社区。"))
    return [
        {
            "resource_id": r.resource.pk,
            "name": r.resource.name,
            "open_hours": r.open_hours,
            "booked_hours": r.booked_hours,
            "idle_rate": r.rate,
            "flagged": r.flagged,
        }
        for r in selectors.idle_rates(community_id=q.community_id)
    ]


def _communities_of(user: Any) -> list[int]:
    from linli.geo.scope import Scope

    return list(Scope.for_actor(user).communities().values_list("pk", flat=True))


# ---------------------------------------------------------------- partners


def _partner(p: Any) -> dict[str, Any]:
    return {
        **{f: getattr(p, f) for f in PartnerOut.model_fields if f != "below_target"},
        "below_target": selectors.below_local_target(p),
    }


@router.get(
    "/partners", response={200: list[PartnerOut], **API_ERRORS}, auth=api_roles(*FIGURE_ROLES)
)
def list_partners(request: HttpRequest, q: Query[CommunityQuery]) -> list[dict[str, Any]]:
    user = actor(request)
    if user.role not in ("sysadmin", "supervisor", "evaluator") and q.community_id not in set(
        _communities_of(user)
    ):
        raise NotFound(_("找不到该社区。"))
    return [_partner(p) for p in selectors.partners_of(q.community_id)]


@router.post("/partners", response={201: PartnerOut, **API_ERRORS}, auth=api_roles(*STAFF_ROLES))
def save_partner(request: HttpRequest, payload: PartnerIn) -> HttpStatus[dict[str, Any]]:
    p = partners.partner_save(actor=actor(request), **payload.model_dump())
    return HttpStatus(201, _partner(p))


@router.post(
    "/partners/{partner_id}/contributions",
    response={201: ContributionOut, **API_ERRORS},
    auth=api_roles(*STAFF_ROLES),
)
def contribute(
    request: HttpRequest, partner_id: Int, payload: ContributionIn
) -> HttpStatus[dict[str, Any]]:
    """Earns the partner social-responsibility points through the ledger."""
    c = partners.contribution_record(
        actor=actor(request), partner_id=partner_id, **payload.model_dump()
    )
    return HttpStatus(201, {f: getattr(c, f) for f in ContributionOut.model_fields})
