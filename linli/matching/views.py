"""Matching pages: the resident's (publish a need, my needs, offers near me, my bookings),
the volunteer's (invitations with the reason, one-tap answers, my schedule) and community
staff's (pool, open needs, run and review matching, bookings, idle rates, partners)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core.access import page_roles
from linli.core.errors import ValidationFailed
from linli.core.web import actor, call_service, error_page
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.matching import scoring, selectors
from linli.matching.choices import (
    BookingStatus,
    ContributionKind,
    NeedStatus,
    PartnerKind,
    ResourceKind,
    ResourceStatus,
    Skill,
)
from linli.matching.models import Booking, Match, Need, Offer, Resource
from linli.matching.policy import (
    BOOKING_ROLES,
    FIGURE_ROLES,
    NEED_ROLES,
    OWNER_ROLES,
    STAFF_ROLES,
    TAKE_PART_ROLES,
    VOLUNTEER_ROLES,
    manages,
    offered,
)
from linli.matching.present import explain
from linli.matching.services import attendance, bookings, invitations, partners, pool, runs
from linli.matching.services import needs as need_steps
from linli.people.selectors import resident_of_user, residents_brief

STAFF_PICKER = 300
WEEKDAYS = [
    (0, gettext_lazy("周一")),
    (1, gettext_lazy("周二")),
    (2, gettext_lazy("周三")),
    (3, gettext_lazy("周四")),
    (4, gettext_lazy("周五")),
    (5, gettext_lazy("周六")),
    (6, gettext_lazy("周日")),
]


def _moment(raw: str | None, field: str) -> dt.datetime:
    """A datetime-local field ("2026-03-12T09:00"), read in local time."""
    try:
        value = dt.datetime.fromisoformat((raw or "").strip())
    except ValueError as exc:
        raise ValidationFailed(_("请填写正确的时间。"), field=field) from exc
    if not dt.date(2000, 1, 1) <= value.date() <= dt.date(2099, 12, 31):
        raise ValidationFailed(_("请填写正确的时间。"), field=field)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _int(raw: str | None, default: int | None = None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else default


def _communities(user: Any) -> list[Community]:
    if user.role == "sysadmin":
        return list(Community.objects.order_by("code"))
    return list(Scope.for_actor(user).managed_communities())


def _community(request: HttpRequest, user: Any) -> Community | None:
    mine = _communities(user)
    wanted = _int(request.GET.get("community") or request.POST.get("community"))
    return next((c for c in mine if c.pk == wanted), mine[0] if mine else None)


# ---------------------------------------------------------------- residents


@page_roles(*TAKE_PART_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    needs = list(selectors.my_needs(user)[:30])
    for n in needs:
        n.actions = offered(user, n, selectors.accepted_match(n))  # type: ignore[attr-defined]
    residents = []
    if user.role in (*STAFF_ROLES, "grid_worker"):
        residents = sorted(
            residents_brief(actor=user, purpose=need_steps.PURPOSE, limit=STAFF_PICKER).values(),
            key=lambda b: b.full_name,
        )
    start = timezone.localtime() + dt.timedelta(days=1)
    return render(
        request,
        "matching/home.html",
        {
            "needs": needs,
            "skills": Skill.choices,
            "residents": residents,
            "offers": selectors.offers_near(user, limit=20),
            "times": selectors.upcoming_offers(user, limit=20),
            "bookings": Booking.objects.filter(booked_by=user)
            .select_related("resource")
            .order_by("-starts_at")[:20],
            "start": start.replace(hour=9, minute=0).strftime("%Y-%m-%dT%H:%M"),
            "has_home": resident_of_user(user) is not None,
            "kinds": ResourceKind.choices,
            "weekdays": WEEKDAYS,
            "mine": Resource.objects.filter(owner_user=user).order_by("-pk")[:20],
            "can_list": user.role in OWNER_ROLES and user.role not in STAFF_ROLES,
            "is_volunteer": user.role == "volunteer"
            or Match.objects.filter(volunteer=user).exists(),
        },
    )


@require_POST
@page_roles(*NEED_ROLES)
def need_new(request: HttpRequest) -> HttpResponse:
    user, post = actor(request), request.POST

    def publish() -> Need:
        starts = _moment(post.get("starts_at"), "starts_at")
        hours = _int(post.get("hours"), 1) or 1
        return need_steps.need_publish(
            actor=user,
            data=need_steps.NeedInput(
                skill=post.get("skill", ""),
                title=post.get("title", ""),
                detail=post.get("detail", ""),
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=hours),
                urgent=post.get("urgent") == "1",
                resident_id=_int(post.get("resident_id")),
            ),
        )

    outcome = call_service(publish)
    if outcome.ok:
        messages.success(request, _("需求已发布,社区会尽快为您匹配志愿者。"))
    else:
        messages.error(request, outcome.message)
    return redirect("matching:home")


@require_POST
@page_roles(*OWNER_ROLES)
def resource_new(request: HttpRequest) -> HttpResponse:
    """A resident, volunteer or partner lists what they can offer; staff approve it."""
    user, post = actor(request), request.POST
    days = [int(d) for d in post.getlist("days") if d.isdigit() and int(d) < 7]
    start, end = post.get("from", "08:00"), post.get("to", "18:00")
    outcome = call_service(
        pool.resource_create,
        actor=user,
        data=pool.ResourceInput(
            kind=post.get("kind", ""),
            name=post.get("name", ""),
            category=post.get("category", ""),
            capacity=_int(post.get("capacity"), 1) or 1,
            conditions=post.get("conditions", ""),
            hours=[[d, start, end] for d in days],
            partner_id=_int(post.get("partner_id")),
        ),
    )
    if outcome.ok:
        messages.success(request, _("已登记,社区工作人员审核后上架。"))
    else:
        messages.error(request, outcome.message)
    return redirect("matching:home")


@require_POST
@page_roles(*OWNER_ROLES)
def offer_new(request: HttpRequest) -> HttpResponse:
    """An owner publishes a time their approved resource is on offer (MATCH-2)."""
    user, post = actor(request), request.POST

    def publish() -> Offer:
        starts = _moment(post.get("starts_at"), "starts_at")
        hours = _int(post.get("hours"), 2) or 2
        return pool.offer_publish(
            actor=user,
            resource_id=_int(post.get("resource_id")) or 0,
            title=post.get("title", ""),
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=min(hours, 12)),
        )

    outcome = call_service(publish)
    if outcome.ok:
        messages.success(request, _("已发布,附近的居民可以看到这个时段。"))
    else:
        messages.error(request, outcome.message)
    return redirect("matching:home")


ACTIONS = {
    "confirm": lambda u, n: attendance.need_confirm(actor=u, need=n),
    "no_show": lambda u, n: attendance.need_no_show(actor=u, need=n),
    "cancel": lambda u, n: need_steps.need_cancel(actor=u, need=n),
}
DONE = {
    "confirm": _("已确认,服务时长已存入志愿者的时间银行账户。"),
    "no_show": _("已登记未到场。"),
    "cancel": _("需求已取消。"),
}


@require_POST
@page_roles(*TAKE_PART_ROLES)
def need_act(request: HttpRequest, need_id: int, action: str) -> HttpResponse:
    user = actor(request)
    found = call_service(selectors.need_get, actor=user, need_id=need_id)
    if not found.ok or found.value is None:
        assert found.error is not None
        return error_page(request, found.error)
    if action not in ACTIONS:
        messages.error(request, _("未知操作。"))
    else:
        outcome = call_service(ACTIONS[action], u=user, n=found.value)
        if outcome.ok:
            messages.success(request, str(DONE[action]))
        else:
            messages.error(request, outcome.message)
    return redirect(request.POST.get("next") or "matching:home")


# ---------------------------------------------------------------- volunteers


@page_roles(*VOLUNTEER_ROLES)
def invitation_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    rows = list(selectors.invitations_for(user)[:100])
    for m in rows:
        m.explained = explain(m, staff=False)  # type: ignore[attr-defined]
        m.actions = offered(user, m.need, m)  # type: ignore[attr-defined]
    return render(
        request,
        "matching/invitations.html",
        {
            "open": [m for m in rows if m.status == "invited"],
            "schedule": [m for m in rows if m.status in ("accepted", "served")],
            "past": [m for m in rows if m.status not in ("invited", "accepted", "served")][:20],
        },
    )


ANSWERS = {
    "accept": lambda u, m, p: invitations.match_accept(actor=u, match_id=m),
    "decline": lambda u, m, p: invitations.match_decline(actor=u, match_id=m),
    "served": lambda u, m, p: attendance.match_served(
        actor=u, match_id=m, minutes=_int(p.get("minutes"), 0) or 0
    ),
}
ANSWERED = {
    "accept": _("已接受,谢谢您!请按时前往。"),
    "decline": _("已谢绝,我们会邀请下一位志愿者。"),
    "served": _("已登记,等待对方确认后存入时间银行。"),
}


@require_POST
@page_roles(*VOLUNTEER_ROLES)
def answer(request: HttpRequest, match_id: int, action: str) -> HttpResponse:
    user = actor(request)
    if action not in ANSWERS:
        messages.error(request, _("未知操作。"))
    else:
        outcome = call_service(ANSWERS[action], u=user, m=match_id, p=request.POST)
        if outcome.fatal:
            assert outcome.error is not None
            return error_page(request, outcome.error)
        if outcome.ok:
            messages.success(request, str(ANSWERED[action]))
        else:
            messages.error(request, outcome.message)
    return redirect("matching:invitations")


# ---------------------------------------------------------------- staff


@page_roles(*STAFF_ROLES)
def staff(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    community = _community(request, user)
    if community is None:
        return render(request, "core/error.html", {"message": _("您没有负责的社区。")}, status=403)
    now = timezone.localtime()
    needs = list(
        selectors.community_needs(user, community.pk)
        .filter(starts_at__gte=now - dt.timedelta(days=1))
        .exclude(status__in=(NeedStatus.CANCELLED, NeedStatus.DONE))[:200]
    )
    last_run = selectors.latest_run(community.pk)
    return render(
        request,
        "matching/staff.html",
        {
            "community": community,
            "communities": _communities(user),
            "needs": needs,
            "at_risk": selectors.at_risk(user, community.pk),
            "pending": selectors.pool(user, community.pk).filter(status=ResourceStatus.PENDING)[
                :50
            ],
            "pool": selectors.pool(user, community.pk).filter(status=ResourceStatus.APPROVED)[:200],
            "last_run": last_run,
            "window_start": (now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:00"),
            "window_end": (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:00"),
            "cap": scoring.DEFAULT_CAP,
        },
    )


@require_POST
@page_roles(*STAFF_ROLES)
def run_new(request: HttpRequest) -> HttpResponse:
    user, post = actor(request), request.POST

    def start() -> Any:
        return runs.matching_run(
            actor=user,
            community_id=_int(post.get("community"), 0) or 0,
            window_start=_moment(post.get("window_start"), "window_start"),
            window_end=_moment(post.get("window_end"), "window_end"),
            cap=_int(post.get("cap"), scoring.DEFAULT_CAP) or 0,
        )

    outcome = call_service(start)
    if not outcome.ok:
        messages.error(request, outcome.message)
        return redirect("matching:staff")
    return redirect("matching:run", run_id=outcome.value.pk)  # type: ignore[union-attr]


@page_roles(*STAFF_ROLES)
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    user = actor(request)
    found = call_service(selectors.run_get, actor=user, run_id=run_id)
    if not found.ok or found.value is None:
        assert found.error is not None
        return error_page(request, found.error)
    run = found.value
    matches = list(
        run.matches.select_related("need", "resource", "volunteer").order_by(
            "need__starts_at", "pk"
        )
    )
    for m in matches:
        m.explained = explain(m, staff=True)  # type: ignore[attr-defined]
    unmatched_ids = [int(k) for k in run.stats.get("unmatched", {})]
    unmatched = []
    for n in Need.objects.filter(pk__in=unmatched_ids).order_by("starts_at", "pk"):
        code = run.stats["unmatched"][str(n.pk)]
        unmatched.append((n, scoring.FILTER_LABELS.get(code, code)))
    return render(
        request,
        "matching/run.html",
        {"run": run, "matches": matches, "unmatched": unmatched},
    )


@require_POST
@page_roles(*STAFF_ROLES)
def run_act(request: HttpRequest, run_id: int, action: str) -> HttpResponse:
    user = actor(request)
    service = {"send": runs.run_send, "discard": runs.run_discard}.get(action)
    if service is None:
        messages.error(request, _("未知操作。"))
        return redirect("matching:run", run_id=run_id)
    outcome = call_service(service, actor=user, run_id=run_id)
    if outcome.fatal:
        assert outcome.error is not None
        return error_page(request, outcome.error)
    if outcome.ok:
        messages.success(
            request, _("邀请已发送给志愿者。") if action == "send" else _("已放弃该方案。")
        )
    else:
        messages.error(request, outcome.message)
    return redirect("matching:run", run_id=run_id)


@require_POST
@page_roles(*STAFF_ROLES)
def resource_review(request: HttpRequest, resource_id: int) -> HttpResponse:
    outcome = call_service(
        pool.resource_review,
        actor=actor(request),
        resource_id=resource_id,
        approve=request.POST.get("approve") == "1",
    )
    if outcome.ok:
        messages.success(request, _("已审核。"))
    else:
        messages.error(request, outcome.message)
    return redirect("matching:staff")


# ---------------------------------------------------------------- bookings


@page_roles(*BOOKING_ROLES)
def booking_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    home_of = resident_of_user(user)
    community_id = _int(request.GET.get("community"))
    if community_id is None:
        mine = _communities(user)
        community_id = mine[0].pk if mine else (home_of.community_id if home_of else None)
    now = timezone.localtime()
    free: list[Any] = []
    error = ""
    start_raw = request.GET.get("starts_at", "")
    hours = _int(request.GET.get("hours"), 2) or 2
    people = _int(request.GET.get("people"), 1) or 1
    if start_raw and community_id:
        try:
            start = _moment(start_raw, "starts_at")
            free = selectors.free_in_range(
                actor=user,
                community_id=community_id,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=hours),
                people=people,
            )
        except ValidationFailed as exc:
            error = exc.message
    staff_view = community_id is not None and manages(user, community_id)
    calendar = []
    if staff_view and community_id is not None:
        calendar = list(
            Booking.objects.filter(
                resource__community_id=community_id,
                starts_at__gte=now - dt.timedelta(hours=12),
                starts_at__lt=now + dt.timedelta(days=14),
            )
            .select_related("resource", "booked_by")
            .order_by("starts_at")[:300]
        )
    return render(
        request,
        "matching/bookings.html",
        {
            "free": free,
            "error": error,
            "searched": bool(start_raw),
            "starts_at": start_raw
            or (now + dt.timedelta(days=1)).replace(hour=14, minute=0).strftime("%Y-%m-%dT%H:%M"),
            "hours": hours,
            "people": people,
            "community_id": community_id,
            "mine": _with_check_in(
                Booking.objects.filter(booked_by=user)
                .select_related("resource")
                .order_by("-starts_at")[:30]
            ),
            "calendar": calendar,
            "staff_view": staff_view,
        },
    )


def _with_check_in(rows: Any) -> list[Booking]:
    """Offer check-in only while it is open: from 30 minutes before to 15 after the start."""
    now = timezone.now()
    out = list(rows)
    for b in out:
        b.can_check_in = (  # type: ignore[attr-defined]
            b.starts_at - bookings.CHECK_IN_EARLY <= now <= b.starts_at + bookings.CHECK_IN_GRACE
        )
    return out


@require_POST
@page_roles(*BOOKING_ROLES)
def booking_new(request: HttpRequest) -> HttpResponse:
    user, post = actor(request), request.POST

    def book() -> Any:
        start = _moment(post.get("starts_at"), "starts_at")
        end = start + dt.timedelta(hours=_int(post.get("hours"), 2) or 2)
        weeks = _int(post.get("weeks"), 1) or 1
        common = {
            "actor": user,
            "resource_id": _int(post.get("resource_id"), 0) or 0,
            "starts_at": start,
            "ends_at": end,
            "people": _int(post.get("people"), 1) or 1,
            "purpose": post.get("purpose", ""),
        }
        if weeks > 1:
            return bookings.booking_series(weeks=weeks, **common)
        return [bookings.booking_create(**common)], []

    outcome = call_service(book)
    if outcome.ok and outcome.value is not None:
        made, skipped = outcome.value
        messages.success(request, _("预约成功 %(n)s 次。") % {"n": len(made)})
        for s in skipped:
            messages.warning(
                request,
                _("%(day)s 未预约:%(why)s")
                % {"day": timezone.localtime(s.starts_at).strftime("%m-%d"), "why": s.reason},
            )
    else:
        messages.error(request, outcome.message)
    return redirect("matching:bookings")


@require_POST
@page_roles(*BOOKING_ROLES)
def booking_act(request: HttpRequest, booking_id: int, action: str) -> HttpResponse:
    user = actor(request)
    service = {"check_in": bookings.booking_check_in, "cancel": bookings.booking_cancel}.get(action)
    if service is None:
        messages.error(request, _("未知操作。"))
    else:
        outcome = call_service(service, actor=user, booking_id=booking_id)
        if outcome.fatal:
            assert outcome.error is not None
            return error_page(request, outcome.error)
        if outcome.ok:
            done = BookingStatus.CHECKED_IN.label if action == "check_in" else _("已取消")
            messages.success(request, str(done))
        else:
            messages.error(request, outcome.message)
    return redirect("matching:bookings")


# ---------------------------------------------------------------- figures


@page_roles(*FIGURE_ROLES)
def idle_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    community = _figure_community(request, user)
    rows = selectors.idle_rates(community_id=community.pk) if community else []
    return render(
        request,
        "matching/idle.html",
        {
            "community": community,
            "communities": _figure_communities(user),
            "rows": rows,
            "flag": int(selectors.IDLE_FLAG * 100),
        },
    )


def _figure_communities(user: Any) -> list[Community]:
    if user.role in ("sysadmin", "supervisor", "evaluator"):
        return list(Community.objects.order_by("code"))
    return list(Scope.for_actor(user).communities())


def _figure_community(request: HttpRequest, user: Any) -> Community | None:
    mine = _figure_communities(user)
    wanted = _int(request.GET.get("community"))
    return next((c for c in mine if c.pk == wanted), mine[0] if mine else None)


@page_roles(*FIGURE_ROLES)
def partner_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    community = _figure_community(request, user)
    rows = list(selectors.partners_of(community.pk)) if community else []
    for p in rows:
        p.below = selectors.below_local_target(p)  # type: ignore[attr-defined]
        p.share_pct = None if p.local_share is None else round(p.local_share * 100)  # type: ignore[attr-defined]
    return render(
        request,
        "matching/partners.html",
        {
            "community": community,
            "communities": _figure_communities(user),
            "rows": rows,
            "can_record": community is not None and manages(user, community.pk),
            "kinds": ContributionKind.choices,
            "partner_kinds": PartnerKind.choices,
            "today": timezone.localdate().isoformat(),
        },
    )


@require_POST
@page_roles(*STAFF_ROLES)
def resource_close(request: HttpRequest) -> HttpResponse:
    """A day a resource is closed despite its weekly hours (maintenance, an event)."""
    user, post = actor(request), request.POST

    def close() -> Any:
        raw = post.get("day", "").strip()
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise ValidationFailed(_("请选择日期。"), field="day") from None
        if not timezone.localdate() <= day <= timezone.localdate() + dt.timedelta(days=366):
            raise ValidationFailed(_("日期应在今天到一年之内。"), field="day")
        return pool.resource_close_day(
            actor=user,
            resource_id=_int(post.get("resource_id")) or 0,
            day=day,
            reason=post.get("reason", ""),
        )

    outcome = call_service(close)
    if outcome.ok:
        messages.success(request, _("已登记停用日,这一天不会被预约或匹配。"))
    else:
        messages.error(request, outcome.message)
    return redirect("matching:staff")


@require_POST
@page_roles(*STAFF_ROLES)
def partner_new(request: HttpRequest) -> HttpResponse:
    """Community staff register a partner organisation (MATCH-5)."""
    user, post = actor(request), request.POST
    community_id = _int(post.get("community_id")) or 0
    outcome = call_service(
        partners.partner_save,
        actor=user,
        community_id=community_id,
        name=post.get("name", ""),
        kind=post.get("kind", ""),
        posts_total=_int(post.get("posts_total"), 0) or 0,
        posts_local=_int(post.get("posts_local"), 0) or 0,
        username=post.get("username", ""),
    )
    if outcome.ok:
        messages.success(request, _("已登记合伙单位。"))
    else:
        messages.error(request, outcome.message)
    return redirect(f"{reverse('matching:partners')}?community={community_id}")


@require_POST
@page_roles(*STAFF_ROLES)
def contribution_new(request: HttpRequest) -> HttpResponse:
    post = request.POST
    yuan = (post.get("value_yuan") or "0").strip()
    value = int(yuan) * 100 if yuan.isdigit() and len(yuan) < 10 else -1
    outcome = call_service(
        partners.contribution_record,
        actor=actor(request),
        partner_id=_int(post.get("partner_id"), 0) or 0,
        kind=post.get("kind", ""),
        description=post.get("description", ""),
        value_fen=value,
    )
    if outcome.ok and outcome.value is not None:
        messages.success(
            request, _("已登记,记入社会责任积分 %(n)s 分。") % {"n": outcome.value.points}
        )
    else:
        messages.error(request, outcome.message)
    return redirect("matching:partners")
