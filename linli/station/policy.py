"""Who may do what with one-stop services: role sets, what an actor is to one application,
and the one transition table (action → from-statuses → to-status, who) that services
enforce and pages and the API read to offer actions. Visibility is
`Application.objects.visible_to`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from linli.core.errors import ApplicationError, Conflict, PermissionDenied
from linli.core.roles import Role
from linli.geo.scope import Scope
from linli.station.choices import Action, Status

if TYPE_CHECKING:
    from linli.station.models import Application

# Who applies for themself (on the phone).
SELF_ROLES = (Role.RESIDENT,)
# Who applies for a resident at the window (代办, the resident present).
WINDOW_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY)
APPLY_ROLES = (*SELF_ROLES, *WINDOW_ROLES)
# Who decides (checked per application: an officer of the service's department).
DECIDE_ROLES = (Role.DEPT_OFFICER, Role.SYSADMIN)
# Who opens applications at all (each one checked through visible_to).
VIEW_ROLES = (*APPLY_ROLES, *DECIDE_ROLES)
# The catalogue and its guides are for every signed-in user.
CATALOGUE_ROLES = tuple(Role)
# Who organises digital-help sessions (数字助老课堂).
SESSION_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.SYSADMIN)


class Standing:
    """What an actor is to one application, each answer worked out once."""

    def __init__(self, actor: Any, application: Application) -> None:
        self.actor, self.application = actor, application

    @cached_property
    def decider(self) -> bool:
        role = getattr(self.actor, "role", "")
        if role == Role.SYSADMIN:
            return True
        if role != Role.DEPT_OFFICER or self.application.department_id is None:
            return False
        return self.application.department_id in Scope.for_actor(self.actor).department_ids

    @cached_property
    def applicant(self) -> bool:
        """The resident themself, or window staff of the resident's community."""
        a = self.application
        role = getattr(self.actor, "role", "")
        if role == Role.RESIDENT:
            return bool(a.resident.user_id == self.actor.pk)
        if role in WINDOW_ROLES:
            h = a.resident.household
            return h is not None and (
                h.building.grid.community_id in Scope.for_actor(self.actor).community_ids
            )
        return False

    @property
    def station(self) -> bool:
        """Closes a decided application (the department, or the window handing it over)."""
        return self.decider or (self.applicant and getattr(self.actor, "role", "") in WINDOW_ROLES)


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str
    who: str  # a Standing property


def _s(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


S = Status
TRANSITIONS: Mapping[Action, Step] = {
    Action.ACCEPT: Step(_s(S.SUBMITTED), S.ACCEPTED, "decider"),
    Action.MORE: Step(_s(S.SUBMITTED, S.ACCEPTED), S.MORE_NEEDED, "decider"),
    Action.SUPPLEMENT: Step(_s(S.MORE_NEEDED), S.SUBMITTED, "applicant"),
    Action.GRANT: Step(_s(S.ACCEPTED), S.GRANTED, "decider"),
    Action.REFUSE: Step(_s(S.SUBMITTED, S.ACCEPTED), S.REFUSED, "decider"),
    Action.CLOSE: Step(_s(S.GRANTED, S.REFUSED), S.DONE, "station"),
    Action.WITHDRAW: Step(_s(S.SUBMITTED, S.MORE_NEEDED), S.WITHDRAWN, "applicant"),
}


def _refusal(standing: Standing, action: Action) -> ApplicationError | None:
    step = TRANSITIONS[action]
    if not getattr(standing, step.who):
        return PermissionDenied(_("您没有办理这一步的权限。"))
    a = standing.application
    if a.status not in step.sources:
        return Conflict(
            _("申请当前状态为「%(status)s」,不能%(action)s。")
            % {"status": a.get_status_display(), "action": action.label},
            code="illegal_transition",
        )
    return None


def require(actor: Any, application: Application, action: Action) -> Step:
    refusal = _refusal(Standing(actor, application), action)
    if refusal is not None:
        raise refusal
    return TRANSITIONS[action]


def offered(actor: Any, application: Application) -> list[str]:
    standing = Standing(actor, application)
    return [a.value for a in TRANSITIONS if _refusal(standing, a) is None]
