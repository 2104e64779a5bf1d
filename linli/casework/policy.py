"""Who may do what to a case: casework's role sets, its `can_*` checks and the one table of
transitions (action → from-statuses → to-status, with who may take the step).

Services enforce the table (`require`); the detail page and the API ask it which actions to
offer (`offered`). Visibility (what one may see at all) is `Case.objects.visible_to`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from linli.casework.choices import OPEN_STATUSES, Action, Status
from linli.casework.units import user_units
from linli.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.geo.scope import Scope

if TYPE_CHECKING:  # models build their `visible_to` on the role sets below
    from linli.casework.models import Case, WhistleCall

# ---- role sets (each defined once; routes declare them) ----------------------------------

# Residents and their helpers report a problem and add "me too".
REPORTER_ROLES = (Role.RESIDENT, Role.FAMILY, Role.VOLUNTEER)
# Staff who may enter a case for a resident (window, hotline, suggestion box).
INTAKE_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN)
# The window entry page and its API: intake staff and the system administrator.
STAFF_ENTRY_ROLES = (*INTAKE_ROLES, Role.SYSADMIN)
# Who may submit a case through the API (residents for themselves, staff for a resident).
SUBMIT_ROLES = (*REPORTER_ROLES, *STAFF_ENTRY_ROLES)
# Staff who work cases (the workflow's operations).
CASE_STAFF_ROLES = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.DEPT_OFFICER,
    Role.STREET_ADMIN,
    Role.SYSADMIN,
)
# Oversight sees every case and every whistle call; its queue is never "my unit only".
OVERSIGHT_ROLES = (Role.SUPERVISOR, Role.SYSADMIN)
# Who sees every case.
SEE_ALL_ROLES = (Role.SYSADMIN, Role.SUPERVISOR, Role.EVALUATOR)
# Who sees the staff side of a case (queue, internal timeline, who acted).
STAFF_VIEW_ROLES = (*CASE_STAFF_ROLES, Role.SUPERVISOR, Role.EVALUATOR)
# 社区吹哨 (CASE-6): who blows (community staff, the street office; checked per case).
WHISTLE_BLOWER_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN, Role.SYSADMIN)
# Who reports in for a called unit (checked per call).
WHISTLE_REPORTER_ROLES = (
    Role.DEPT_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
)
# The board: the street office and oversight; departments and communities see their calls.
WHISTLE_BOARD_ROLES = (
    Role.STREET_ADMIN,
    Role.SUPERVISOR,
    Role.SYSADMIN,
    Role.DEPT_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
)

# ---- who someone is to one case ----------------------------------------------------------


class Party:
    """What an actor is to one case, each answer worked out once (a page asks many)."""

    def __init__(self, actor: Any, case: Case) -> None:
        self.actor, self.case = actor, case

    @cached_property
    def scope(self) -> Scope:
        return Scope.for_actor(self.actor)

    @cached_property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(user_units(self.actor, self.scope).values_list("pk", flat=True))

    @property
    def sysadmin(self) -> bool:
        return bool(self.actor is not None and self.actor.role == Role.SYSADMIN)

    @cached_property
    def owner(self) -> bool:
        """Owner side (register, dispatch, close, merge, approve deferral): the owner unit's
        people, the street office of the case's street."""
        if self.sysadmin:
            return True
        if self.case.community.street_id in self.scope.street_ids:
            return True
        return self.case.owner_unit_id in self.unit_ids

    @cached_property
    def handler(self) -> bool:
        """Handler side (accept, return, feedback, ask for deferral)."""
        if self.sysadmin:
            return True
        return self.case.handler_unit_id is not None and self.case.handler_unit_id in self.unit_ids

    @cached_property
    def reporter(self) -> bool:
        reporter_id = self.case.reporter_id
        return reporter_id is not None and self.actor is not None and reporter_id == self.actor.pk

    @cached_property
    def verifier(self) -> bool:
        """The reporter, the grid worker of the case's grid, or the owner checking another
        unit's work, never its own (separation of duties)."""
        if self.reporter:
            return True
        if self.actor.role == Role.GRID_WORKER:
            return self.case.grid_id in self.scope.grid_ids
        return self.owner and not self.handler

    @property
    def rater(self) -> bool:
        """The reporter, or the owner on their behalf (回访 by phone)."""
        return self.reporter or self.owner

    @cached_property
    def whistler(self) -> bool:
        """Community staff of the case's community, the street office of its street."""
        if self.sysadmin:
            return True
        return (
            self.case.community_id in self.scope.community_ids
            or self.case.community.street_id in self.scope.street_ids
        )

    @property
    def neighbour(self) -> bool:
        """A resident (or family, volunteer) who may say "me too"."""
        return self.actor is not None and self.actor.role in REPORTER_ROLES


def can_manage(actor: Any, case: Case) -> bool:
    return Party(actor, case).owner


