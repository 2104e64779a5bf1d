"""Deliberation pages: open votes and results for residents (one or two taps), the vote page
with staff actions (open, paper ballots, confirm, publish), new votes, topics, and the public
result page of a community."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.access import page_roles, public_page
from linli.core.errors import ValidationFailed
from linli.core.photos import PHOTO_MAX_BYTES, photo_read
from linli.core.web import actor, call_service, error_page
from linli.deliberation import policy, selectors
from linli.deliberation.choices import (
    BodyKind,
    Electorate,
    MeetingKind,
    ProfessionalKind,
    VoteKind,
    VoteStatus,
)
from linli.deliberation.models import ElectorVoter, Participation, Vote, community_q
from linli.deliberation.pdf import result_pdf
from linli.deliberation.policy import (
    MANAGE_ROLES,
    READ_ROLES,
    TOPIC_ROLES,
    VOTER_ROLES,
    Phase,
    phase,
)
from linli.deliberation.present import vote_detail
from linli.deliberation.services import meetings, menu, results, topics, votes
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.people.selectors import residents_brief

LIST_CAP = 100


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _managed(user: Any) -> list[Community]:
    if user.role not in MANAGE_ROLES:
        return []
    return list(Scope.for_actor(user).managed_communities().order_by("code"))


@page_roles(*READ_ROLES)
def vote_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    all_votes = list(selectors.votes_for(user)[:LIST_CAP])
    now = timezone.now()
    by_phase: dict[str, list[Vote]] = {}
    for v in all_votes:
        by_phase.setdefault(phase(v, now), []).append(v)
    mine = set(
        ElectorVoter.objects.filter(vote__in=by_phase.get(Phase.VOTING, []), user=user).values_list(
            "vote_id", flat=True
        )
    )
    voted = set(
        Participation.objects.filter(vote_id__in=mine, elector__voters__user=user).values_list(
            "vote_id", flat=True
        )
    )
    manage = _managed(user)
    return render(
        request,
        "deliberation/list.html",
        {
            "voting": [
                {"v": v, "mine": v.pk in mine, "voted": v.pk in voted}
                for v in by_phase.get(Phase.VOTING, [])
            ],
            "upcoming": by_phase.get(Phase.UPCOMING, []),
            "closed": by_phase.get(Phase.CLOSED, []),
            "published": by_phase.get(Phase.PUBLISHED, []),
            "drafts": by_phase.get(Phase.DRAFT, []) if manage else [],
            "manage": manage,
            "bodies": list(selectors.bodies_for(user)) if manage else [],
            "kinds": BodyKind.choices,
            "electorates": Electorate.choices,
        },
    )


def _vote_or_error(request: HttpRequest, vote_id: int) -> Vote | HttpResponse:
    found = call_service(selectors.vote_get, actor=actor(request), vote_id=vote_id)
    if not found.ok or found.value is None:
        assert found.error is not None
        return error_page(request, found.error)
    return found.value


@page_roles(*READ_ROLES)
def vote_page(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = _vote_or_error(request, vote_id)
    if isinstance(vote, HttpResponse):
        return vote
    user = actor(request)
    detail = vote_detail(user, vote)
    q = request.GET.get("q", "")[:60]
    staff = policy.manages(user, vote.body.community_id)
    return render(
        request,
        "deliberation/vote.html",
        {
            "v": vote,
            "d": detail,
            "staff": staff,
            "receipt": request.session.pop(f"receipt-{vote.pk}", ""),
            "q": q,
            "found": selectors.voters_find(vote=vote, name=q) if staff and q else [],
            "pending": list(selectors.pending_paper(vote)) if staff else [],
            "menu": vote.kind == VoteKind.MENU,
            "ranks": range(vote.max_choices),
            "venues": (
                list(selectors.menu_venues(user, vote.body.community_id))
                if staff and "plan" in detail["actions"]
                else []
            ),
        },
    )


@require_POST
@page_roles(*VOTER_ROLES)
def cast(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = _vote_or_error(request, vote_id)
    if isinstance(vote, HttpResponse):
        return vote
    choice: Any = request.POST.get("choice", "")
    if vote.kind == VoteKind.MENU:
        choice = request.POST.getlist("choice")
    outcome = call_service(votes.ballot_cast, actor=actor(request), vote=vote, choice=choice)
    if outcome.ok:
        request.session[f"receipt-{vote.pk}"] = outcome.value
        messages.success(request, _("投票成功,谢谢您的参与!"))
    else:
        messages.error(request, outcome.message)
    return redirect("deliberation:vote", vote_id=vote.pk)


def _act_open(u: Any, v: Vote, p: QueryDict, f: Any) -> Any:
    return votes.vote_open(actor=u, vote=v)


def _act_cancel(u: Any, v: Vote, p: QueryDict, f: Any) -> Any:
    return votes.vote_cancel(actor=u, vote=v, reason=p.get("reason", ""))


def _act_publish(u: Any, v: Vote, p: QueryDict, f: Any) -> Any:
    return results.vote_publish(actor=u, vote=v)


def _act_paper(u: Any, v: Vote, p: QueryDict, f: Any) -> Any:
    photo = f.get("photo")
    data = photo_read(file=photo, max_bytes=PHOTO_MAX_BYTES) if photo else b""
    choice: Any = p.getlist("choice") if v.kind == VoteKind.MENU else p.get("choice", "")
    return votes.paper_enter(
        actor=u, vote=v, voter_id=_int(p.get("voter_id")) or 0, choice=choice, photo=data
    )


def _act_confirm(u: Any, v: Vote, p: QueryDict, f: Any) -> Any:
    return votes.paper_confirm(actor=u, vote=v, entry_id=_int(p.get("entry_id")) or 0)


def _act_plan(u: Any, v: Vote, p: QueryDict, f: Any) -> Any:
    day = p.get("day", "").strip()
    return menu.menu_item_plan(
        actor=u,
        vote=v,
        item_id=_int(p.get("item_id")) or 0,
        venue_id=_int(p.get("venue_id")),
        starts_at=_moment(f"{day}T{p.get('start', '')}", "starts_at"),
        ends_at=_moment(f"{day}T{p.get('end', '')}", "ends_at"),
        people=_int(p.get("people")),
    )


ACTIONS = {
    "open": (_act_open, _("投票已开放,表决名单已确定。")),
    "cancel": (_act_cancel, _("表决已取消。")),
    "publish": (_act_publish, _("结果已公布。")),
    "paper": (_act_paper, _("纸质选票已录入,请另一位工作人员复核后计票。")),
    "confirm": (_act_confirm, _("已复核,这张纸质选票已计票。")),
    "plan": (_act_plan, _("已保存活动的场地和时间。")),
}


@require_POST
@page_roles(*MANAGE_ROLES)
def act(request: HttpRequest, vote_id: int, action: str) -> HttpResponse:
    vote = _vote_or_error(request, vote_id)
    if isinstance(vote, HttpResponse):
        return vote
    if action not in ACTIONS:
        messages.error(request, _("未知操作。"))
        return redirect("deliberation:vote", vote_id=vote.pk)
    service, done = ACTIONS[action]
    outcome = call_service(service, u=actor(request), v=vote, p=request.POST, f=request.FILES)
    if outcome.ok:
        messages.success(request, str(done))
        if action == "confirm":
            messages.info(request, _("回执码:%(code)s(请交给投票人核对)") % {"code": outcome.value})
    else:
        messages.error(request, outcome.message)
    return redirect("deliberation:vote", vote_id=vote.pk)


def _moment(raw: str, field: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ValidationFailed(_("请填写日期和时间。"), field=field) from exc
    if not 2000 <= value.year <= 2099:
        raise ValidationFailed(_("请填写日期和时间。"), field=field)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _new_vote(user: Any, post: QueryDict) -> Vote:
    body = selectors.body_get(actor=user, body_id=_int(post.get("body_id")) or 0)
    items = [line.strip() for line in post.get("items", "").splitlines() if line.strip()]
    return votes.vote_create(
        actor=user,
        body=body,
        question=post.get("question", ""),
        rule_id=_int(post.get("rule_id")),
        opens_at=_moment(post.get("opens_at", ""), "opens_at"),
        closes_at=_moment(post.get("closes_at", ""), "closes_at"),
        secret=post.get("secret") == "1",
        topic_id=_int(post.get("topic_id")),
        meeting_id=_int(post.get("meeting_id")),
        items=items,
        max_choices=_int(post.get("max_choices")) or 1,
        winners=_int(post.get("winners")) or (min(3, len(items)) if items else 0),
        ranked=post.get("ranked") == "1",
    )


@page_roles(*MANAGE_ROLES)
def vote_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    error = None
    if request.method == "POST":
        outcome = call_service(_new_vote, user=user, post=request.POST)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("表决已创建(草稿),确认无误后开放投票。"))
            return redirect("deliberation:vote", vote_id=outcome.value.pk)
        error = outcome.message
    now = timezone.localtime()
    return render(
        request,
        "deliberation/new.html",
        {
            "error": error,
            "post": request.POST,
            "bodies": [
                b for b in selectors.bodies_for(user) if policy.manages(user, b.community_id)
            ],
            "rules": list(selectors.rules()),
            "topics": list(selectors.topics_for(user).exclude(status="closed")[:50]),
            "meetings": list(selectors.meetings_for(user)[:20]),
            "opens": now.strftime("%Y-%m-%dT%H:%M"),
            "closes": (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )


@require_POST
@page_roles(*MANAGE_ROLES)
def body_new(request: HttpRequest) -> HttpResponse:
    p = request.POST
    outcome = call_service(
        votes.body_create,
        actor=actor(request),
        community_id=_int(p.get("community_id")),
        kind=p.get("kind", ""),
        name=p.get("name", ""),
        electorate=p.get("electorate", ""),
    )
    if outcome.ok:
        messages.success(request, _("议事机构已创建。"))
    else:
        messages.error(request, outcome.message)
    return redirect("deliberation:list")


@page_roles(*READ_ROLES)
def notice_pdf(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = _vote_or_error(request, vote_id)
    if isinstance(vote, HttpResponse):
        return vote
    if vote.status != VoteStatus.PUBLISHED:
        return render(
            request, "core/error.html", {"message": _("结果公布后才有结果公告。")}, status=409
        )
    response = HttpResponse(result_pdf(vote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="result-{vote.pk}.pdf"'
    return response


# ---------------------------------------------------------------- topics


@page_roles(*READ_ROLES)
def topic_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    error = None
    if request.method == "POST":
        if user.role not in TOPIC_ROLES:
            return error_page(request, ValidationFailed(_("您不能提出议题。")))
        outcome = call_service(
            topics.topic_raise,
            actor=user,
            community_id=_int(request.POST.get("community_id")),
            title=request.POST.get("title", ""),
            text=request.POST.get("text", ""),
            professional=request.POST.get("professional", ""),
        )
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("议题已提交,邻居们可以发表意见了。"))
            return redirect("deliberation:topic", topic_id=outcome.value.pk)
        error = outcome.message
    return render(
        request,
        "deliberation/topics.html",
        {
            "topics": list(selectors.topics_for(user)[:LIST_CAP]),
            "communities": list(Community.objects.filter(community_q(user, "")).order_by("code")),
            "professional": ProfessionalKind.choices,
            "error": error,
            "post": request.POST,
            "can_raise": user.role in TOPIC_ROLES,
        },
    )


@page_roles(*READ_ROLES)
def topic_page(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = actor(request)
    found = call_service(selectors.topic_get, actor=user, topic_id=topic_id)
    if not found.ok or found.value is None:
        assert found.error is not None
        return error_page(request, found.error)
    topic = found.value
    if request.method == "POST":
        outcome: Any
        if request.POST.get("expert") is not None:
            outcome = call_service(
                topics.topic_expert_opinion,
                actor=user,
                topic=topic,
                expert=request.POST.get("expert", ""),
                opinion=request.POST.get("opinion", ""),
            )
        elif user.role in TOPIC_ROLES:
            outcome = call_service(
                topics.topic_comment, actor=user, topic=topic, text=request.POST.get("text", "")
            )
        else:
            return error_page(request, ValidationFailed(_("您不能发表意见。")))
        if outcome.ok:
            messages.success(request, _("已保存。"))
        else:
            messages.error(request, outcome.message)
        return redirect("deliberation:topic", topic_id=topic.pk)
    return render(
        request,
        "deliberation/topic.html",
        {
            "t": topic,
            "comments": list(topic.comments.select_related("author")),
            "votes": list(Vote.objects.filter(topic=topic).order_by("-opens_at")),
            "staff": topics.can_manage(user, topic),
            "can_comment": user.role in TOPIC_ROLES,
        },
    )


@public_page
def public_results(request: HttpRequest, community_id: int) -> HttpResponse:
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return render(request, "core/error.html", {"message": _("找不到该社区。")}, status=404)
    published = Vote.objects.filter(
        body__community=community, status=VoteStatus.PUBLISHED
    ).select_related("body")
    return render(
        request,
        "deliberation/public.html",
        {"community": community, "votes": list(published.order_by("-published_at")[:50])},
    )


# ---------------------------------------------------------------- meetings and observers


def _meeting_create(user: Any, post: QueryDict) -> Any:
    return meetings.meeting_create(
        actor=user,
        community_id=_int(post.get("community_id")),
        kind=post.get("kind", ""),
        title=post.get("title", ""),
        held_at=_moment(post.get("held_at", ""), "held_at"),
        place=post.get("place", ""),
        agenda=post.get("agenda", ""),
    )


def _draw(user: Any, post: QueryDict) -> Any:
    try:
        month = dt.date.fromisoformat(post.get("month", "") + "-01")
    except ValueError:
        raise ValidationFailed(_("请选择月份。"), field="month") from None
    return meetings.observer_draw(
        actor=user,
        community_id=_int(post.get("community_id")),
        month=month,
        count=_int(post.get("count")) or 0,
        seed=post.get("seed", ""),
    )


def _report(user: Any, post: QueryDict) -> Any:
    duty = selectors.duty_get(actor=user, duty_id=_int(post.get("duty_id")) or 0)
    return meetings.observer_report(
        actor=user, duty=duty, minutes=_int(post.get("minutes")) or 0, report=post.get("report", "")
    )


MEETING_FORMS = {
    "meeting": (_meeting_create, _("会议已创建。")),
    "draw": (_draw, _("观察员已抽取。")),
    "volunteer": (lambda user, post: meetings.observer_volunteer(actor=user), _("已报名,谢谢!")),
    "report": (_report, _("观察报告已提交,积分已发放。")),
}


@page_roles(*READ_ROLES)
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if request.method == "POST":
        form = request.POST.get("form", "")
        if form not in MEETING_FORMS or (form in ("meeting", "draw") and not _managed(user)):
            return error_page(request, ValidationFailed(_("未知操作。")))
        service, done = MEETING_FORMS[form]
        outcome = call_service(service, user=user, post=request.POST)
        if outcome.ok:
            messages.success(request, str(done))
        else:
            messages.error(request, outcome.message)
        return redirect("deliberation:meetings")
    manage = _managed(user)
    duties = list(selectors.duties_for(user)[:24])
    return render(
        request,
        "deliberation/meetings.html",
        {
            "meetings": list(selectors.meetings_for(user)[:LIST_CAP]),
            "manage": manage,
            "kinds": MeetingKind.choices,
            "duties": duties,
            "mine": [d for d in duties if d.user_id == user.pk and d.done_at is None],
            "overdue": meetings.decisions_overdue([c.pk for c in manage]) if manage else [],
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "month": timezone.localdate().strftime("%Y-%m"),
        },
    )


def _sign(user: Any, m: Any, p: QueryDict) -> Any:
    return meetings.attendance_sign(actor=user, meeting=m, username=p.get("username", ""))


def _minutes(user: Any, m: Any, p: QueryDict) -> Any:
    return meetings.minutes_write(actor=user, meeting=m, text=p.get("text", ""))


def _freeze(user: Any, m: Any, p: QueryDict) -> Any:
    return meetings.minutes_freeze(actor=user, meeting=m)


def _decision(user: Any, m: Any, p: QueryDict) -> Any:
    try:
        due = dt.date.fromisoformat(p.get("due", ""))
    except ValueError:
        raise ValidationFailed(_("请填写完成期限。"), field="due") from None
    return meetings.decision_add(
        actor=user,
        meeting=m,
        text=p.get("text", ""),
        owner_username=p.get("owner", ""),
        due=due,
        category_code=p.get("category_code", ""),
    )


def _progress(user: Any, m: Any, p: QueryDict) -> Any:
    decision = m.decisions.filter(pk=_int(p.get("decision_id")) or 0).first()
    if decision is None:
        raise ValidationFailed(_("找不到该决定事项。"))
    return meetings.decision_progress(
        actor=user, decision=decision, text=p.get("text", ""), done=p.get("done") == "1"
    )


MEETING_STEPS = {
    "sign": (_sign, _("已签到,积分已发放。")),
    "minutes": (_minutes, _("纪要已保存。")),
    "freeze": (_freeze, _("纪要已定稿。")),
    "decision": (_decision, _("决定事项已登记。")),
    "progress": (_progress, _("进展已记录。")),
}


@page_roles(*READ_ROLES)
def meeting_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = actor(request)
    found = call_service(selectors.meeting_get, actor=user, meeting_id=meeting_id)
    if not found.ok or found.value is None:
        assert found.error is not None
        return error_page(request, found.error)
    m = found.value
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in MEETING_STEPS:
            return error_page(request, ValidationFailed(_("未知操作。")))
        service, done = MEETING_STEPS[step]
        outcome = call_service(service, user=user, m=m, p=request.POST)
        if outcome.ok:
            messages.success(request, str(done))
        else:
            messages.error(request, outcome.message)
        return redirect("deliberation:meeting", meeting_id=m.pk)
    minutes = list(m.minutes.all())
    return render(
        request,
        "deliberation/meeting.html",
        {
            "m": m,
            "staff": policy.manages(user, m.community_id),
            "attendance": list(m.attendance.select_related("user")),
            "minutes": minutes,
            "draft": minutes[-1] if minutes and minutes[-1].frozen_at is None else None,
            "decisions": list(
                m.decisions.select_related("owner", "case").prefetch_related("updates")
            ),
            "votes": list(m.votes.all()),
            "today": timezone.localdate(),
        },
    )


@page_roles(*MANAGE_ROLES)
def body_page(request: HttpRequest, body_id: int) -> HttpResponse:
    """A body's members (an audited list of names) and adding one: find the resident by
    name in the community, pick, give the floor area for owners."""
    user = actor(request)
    found = call_service(selectors.body_get, actor=user, body_id=body_id)
    if not found.ok or found.value is None:
        assert found.error is not None
        return error_page(request, found.error)
    body = found.value
    if not policy.manages(user, body.community_id):
        return error_page(request, ValidationFailed(_("您不能管理这个社区的表决。")))
    if request.method == "POST":
        outcome = call_service(
            votes.member_add,
            actor=user,
            body=body,
            resident_id=_int(request.POST.get("resident_id")) or 0,
            floor_area=request.POST.get("floor_area", "0") or "0",
        )
        if outcome.ok:
            messages.success(request, _("成员已添加。"))
        else:
            messages.error(request, outcome.message)
        return redirect("deliberation:body", body_id=body.pk)
    members = list(body.members.order_by("pk"))
    names = residents_brief(
        actor=user, ids=[m.resident_id for m in members], purpose="议事机构成员", limit=2000
    )
    q = request.GET.get("q", "").strip()[:40]
    candidates = (
        list(
            residents_brief(
                actor=user, purpose="添加议事机构成员", community_id=body.community_id, full_name=q
            ).values()
        )
        if q
        else []
    )
    return render(
        request,
        "deliberation/body.html",
        {
            "b": body,
            "members": [(m, names.get(m.resident_id)) for m in members],
            "q": q,
            "candidates": candidates,
            "owners": body.electorate == Electorate.OWNERS,
            "households": body.electorate == "households",
        },
    )
