"""Who may do what in matching: the role sets, what an actor is to a need or an invitation,
and the one table of steps that services enforce and pages and the API read (`offered`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.errors import ApplicationError, Conflict, PermissionDenied
from linli.core.roles import Role
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.matching.choices import MatchStatus, NeedStatus

if TYPE_CHECKING:
    from linli.matching.models import Match, Need

# Community staff curate the pool, run matching, review bookings (their community).
STAFF_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.SYSADMIN)
# Who publishes a need: residents and family for themselves, staff on their behalf (代办).
NEED_ROLES = (Role.RESIDENT, Role.FAMILY, Role.VOLUNTEER, Role.GRID_WORKER, *STAFF_ROLES)
# Who lists a resource of their own (staff approve) or publishes an offer.
OWNER_ROLES = (Role.RESIDENT, Role.VOLUNTEER, Role.PARTNER, *STAFF_ROLES)
# Who answers invitations.
VOLUNTEER_ROLES = (Role.VOLUNTEER, Role.RESIDENT)
# Who books a venue.
BOOKING_ROLES = (
    Role.RESIDENT,
    Role.VOLUNTEER,
    Role.PARTNER,
    Role.GRID_WORKER,
    *STAFF_ROLES,
)
# Who reads the pool, offers and free venues at all.
READ_ROLES = (*BOOKING_ROLES, Role.FAMILY, Role.STREET_ADMIN, Role.SUPERVISOR, Role.EVALUATOR)
# Figures: idle rates and partners' resident share.
FIGURE_ROLES = (*STAFF_ROLES, Role.STREET_ADMIN, Role.SUPERVISOR, Role.EVALUATOR)
# Everyone who takes part in a need (its page, its steps).
TAKE_PART_ROLES = tuple(dict.fromkeys((*NEED_ROLES, *VOLUNTEER_ROLES)))


def manages(actor: Any, community_id: int | None) -> bool:
    """Community staff of that community (or a system administrator)."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.role == Role.SYSADMIN:
        # Anywhere that exists: an unknown id must not reach an insert (a 500 on PostgreSQL).
        return community_id is not None and Community.objects.filter(pk=community_id).exists()
    if actor.role not in STAFF_ROLES or community_id is None:
        return False
    return community_id in Scope.for_actor(actor).community_ids


class Action(models.TextChoices):
    ACCEPT = "accept", gettext_lazy("接受邀请")
    DECLINE = "decline", gettext_lazy("谢绝邀请")
    SERVED = "served", gettext_lazy("登记已服务")
    NO_SHOW = "no_show", gettext_lazy("登记未到场")
    CONFIRM = "confirm", gettext_lazy("确认服务")
    CANCEL = "cancel", gettext_lazy("取消需求")


class Standing:
    """What an actor is to one need (and its live invitation, if any)."""

    def __init__(self, actor: Any, need: Need, match: Match | None = None) -> None:
        self.actor, self.need, self.match = actor, need, match

    @cached_property
    def staff(self) -> bool:
        return manages(self.actor, self.need.community_id)

    @property
    def requester(self) -> bool:
        pk = self.actor.pk
        return pk is not None and pk in (self.need.requester_id, self.need.entered_by_id)

    @property
    def volunteer(self) -> bool:
        return self.match is not None and self.match.volunteer_id == self.actor.pk

    @property
    def confirmer(self) -> bool:
        """Whom the time bank asks to confirm: the person served, or their grid worker."""
        if self.actor.pk is not None and self.actor.pk == self.need.requester_id:
            return True
        return bool(
            self.actor.role == Role.GRID_WORKER
            and self.need.grid_id in Scope.for_actor(self.actor).grid_ids
        )

    @property
    def requester_or_staff(self) -> bool:
        return self.requester or self.staff

    @property
    def volunteer_or_staff(self) -> bool:
        return self.volunteer or self.staff


@dataclass(frozen=True)
class Step:
    need_from: frozenset[str]
    match_from: frozenset[str] | None  # None: no invitation involved
    who: str  # a Standing property


def _s(*values: str) -> frozenset[str]:
    return frozenset(values)


N, M = NeedStatus, MatchStatus
TRANSITIONS: Mapping[Action, Step] = {
    Action.ACCEPT: Step(_s(N.INVITING), _s(M.INVITED), "volunteer"),
    Action.DECLINE: Step(_s(N.INVITING, N.ACCEPTED), _s(M.INVITED), "volunteer"),
    Action.SERVED: Step(_s(N.ACCEPTED), _s(M.ACCEPTED), "volunteer_or_staff"),
    Action.NO_SHOW: Step(_s(N.ACCEPTED), _s(M.ACCEPTED), "requester_or_staff"),
    Action.CONFIRM: Step(_s(N.SERVED), None, "confirmer"),
    Action.CANCEL: Step(_s(N.OPEN, N.UNMATCHED, N.INVITING), None, "requester_or_staff"),
}


def _refusal(s: Standing, action: Action) -> ApplicationError | None:
    step = TRANSITIONS[action]
    if not getattr(s, step.who):
        return PermissionDenied(_("您不能对这项需求%(action)s。") % {"action": action.label})
    if step.match_from is not None:
        if s.match is None:
            return Conflict(_("没有可办理的邀请。"), code="no_invitation")
        if s.match.status not in step.match_from:
            return Conflict(
                _("该邀请当前为「%(status)s」,不能%(action)s。")
                % {"status": s.match.get_status_display(), "action": action.label},
                code="illegal_transition",
            )
    if s.need.status not in step.need_from:
        return Conflict(
            _("该需求当前为「%(status)s」,不能%(action)s。")
            % {"status": s.need.get_status_display(), "action": action.label},
            code="illegal_transition",
        )
    return None


def require(actor: Any, need: Need, action: Action, match: Match | None = None) -> Step:
    refusal = _refusal(Standing(actor, need, match), action)
    if refusal is not None:
        raise refusal
    return TRANSITIONS[action]


def offered(actor: Any, need: Need, match: Match | None = None) -> list[str]:
    standing = Standing(actor, need, match)
    return [a.value for a in TRANSITIONS if _refusal(standing, a) is None]
