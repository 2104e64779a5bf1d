"""Who sees which figures (EVAL-3): a community its own, a street its communities, the
district (and supervisors, evaluators) everything. Everyone reads; only the system
administrator changes weights or recomputes a published month."""

from dataclasses import dataclass
from typing import Any

from linli.core.roles import COMMUNITY_ROLES, Role
from linli.geo.models import Community, Grid
from linli.geo.scope import Scope

DASHBOARD_ROLES = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.DEPT_OFFICER,
    Role.SUPERVISOR,
    Role.EVALUATOR,
    Role.SYSADMIN,
)
# Read everything in the district (supervisors and evaluators read only).
DISTRICT_ROLES = frozenset({Role.SUPERVISOR, Role.EVALUATOR, Role.SYSADMIN})
MANAGE_ROLES = (Role.SYSADMIN,)


@dataclass(frozen=True)
class Reach:
    """The groups an actor may see per dimension: None = all; a set = those keys only."""

    district: bool
    streets: frozenset[str]
    communities: frozenset[str]
    grids: frozenset[str]
    departments: frozenset[str]

    def allows(self, dimension: str, key: str) -> bool:
        if self.district:
            return True
        if dimension == "community":
            return key in self.communities
        if dimension == "grid":
            return key in self.grids
        if dimension == "street":
            return key in self.streets
        if dimension == "department":
            return key in self.departments
        # District totals, categories and pilot-vs-rest span every community.
        return False

    def dimensions(self) -> tuple[str, ...]:
        if self.district:
            return ("all", "street", "community", "grid", "department", "category", "pilot")
        dims = []
        if self.streets:
            dims.append("street")
        if self.communities:
            dims += ["community", "grid"]
        if self.departments:
            dims.append("department")
        return tuple(dims)


def reach_of(actor: Any) -> Reach:
    none: frozenset[str] = frozenset()
    if actor is None or not actor.is_authenticated:
        return Reach(False, none, none, none, none)
    if actor.role in DISTRICT_ROLES:
        return Reach(True, none, none, none, none)
    scope = Scope.for_actor(actor)
    if actor.role == Role.DEPT_OFFICER:
        return Reach(False, none, none, none, frozenset(map(str, scope.department_ids)))
    if actor.role == Role.STREET_ADMIN:
        communities = Community.objects.filter(street_id__in=sorted(scope.street_ids))
    elif actor.role in COMMUNITY_ROLES or actor.role == Role.GRID_WORKER:
        communities = scope.communities()
    else:
        communities = Community.objects.none()
    ids = frozenset(str(pk) for pk in communities.values_list("pk", flat=True))
    grids = frozenset(
        str(pk)
        for pk in Grid.objects.filter(community_id__in=sorted(map(int, ids))).values_list(
            "pk", flat=True
        )
    )
    streets = frozenset(map(str, scope.street_ids)) if actor.role == Role.STREET_ADMIN else none
    return Reach(False, streets, ids, grids, none)


def can_manage(actor: Any) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.role in MANAGE_ROLES)


# ---- EVAL-2: service projects -------------------------------------------------------------
# Read projects, evaluations and evidence: staff of the project's community, its street
# office, and the district roles (supervisors, evaluators, the administrator).
PROJECT_READ_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.SUPERVISOR,
    Role.EVALUATOR,
    Role.SYSADMIN,
)
# Register a project for evaluation; confirm a submitted evaluation (the commissioning office).
PROJECT_MANAGE_ROLES = (Role.STREET_ADMIN, Role.SYSADMIN)
# Fill in the scored form and upload evidence (the third-party evaluator).
EVALUATOR_ROLES = (Role.EVALUATOR,)
# Reinstate a revoked qualification.
REINSTATE_ROLES = (Role.SYSADMIN,)
# Decide a proposed funding cut: whoever approves the fund project in the ledger (the
# community's secretary within its threshold, the street office above it); the ledger checks.
CUT_ROLES = (Role.SECRETARY, Role.STREET_ADMIN, Role.SYSADMIN)

# The one transition table of an evaluation: (state, action) -> next state.
EVALUATION_STEPS: dict[tuple[str, str], str] = {
    ("draft", "save"): "draft",
    ("draft", "evidence"): "draft",
    ("draft", "submit"): "submitted",
    ("submitted", "confirm"): "confirmed",
}
EVALUATION_ACTORS: dict[str, tuple[Role, ...]] = {
    "save": EVALUATOR_ROLES,
    "evidence": EVALUATOR_ROLES,
    "submit": EVALUATOR_ROLES,
    "confirm": PROJECT_MANAGE_ROLES,
}


def evaluation_next(state: str, action: str) -> str | None:
    return EVALUATION_STEPS.get((state, action))


def evaluation_actions(actor: Any, state: str) -> list[str]:
    """The steps the actor may take on an evaluation in this state (pages and API offer them)."""
    role = getattr(actor, "role", "")
    return [
        action
        for (frm, action) in EVALUATION_STEPS
        if frm == state and role in EVALUATION_ACTORS[action]
    ]


def project_communities(actor: Any) -> list[int] | None:
    """The communities whose projects the actor reads: None = all (district roles)."""
    if getattr(actor, "role", "") not in PROJECT_READ_ROLES:
        return []
    reach = reach_of(actor)
    if reach.district:
        return None
    return sorted(int(k) for k in reach.communities)
