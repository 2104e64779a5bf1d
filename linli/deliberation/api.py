"""/api/deliberation (VOTE-1..6, MATCH-6): bodies, rules, votes and ballots, paper ballots,
results, topics, meetings, observers, and the public results of a community."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from linli.core.access import api_roles
from linli.core.photos import PHOTO_MAX_BYTES, photo_read
from linli.core.schemas import Int, Paging
from linli.core.web import API_ERRORS, actor
from linli.deliberation import selectors
from linli.deliberation.choices import VoteStatus
from linli.deliberation.models import Decision, Vote
from linli.deliberation.policy import MANAGE_ROLES, READ_ROLES, TOPIC_ROLES, VOTER_ROLES
from linli.deliberation.present import meeting_out, topic_out, vote_detail, vote_out
from linli.deliberation.schemas import (
    BallotIn,
    BodyIn,
    BodyOut,
    CommentIn,
    DecisionIn,
    DrawIn,
    DutyOut,
    ExpertIn,
    MeetingIn,
    MeetingOut,
    MemberIn,
    MenuPlanIn,
    PaperOut,
    ProgressIn,
    ReasonIn,
    ReceiptCheckOut,
    ReceiptOut,
    ReportIn,
    RuleOut,
    SignIn,
    TextIn,
    TopicIn,
    TopicOut,
    VoteDetailOut,
    VoteIn,
    VoteOut,
    VoterOut,
)
from linli.deliberation.services import meetings, menu, results, topics, votes

router = Router(tags=["deliberation"])
READ = api_roles(*READ_ROLES)
MANAGE = api_roles(*MANAGE_ROLES)
DETAIL = {200: VoteDetailOut, **API_ERRORS}


def _body_out(b: Any) -> dict[str, Any]:
    return {
        "id": b.pk,
        "name": b.name,
        "kind": b.kind,
        "electorate": b.electorate,
        "community": b.community.name,
        "members": b.members.count(),
    }


@router.get("/bodies", response={200: list[BodyOut], **API_ERRORS}, auth=READ)
def list_bodies(request: HttpRequest, page: Query[Paging]) -> list[dict[str, Any]]:
    qs = selectors.bodies_for(actor(request))[page.offset : page.offset + page.limit]
    return [_body_out(b) for b in qs]


@router.post("/bodies", response={201: BodyOut, **API_ERRORS}, auth=MANAGE)
def create_body(request: HttpRequest, payload: BodyIn) -> HttpStatus[dict[str, Any]]:
    body = votes.body_create(actor=actor(request), **payload.dict())
    return HttpStatus(201, _body_out(selectors.body_get(actor=actor(request), body_id=body.pk)))


@router.post("/bodies/{body_id}/members", response={201: BodyOut, **API_ERRORS}, auth=MANAGE)
def add_member(request: HttpRequest, body_id: Int, payload: MemberIn) -> HttpStatus[dict[str, Any]]:
    body = selectors.body_get(actor=actor(request), body_id=body_id)
    votes.member_add(
        actor=actor(request),
        body=body,
        resident_id=payload.resident_id,
        floor_area=payload.floor_area,
    )
    return HttpStatus(201, _body_out(body))


@router.get("/rules", response={200: list[RuleOut], **API_ERRORS}, auth=READ)
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": r.pk, "code": r.code, "name": r.label, "note": r.note} for r in selectors.rules()
    ]


# ---------------------------------------------------------------- votes


def _vote(request: HttpRequest, vote_id: int) -> Vote:
    return selectors.vote_get(actor=actor(request), vote_id=vote_id)


def _detail(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    return vote_detail(actor(request), _vote(request, vote_id))


@router.get("/votes", response={200: list[VoteOut], **API_ERRORS}, auth=READ)
def list_votes(request: HttpRequest, page: Query[Paging]) -> list[dict[str, Any]]:
    qs = selectors.votes_for(actor(request))[page.offset : page.offset + page.limit]
    return [vote_out(v) for v in qs]


@router.post("/votes", response={201: VoteDetailOut, **API_ERRORS}, auth=MANAGE)
def create_vote(request: HttpRequest, payload: VoteIn) -> HttpStatus[dict[str, Any]]:
    who = actor(request)
    body = selectors.body_get(actor=who, body_id=payload.body_id)
    data = payload.dict()
    del data["body_id"]
    vote = votes.vote_create(actor=who, body=body, **data)
    return HttpStatus(201, _detail(request, vote.pk))


@router.get("/votes/{vote_id}", response=DETAIL, auth=READ)
def get_vote(request: HttpRequest, vote_id: Int) -> dict[str, Any]:
    return _detail(request, vote_id)


@router.post("/votes/{vote_id}/open", response=DETAIL, auth=MANAGE)
def open_vote(request: HttpRequest, vote_id: Int) -> dict[str, Any]:
    votes.vote_open(actor=actor(request), vote=_vote(request, vote_id))
    return _detail(request, vote_id)


@router.post("/votes/{vote_id}/cancel", response=DETAIL, auth=MANAGE)
def cancel_vote(request: HttpRequest, vote_id: Int, payload: ReasonIn) -> dict[str, Any]:
    votes.vote_cancel(actor=actor(request), vote=_vote(request, vote_id), reason=payload.reason)
    return _detail(request, vote_id)


@router.post(
    "/votes/{vote_id}/ballots",
    response={201: ReceiptOut, **API_ERRORS},
    auth=api_roles(*VOTER_ROLES),
)
def cast(request: HttpRequest, vote_id: Int, payload: BallotIn) -> HttpStatus[dict[str, str]]:
    """Cast the actor's unit's ballot: `choice` is ["yes"|"no"|"abstain"] or menu item ids.
    Returns the receipt code to check the ballot was counted."""
    vote = _vote(request, vote_id)
    choice: Any = payload.choice[0] if vote.kind == "decision" else payload.choice
    return HttpStatus(
        201, {"receipt": votes.ballot_cast(actor=actor(request), vote=vote, choice=choice)}
    )


@router.get("/votes/{vote_id}/receipt", response={200: ReceiptCheckOut, **API_ERRORS}, auth=READ)
def check_receipt(request: HttpRequest, vote_id: Int, code: str) -> dict[str, Any]:
    found = votes.receipt_check(vote=_vote(request, vote_id), code=code[:64])
    return {"counted": found is not None, "choice": found or ""}


@router.get("/votes/{vote_id}/voters", response={200: list[VoterOut], **API_ERRORS}, auth=MANAGE)
def find_voters(request: HttpRequest, vote_id: Int, q: str = "") -> list[dict[str, Any]]:
    vote = _vote(request, vote_id)
    votes.managed_community(actor(request), vote.body.community_id)
    return [
        {"id": v.pk, "name": v.name, "unit": v.elector.label}
        for v in selectors.voters_find(vote=vote, name=q[:60])
    ]


def _paper_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "unit": p.elector.label,
        "voter": p.voter.name if p.voter else "",
        "counted": p.counted,
        "entered_by": p.entered_by.display_name if p.entered_by else "",
        "cast_at": p.cast_at,
    }


@router.post("/votes/{vote_id}/paper", response={201: PaperOut, **API_ERRORS}, auth=MANAGE)
def enter_paper(
    request: HttpRequest,
    vote_id: Int,
    voter_id: Form[int],
    choice: Form[str],
    photo: File[UploadedFile],
) -> HttpStatus[dict[str, Any]]:
    """A paper ballot against a named voter, multipart: `voter_id`, `choice` (an option or
    comma-separated menu item ids) and `photo` (the ballot sheet)."""
    vote = _vote(request, vote_id)
    entry = votes.paper_enter(
        actor=actor(request),
        vote=vote,
        voter_id=voter_id,
        choice=choice,
        photo=photo_read(file=photo, max_bytes=PHOTO_MAX_BYTES),
    )
    return HttpStatus(201, _paper_out(selectors.pending_paper(vote).get(pk=entry.pk)))


@router.get("/votes/{vote_id}/paper", response={200: list[PaperOut], **API_ERRORS}, auth=MANAGE)
def pending(request: HttpRequest, vote_id: Int) -> list[dict[str, Any]]:
    vote = _vote(request, vote_id)
    votes.managed_community(actor(request), vote.body.community_id)
    return [_paper_out(p) for p in selectors.pending_paper(vote)]


@router.post(
    "/votes/{vote_id}/paper/{entry_id}/confirm",
    response={200: ReceiptOut, **API_ERRORS},
    auth=MANAGE,
)
def confirm_paper(request: HttpRequest, vote_id: Int, entry_id: Int) -> dict[str, str]:
    code = votes.paper_confirm(
        actor=actor(request), vote=_vote(request, vote_id), entry_id=entry_id
    )
    return {"receipt": code}


@router.get("/votes/{vote_id}/results", response={200: dict[str, Any], **API_ERRORS}, auth=READ)
def get_results(request: HttpRequest, vote_id: Int) -> dict[str, Any]:
    """Counts, the threshold verdict and turnout by building and channel: after closing."""
    return results.results_get(_vote(request, vote_id))


@router.post("/votes/{vote_id}/publish", response=DETAIL, auth=MANAGE)
def publish(request: HttpRequest, vote_id: Int) -> dict[str, Any]:
    results.vote_publish(actor=actor(request), vote=_vote(request, vote_id))
    return _detail(request, vote_id)


@router.post("/votes/{vote_id}/menu/{item_id}/plan", response=DETAIL, auth=MANAGE)
def plan_menu_item(
    request: HttpRequest, vote_id: Int, item_id: Int, payload: MenuPlanIn
) -> dict[str, Any]:
    """Where and when a menu candidate runs (MATCH-6); a published winner is booked at once."""
    menu.menu_item_plan(
        actor=actor(request), vote=_vote(request, vote_id), item_id=item_id, **payload.dict()
    )
    return _detail(request, vote_id)


class PublicResultOut(Schema):
    id: int
    question: str
    body: str
    published_at: Any
    result: dict[str, Any]


@router.get(
    "/communities/{community_id}/results",
    response={200: list[PublicResultOut], **API_ERRORS},
    auth=READ,
)
def community_results(request: HttpRequest, community_id: Int) -> list[dict[str, Any]]:
    """The published results of a community's votes (counts and turnout only: what the
    public page /deliberation/public/<community>/ shows; every API operation signs in)."""
    qs = Vote.objects.filter(
        body__community_id=community_id, status=VoteStatus.PUBLISHED
    ).select_related("body")
    return [
        {
            "id": v.pk,
            "question": v.question,
            "body": v.body.name,
            "published_at": v.published_at,
            "result": v.result or {},
        }
        for v in qs.order_by("-published_at")[:50]
    ]


# ---------------------------------------------------------------- topics


@router.get("/topics", response={200: list[TopicOut], **API_ERRORS}, auth=READ)
def list_topics(request: HttpRequest, page: Query[Paging]) -> list[dict[str, Any]]:
    qs = selectors.topics_for(actor(request))[page.offset : page.offset + page.limit]
    return [topic_out(t) for t in qs]


@router.post("/topics", response={201: TopicOut, **API_ERRORS}, auth=api_roles(*TOPIC_ROLES))
def raise_topic(request: HttpRequest, payload: TopicIn) -> HttpStatus[dict[str, Any]]:
    topic = topics.topic_raise(actor=actor(request), **payload.dict())
    return HttpStatus(201, topic_out(topic))


@router.get("/topics/{topic_id}", response={200: TopicOut, **API_ERRORS}, auth=READ)
def get_topic(request: HttpRequest, topic_id: Int) -> dict[str, Any]:
    return topic_out(selectors.topic_get(actor=actor(request), topic_id=topic_id))


@router.post(
    "/topics/{topic_id}/comments",
    response={201: TopicOut, **API_ERRORS},
    auth=api_roles(*TOPIC_ROLES),
)
def comment(request: HttpRequest, topic_id: Int, payload: CommentIn) -> HttpStatus[dict[str, Any]]:
    topic = selectors.topic_get(actor=actor(request), topic_id=topic_id)
    topics.topic_comment(actor=actor(request), topic=topic, text=payload.text)
    return HttpStatus(201, topic_out(topic))


@router.post("/topics/{topic_id}/expert", response={200: TopicOut, **API_ERRORS}, auth=MANAGE)
def expert(request: HttpRequest, topic_id: Int, payload: ExpertIn) -> dict[str, Any]:
    topic = selectors.topic_get(actor=actor(request), topic_id=topic_id)
    return topic_out(
        topics.topic_expert_opinion(
            actor=actor(request), topic=topic, expert=payload.expert, opinion=payload.opinion
        )
    )


# ---------------------------------------------------------------- meetings


def _meeting(request: HttpRequest, meeting_id: int) -> Any:
    return selectors.meeting_get(actor=actor(request), meeting_id=meeting_id)


@router.get("/meetings", response={200: list[MeetingOut], **API_ERRORS}, auth=READ)
def list_meetings(request: HttpRequest, page: Query[Paging]) -> list[dict[str, Any]]:
    qs = selectors.meetings_for(actor(request))[page.offset : page.offset + page.limit]
    return [meeting_out(m) for m in qs]


@router.post("/meetings", response={201: MeetingOut, **API_ERRORS}, auth=MANAGE)
def create_meeting(request: HttpRequest, payload: MeetingIn) -> HttpStatus[dict[str, Any]]:
    return HttpStatus(
        201, meeting_out(meetings.meeting_create(actor=actor(request), **payload.dict()))
    )


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **API_ERRORS}, auth=READ)
def get_meeting(request: HttpRequest, meeting_id: Int) -> dict[str, Any]:
    return meeting_out(_meeting(request, meeting_id))


@router.post(
    "/meetings/{meeting_id}/attendance", response={201: MeetingOut, **API_ERRORS}, auth=MANAGE
)
def sign_in(request: HttpRequest, meeting_id: Int, payload: SignIn) -> HttpStatus[dict[str, Any]]:
    m = _meeting(request, meeting_id)
    meetings.attendance_sign(actor=actor(request), meeting=m, username=payload.username)
    return HttpStatus(201, meeting_out(m))


@router.post(
    "/meetings/{meeting_id}/minutes", response={200: MeetingOut, **API_ERRORS}, auth=MANAGE
)
def write_minutes(request: HttpRequest, meeting_id: Int, payload: TextIn) -> dict[str, Any]:
    m = _meeting(request, meeting_id)
    meetings.minutes_write(actor=actor(request), meeting=m, text=payload.text)
    return meeting_out(m)


@router.post(
    "/meetings/{meeting_id}/minutes/freeze", response={200: MeetingOut, **API_ERRORS}, auth=MANAGE
)
def freeze_minutes(request: HttpRequest, meeting_id: Int) -> dict[str, Any]:
    m = _meeting(request, meeting_id)
    meetings.minutes_freeze(actor=actor(request), meeting=m)
    return meeting_out(m)


@router.post(
    "/meetings/{meeting_id}/decisions", response={201: MeetingOut, **API_ERRORS}, auth=MANAGE
)
def add_decision(
    request: HttpRequest, meeting_id: Int, payload: DecisionIn
) -> HttpStatus[dict[str, Any]]:
    m = _meeting(request, meeting_id)
    meetings.decision_add(
        actor=actor(request),
        meeting=m,
        text=payload.text,
        owner_username=payload.owner,
        due=payload.due,
        category_code=payload.category_code,
    )
    return HttpStatus(201, meeting_out(m))


@router.post(
    "/decisions/{decision_id}/progress", response={200: MeetingOut, **API_ERRORS}, auth=READ
)
def progress(request: HttpRequest, decision_id: Int, payload: ProgressIn) -> dict[str, Any]:
    """The decision's owner (or the community's staff) records progress, or that it is done."""
    visible = selectors.meetings_for(actor(request))
    decision = selectors.decision_get(
        decisions=Decision.objects.filter(meeting__in=visible), decision_id=decision_id
    )
    meetings.decision_progress(
        actor=actor(request), decision=decision, text=payload.text, done=payload.done
    )
    return meeting_out(decision.meeting)


# ---------------------------------------------------------------- observers


def _duty_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "user": d.user.display_name,
        "month": d.month,
        "seed": d.seed,
        "minutes": d.minutes,
        "report": d.report,
        "done": d.done_at is not None,
    }


@router.get("/observers", response={200: list[DutyOut], **API_ERRORS}, auth=READ)
def list_duties(request: HttpRequest, page: Query[Paging]) -> list[dict[str, Any]]:
    qs = selectors.duties_for(actor(request))[page.offset : page.offset + page.limit]
    return [_duty_out(d) for d in qs]


@router.post(
    "/observers/volunteer",
    response={201: dict[str, int], **API_ERRORS},
    auth=api_roles(*VOTER_ROLES),
)
def volunteer(request: HttpRequest) -> HttpStatus[dict[str, int]]:
    row = meetings.observer_volunteer(actor=actor(request))
    return HttpStatus(201, {"community_id": row.community_id})


@router.post("/observers/draw", response={201: list[DutyOut], **API_ERRORS}, auth=MANAGE)
def draw(request: HttpRequest, payload: DrawIn) -> HttpStatus[list[dict[str, Any]]]:
    duties = meetings.observer_draw(actor=actor(request), **payload.dict())
    return HttpStatus(201, [_duty_out(d) for d in duties])


@router.post(
    "/observers/{duty_id}/report",
    response={200: DutyOut, **API_ERRORS},
    auth=api_roles(*VOTER_ROLES),
)
def report(request: HttpRequest, duty_id: Int, payload: ReportIn) -> dict[str, Any]:
    duty = selectors.duty_get(actor=actor(request), duty_id=duty_id)
    return _duty_out(meetings.observer_report(actor=actor(request), duty=duty, **payload.dict()))
