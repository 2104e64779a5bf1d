"""Who may do what with resident records: people's role sets and `can_*` checks, one
definition each. Routes declare their callers with these sets; services check them.

Field-level access (which tiers a role sees in its place) is in `selectors.access_for`.
"""

from typing import Any

from linli.core.roles import Role
from linli.people.choices import Tier

# Staff who list the residents of their place (grid, community, street).
LIST_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN)
# Who may open a record: the listers, and a department officer for the residents of a case.
DETAIL_ROLES = (*LIST_ROLES, Role.DEPT_OFFICER)
# Who registers and changes records, imports sheets and handles residents' requests.
WRITE_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY)
IMPORT_ROLES = WRITE_ROLES
HANDLER_ROLES = WRITE_ROLES
# Who may ask for a grant (and so ever see protected tiers).
GRANT_ROLES = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.DEPT_OFFICER,
)
# Who decides grants (the secretary of the resident's community; the street officer decides
# a secretary's own requests).
DECIDE_ROLES = (Role.SECRETARY, Role.STREET_ADMIN)
# Who reads the data-access audit report.
AUDIT_ROLES = (Role.SECRETARY, Role.STREET_ADMIN)
# Roles whose reads of records are flagged in the audit report when they give no purpose.
PURPOSE_ROLES = frozenset({Role.STREET_ADMIN})
# Roles with a place scope for residents, and the path to each level from a resident.
PLACE_ROLES = {
    Role.GRID_WORKER: "grid",
    Role.COMMUNITY_WORKER: "community",
    Role.SECRETARY: "community",
    Role.STREET_ADMIN: "street",
}
# What each staff role sees of a record in its place, before grants.
ROLE_TIERS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset({Tier.BASIC, Tier.OPTIONAL}),
    Role.COMMUNITY_WORKER: frozenset({Tier.BASIC, Tier.CONTACT, Tier.OPTIONAL}),
    Role.SECRETARY: frozenset({Tier.BASIC, Tier.CONTACT, Tier.OPTIONAL}),
    Role.STREET_ADMIN: frozenset({Tier.BASIC}),
}
# A department officer sees only what handling a case needs: who and where.
CASE_FIELDS = ("full_name", "phone_masked", "address")


def _role(actor: Any) -> str:
    return str(getattr(actor, "role", "") or "")


def can_list(actor: Any) -> bool:
    return _role(actor) in LIST_ROLES


def can_open(actor: Any) -> bool:
    return _role(actor) in DETAIL_ROLES


def can_write(actor: Any) -> bool:
    return _role(actor) in WRITE_ROLES


def can_import(actor: Any) -> bool:
    return _role(actor) in IMPORT_ROLES


def can_handle_requests(actor: Any) -> bool:
    """Corrections and other residents' rights requests."""
    return _role(actor) in HANDLER_ROLES


def can_request_grant(actor: Any) -> bool:
    return _role(actor) in GRANT_ROLES


def can_decide_grants(actor: Any) -> bool:
    return _role(actor) in DECIDE_ROLES


def can_read_audit(actor: Any) -> bool:
    return _role(actor) in AUDIT_ROLES
