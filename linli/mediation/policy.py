"""Who may do what in mediation: the role sets, what an actor is to one dispute, and the one
table of steps (action → from-statuses → to-status, who) that services enforce and pages and
the API read to offer actions. Visibility itself is `Dispute.objects.visible_to`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from linli.core.errors import ApplicationError, Conflict, PermissionDenied
from linli.core.roles import Role
from linli.geo.scope import Scope
from linli.mediation.choices import OPEN_STATUSES, WORKING_STATUSES, Action, Stage, Status

if TYPE_CHECKING:
    from linli.mediation.models import Dispute

# Staff who register a dispute (代办 at the station, a grid worker's find, a referral).
INTAKE_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.GRID_WORKER,
    Role.MEDIATOR,
    Role.SYSADMIN,
)
# Who opens a dispute at all (checked per dispute): staff above, mediators, the parties.
DISPUTE_ROLES = (*INTAKE_ROLES, Role.RESIDENT, Role.FAMILY)
# Who works the steps (checked per dispute: assigned mediator, the community secretary).
STEP_ROLES = (Role.MEDIATOR, Role.SECRETARY, Role.COMMUNITY_WORKER, Role.SYSADMIN)
# Who reads the success rates (figures only, never a dispute's details).
RATES_ROLES = (
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.MEDIATOR,
    Role.SUPERVISOR,
    Role.EVALUATOR,
    Role.SYSADMIN,
)
# Who opens the list of disputes behind an evaluation figure: staff only (a party has
# their own list); each sees the disputes `Dispute.objects.visible_to` allows them.
DRILL_ROLES = INTAKE_ROLES
# Rates over every community (the others see their community or street).
RATES_ALL_ROLES = (Role.SUPERVISOR, Role.EVALUATOR, Role.SYSADMIN)

# The stage a status enters (the stamps before it that are missing are stamped skipped).
STAGE_OF: Mapping[str, Stage] = {
    Status.REGISTERED: Stage.REGISTERED,
    Status.ACCEPTED: Stage.ACCEPTED,
    Status.INVESTIGATING: Stage.INVESTIGATION,
    Status.MEDIATING: Stage.SESSIONS,
    Status.ASSESSING: Stage.ASSESSMENT,
    Status.AGREED: Stage.CONCLUDED,
    Status.FAILED: Stage.CONCLUDED,
    Status.WITHDRAWN: Stage.CONCLUDED,
    Status.DECLINED: Stage.CONCLUDED,
    Status.ARCHIVED: Stage.ARCHIVED,
}


class Standing:
    """What an actor is to one dispute, each answer worked out once."""

    def __init__(self, actor: Any, dispute: Dispute) -> None:
        self.actor, self.dispute = actor, dispute

    @property
    def sysadmin(self) -> bool:
        return bool(self.actor is not None and self.actor.role == Role.SYSADMIN)

    @cached_property
    def manager(self) -> bool:
        """The community's secretary (调委会 of the community) assigns, extends, archives."""
        if self.sysadmin:
            return True
        if self.actor.role != Role.SECRETARY:
            return False
        return self.dispute.community_id in Scope.for_actor(self.actor).secretary_of

    @cached_property
    def mediator(self) -> bool:
        if self.sysadmin:
            return True
        return self.dispute.mediators.filter(mediator__user=self.actor).exists()

    @property
    def steward(self) -> bool:
        """The manager or an assigned mediator."""
        return self.manager or self.mediator

    @cached_property
    def party(self) -> bool:
        return self.dispute.parties.filter(resident__user=self.actor).exists()

    @property
    def staff(self) -> bool:
        """Sees the working side (session notes, internal stamps): not a party."""
        return self.steward or (
            self.dispute.entered_by_id is not None and self.dispute.entered_by_id == self.actor.pk
        )


