"""Who may do what in the ledger: the role sets (one definition each) that routes declare and
services check, and the `can_*` checks. Where an actor manages is `linli.geo.scope`'s answer."""

from typing import Any

from linli.core.roles import Role
from linli.geo.models import Community
from linli.geo.scope import Scope

# People with their own time credits, points, vouchers and shared items.
MEMBERS = (Role.RESIDENT, Role.FAMILY, Role.VOLUNTEER)
# Record hours served (registered volunteers).
VOLUNTEERS = (Role.VOLUNTEER,)
# Confirm hours: the person served (a member), or the grid worker on their behalf.
GRID_CONFIRMERS = (Role.GRID_WORKER,)
CONFIRMERS = (*MEMBERS, *GRID_CONFIRMERS)
# Manage a community's catalogue, funds, projects, community-economy income (scoped to the
# communities they manage).
MANAGERS = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN, Role.SYSADMIN)
# Set the government matching cap; approve projects of any budget.
CAP_SETTERS = (Role.STREET_ADMIN, Role.SYSADMIN)
# Approve projects (the secretary up to the community's threshold; the street office any).
APPROVERS = (Role.SECRETARY, *CAP_SETTERS)
# Mark vouchers used (核销).
MERCHANTS = (Role.PARTNER,)


def _role(actor: Any) -> str:
    return str(getattr(actor, "role", "") or "")


def can_manage(actor: Any, community: Community) -> bool:
    """Manages the community's catalogue, funds and projects (`Scope.managed_communities`)."""
    return Scope.for_actor(actor).managed_communities().filter(pk=community.pk).exists()


def can_record_service(actor: Any) -> bool:
    return _role(actor) in VOLUNTEERS


def confirms_as_served(actor: Any) -> bool:
    """Confirms the records of services they received themselves."""
    return _role(actor) in MEMBERS


def confirms_for_grid(actor: Any) -> bool:
    """Confirms for the people of their grids (elderly people without a phone)."""
    return _role(actor) in GRID_CONFIRMERS


def can_set_matching_cap(actor: Any) -> bool:
    return _role(actor) in CAP_SETTERS


def can_record_income(actor: Any) -> bool:
    return _role(actor) in MANAGERS


def can_decide_project(actor: Any, *, budget: int, threshold: int) -> bool:
    """The street office decides any project; the secretary those within the threshold."""
    if _role(actor) in CAP_SETTERS:
        return True
    return _role(actor) == Role.SECRETARY and budget <= threshold


def can_award_anyone(actor: Any) -> bool:
    """System administrators (and machine clients) award points to anyone, keyed by source."""
    return _role(actor) == Role.SYSADMIN
