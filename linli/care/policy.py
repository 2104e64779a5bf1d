"""Who may do what in care: the role sets (one definition each) and the `can_*` checks.

Routes declare their callers with these sets; services check the same sets, so a page, the
API and a service never disagree. Where an actor acts (their grids, community, street) is
`linli.geo.scope.Scope`; the managers' `visible_to(actor)` build on it.
"""

from typing import Any

from linli.care.models import Alert, EscalationLevel
from linli.core.roles import COMMUNITY_ROLES, Role

GRID_ROLES = frozenset({Role.GRID_WORKER})
# Staff who visit homes: take and close alerts, register away periods, record home services.
WORKER_ROLES = GRID_ROLES | COMMUNITY_ROLES
# Staff who see care in their place: the workers, and the street office (it only looks).
ALERT_VIEW_ROLES = WORKER_ROLES | {Role.STREET_ADMIN}
# Who reads alerts through the API: staff of the place, and family (relatives who allow it).
ALERT_READ_ROLES = ALERT_VIEW_ROLES | {Role.FAMILY}
# Who registers away periods (住院, 探亲): family, and the workers of the place.
AWAY_ROLES = WORKER_ROLES | {Role.FAMILY}
# Who opens a community's care board and its short-of-services list.
BOARD_ROLES = COMMUNITY_ROLES | {Role.STREET_ADMIN}
# Who registers gateways and devices (CARE-1): community staff for their community, the
# street office for its street, the system administrator anywhere. The page is for
# community staff; the others use the admin site and `manage.py care_gateway`.
DEVICE_ROLES = BOARD_ROLES | {Role.SYSADMIN}
DEVICE_PAGE_ROLES = COMMUNITY_ROLES
FAMILY_ROLES = frozenset({Role.FAMILY})


def _role(actor: Any) -> str:
    return str(getattr(actor, "role", "") or "")


def can_work(actor: Any) -> bool:
    """Takes visits and records services (the worker's page)."""
    return _role(actor) in WORKER_ROLES


def can_handle(actor: Any, alert: Alert) -> bool:
    """May take and close this alert, assuming it is visible to the actor (same grid or
    community): the grid worker always; community staff once it has been escalated to them,
    or when the grid has no grid worker to take it."""
    role = _role(actor)
    if role in GRID_ROLES:
        return True
    if role in COMMUNITY_ROLES:
        return alert.escalation_level >= EscalationLevel.COMMUNITY or alert.assigned_to_id is None
    return False


def can_set_away(actor: Any) -> bool:
    return _role(actor) in AWAY_ROLES


def can_record_service(actor: Any) -> bool:
    return _role(actor) in WORKER_ROLES


def can_open_board(actor: Any) -> bool:
    return _role(actor) in BOARD_ROLES


def can_register_devices(actor: Any) -> bool:
    """`actor` None is the system (the demo, the simulator, a management command)."""
    return actor is None or _role(actor) in DEVICE_ROLES


def can_use_device_page(actor: Any) -> bool:
    return _role(actor) in DEVICE_PAGE_ROLES


def is_family(actor: Any) -> bool:
    return _role(actor) in FAMILY_ROLES