def _not_extended(s: Standing) -> ApplicationError | None:
    if not s.dispute.extension_reason:
        return None
    return Conflict(_("该纠纷已延期过一次,不能再延期。"), code="already_extended")


def _not_signed(s: Standing) -> ApplicationError | None:
    agreement = getattr(s.dispute, "agreement", None)
    if agreement is None or agreement.signed_at is None:
        return None
    return Conflict(_("签字协议已上传,不能替换。"), code="already_signed")


def _follow_up_pending(s: Standing) -> ApplicationError | None:
    if s.dispute.follow_ups.filter(visited_at__isnull=True).exists():
        return None
    return Conflict(_("没有待回访的记录。"), code="no_follow_up_due")


def _may_archive(s: Standing) -> ApplicationError | None:
    if s.dispute.status != Status.AGREED:
        return None
    if s.dispute.follow_ups.filter(visited_at__isnull=False).count() >= 2:
        return None
    return Conflict(_("达成协议的纠纷须完成30天和90天两次回访后才能归档。"), code="follow_up_first")


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str | None  # None: the status stays
    who: str  # a Standing property
    condition: Callable[[Standing], ApplicationError | None] | None = None


def _s(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


S = Status
TRANSITIONS: Mapping[Action, Step] = {
    Action.ACCEPT: Step(_s(S.REGISTERED), S.ACCEPTED, "steward"),
    Action.DECLINE: Step(_s(S.REGISTERED), S.DECLINED, "steward"),
    Action.ASSIGN: Step(_s(*OPEN_STATUSES), None, "manager"),
    Action.INVESTIGATE: Step(_s(S.ACCEPTED), S.INVESTIGATING, "mediator"),
    Action.SESSION: Step(_s(S.ACCEPTED, S.INVESTIGATING, S.MEDIATING), S.MEDIATING, "mediator"),
    Action.ASSESS: Step(_s(S.MEDIATING), S.ASSESSING, "mediator"),
    Action.AGREE: Step(_s(S.MEDIATING, S.ASSESSING), S.AGREED, "mediator"),
    Action.FAIL: Step(_s(*WORKING_STATUSES), S.FAILED, "mediator"),
    Action.WITHDRAW: Step(_s(*OPEN_STATUSES), S.WITHDRAWN, "steward"),
    Action.EXTEND: Step(_s(*WORKING_STATUSES), None, "manager", _not_extended),
    Action.SIGN: Step(_s(S.AGREED), None, "mediator", _not_signed),
    Action.FOLLOW_UP: Step(_s(S.AGREED), None, "mediator", _follow_up_pending),
    Action.ARCHIVE: Step(
        _s(S.AGREED, S.FAILED, S.WITHDRAWN, S.DECLINED), S.ARCHIVED, "steward", _may_archive
    ),
}


def _refusal(standing: Standing, action: Action) -> ApplicationError | None:
    step = TRANSITIONS[action]
    if not getattr(standing, step.who):
        return PermissionDenied(_("您没有办理该纠纷这一步的权限。"))
    dispute = standing.dispute
    if dispute.status not in step.sources:
        return Conflict(
            _("纠纷当前状态为「%(status)s」,不能%(action)s。")
            % {"status": dispute.get_status_display(), "action": action.label},
            code="illegal_transition",
        )
    return step.condition(standing) if step.condition else None


def require(actor: Any, dispute: Dispute, action: Action) -> Step:
    """The step if the actor may take it now on the (locked) dispute; else raises."""
    refusal = _refusal(Standing(actor, dispute), action)
    if refusal is not None:
        raise refusal
    return TRANSITIONS[action]


def offered(actor: Any, dispute: Dispute) -> list[str]:
    """The actions to offer the actor now (the page's forms, the API's `actions`)."""
    standing = Standing(actor, dispute)
    return [a.value for a in TRANSITIONS if _refusal(standing, a) is None]


def can_see_rates(actor: Any) -> bool:
    return bool(actor is not None and actor.role in RATES_ROLES)
