"""Who may do what in deliberation: the role sets, what an actor is to a vote, and the one
table of vote steps (action → phases it may start from → who) that services enforce and the
pages and API read through `offered`. A vote's phase follows from its status and the clock
(`phase`), so closing needs no job: at `closes_at` the vote is closed for every ballot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.errors import Conflict, PermissionDenied
from linli.core.roles import Role
from linli.deliberation.choices import VoteKind, VoteStatus
from linli.geo.scope import Scope

if TYPE_CHECKING:
    from linli.deliberation.models import Vote

# Staff who run bodies, topics, votes, meetings and observers for their community.
MANAGE_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN, Role.SYSADMIN)
# Who reads deliberation at all (their community); eligibility is per vote, not per role.
READ_ROLES = (
    Role.RESIDENT,
    Role.VOLUNTEER,
    Role.FAMILY,
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.SUPERVISOR,
    Role.EVALUATOR,
    Role.SYSADMIN,
)
# Who may cast a ballot (if they are in the vote's frozen electorate).
VOTER_ROLES = (
    Role.RESIDENT,
    Role.VOLUNTEER,
    Role.FAMILY,
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
)
# Who raises topics and comments on them.
TOPIC_ROLES = (Role.RESIDENT, Role.VOLUNTEER, Role.GRID_WORKER, *MANAGE_ROLES)


class Phase:
    DRAFT = "draft"
    UPCOMING = "upcoming"
    VOTING = "voting"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


PHASE_LABELS = {
    Phase.DRAFT: gettext_lazy("草稿"),
    Phase.UPCOMING: gettext_lazy("未开始"),
    Phase.VOTING: gettext_lazy("投票中"),
    Phase.CLOSED: gettext_lazy("已截止,待公布"),
    Phase.PUBLISHED: gettext_lazy("已公布结果"),
    Phase.CANCELLED: gettext_lazy("已取消"),
}


def phase(vote: Vote, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if vote.status == VoteStatus.OPEN:
        if now < vote.opens_at:
            return Phase.UPCOMING
        return Phase.VOTING if now < vote.closes_at else Phase.CLOSED
    return str(vote.status)


def manages(actor: Any, community_id: int) -> bool:
    if actor is None or not actor.is_authenticated or actor.role not in MANAGE_ROLES:
        return False
    return Scope.for_actor(actor).managed_communities().filter(pk=community_id).exists()


@dataclass(frozen=True)
class Step:
    phases: frozenset[str]
    label: Any


P = Phase
TRANSITIONS: Mapping[str, Step] = {
    "open": Step(frozenset({P.DRAFT}), gettext_lazy("开放投票")),
    "cancel": Step(frozenset({P.DRAFT, P.UPCOMING, P.VOTING}), gettext_lazy("取消表决")),
    "paper": Step(frozenset({P.VOTING}), gettext_lazy("录入纸质选票")),
    "confirm": Step(frozenset({P.VOTING, P.CLOSED}), gettext_lazy("复核纸质选票")),
    "publish": Step(frozenset({P.CLOSED}), gettext_lazy("公布结果")),
    # A menu candidate's venue and time: until booked (a published winner is booked at once).
    "plan": Step(
        frozenset({P.DRAFT, P.UPCOMING, P.VOTING, P.CLOSED, P.PUBLISHED}),
        gettext_lazy("安排场地和时间"),
    ),
}


def _refusal(actor: Any, vote: Vote, action: str) -> Exception | None:
    if not manages(actor, vote.body.community_id):
        return PermissionDenied(_("您不能管理这个社区的表决。"))
    if action == "plan" and vote.kind != VoteKind.MENU:
        return Conflict(_("只有服务菜单投票需要安排场地。"), code="not_menu")
    now_phase = phase(vote)
    if now_phase not in TRANSITIONS[action].phases:
        return Conflict(
            _("表决当前为「%(phase)s」,不能%(action)s。")
            % {"phase": PHASE_LABELS[now_phase], "action": TRANSITIONS[action].label},
            code="illegal_transition",
        )
    return None


def require(actor: Any, vote: Vote, action: str) -> None:
    refusal = _refusal(actor, vote, action)
    if refusal is not None:
        raise refusal


def offered(actor: Any, vote: Vote) -> list[str]:
    return [a for a in TRANSITIONS if _refusal(actor, vote, a) is None]