def can_handle(actor: Any, case: Case) -> bool:
    return Party(actor, case).handler


def can_verify(actor: Any, case: Case) -> bool:
    return Party(actor, case).verifier


def can_blow(actor: Any, case: Case) -> bool:
    return Party(actor, case).whistler


def can_report(actor: Any, call: WhistleCall) -> bool:
    """Only the people who work for the called unit report (报到) for it."""
    return user_units(actor).filter(pk=call.department_id).exists()


# ---- the transition table ----------------------------------------------------------------


def _no_deferral_pending(party: Party) -> ApplicationError | None:
    if party.case.deferral_until is None:
        return None
    return Conflict(_("该诉求已有待审批的缓办申请。"), code="deferral_pending")


def _deferral_pending(party: Party) -> ApplicationError | None:
    if party.case.deferral_until is not None:
        return None
    return ValidationFailed(_("该诉求没有待审批的缓办申请。"), code="no_deferral")


def _not_own_case(party: Party) -> ApplicationError | None:
    if not party.reporter:
        return None
    return Conflict(_("这是您自己提交的诉求,无需再点「我也遇到」。"), code="own_case")


@dataclass(frozen=True)
class Step:
    """One row: from which statuses (None: any), to which status (None: it stays), who
    (a `Party` property), and a condition beyond the status (its refusal, or None)."""

    sources: frozenset[str] | None
    target: str | None
    who: str
    condition: Callable[[Party], ApplicationError | None] | None = None
    # Where a negative outcome leads (verification failed → back to handling).
    otherwise: str | None = None

    def to(self, *, passed: bool = True) -> str:
        """The status the step leads to (`passed=False`: its negative outcome)."""
        target = self.target if passed else self.otherwise
        assert target is not None, "this step keeps the case's status"
        return target


ANY = None
OPEN = frozenset(OPEN_STATUSES)
S = Status

TRANSITIONS: Mapping[Action, Step] = {
    Action.REGISTER: Step(frozenset({S.RECEIVED}), S.REGISTERED, "owner"),
    Action.REJECT: Step(frozenset({S.RECEIVED}), S.REJECTED, "owner"),
    Action.DISPATCH: Step(frozenset({S.REGISTERED}), S.DISPATCHED, "owner"),
    Action.ACCEPT: Step(frozenset({S.DISPATCHED}), S.HANDLING, "handler"),
    Action.RETURN: Step(frozenset({S.DISPATCHED, S.HANDLING}), S.REGISTERED, "handler"),
    Action.FEEDBACK: Step(frozenset({S.HANDLING}), S.HANDLED, "handler"),
    Action.VERIFY: Step(frozenset({S.HANDLED}), S.VERIFIED, "verifier", otherwise=S.HANDLING),
    Action.CLOSE: Step(frozenset({S.VERIFIED}), S.CLOSED, "owner"),
    # A rating of 2 or less then reopens the case (返工: dispatched again, or registered).
    Action.RATE: Step(frozenset({S.CLOSED}), S.RATED, "rater"),
    Action.REROUTE: Step(frozenset({S.DISPATCHED, S.HANDLING}), S.DISPATCHED, "owner"),
    Action.DEFER: Step(
        frozenset({S.DISPATCHED, S.HANDLING}), None, "handler", _no_deferral_pending
    ),
    Action.DEFERRAL: Step(ANY, None, "owner", _deferral_pending),
    Action.MERGE: Step(OPEN, S.MERGED, "owner"),
    Action.PHOTOS: Step(ANY, None, "owner"),
    Action.WHISTLE: Step(OPEN, None, "whistler"),
    Action.ME_TOO: Step(OPEN, None, "neighbour", _not_own_case),
}


def _refusal(party: Party, action: Action) -> ApplicationError | None:
    step = TRANSITIONS[action]
    if not getattr(party, step.who):
        return PermissionDenied(_("您没有办理该诉求这一步的权限。"))
    case = party.case
    if step.sources is not None and case.status not in step.sources:
        return Conflict(
            _("诉求当前状态为「%(status)s」,不能%(action)s。")
            % {"status": case.get_status_display(), "action": action.label},
            code="illegal_transition",
        )
    return step.condition(party) if step.condition else None


def require(actor: Any, case: Case, action: Action) -> Step:
    """The step `action` on `case` (locked) if the actor may take it now; else raises
    PermissionDenied (not theirs) or Conflict (not in this status)."""
    refusal = _refusal(Party(actor, case), action)
    if refusal is not None:
        raise refusal
    return TRANSITIONS[action]


def offered(actor: Any, case: Case) -> dict[str, bool]:
    """action → whether to offer it to the actor now (the detail page's buttons)."""
    party = Party(actor, case)
    return {action.value: _refusal(party, action) is None for action in TRANSITIONS}
